//===- ImportLlama.cpp - Import LLaMA-family checkpoints ------------------===//

#include "Rotation.h"
#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/InitAll.h"
#include "spike/Target/LlamaImport.h"
#include "spike/core/FileIO.h"
#include "spike/core/Gguf.h"
#include "spike/core/JsonReader.h"
#include "spike/core/LlamaLayout.h"
#include "spike/core/Safetensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
#include <memory>
#include <set>

using namespace mlir;
namespace qnn = spike::qnn;
namespace core = spike::core;

namespace {

struct LlamaConfig {
  std::string name;
  int64_t vocab = 0, hidden = 0, ffn = 0, layers = 0, heads = 0, kvHeads = 0,
          headDim = 0;
  double eps = 1e-5, ropeBase = 10000;
  std::string ropeScaling;         // "", "linear", "llama3", "factors"
  std::vector<double> freqFactors; ///< "factors": GGUF's rope_freqs.weight
  double ropeFactor = 1, lowFreq = 1, highFreq = 4;
  int64_t originalMaxPosition = 8192;
  bool tied = false;
  /// Biases of q/k/v, of o_proj, and of the MLP's three linears (LLaMA's
  /// `attention_bias` / `mlp_bias`; Qwen2 has q/k/v biases).
  bool qkvBias = false, oBias = false, mlpBias = false;
  /// GGUF only: llama.cpp permutes q/k rows for its LLaMA architecture.
  bool ggufRopePermuted = true;
};

/// Where the weights come from; names are Hugging Face's.
class WeightSource {
public:
  virtual ~WeightSource() = default;
  virtual bool has(const std::string &name) const = 0;
  /// f32, row-major, checked against `shape`; errors name file and tensor.
  virtual core::Result<std::vector<float>>
  read(const std::string &name, const std::vector<int64_t> &shape) const = 0;
  /// The first tensor of the checkpoint that no read() asked for, other
  /// than derived buffers that `derived` accepts ("" if none): a weight the
  /// graph would otherwise drop silently.
  virtual std::string
  firstUnread(llvm::function_ref<bool(const std::string &)> derived) const = 0;

protected:
  mutable std::set<std::string> read_; ///< source names read
};

std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Reads and parses a JSON file; errors name the file.
core::Result<llvm::json::Value> readJsonFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return core::Status::error(path + ": cannot read");
  // llvm::json's parser recurses: bound the nesting first.
  if (std::string err = core::checkJsonDepth((*buffer)->getBuffer());
      !err.empty())
    return core::Status::error(path + ": " + err);
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return core::Status::error(
        path + ": malformed JSON: " + llvm::toString(json.takeError()));
  return std::move(*json);
}

//===----------------------------------------------------------------------===//
// Hugging Face directories
//===----------------------------------------------------------------------===//

class HFSource : public WeightSource {
public:
  static core::Result<std::unique_ptr<HFSource>> open(const std::string &dir);
  bool has(const std::string &name) const override {
    return shardOf_.count(name);
  }
  core::Result<std::vector<float>>
  read(const std::string &name,
       const std::vector<int64_t> &shape) const override {
    auto it = shardOf_.find(name);
    if (it == shardOf_.end())
      return core::Status::error(dir_ + ": missing tensor '" + name + "'");
    const core::SafetensorsFile &file = *shards_.at(it->second);
    const core::TensorInfo *info = file.find(name);
    if (!info)
      return core::Status::error(file.path() + ": missing tensor '" + name +
                                 "' (listed in the index)");
    if (info->shape != shape)
      return core::Status::error(file.path() + ": tensor '" + name +
                                 "' has shape " + shapeString(info->shape) +
                                 ", the config implies " + shapeString(shape));
    read_.insert(name);
    return file.readF32(name);
  }
  std::string firstUnread(
      llvm::function_ref<bool(const std::string &)> derived) const override {
    for (const auto &[name, shard] : shardOf_)
      if (!read_.count(name) && !derived(name))
        return shards_.at(shard)->path() + ": tensor '" + name + "'";
    return "";
  }
  /// A tensor's raw reader, for derived buffers checked after import.
  const core::SafetensorsFile *shardOf(const std::string &name) const {
    auto it = shardOf_.find(name);
    return it == shardOf_.end() ? nullptr : shards_.at(it->second).get();
  }

private:
  std::string dir_;
  std::map<std::string, std::string> shardOf_;
  std::map<std::string, std::unique_ptr<core::SafetensorsFile>> shards_;
};

core::Result<std::unique_ptr<HFSource>> HFSource::open(const std::string &dir) {
  auto source = std::make_unique<HFSource>();
  source->dir_ = dir;
  std::string index = dir + "/model.safetensors.index.json";
  if (llvm::sys::fs::exists(index)) {
    auto json = readJsonFile(index);
    if (!json)
      return json.status();
    const llvm::json::Object *map =
        json->getAsObject() ? json->getAsObject()->getObject("weight_map")
                            : nullptr;
    if (!map)
      return core::Status::error(index + ": missing object 'weight_map'");
    for (const auto &[name, file] : *map) {
      auto f = file.getAsString();
      if (!f)
        return core::Status::error(index + ": weight_map['" + name.str() +
                                   "'] is not a file name");
      source->shardOf_[name.str()] = f->str();
    }
  } else if (llvm::sys::fs::exists(dir + "/model.safetensors")) {
    auto file = core::SafetensorsFile::open(dir + "/model.safetensors");
    if (!file)
      return file.status();
    for (const auto &[name, info] : file->tensors())
      source->shardOf_[name] = "model.safetensors";
  } else {
    return core::Status::error(dir + ": no model.safetensors or "
                                     "model.safetensors.index.json");
  }
  for (const auto &[name, shard] : source->shardOf_) {
    if (source->shards_.count(shard))
      continue;
    auto file = core::SafetensorsFile::open(dir + "/" + shard);
    if (!file)
      return file.status();
    source->shards_[shard] =
        std::make_unique<core::SafetensorsFile>(file.take());
  }
  return source;
}

core::Result<LlamaConfig> readHFConfig(const std::string &dir) {
  std::string path = dir + "/config.json";
  auto json = readJsonFile(path);
  if (!json)
    return json.status();
  const llvm::json::Object *obj = json->getAsObject();
  if (!obj)
    return core::Status::error(path + ": not a JSON object");
  auto str = [&](llvm::StringRef key) {
    auto v = obj->getString(key);
    return v ? v->str() : std::string();
  };
  std::string type = str("model_type");
  if (type != "llama" && type != "qwen2")
    return core::Status::error(path + ": model_type '" + type +
                               "' is not supported (supported: llama, qwen2)");
  LlamaConfig c;
  // Bias flags: read with their declared type, never guessed.
  auto flag = [&](llvm::StringRef key, bool &out) -> core::Status {
    if (const llvm::json::Value *v = obj->get(key)) {
      auto b = v->getAsBoolean();
      if (!b)
        return core::Status::error(path + ": '" + key.str() +
                                   "' must be true or false");
      out = *b;
    }
    return core::Status::ok();
  };
  if (type == "qwen2") {
    // Qwen2: the LLaMA layout with q/k/v biases; sliding-window attention
    // is not implemented.
    c.qkvBias = true;
    bool sliding = false;
    if (auto st = flag("use_sliding_window", sliding); !st)
      return st;
    if (sliding)
      return core::Status::error(path + ": use_sliding_window: sliding-"
                                        "window attention is not supported");
  } else {
    bool attention = false;
    if (auto st = flag("attention_bias", attention); !st)
      return st;
    if (auto st = flag("mlp_bias", c.mlpBias); !st)
      return st;
    c.qkvBias = c.oBias = attention;
  }
  c.name = str("_name_or_path");
  for (auto [key, field] :
       {std::pair<const char *, int64_t *>{"vocab_size", &c.vocab},
        {"hidden_size", &c.hidden},
        {"intermediate_size", &c.ffn},
        {"num_hidden_layers", &c.layers},
        {"num_attention_heads", &c.heads}}) {
    auto v = obj->getInteger(key);
    if (!v || *v <= 0)
      return core::Status::error(path + ": missing or invalid '" +
                                 std::string(key) + "'");
    *field = *v;
  }
  c.kvHeads = obj->getInteger("num_key_value_heads").value_or(c.heads);
  c.headDim = obj->getInteger("head_dim").value_or(c.hidden / c.heads);
  c.eps = obj->getNumber("rms_norm_eps").value_or(1e-6);
  c.ropeBase = obj->getNumber("rope_theta").value_or(10000.0);
  c.tied = obj->getBoolean("tie_word_embeddings").value_or(false);
  if (const llvm::json::Object *rs = obj->getObject("rope_scaling")) {
    // LLaMA-2 writes "type", LLaMA-3 "rope_type".
    auto kind = rs->getString("rope_type");
    if (!kind)
      kind = rs->getString("type");
    std::string k = kind ? kind->str() : "";
    if (k != "linear" && k != "llama3" && k != "default")
      return core::Status::error(path + ": rope_scaling type '" + k +
                                 "' is not supported (linear, llama3)");
    if (k != "default") {
      c.ropeScaling = k;
      c.ropeFactor = rs->getNumber("factor").value_or(1.0);
      c.lowFreq = rs->getNumber("low_freq_factor").value_or(1.0);
      c.highFreq = rs->getNumber("high_freq_factor").value_or(4.0);
      c.originalMaxPosition =
          rs->getInteger("original_max_position_embeddings").value_or(8192);
    }
  }
  return c;
}

//===----------------------------------------------------------------------===//
// GGUF files
//===----------------------------------------------------------------------===//

class GGUFSource : public WeightSource {
public:
  GGUFSource(core::GgufFile file, const LlamaConfig &config)
      : file_(std::move(file)), config_(config) {}

  bool has(const std::string &name) const override {
    std::string g = core::ggufTensorName(name);
    return !g.empty() && file_.findTensor(g);
  }

  core::Result<std::vector<float>>
  read(const std::string &name,
       const std::vector<int64_t> &shape) const override {
    std::string g = core::ggufTensorName(name);
    const core::GgufTensor *t = g.empty() ? nullptr : file_.findTensor(g);
    if (!t)
      return core::Status::error(file_.path() + ": missing tensor '" + g +
                                 "' (" + name + ")");
    if (t->shape != shape)
      return core::Status::error(file_.path() + ": tensor '" + g +
                                 "' has shape " + shapeString(t->shape) +
                                 ", the metadata implies " +
                                 shapeString(shape));
    auto values = file_.readF32(g);
    if (!values)
      return values.status();
    read_.insert(g);
    // llama.cpp's converter permutes the Q and K rows (weights and biases)
    // of its LLaMA architecture so that RoPE pairs are adjacent; Hugging
    // Face pairs i with i + d/2. Undo it.
    bool isQ = name.find("q_proj") != std::string::npos;
    bool isK = name.find("k_proj") != std::string::npos;
    if ((isQ || isK) && config_.ggufRopePermuted)
      return core::permuteRopeRows(
          *values, isQ ? config_.heads : config_.kvHeads, config_.headDim,
          shape.size() == 2 ? shape[1] : 1, /*toGguf=*/false);
    return values;
  }
  std::string firstUnread(
      llvm::function_ref<bool(const std::string &)> derived) const override {
    for (const auto &[name, t] : file_.tensors())
      if (!read_.count(name) && !derived(name))
        return file_.path() + ": tensor '" + name + "'";
    return "";
  }

private:
  core::GgufFile file_;
  LlamaConfig config_;
};

core::Result<LlamaConfig> readGGUFConfig(const core::GgufFile &f) {
  auto arch = f.getString("general.architecture");
  if (!arch)
    return arch.status();
  if (*arch != "llama" && *arch != "qwen2")
    return core::Status::error(f.path() + ": general.architecture '" + *arch +
                               "' is not supported (supported: llama, qwen2)");
  // Keys are prefixed by the architecture ("llama.block_count").
  const std::string a = *arch + ".";
  LlamaConfig c;
  c.ggufRopePermuted = *arch == "llama";
  if (f.has("general.name")) {
    auto name = f.getString("general.name");
    if (!name)
      return name.status();
    c.name = *name;
  }
  for (auto [key, field] :
       {std::pair<std::string, int64_t *>{a + "embedding_length", &c.hidden},
        {a + "feed_forward_length", &c.ffn},
        {a + "block_count", &c.layers},
        {a + "attention.head_count", &c.heads}}) {
    auto v = f.getInt(key);
    if (!v)
      return v.status();
    if (*v <= 0)
      return core::Status::error(f.path() + ": metadata '" + key +
                                 "' must be positive");
    *field = *v;
  }
  // Optional keys: read with the type the file declares, or refused with
  // the key and that type (GgufFile's getters), never dereferenced blind.
#define SPIKE_OPTIONAL(getter, key, field)                                     \
  if (f.has(key)) {                                                            \
    auto v = f.getter(key);                                                    \
    if (!v)                                                                    \
      return v.status();                                                       \
    field = *v;                                                                \
  }
  c.kvHeads = c.heads;
  SPIKE_OPTIONAL(getInt, a + "attention.head_count_kv", c.kvHeads);
  if (c.kvHeads <= 0)
    return core::Status::error(f.path() + ": metadata '" + a +
                               "attention.head_count_kv' must be positive");
  c.headDim = c.hidden / c.heads;
  int64_t ropeDims = c.headDim;
  SPIKE_OPTIONAL(getInt, a + "rope.dimension_count", ropeDims);
  if (ropeDims != c.headDim)
    return core::Status::error(f.path() + ": partial RoPE (" + a +
                               "rope.dimension_count != head dim) is not "
                               "supported");
  SPIKE_OPTIONAL(getFloat, a + "attention.layer_norm_rms_epsilon", c.eps);
  SPIKE_OPTIONAL(getFloat, a + "rope.freq_base", c.ropeBase);
  std::string scaling = "none";
  SPIKE_OPTIONAL(getString, a + "rope.scaling.type", scaling);
  if (scaling != "none") {
    std::string t = scaling;
    if (t == "linear") {
      c.ropeScaling = "linear";
      auto factor = f.getFloat(a + "rope.scaling.factor");
      if (!factor)
        return factor.status();
      c.ropeFactor = *factor;
    } else {
      return core::Status::error(f.path() + ": " + a + "rope.scaling.type '" +
                                 t + "' is not supported");
    }
  }
  // LLaMA-3.1's frequency factors as llama.cpp stores them: a divisor per
  // RoPE frequency, read and checked here (the graph's qnn.rope takes them).
  if (const core::GgufTensor *t = f.findTensor("rope_freqs.weight")) {
    if (!c.ropeScaling.empty())
      return core::Status::error(f.path() +
                                 ": tensor 'rope_freqs.weight' "
                                 "and " +
                                 a + "rope.scaling.type both scale RoPE");
    if (t->shape != std::vector<int64_t>{c.headDim / 2})
      return core::Status::error(
          f.path() + ": tensor 'rope_freqs.weight' has " +
          std::to_string(t->numElements()) +
          " values; RoPE has head dim / 2 = " + std::to_string(c.headDim / 2) +
          " frequencies");
    auto values = f.readF32("rope_freqs.weight");
    if (!values)
      return values.status();
    for (size_t i = 0; i < values->size(); ++i)
      if (!std::isfinite((*values)[i]) || !((*values)[i] > 0))
        return core::Status::error(f.path() + ": tensor 'rope_freqs.weight'[" +
                                   std::to_string(i) +
                                   "] = " + std::to_string((*values)[i]) +
                                   " is not a positive frequency factor");
    c.ropeScaling = "factors";
    c.freqFactors.assign(values->begin(), values->end());
  }
  const core::GgufTensor *embed = f.findTensor("token_embd.weight");
  if (!embed)
    return core::Status::error(f.path() + ": missing tensor "
                                          "'token_embd.weight'");
  c.vocab = embed->shape[0];
  SPIKE_OPTIONAL(getInt, a + "vocab_size", c.vocab);
#undef SPIKE_OPTIONAL
  c.tied = !f.findTensor("output.weight");
  // Biases are in the file or not (llama.cpp's LLaMA and Qwen2 graphs take
  // them when present).
  c.qkvBias = f.findTensor("blk.0.attn_q.bias") != nullptr;
  c.oBias = f.findTensor("blk.0.attn_output.bias") != nullptr;
  c.mlpBias = f.findTensor("blk.0.ffn_up.bias") != nullptr;
  return c;
}

//===----------------------------------------------------------------------===//
// The graph
//===----------------------------------------------------------------------===//

class GraphBuilder {
public:
  GraphBuilder(MLIRContext *ctx, const LlamaConfig &c, const WeightSource &src,
               core::SafetensorsWriter &out,
               const spike::LlamaImportOptions &options)
      : b(ctx), c(c), src(src), out(out), options(options),
        f32(b.getF32Type()) {}

  core::Status build(ModuleOp module);

private:
  OpBuilder b;
  const LlamaConfig &c;
  const WeightSource &src;
  core::SafetensorsWriter &out;
  const spike::LlamaImportOptions &options;
  Type f32;
  Location loc = UnknownLoc::get(b.getContext());
  core::Status status = core::Status::ok();

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  }
  static constexpr int64_t kDyn = ShapedType::kDynamic;

  /// Reads a checkpoint tensor (empty on error, recorded in `status`).
  std::vector<float> read(const std::string &name,
                          const std::vector<int64_t> &shape) {
    if (!status.isOk())
      return {};
    auto values = src.read(name, shape);
    if (!values) {
      status = values.status();
      return {};
    }
    return values.take();
  }

  /// Writes a tensor to the weight file; returns its IR value.
  Value record(const std::string &name, std::vector<int64_t> shape,
               const std::vector<float> &values) {
    if (!status.isOk())
      return {};
    if (auto st = out.addF32(name, shape, values); !st) {
      status = st;
      return {};
    }
    SmallVector<int64_t> s(shape.begin(), shape.end());
    return qnn::WeightOp::create(
        b, loc, tensor(s),
        qnn::ParamAttr::get(b.getContext(), name, tensor(s)));
  }

  Value linear(Value x, Value w, int64_t outDim, Value bias = {}) {
    return qnn::LinearOp::create(b, loc, tensor({kDyn, outDim}), x, w, Value(),
                                 bias, IntegerAttr());
  }

  Value rope(Value x) {
    auto op = qnn::RoPEOp::create(
        b, loc, x, b.getF64FloatAttr(c.ropeBase), StringAttr(), FloatAttr(),
        FloatAttr(), FloatAttr(), IntegerAttr(), DenseF64ArrayAttr());
    if (c.ropeScaling == "factors") {
      op.setScalingAttr(b.getStringAttr(c.ropeScaling));
      op.setFreqFactorsAttr(b.getDenseF64ArrayAttr(c.freqFactors));
    } else if (!c.ropeScaling.empty()) {
      op.setScalingAttr(b.getStringAttr(c.ropeScaling));
      op.setFactorAttr(b.getF64FloatAttr(c.ropeFactor));
      if (c.ropeScaling == "llama3") {
        op.setLowFreqFactorAttr(b.getF64FloatAttr(c.lowFreq));
        op.setHighFreqFactorAttr(b.getF64FloatAttr(c.highFreq));
        op.setOriginalMaxPositionAttr(
            b.getI64IntegerAttr(c.originalMaxPosition));
      }
    }
    return op;
  }
};

core::Status GraphBuilder::build(ModuleOp module) {
  b.setInsertionPointToEnd(module.getBody());
  auto tokensType = RankedTensorType::get({kDyn}, b.getI64Type());
  auto logitsType = tensor({kDyn, c.vocab});
  auto func = func::FuncOp::create(
      b, loc, "forward", b.getFunctionType({tokensType}, {logitsType}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);

  const int64_t d = c.hidden, dq = c.heads * c.headDim,
                dkv = c.kvHeads * c.headDim;
  // 1/sqrt(head_dim) of the attention scores, folded into W_q.
  const float qScale = float(1.0 / std::sqrt(double(c.headDim)));
  module->setAttr("qnn.attention_scale_folded_into", b.getStringAttr("q_proj"));

  namespace rot = spike::rotation;
  const bool rotate = options.rotateResidual;
  std::vector<float> q, r;
  const char *kind = nullptr;
  if (rotate) {
    q = rot::rotationFor(d, options.rotationSeed, kind);
    module->setAttr("qnn.rotated_residual", b.getStringAttr(kind));
  }
  if (options.rotateDown) {
    r = rot::rotationFor(c.ffn, options.rotationSeed + 1, kind);
    module->setAttr("qnn.rotated_down_proj_input", b.getStringAttr(kind));
  }
  std::vector<float> ones(d, 1.f);
  // A consumer of the (rotated) residual stream: W diag(g) Q.
  auto reader = [&](const std::vector<float> &gain, int64_t rows,
                    std::vector<float> w) {
    if (!rotate || w.empty())
      return w;
    rot::scaleColumns(w, rows, gain);
    return rot::timesRight(w, rows, d, q);
  };
  // A writer into the residual stream: Q^T W.
  auto writer = [&](int64_t cols, std::vector<float> w) {
    return rotate && !w.empty() ? rot::transposeTimes(q, d, w, cols) : w;
  };

  std::vector<float> embedRaw = read("model.embed_tokens.weight", {c.vocab, d});
  Value embed = record("model.embed_tokens.weight", {c.vocab, d},
                       rotate && !embedRaw.empty()
                           ? rot::timesRight(embedRaw, c.vocab, d, q)
                           : embedRaw);
  if (!status.isOk())
    return status;
  Value x = qnn::EmbeddingOp::create(b, loc, tensor({kDyn, d}),
                                     body->getArgument(0), embed);
  auto eps = b.getF64FloatAttr(c.eps);
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    std::vector<float> g1 = read(p + "input_layernorm.weight", {d});
    std::vector<float> g2 = read(p + "post_attention_layernorm.weight", {d});
    std::vector<float> wqv =
        reader(g1, dq, read(p + "self_attn.q_proj.weight", {dq, d}));
    for (float &v : wqv)
      v *= qScale;
    Value ln1 = record(p + "input_layernorm.weight", {d}, rotate ? ones : g1);
    Value wq = record(p + "self_attn.q_proj.weight", {dq, d}, wqv);
    Value wk =
        record(p + "self_attn.k_proj.weight", {dkv, d},
               reader(g1, dkv, read(p + "self_attn.k_proj.weight", {dkv, d})));
    Value wv =
        record(p + "self_attn.v_proj.weight", {dkv, d},
               reader(g1, dkv, read(p + "self_attn.v_proj.weight", {dkv, d})));
    Value wo = record(p + "self_attn.o_proj.weight", {d, dq},
                      writer(dq, read(p + "self_attn.o_proj.weight", {d, dq})));
    Value ln2 =
        record(p + "post_attention_layernorm.weight", {d}, rotate ? ones : g2);
    Value wg =
        record(p + "mlp.gate_proj.weight", {c.ffn, d},
               reader(g2, c.ffn, read(p + "mlp.gate_proj.weight", {c.ffn, d})));
    Value wu =
        record(p + "mlp.up_proj.weight", {c.ffn, d},
               reader(g2, c.ffn, read(p + "mlp.up_proj.weight", {c.ffn, d})));
    std::vector<float> wdv =
        writer(c.ffn, read(p + "mlp.down_proj.weight", {d, c.ffn}));
    Value rotation;
    if (options.rotateDown && !wdv.empty()) {
      wdv = rot::timesRight(wdv, d, c.ffn, r);
      // linear(h, R^T) computes h R, the online rotation.
      std::vector<float> rt(c.ffn * c.ffn);
      for (int64_t a = 0; a < c.ffn; ++a)
        for (int64_t k = 0; k < c.ffn; ++k)
          rt[a * c.ffn + k] = r[k * c.ffn + a];
      rotation = record(p + "mlp.down_rotation", {c.ffn, c.ffn}, rt);
    }
    Value wd = record(p + "mlp.down_proj.weight", {d, c.ffn}, wdv);
    // Biases, in the same frames as their weights: q's carries the folded
    // 1/sqrt(d); the writers' (o, down) are rotated with their rows (Q^T b);
    // the readers' outputs are not rotated.
    auto bias = [&](bool present, const std::string &name, int64_t n,
                    float scale = 1.f, bool writes = false) -> Value {
      if (!present)
        return {};
      std::vector<float> v = read(p + name, {n});
      for (float &x : v)
        x *= scale;
      return record(p + name, {n}, writes ? writer(1, v) : v);
    };
    Value bq = bias(c.qkvBias, "self_attn.q_proj.bias", dq, qScale);
    Value bk = bias(c.qkvBias, "self_attn.k_proj.bias", dkv);
    Value bv = bias(c.qkvBias, "self_attn.v_proj.bias", dkv);
    Value bo = bias(c.oBias, "self_attn.o_proj.bias", d, 1.f, true);
    Value bg = bias(c.mlpBias, "mlp.gate_proj.bias", c.ffn);
    Value bu = bias(c.mlpBias, "mlp.up_proj.bias", c.ffn);
    Value bd = bias(c.mlpBias, "mlp.down_proj.bias", d, 1.f, true);
    if (!status.isOk())
      return status;

    Value n = qnn::RMSNormOp::create(b, loc, x, ln1, eps);
    Value qh = qnn::SplitHeadsOp::create(
        b, loc, tensor({c.heads, kDyn, c.headDim}), linear(n, wq, dq, bq));
    Value k = qnn::SplitHeadsOp::create(
        b, loc, tensor({c.kvHeads, kDyn, c.headDim}), linear(n, wk, dkv, bk));
    Value v = qnn::SplitHeadsOp::create(
        b, loc, tensor({c.kvHeads, kDyn, c.headDim}), linear(n, wv, dkv, bv));
    qh = rope(qh);
    k = rope(k);
    Value s = qnn::MatmulOp::create(b, loc, tensor({c.heads, kDyn, kDyn}), qh,
                                    k, /*transpose_rhs=*/true);
    Value pr = qnn::SoftmaxOp::create(b, loc, s, /*causal=*/true);
    Value o = qnn::MatmulOp::create(b, loc, tensor({c.heads, kDyn, c.headDim}),
                                    pr, v, false);
    Value om = qnn::MergeHeadsOp::create(b, loc, tensor({kDyn, dq}), o);
    x = qnn::AddOp::create(b, loc, x, linear(om, wo, d, bo));

    Value n2 = qnn::RMSNormOp::create(b, loc, x, ln2, eps);
    Value g = qnn::SiLUOp::create(b, loc, linear(n2, wg, c.ffn, bg));
    Value h = qnn::MulOp::create(b, loc, g, linear(n2, wu, c.ffn, bu));
    if (rotation)
      h = linear(h, rotation, c.ffn);
    x = qnn::AddOp::create(b, loc, x, linear(h, wd, d, bd));
  }
  std::vector<float> gf = read("model.norm.weight", {d});
  Value lnf = record("model.norm.weight", {d}, rotate ? ones : gf);
  Value head;
  bool separateHead = !c.tied && src.has("lm_head.weight");
  if (rotate) {
    // The head reads the rotated, gain-free stream: W diag(g) Q (untied).
    std::vector<float> h =
        separateHead ? read("lm_head.weight", {c.vocab, d}) : embedRaw;
    head = record("lm_head.weight", {c.vocab, d}, reader(gf, c.vocab, h));
  } else {
    head = separateHead ? record("lm_head.weight", {c.vocab, d},
                                 read("lm_head.weight", {c.vocab, d}))
                        : embed;
  }
  if (!status.isOk())
    return status;
  Value xf = qnn::RMSNormOp::create(b, loc, x, lnf, eps);
  Value logits = linear(xf, head, c.vocab);
  func::ReturnOp::create(b, loc, logits);
  return core::Status::ok();
}

/// Every checkpoint tensor was read into the graph, so that no weight is
/// dropped silently. Derived buffers are checked instead: a HF
/// `rotary_emb.inv_freq` against rope_theta and the head dim (recomputed,
/// not checked, under RoPE scaling, which rewrites it), and a `lm_head`
/// that tie_word_embeddings says is the embedding must equal it.
core::Status checkAllRead(const WeightSource &source, const LlamaConfig &c,
                          const HFSource *hf) {
  core::Status derivedError = core::Status::ok();
  auto derived = [&](const std::string &name) {
    // GGUF's frequency factors were read into the config.
    if (!hf)
      return name == "rope_freqs.weight" && c.ropeScaling == "factors";
    if (!derivedError.isOk())
      return false;
    const core::SafetensorsFile *file = hf->shardOf(name);
    llvm::StringRef n(name);
    if (n.ends_with(".rotary_emb.inv_freq")) {
      if (!c.ropeScaling.empty())
        return true;
      auto v = file->readF32(name);
      if (!v || int64_t(v->size()) != c.headDim / 2) {
        derivedError = core::Status::error(file->path() + ": tensor '" + name +
                                           "' is not [head_dim / 2] = [" +
                                           std::to_string(c.headDim / 2) + "]");
        return true;
      }
      for (int64_t i = 0; i < c.headDim / 2; ++i) {
        // torch computes it in f32: a few ulps from the double value.
        double want = 1.0 / std::pow(c.ropeBase, 2.0 * i / c.headDim);
        if (std::fabs((*v)[i] - want) > 1e-5 * want) {
          derivedError = core::Status::error(
              file->path() + ": tensor '" + name + "'[" + std::to_string(i) +
              "] = " + std::to_string((*v)[i]) + " disagrees with rope_theta " +
              std::to_string(c.ropeBase) + " (" + std::to_string(want) + ")");
          return true;
        }
      }
      return true;
    }
    if (name == "lm_head.weight" && c.tied) {
      auto head = file->readF32(name);
      const core::SafetensorsFile *ef =
          hf->shardOf("model.embed_tokens.weight");
      auto embed =
          ef ? ef->readF32("model.embed_tokens.weight")
             : core::Result<std::vector<float>>(core::Status::error(""));
      if (!head || !embed || *head != *embed)
        derivedError = core::Status::error(
            file->path() + ": tensor 'lm_head.weight' differs from "
                           "'model.embed_tokens.weight', but "
                           "tie_word_embeddings is true");
      return true;
    }
    return false;
  };
  std::string unread = source.firstUnread(derived);
  if (!derivedError.isOk())
    return derivedError;
  if (!unread.empty())
    return core::Status::error(unread +
                               " is not used by the importer (a LLaMA/Qwen2 "
                               "graph with these config flags); refusing to "
                               "drop a weight silently");
  return core::Status::ok();
}

bool fail(const std::string &message) {
  llvm::errs() << "spike-translate: error: " << message << "\n";
  return false;
}

} // namespace

bool spike::importLlama(const LlamaImportOptions &options) {
  std::unique_ptr<WeightSource> source;
  const HFSource *hfSource = nullptr;
  LlamaConfig config;
  std::string tokenizer;
  bool isDir = llvm::sys::fs::is_directory(options.input);
  if (!isDir && !llvm::sys::fs::exists(options.input))
    return fail(options.input + ": no such file or directory");
  if (isDir) {
    auto c = readHFConfig(options.input);
    if (!c)
      return fail(c.message());
    config = c.take();
    auto s = HFSource::open(options.input);
    if (!s)
      return fail(s.message());
    source = s.take();
    hfSource = static_cast<const HFSource *>(source.get());
    for (const char *name : {"tokenizer.json", "tokenizer.model"})
      if (llvm::sys::fs::exists(options.input + "/" + name)) {
        tokenizer = options.input + "/" + name;
        break;
      }
  } else {
    auto file = core::GgufFile::open(options.input);
    if (!file)
      return fail(file.message());
    auto c = readGGUFConfig(*file);
    if (!c)
      return fail(c.message());
    config = c.take();
    source = std::make_unique<GGUFSource>(file.take(), config);
    tokenizer = options.input;
  }
  if (config.hidden % config.heads || config.heads % config.kvHeads ||
      config.headDim % 2)
    return fail(options.input + ": inconsistent attention shape (hidden " +
                std::to_string(config.hidden) + ", heads " +
                std::to_string(config.heads) + ", kv heads " +
                std::to_string(config.kvHeads) + ")");

  std::string weightsOut = options.weightsOut;
  if (weightsOut.empty()) {
    if (options.output == "-")
      return fail("--weights-out is required when writing the IR to stdout");
    SmallString<256> p(options.output);
    llvm::sys::path::replace_extension(p, ".safetensors");
    weightsOut = p.str().str();
  }

  MLIRContext ctx;
  DialectRegistry registry;
  spike::registerAllDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  core::SafetensorsWriter weights;
  weights.setMetadata("producer", spike::versionString());
  GraphBuilder builder(&ctx, config, *source, weights, options);
  if (auto st = builder.build(*module); !st)
    return fail(st.message());
  if (auto st = checkAllRead(*source, config, hfSource); !st)
    return fail(st.message());

  // The IR names the weight file relative to itself when they share a
  // directory, so the pair can be moved together.
  SmallString<256> irDir(options.output == "-" ? "." : options.output);
  llvm::sys::path::remove_filename(irDir);
  SmallString<256> weightsDir(weightsOut);
  llvm::sys::path::remove_filename(weightsDir);
  std::string weightsRef = irDir == weightsDir
                               ? llvm::sys::path::filename(weightsOut).str()
                               : weightsOut;
  OpBuilder b(&ctx);
  (*module)->setAttr("qnn.weights", b.getStringAttr(weightsRef));
  if (!config.name.empty())
    (*module)->setAttr("qnn.model", b.getStringAttr(config.name));
  if (!tokenizer.empty()) {
    SmallString<256> abs(tokenizer);
    llvm::sys::fs::make_absolute(abs);
    (*module)->setAttr("qnn.tokenizer", b.getStringAttr(abs.str()));
  }
  if (failed(verify(*module)))
    return fail(options.input + ": the imported graph does not verify");

  // The weights first and the IR last, each complete or not there at all:
  // an IR file in place means its weights are too.
  std::string ir;
  llvm::raw_string_ostream irStream(ir);
  module->print(irStream);
  core::OutputSet outputs;
  if (auto st = outputs.write(weightsOut, weights.serialize()); !st)
    return fail(st.message());
  if (options.output != "-")
    if (auto st = outputs.write(options.output, ir); !st)
      return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  if (options.output == "-") {
    llvm::outs() << ir;
    llvm::outs().flush();
  }
  return true;
}
