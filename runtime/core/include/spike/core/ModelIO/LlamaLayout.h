//===- LlamaLayout.h - LLaMA checkpoint conventions -------------*- C++ -*-===//
//
// How llama.cpp's GGUF files name and lay out LLaMA tensors relative to
// Hugging Face checkpoints: the importer reads GGUF through these, and the
// test-model generator writes GGUF through them.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_MODELIO_LLAMALAYOUT_H
#define SPIKE_CORE_MODELIO_LLAMALAYOUT_H

#include <cstdint>
#include <string>
#include <vector>

namespace spike::core {

/// The GGUF name of a Hugging Face LLaMA tensor name ("" if none).
std::string ggufTensorName(const std::string &hfName);

/// llama.cpp's converter permutes the rows of q_proj and k_proj so that
/// RoPE pairs are adjacent: HF row (h, a, b) of head h, half a, index b
/// becomes GGUF row (h, b, a). `toGguf` applies it, otherwise it is undone.
std::vector<float> permuteRopeRows(const std::vector<float> &w, int64_t heads,
                                   int64_t headDim, int64_t cols, bool toGguf);

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_LLAMALAYOUT_H
