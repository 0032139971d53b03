//===- TrainableNeuron.h - The IS neuron as differentiable ATen ops -*- C++
//-*-===//
//
// Layer-wise calibration (paper Section 3.4) learns each IS neuron's
// threshold theta and initial membrane v0 by backpropagation. The forward
// pass here is isStep (spike/core/Neuron/Neuron.h) written with ATen ops, value
// for value: runtime/unittests/TrainableNeuronTest.cpp checks it against
// isNeuronKernel bit for bit. The backward pass uses a straight-through
// estimator for the floor and a hard clamp (the seed code found that a
// straight-through clamp made the loss about 100x worse).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_TRAINABLENEURON_H
#define SPIKE_RUNTIME_TRAINABLENEURON_H

#include "spike/core/Neuron/Neuron.h"

#include <torch/types.h>

#include <map>
#include <string>

namespace spike::runtime {

/// The learnable parameters of one IS-neuron site. theta = theta0 * ratio
/// per group, so that an untrained ratio of 1 reproduces the plan exactly
/// and one learning rate suits sites of any scale; the initial membrane is
/// learnt in threshold units (u0 = v0 / theta), one scalar or one per group.
struct TrainableNeuron {
  at::Tensor theta0; ///< [G] the plan's thresholds, regrouped
  at::Tensor ratio;  ///< [G] learnable, starts at 1
  at::Tensor u0;     ///< [1] or [G] learnable, starts at v0 / theta
  /// The range u0 is kept in after each update: the signed code needs
  /// v0 in [0, theta), so that a zero input fires nothing.
  double u0Min = -1e3, u0Max = 1e3;

  at::Tensor theta() const { return theta0 * ratio; }
  /// v0 in absolute units, one per threshold group (or one if both are
  /// per-tensor).
  at::Tensor v0() const;
};

using TrainableSites = std::map<std::string, TrainableNeuron>;

/// The spikes the trainable neurons emitted in one forward pass, for
/// calibration's spike penalty: sum |s(t)| as a 0-dim tensor whose gradient
/// is the straight-through one of s (so a penalty pushes theta and v0
/// towards fewer spikes), and the neuron-steps it covers (spike-run eval's
/// slots), prefix rows left out.
struct SpikeTape {
  at::Tensor spikes; ///< undefined until a neuron adds to it
  int64_t neuronSteps = 0;
  void add(const at::Tensor &sum, int64_t steps) {
    spikes = spikes.defined() ? spikes + sum : sum;
    neuronSteps += steps;
  }
  /// Spikes per neuron-step (0 when nothing was recorded).
  at::Tensor rate() const {
    return spikes.defined() && neuronSteps > 0 ? spikes / double(neuronSteps)
                                               : at::zeros({});
  }
};

/// IS neurons over the T steps of `x` ([T, ..., D]) with per-group theta
/// ([G], G dividing D) and u0 ([1] or [G]), of either code (isStepOn's
/// arithmetic); returns (s(t) - alpha) * theta per step. The first `bypassRows`
/// positions of dim -2 emit their input (PrefixQuant's full-precision prefix).
/// With `tape`, adds the spikes of the other positions to it.
at::Tensor trainableISNeuron(const at::Tensor &x, const at::Tensor &theta,
                             const at::Tensor &u0,
                             const neuron::ISParams &params,
                             int64_t bypassRows = 0, SpikeTape *tape = nullptr);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_TRAINABLENEURON_H
