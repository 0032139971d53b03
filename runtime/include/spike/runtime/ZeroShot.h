//===- ZeroShot.h - Multiple-choice scoring by log-likelihood ---*- C++ -*-===//
//
// lm-evaluation-harness conventions: each choice is scored by the summed
// log-probability of its continuation given its context; acc picks the
// highest, acc_norm the highest per character of continuation. The context's
// trailing spaces move into the continuation, the continuation's tokens are
// those of tokenize(context + continuation) after tokenize(context), and an
// empty context becomes the prefix token, BOS, else EOS (lm_eval 0.4.13's
// TemplateLM.loglikelihood).
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

/// What acc_norm divides a choice's log-likelihood by: the harness's
/// len() of the choice text, in characters (Unicode code points of the
/// UTF-8 `continuation`), without the " " that joins it on; at least 1.
int64_t normLength(const std::string &continuation);

/// log P(continuation | context) per request (nats, summed over the
/// continuation's tokens, from f64 log-softmax of the logits), `batch`
/// sequences per forward pass (right-padded: causal attention keeps pads out
/// of the scored positions). `progress(done, total)` after each batch. With
/// `greedy`, it also receives per request whether every continuation token
/// is the argmax of its position (the harness's is_greedy).
core::Result<std::vector<double>>
logLikelihoods(Executor &exec, const std::vector<LoglikRequest> &requests,
               int64_t batch,
               const std::function<void(int64_t, int64_t)> &progress = {},
               std::vector<bool> *greedy = nullptr);

/// One item's scores: log-likelihood per choice and the picks.
struct ItemScore {
  std::vector<double> logliks;
  int gold = 0, pred = 0, predNorm = 0;
};

struct TaskScore {
  std::string name;
  int64_t n = 0;
  double acc = 0, accStderr = 0, accNorm = 0, accNormStderr = 0;
  bool reportsNorm = true;
  double seconds = 0;
  std::vector<ItemScore> items; ///< in the task's order
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
