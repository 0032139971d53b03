//===- Executor.h - Runs a plan on token ids --------------------*- C++ -*-===//
//
// Batched-T execution: every activation of a spiking plan carries its T
// steps in a leading dimension, and each op processes all steps at once;
// neuron dynamics are fused loops over t (Kernels.h). FP and QANN plans run
// the same kernels without the time dimension.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_EXECUTOR_H
#define SPIKE_RUNTIME_EXECUTOR_H

#include "spike/runtime/Plan.h"

namespace spike::runtime {

/// Spikes emitted per site during the runs of an executor.
struct SpikeCounts {
  int64_t neurons = 0; ///< elements of one step, per token summed
  int64_t spikes = 0;
  int64_t steps = 0; ///< time steps (x sub-steps) of the site
};

class Executor {
public:
  explicit Executor(const Plan &plan) : plan_(plan) {}

  /// Runs the plan on `tokens` ([B, S] int64) and returns its first output
  /// (the logits, [B, S, V]).
  core::Result<at::Tensor> forward(const at::Tensor &tokens);

  const std::map<std::string, SpikeCounts> &spikeCounts() const {
    return counts_;
  }

private:
  const Plan &plan_;
  std::map<std::string, SpikeCounts> counts_;

  at::Tensor run(const PlanOp &op, const std::vector<at::Tensor> &values);
};

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_EXECUTOR_H
