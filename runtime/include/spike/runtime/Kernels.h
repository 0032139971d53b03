//===- Kernels.h - CPU kernels of the spiking ops ---------------*- C++ -*-===//
//
// Each kernel calls the shared neuron math (spike/core/Neuron/Neuron.h) per
// element; elements run in parallel (at::parallel_for), steps in order.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_KERNELS_H
#define SPIKE_RUNTIME_KERNELS_H

#include "spike/core/Neuron/Neuron.h"
#include "spike/runtime/NeuronCounts.h"

#include <torch/types.h>

#include <vector>

namespace spike::runtime {

/// Per-group parameter of element `i` of a tensor whose last dim is `d`.
inline float groupValue(const std::vector<float> &values, int64_t i,
                        int64_t d) {
  return values[neuron::groupOf(i % d, d, int64_t(values.size()))];
}

/// Positions (index along dim -2, the sequence) that pass through
/// quantizers and neurons unchanged: PrefixQuant's full-precision prefix.
struct Bypass {
  int64_t rows = 0; ///< the first `rows` positions pass through
  bool contains(int64_t i, const at::Tensor &x) const {
    if (rows == 0 || x.dim() < 2)
      return false;
    return (i / x.size(-1)) % x.size(-2) < rows;
  }
  /// The same for row `r` (elements r * d .. r * d + d - 1 of a step).
  bool containsRow(int64_t r, const at::Tensor &x) const {
    if (rows == 0 || x.dim() < 2)
      return false;
    return r % x.size(-2) < rows;
  }
};

/// The element type of an IF neuron's sub-step spikes: uint8 0/1 for the
/// offset code, int8 -1/0/+1 for the signed code.
inline at::ScalarType spikeType(const neuron::ISParams &p) {
  return p.coding == neuron::SpikeCoding::Signed ? at::kChar : at::kByte;
}

/// What neuron kernels count (NeuronCounts: spikes, spike events, their
/// negative shares, cap hits), and where.
struct SpikeTally : NeuronCounts {
  /// For CUDA inputs: int64 [NeuronCounts::kFields] counters on the input's
  /// device that the kernels add to, so that an op needs no host sync; the
  /// caller reads them when it needs the totals. Undefined: the kernels add
  /// to the fields (CUDA: with a sync).
  at::Tensor onDevice;
};

/// The activation quantizer on f32 `x` with per-group scales.
at::Tensor quantizeKernel(const at::Tensor &x, const std::vector<float> &scale,
                          const neuron::QuantGrid &grid,
                          const Bypass &bypass = {});

/// A chip's integer neuron format (spike-run --chip-numerics): the IF
/// membrane is a `stateBits` register in threshold units with
/// neuron::chipFracBits fractional bits, fed the fixed-point charges of
/// neuron::chipCharge, saturating after each window.
struct ChipNumerics {
  int stateBits = 0;  ///< 0: float membranes
  int weightBits = 0; ///< linears on the chip keep at most this many bits
};

/// IS neurons over the T steps of `x` ([T, ...]); returns the emitted values
/// (s - alpha) * theta and adds to `*tally`. Bypassed positions emit their
/// input.
at::Tensor
isNeuronKernel(const at::Tensor &x, const std::vector<float> &threshold,
               const std::vector<float> &v0, const neuron::ISParams &params,
               SpikeTally *tally, const Bypass &bypass = {},
               const ChipNumerics &chip = {}, at::Tensor *charges = nullptr,
               at::Tensor *counts = nullptr);

/// IF neurons: [T, ...] window currents -> [T * L, ...] uint8 spikes. With
/// chip numerics (integrate-then-fire only), `charges` receives the
/// fixed-point charges ([T, ...] int64) when non-null. (IS neurons alike,
/// with the spike counts, int64, in `counts`; bypass rows pass through.)
at::Tensor
ifNeuronKernel(const at::Tensor &x, const std::vector<float> &threshold,
               const std::vector<float> &v0, const neuron::ISParams &params,
               neuron::IFSchedule schedule, SpikeTally *tally,
               const ChipNumerics &chip = {}, at::Tensor *charges = nullptr);

/// [T * L, ...] uint8 spikes -> [T, ...] values (count - alpha) * theta.
at::Tensor ifCollectKernel(const at::Tensor &spikes,
                           const std::vector<float> &threshold,
                           const neuron::ISParams &params);

/// Sum over the leading (time) dimension, pairwise, so that summing T equal
/// power-of-two fractions of x gives x exactly.
at::Tensor pairwiseSum(at::Tensor x);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_KERNELS_H
