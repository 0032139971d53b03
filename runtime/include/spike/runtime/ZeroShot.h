//===- ZeroShot.h - Multiple-choice scoring by log-likelihood ---*- C++ -*-===//
//
// lm-evaluation-harness conventions: each choice is scored by the summed
// log-probability of its continuation given its context; acc picks the
// highest, acc_norm the highest per byte of continuation. The context's
// trailing spaces move into the continuation, the continuation's tokens are
// those of tokenize(context + continuation) after tokenize(context), and an
// empty context becomes the EOS token.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_ZEROSHOT_H
#define SPIKE_RUNTIME_ZEROSHOT_H

#include "spike/core/Text/Tokenizer.h"
#include "spike/core/Text/ZeroShotTasks.h"
#include "spike/runtime/Executor.h"

#include <functional>

namespace spike::runtime {

struct LoglikRequest {
  std::vector<int64_t> context, continuation;
};

/// The harness's tokenization of one choice; `bos` (>= 0) is prepended.
LoglikRequest tokenizeChoice(const core::Tokenizer &tok,
                             const core::Choice &choice, int32_t bos = -1);

/// log P(continuation | context) per request, `batch` sequences per
/// forward pass (right-padded: causal attention keeps pads out of the
/// scored positions). `progress(done, total)` after each batch.
core::Result<std::vector<double>>
logLikelihoods(Executor &exec, const std::vector<LoglikRequest> &requests,
               int64_t batch,
               const std::function<void(int64_t, int64_t)> &progress = {});

struct TaskScore {
  std::string name;
  int64_t n = 0;
  double acc = 0, accStderr = 0, accNorm = 0, accNormStderr = 0;
  bool reportsNorm = true;
  double seconds = 0;
  /// The metric papers report for this task (acc_norm, or acc).
  double reported() const { return reportsNorm ? accNorm : acc; }
  double reportedStderr() const {
    return reportsNorm ? accNormStderr : accStderr;
  }
};

core::Result<TaskScore>
scoreTask(Executor &exec, const core::Tokenizer &tok,
          const core::ZeroShotTask &task, int64_t batch, int32_t bos = -1,
          const std::function<void(int64_t, int64_t)> &progress = {});

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_ZEROSHOT_H
