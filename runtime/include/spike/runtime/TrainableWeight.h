//===- TrainableWeight.h - A quantized linear weight as ATen ops -*- C++
//-*-===//
//
// Weight calibration (the paper's Table 4 baseline): each block's quantized
// linear weights are learnt on their n-bit grid, with a straight-through
// estimator for the rounding and the per-output-channel scales kept. The
// forward pass is neuron::quantizeWeight written with ATen ops, so an
// untrained weight reproduces the plan's bit for bit
// (runtime/unittests/TrainableWeightTest.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_TRAINABLEWEIGHT_H
#define SPIKE_RUNTIME_TRAINABLEWEIGHT_H

#include <torch/types.h>

#include <map>
#include <string>

namespace spike::runtime {

/// The learnable weight of one quantized linear ([N, K]). It is learnt in
/// code units, u = W / s with s the row's scale ([N], fixed), so that one
/// learning rate suits layers of any scale and a step of 0.5 can move a
/// code. The codes are clip(floor(u + 1/2), -(2^(n-1)-1), 2^(n-1)-1), as
/// neuron::weightCode; their gradient is the identity inside the clip range
/// (straight-through) and zero outside.
struct TrainableWeight {
  at::Tensor scale; ///< [N] the row scales, fixed
  at::Tensor u;     ///< [N, K] learnable, starts at the FP weight / scale
  int bits = 0;

  /// Starts from `fp` ([N, K], the unquantized weight) and the row scales
  /// the plan quantized it with ([N]).
  TrainableWeight(const at::Tensor &fp, const at::Tensor &rowScale, int bits);
  /// The integer codes, [N, K], differentiable (straight-through).
  at::Tensor codes() const;
  /// The weight on its grid, codes * scale: [N, K].
  at::Tensor weight() const;
};

/// Trainable weights by checkpoint name (PlanOp::paramNames["weight"]).
using TrainableWeights = std::map<std::string, TrainableWeight>;

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_TRAINABLEWEIGHT_H
