//===- RoundingMargin.h - How far a forward pass is from a rounding flip --===//
//
// Two computations of one plan that differ only in the order of f32
// operations (a KV cache against a full forward, batched steps against step
// by step, a padded batch against one sequence) agree to f32 rounding,
// unless a value lies so close to a rounding boundary of a quantizer or a
// neuron that the rounding difference moves it across: then a code flips
// and the outputs differ by a whole quantization step. Which side a value
// lands on depends on the CPU's kernels and thread count, so a test that
// compares such computations first measures how far its inputs keep every
// rounding decision from its boundary, and asserts that this margin is far
// larger than f32 rounding can move it. Then no flip can happen on any
// machine, and the comparison holds to the f32 tolerance.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_UNITTESTS_ROUNDINGMARGIN_H
#define SPIKE_UNITTESTS_ROUNDINGMARGIN_H

#include "spike/runtime/Executor.h"
#include "spike/runtime/Kernels.h"

#include <cmath>
#include <limits>

namespace spike::runtime::margin {

/// The chain of f32 roundings behind any value of the golden one-block
/// plans (test/Plan/golden: dot products of K <= 16, softmax rows of
/// S <= 12, norms, residual adds) is under 64 operations. Two computations
/// that differ only in the order of those operations give each value to
/// within 64 ulps (2^-24 relative) of the magnitudes it is computed from.
/// The margin below measures that reach against the decision value's own
/// magnitude, which stands in for those magnitudes: sound while the sums
/// behind a decision do not cancel by more than the factor the margin
/// leaves (a margin of 2 leaves a factor of 2). It is a check for these
/// small plans, not a proof for any model.
inline constexpr double kRoundingChain = 64;

/// How close one forward pass comes to a rounding flip.
struct RoundingMargins {
  /// min over every quantizer and neuron decision of
  ///   distance to the boundary / what f32 reordering can move it,
  /// where a decision is floor(y) of y = x / scale + 1/2 (quantizers, in
  /// steps) or y = m = u + I/theta + alpha (neurons, in thresholds), and it
  /// can move by kRoundingChain * 2^-24 * (1 + |y| + sum of the |I/theta|
  /// accumulated into m). Above 1, reordering cannot flip a decision unless
  /// the sums behind it cancel (see kRoundingChain).
  double rounding = std::numeric_limits<double>::infinity();
  /// The smallest gap between the largest and second-largest logit of a
  /// position (logit units): how far an argmax is from flipping.
  double argmax = std::numeric_limits<double>::infinity();
};

namespace detail {
inline double toInteger(double y) { return std::fabs(y - std::nearbyint(y)); }
inline double reach(double magnitude) {
  return kRoundingChain * std::ldexp(1.0, -24) * (1 + magnitude);
}
} // namespace detail

/// Runs `plan` on `tokens` ([B, S]) with `prefix` op by op, as forward()
/// does, and measures the margins of every quantizer and IS/IF neuron
/// (integrate-then-fire) decision outside the prefix rows, and of the
/// logits' argmax.
inline RoundingMargins
roundingMargins(const Plan &plan, const at::Tensor &tokens,
                const std::vector<int64_t> &prefix = {}) {
  at::NoGradGuard noGrad;
  Executor exec(plan);
  exec.setPrefix(prefix);
  RoundingMargins r;
  std::vector<at::Tensor> values(plan.numValues);
  values[plan.tokens] = exec.withPrefix(tokens);
  int64_t skip = int64_t(prefix.size());
  for (const PlanOp &op : plan.ops) {
    at::Tensor in = op.inputs.empty() ? at::Tensor() : values[op.inputs[0]];
    if (op.kind == OpKind::Quantize) {
      at::Tensor x = in.narrow(-2, skip, in.size(-2) - skip).contiguous();
      neuron::QuantGrid g = neuron::quantGrid(int(op.bits), op.isSigned);
      const float *p = x.data_ptr<float>();
      int64_t d = x.size(-1);
      for (int64_t i = 0; i < x.numel(); ++i) {
        // quantizeLevel's own expression, before its floor; clamped codes
        // cannot flip.
        float scale = groupValue(op.scale, i, d);
        float y = ((p[i] / scale) + 0.5f) + float(g.offset);
        if (y >= 0.5f && y <= float(g.maxCode) + 0.5f)
          r.rounding = std::min(r.rounding, detail::toInteger(y) /
                                                detail::reach(std::fabs(y)));
      }
    }
    if (op.kind == OpKind::ISNeuron || op.kind == OpKind::IFNeuron) {
      at::Tensor x = in.narrow(-2, skip, in.size(-2) - skip).contiguous();
      int64_t steps = x.size(0), per = x.numel() / steps, d = x.size(-1);
      const float *p = x.data_ptr<float>();
      for (int64_t i = 0; i < per; ++i) {
        float theta = groupValue(op.threshold, i, d);
        neuron::ISState<float> st =
            neuron::isInit(groupValue(op.v0, i, d), theta);
        double charged = 0;
        for (int64_t t = 0; t < steps; ++t) {
          // isStep's membrane before its floor (ifWindow's is the same).
          float q = p[t * per + i] / theta;
          float m = (st.u + q) + float(op.neuron.alpha);
          charged += std::fabs(q);
          r.rounding =
              std::min(r.rounding, detail::toInteger(m) /
                                       detail::reach(std::fabs(m) + charged));
          neuron::isStep(st, p[t * per + i], theta, op.neuron);
        }
      }
    }
    values[op.output] = exec.run(op, values);
  }
  at::Tensor logits = values[plan.outputs[0]];
  logits = logits.narrow(-2, skip, logits.size(-2) - skip);
  at::Tensor top = std::get<0>(logits.topk(2, -1));
  r.argmax = (top.select(-1, 0) - top.select(-1, 1)).min().item<double>();
  return r;
}

/// How far two such computations of a golden plan may put a logit apart
/// when no decision flips: the longest chain of f32 roundings behind a
/// logit (dot products of K <= 16, softmax rows of S <= 12, norms, the
/// residual adds, lm_head) is under kRoundingChain operations, each off by
/// at most one ulp (2^-24 relative) of values within 4 x the largest logit
/// of `reference`.
inline double logitTolerance(const at::Tensor &reference) {
  return kRoundingChain * 4 * std::ldexp(1.0, -24) *
         (1 + reference.abs().max().item<double>());
}

/// Above 1 no decision can flip while the sums behind it do not cancel:
/// the reach is the worst case of every rounding in the chain adding up at
/// full size.
inline constexpr double kSafeRoundingMargin = 1;

} // namespace spike::runtime::margin

#endif // SPIKE_UNITTESTS_ROUNDINGMARGIN_H
