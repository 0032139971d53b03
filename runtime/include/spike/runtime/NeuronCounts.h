//===- NeuronCounts.h - What the neuron kernels count ------------*- C++
//-*-===//
//
// One definition for the CPU kernels, the CUDA kernels (whose device
// counters hold these fields in this order) and the executor's per-site
// statistics.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_NEURONCOUNTS_H
#define SPIKE_RUNTIME_NEURONCOUNTS_H

#include "spike/core/Neuron/Neuron.h"

#include <cstdint>

namespace spike::runtime {

/// Spike statistics of the neuron-steps a kernel ran. An IS step emits a
/// graded spike s(t) (one event of |s(t)| spikes); an IF window emits its
/// spikes on binary sub-steps (each spike one event).
struct NeuronCounts {
  int64_t spikes = 0;         ///< sum of |s|: negative spikes count too
  int64_t events = 0;         ///< IS: steps with s != 0; IF: sub-step spikes
  int64_t negativeSpikes = 0; ///< the spikes of negative sign
  int64_t negativeEvents = 0; ///< the events of negative sign
  /// Signed code: steps whose per-step cap L held spikes back
  /// (neuron::signedCapBound).
  int64_t capBound = 0;
  /// The fields, in this order, of a device's counters.
  static constexpr int kFields = 5;

  /// One IS step that emitted the graded spike `s`.
  SPIKE_HOST_DEVICE void addStep(int64_t s, bool capped) {
    int64_t m = s < 0 ? -s : s;
    spikes += m;
    events += s != 0;
    negativeSpikes += s < 0 ? m : 0;
    negativeEvents += s < 0;
    capBound += capped;
  }
  /// One IF window whose sub-step spikes sum to `count` (one direction per
  /// window, so |count| spikes, each an event).
  SPIKE_HOST_DEVICE void addWindow(int64_t count, bool capped) {
    int64_t m = count < 0 ? -count : count;
    spikes += m;
    events += m;
    negativeSpikes += count < 0 ? m : 0;
    negativeEvents += count < 0 ? m : 0;
    capBound += capped;
  }
  SPIKE_HOST_DEVICE void add(const NeuronCounts &o) {
    spikes += o.spikes, events += o.events;
    negativeSpikes += o.negativeSpikes, negativeEvents += o.negativeEvents;
    capBound += o.capBound;
  }
  /// The counts since `earlier`, a snapshot of the same counters.
  SPIKE_HOST_DEVICE void subtract(const NeuronCounts &earlier) {
    spikes -= earlier.spikes, events -= earlier.events;
    negativeSpikes -= earlier.negativeSpikes;
    negativeEvents -= earlier.negativeEvents;
    capBound -= earlier.capBound;
  }
  /// The fields as an array (the device counters' order).
  SPIKE_HOST_DEVICE int64_t field(int i) const {
    const int64_t all[kFields] = {spikes, events, negativeSpikes,
                                  negativeEvents, capBound};
    return all[i];
  }
  SPIKE_HOST_DEVICE static NeuronCounts fromFields(const int64_t *f) {
    NeuronCounts c;
    c.spikes = f[0], c.events = f[1], c.negativeSpikes = f[2];
    c.negativeEvents = f[3], c.capBound = f[4];
    return c;
  }
};

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_NEURONCOUNTS_H
