//===- Checkpoint.h - LLaMA checkpoints as a config and weights -*- C++ -*-===//
//
// Private to the importer: what a checkpoint gives the graph builder, a
// LlamaConfig and a WeightSource under Hugging Face tensor names, whichever
// file kind it came from (HFCheckpoint.cpp, GGUFCheckpoint.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_LIB_TARGET_LLAMAIMPORT_CHECKPOINT_H
#define SPIKE_LIB_TARGET_LLAMAIMPORT_CHECKPOINT_H

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/Status.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace spike::llama {

/// The architecture hyperparameters the graph needs, from config.json or
/// the GGUF metadata.
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
  /// Whether the checkpoint stores `name` with `shape` as `dtype` in a
  /// safetensors file (false for GGUF); if so, the tensor counts as read.
  virtual bool takeAsStored(const std::string &name,
                            const std::vector<int64_t> &shape,
                            core::DType dtype) const {
    return false;
  }
  /// The file a weight file names as its base to read the checkpoint's
  /// tensors in place (a safetensors file or a sharded index, absolute),
  /// or "" where the checkpoint cannot serve (GGUF).
  virtual std::string baseFile() const { return ""; }
  /// The checkpoint's files (a weight file must not replace one).
  virtual std::vector<std::string> files() const { return {}; }
  /// Every tensor of the checkpoint was read, or is a derived buffer that
  /// agrees with `config`: no weight is dropped silently.
  virtual core::Status checkAllRead(const LlamaConfig &config) const = 0;

protected:
  /// The first tensor of the checkpoint that no read() asked for, other
  /// than derived buffers that `derived` accepts ("" if none).
  virtual std::string
  firstUnread(llvm::function_ref<bool(const std::string &)> derived) const = 0;

  /// The error for a tensor that firstUnread() found, or ok for "".
  static core::Status unusedTensor(const std::string &unread) {
    if (unread.empty())
      return core::Status::ok();
    return core::Status::error(unread +
                               " is not used by the importer (a LLaMA/Qwen2 "
                               "graph with these config flags); refusing to "
                               "drop a weight silently");
  }

  mutable std::set<std::string> read_; ///< source names read
};

/// "[2, 3]".
inline std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// A Hugging Face directory: config.json, and model.safetensors or the
/// shards model.safetensors.index.json lists. Errors name the file.
core::Result<LlamaConfig> readHFConfig(const std::string &dir);
core::Result<std::unique_ptr<WeightSource>>
openHFWeights(const std::string &dir);

/// A GGUF file of the llama or qwen2 architecture: its metadata, and its
/// tensors under Hugging Face names (llama.cpp's Q/K row permutation
/// undone). Errors name the file and the key or tensor.
core::Result<LlamaConfig> readGGUFConfig(const core::GgufFile &file);
std::unique_ptr<WeightSource> makeGGUFWeights(core::GgufFile file,
                                              const LlamaConfig &config);

} // namespace spike::llama

#endif // SPIKE_LIB_TARGET_LLAMAIMPORT_CHECKPOINT_H
