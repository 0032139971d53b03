//===- TrainableNeuron.cpp - The IS neuron as differentiable ATen ops -----===//

#include "spike/runtime/TrainableNeuron.h"

#include <algorithm>

namespace spike::runtime {

namespace {
/// Per-group values [G] broadcast to the feature dimension [D].
at::Tensor perChannel(const at::Tensor &groups, int64_t d) {
  return groups.numel() == 1 ? groups
                             : groups.repeat_interleave(d / groups.numel());
}

/// `value` in the forward pass; the gradient of `grad` in the backward pass.
at::Tensor withGradientOf(const at::Tensor &value, const at::Tensor &grad) {
  return value.detach() + (grad - grad.detach());
}
} // namespace

at::Tensor TrainableNeuron::v0() const {
  at::Tensor t = theta();
  return u0.numel() == 1 && t.numel() == 1 ? u0 * t : u0.expand_as(t) * t;
}

at::Tensor trainableISNeuron(const at::Tensor &x, const at::Tensor &theta,
                             const at::Tensor &u0,
                             const neuron::ISParams &params, int64_t bypassRows,
                             SpikeTape *tape) {
  int64_t d = x.size(-1);
  at::Tensor th = perChannel(theta, d);
  // isInit: u = v0 / theta, with v0 = u0 * theta.
  at::Tensor u = perChannel(u0, d) * at::ones_like(x[0]);
  at::Tensor spent = at::zeros_like(x[0]);
  std::vector<at::Tensor> out;
  // The positions that count (not the prefix's): a [S, 1] mask over x[t]'s
  // [..., S, D], and the neuron-steps of one step.
  at::Tensor counted;
  int64_t perStep = 0;
  if (tape) {
    if (x.dim() >= 3) {
      int64_t s = x.size(-2),
              skip = std::min(std::max<int64_t>(bypassRows, 0), s);
      counted = at::ones({s, 1}, x.options());
      counted.narrow(0, 0, skip).zero_();
      perStep = (s - skip) * (x[0].numel() / s);
    } else {
      counted = at::ones({}, x.options());
      perStep = x[0].numel();
    }
  }
  for (int64_t t = 0; t < x.size(0); ++t) {
    // isStepOn, operation for operation.
    at::Tensor m = u + x[t] / th;
    at::Tensor cap = at::full_like(m, double(params.levels));
    at::Tensor k, lo;
    if (params.coding == neuron::SpikeCoding::Signed) {
      // signedStepOn: the level by signedLevel's expression, the window's
      // count kept on the grid [lo, hi].
      double offset = double(-params.lo);
      k = (at::floor(m + offset) - offset).detach();
      lo = at::maximum(-cap, double(params.lo) - spent);
      cap = at::minimum(cap, double(params.hi) - spent);
    } else {
      m = m + params.alpha;
      if (params.budget > 0)
        cap = at::minimum(cap, double(params.budget) - spent);
      k = at::floor(m).detach();
      lo = params.bidirectional ? -spent : at::zeros_like(k);
    }
    at::Tensor s = at::minimum(at::maximum(k, lo), cap);
    // Straight-through floor, hard clamp: ds/dm = 1 where lo <= floor(m) <=
    // cap, else 0.
    at::Tensor inside = (k >= lo).logical_and(k <= cap).to(m.scalar_type());
    s = withGradientOf(s, m * inside);
    u = m - s;
    spent = spent + s.detach();
    if (tape)
      tape->add((s.abs() * counted).sum(), perStep);
    out.push_back((s - params.alpha) * th);
  }
  at::Tensor y = at::stack(out);
  if (bypassRows > 0 && x.dim() >= 2) {
    at::Tensor rows = at::arange(x.size(-2), x.options().dtype(at::kLong))
                          .lt(bypassRows)
                          .unsqueeze(-1);
    y = at::where(rows, x, y);
  }
  return y;
}

} // namespace spike::runtime
