//===- Evaluate.h - Perplexity and spike statistics -------------*- C++ -*-===//

#ifndef SPIKE_RUNTIME_EVALUATE_H
#define SPIKE_RUNTIME_EVALUATE_H

#include "spike/runtime/Executor.h"

#include <functional>

namespace spike::runtime {

struct EvalOptions {
  int64_t maxTokens = 0; ///< 0: all
  int64_t seqLen = 512;
  int64_t batch = 1;
  int32_t bos = -1; ///< prepended to every chunk when >= 0
  /// Called after each batch with (chunks done, chunks total).
  std::function<void(int64_t, int64_t)> progress;
};

struct EvalResult {
  double nll = 0; ///< mean negative log-likelihood (nats)
  double perplexity = 0;
  int64_t predicted = 0; ///< tokens scored
  int64_t chunks = 0;
  double seconds = 0;
};

/// Perplexity over non-overlapping chunks of `seqLen` tokens: every token of
/// a chunk after its first is predicted from the ones before it.
core::Result<EvalResult> evaluatePerplexity(Executor &exec,
                                            const std::vector<int32_t> &ids,
                                            const EvalOptions &options);

/// Runs `exec` over the chunks evaluatePerplexity scores (the same tokens,
/// BOS and batches) without scoring them, for a plan run for what its
/// observe sites record (spike-run stats), whose output need not be
/// logits. Returns the number of chunks.
core::Result<int64_t> runChunks(Executor &exec, const std::vector<int32_t> &ids,
                                const EvalOptions &options);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_EVALUATE_H
