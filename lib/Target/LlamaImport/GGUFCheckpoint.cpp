//===- GGUFCheckpoint.cpp - GGUF checkpoint files -------------------------===//

#include "Checkpoint.h"
#include "spike/core/ModelIO/LlamaLayout.h"

#include <cmath>

namespace spike::llama {

namespace {

/// A GGUF file's tensors under Hugging Face names.
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
  core::Status checkAllRead(const LlamaConfig &c) const override {
    // The frequency factors were read into the config.
    return unusedTensor(firstUnread([&](const std::string &name) {
      return name == "rope_freqs.weight" && c.ropeScaling == "factors";
    }));
  }

private:
  std::string firstUnread(
      llvm::function_ref<bool(const std::string &)> derived) const override {
    for (const auto &[name, t] : file_.tensors())
      if (!read_.count(name) && !derived(name))
        return file_.path() + ": tensor '" + name + "'";
    return "";
  }

  core::GgufFile file_;
  LlamaConfig config_;
};

} // namespace

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

std::unique_ptr<WeightSource> makeGGUFWeights(core::GgufFile file,
                                              const LlamaConfig &config) {
  return std::make_unique<GGUFSource>(std::move(file), config);
}

} // namespace spike::llama
