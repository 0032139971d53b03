//===- HFCheckpoint.cpp - Hugging Face checkpoint directories -------------===//

#include "Checkpoint.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/JsonReader.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <map>

namespace spike::llama {

namespace {

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

/// A directory's safetensors files, by tensor name.
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
  core::Status checkAllRead(const LlamaConfig &c) const override;
  bool takeAsStored(const std::string &name, const std::vector<int64_t> &shape,
                    core::DType dtype) const override {
    const core::SafetensorsFile *file = shardOf(name);
    const core::TensorInfo *info = file ? file->find(name) : nullptr;
    // Only bytes the shard holds itself: an overlay's chain names the
    // shards, not what they name.
    if (!info || info->source != 0 || info->shape != shape ||
        info->dtype != dtype)
      return false;
    read_.insert(name);
    return true;
  }
  std::string baseFile() const override { return base_; }
  std::vector<std::string> files() const override {
    std::vector<std::string> out = {base_};
    for (const auto &[shard, file] : shards_)
      out.push_back(file->path());
    return out;
  }

private:
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

  std::string dir_;
  std::string base_; ///< the index or the single file, absolute
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
    source->base_ = index;
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
    source->base_ = dir + "/model.safetensors";
    for (const auto &[name, info] : file->tensors())
      source->shardOf_[name] = "model.safetensors";
    source->shards_["model.safetensors"] =
        std::make_unique<core::SafetensorsFile>(file.take());
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
  // The directory's real path and the file's own name: in a hub cache the
  // index is a link to a blob, and its shards lie beside the link.
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(dir, real))
    source->base_ =
        (real + "/" + llvm::sys::path::filename(source->base_)).str();
  return source;
}

/// Derived buffers are checked instead of read: a
/// `rotary_emb.inv_freq` against rope_theta and the head dim (recomputed,
/// not checked, under RoPE scaling, which rewrites it), and a `lm_head`
/// that tie_word_embeddings says is the embedding must equal it.
core::Status HFSource::checkAllRead(const LlamaConfig &c) const {
  core::Status derivedError = core::Status::ok();
  auto derived = [&](const std::string &name) {
    if (!derivedError.isOk())
      return false;
    const core::SafetensorsFile *file = shardOf(name);
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
      const core::SafetensorsFile *ef = shardOf("model.embed_tokens.weight");
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
  std::string unread = firstUnread(derived);
  if (!derivedError.isOk())
    return derivedError;
  return unusedTensor(unread);
}

} // namespace

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

core::Result<std::unique_ptr<WeightSource>>
openHFWeights(const std::string &dir) {
  auto source = HFSource::open(dir);
  if (!source)
    return source.status();
  return std::unique_ptr<WeightSource>(source.take());
}

} // namespace spike::llama
