//===- LlamaImport.h - Import LLaMA-family checkpoints ----------*- C++ -*-===//
//
// `spike-translate --import-llama PATH -o model.mlir`: a Hugging Face
// directory (config.json, *.safetensors, optionally sharded with
// model.safetensors.index.json) or a GGUF v3 file of the llama architecture
// becomes the FP graph in the qnn dialect. The weights are written once, as
// f32 safetensors under Hugging Face names, beside the IR, which names them.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TARGET_LLAMAIMPORT_H
#define SPIKE_TARGET_LLAMAIMPORT_H

#include <string>

namespace spike {

struct LlamaImportOptions {
  std::string input;      ///< HF directory or .gguf file
  std::string output;     ///< the .mlir file ("-" for stdout)
  std::string weightsOut; ///< default: output with .safetensors
  /// Orthogonal rotations folded into the weights (PrefixQuant/QuaRot):
  /// the residual stream (RMSNorm gains folded into their consumers), and
  /// optionally the down_proj input (an explicit rotation linear).
  bool rotateResidual = false, rotateDown = false;
  uint64_t rotationSeed = 0;
  /// Store the matrices (linears, embedding) as bfloat16, rounded to
  /// nearest even: half the disk and half the runtime memory of f32 for
  /// the FP model. Norm gains and the online rotation stay f32, the
  /// rotation because 1/sqrt(n) in bf16 would not keep it orthogonal.
  bool bf16Weights = false;
  /// Write the weight file as an overlay over a safetensors checkpoint
  /// (docs/PlanFormat.md): tensors the checkpoint already stores as the
  /// file would (unrotated, same dtype) are read from it in place instead
  /// of copied. The checkpoint must then stay where it is, unchanged.
  bool referenceCheckpoint = false;
};

/// Imports the model; on failure prints one error line to stderr, leaves
/// no output file, and returns false.
bool importLlama(const LlamaImportOptions &options);

} // namespace spike

#endif // SPIKE_TARGET_LLAMAIMPORT_H
