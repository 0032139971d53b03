//===- Generate.h - Sampling continuations from a plan ----------*- C++ -*-===//
//
// Token sampling shared by `spike-run generate` and the data-free
// calibration and agreement sets: greedy (top-k 1), or top-k / temperature
// sampling from a seeded generator.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_GENERATE_H
#define SPIKE_RUNTIME_GENERATE_H

#include "spike/core/Text/Tokenizer.h"
#include "spike/runtime/Executor.h"

#include <functional>
#include <random>

namespace spike::runtime {

struct SamplingOptions {
  int64_t topK = 0; ///< 1: greedy; 0: the whole vocabulary
  double temperature = 1.0;
};

/// The token data-free sequences start from: BOS, else EOS, else -1.
inline int64_t generationStart(const core::Tokenizer &tok) {
  return tok.bos() >= 0 ? tok.bos() : tok.eos();
}

/// The next token from one position's logits ([V]).
int64_t sampleToken(const at::Tensor &logits, const SamplingOptions &options,
                    std::mt19937_64 &rng);

/// `count` sequences of `length` tokens, each starting with `start` and
/// continued by the plan (a batch, with a KV cache). `progress(done, total)`
/// after each position.
core::Result<at::Tensor>
generateSequences(Executor &exec, int64_t start, int64_t count, int64_t length,
                  const SamplingOptions &options, uint64_t seed,
                  const std::function<void(int64_t, int64_t)> &progress = {});

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_GENERATE_H
