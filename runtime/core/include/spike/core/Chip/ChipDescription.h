//===- ChipDescription.h - Declarative neuromorphic targets -----*- C++ -*-===//
//
// A chip description (`spikec.chip`, YAML; docs/ChipFormat.md) says what a
// target can hold and run and what it costs: topology, core types with
// their capacities, numerics and op classes, routing, timing and energy.
// Legality checks, mapping, the chip-program emitter, the chip simulator
// and the energy report read it. Loading validates every field and rejects
// unknown keys, with "file:line:column: what" errors.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_CHIPDESCRIPTION_H
#define SPIKE_CORE_CHIP_CHIPDESCRIPTION_H

#include "spike/core/Support/Status.h"

#include <string>
#include <vector>

namespace spike::core {

/// Op classes a core type can run.
enum class OpClass {
  Synaptic,  ///< weighted spike accumulation (linear layers)
  Neuron,    ///< neuron dynamics (IS / IF updates)
  Nonlinear, ///< softmax, RMSNorm, SiLU maps
  AccumDiff, ///< accumulate-then-difference wrappers of the maps
  AAProduct, ///< activation x activation products (causal running sums)
  KVState,   ///< the attention K/V running sums kept across tokens
};
constexpr int kOpClasses = 6;

const char *opClassName(OpClass c);

/// How a neuron core carries a spike's sign (the signed code's negative
/// spikes, correction spikes; docs/ChipFormat.md).
enum class SignCarriage {
  /// A sign bit of the graded payload (graded cores only).
  Payload,
  /// Binary cores: each destination axon of a neuron has a twin whose
  /// synapse row holds the negated weights, and a negative spike reaches
  /// the twin (twice the axons and synapse memory of a signed site's
  /// readers, and of its copy neurons).
  NegatedRow,
  /// Binary cores that cannot carry a sign.
  None,
};

/// "payload", "negated_row" or "none".
const char *signCarriageName(SignCarriage s);

struct CoreType {
  std::string name;
  int64_t count = 0; ///< per chip
  // Capacities.
  int64_t maxNeurons = 0, maxFanInAxons = 0, maxFanOut = 0;
  int64_t synapseMemoryBits = 0, stateMemoryBits = 0, memoryRoundingBits = 1;
  // Numerics.
  int weightBits = 0, weightExponentBits = 0, stateBits = 0, thresholdBits = 0;
  int spikePayloadBits = 0; ///< 0: binary spikes
  int64_t maxSpikesPerStep = 1;
  bool subtractiveReset = true; ///< else reset to zero
  /// Default: Payload on graded cores, None on binary ones.
  SignCarriage sign = SignCarriage::None;
  /// Whether a spike can be negative (loading keeps `sign` consistent
  /// with the payload: Payload only on graded cores, NegatedRow only on
  /// binary ones).
  bool carriesSign() const { return sign != SignCarriage::None; }
  /// Input axons (synapse rows) a neuron's spike takes at each destination,
  /// and copy-core axons per copied neuron: 2 where its negative spikes
  /// reach a negated twin (NegatedRow), else 1.
  int64_t axonsPerInput(bool negativeSpikes) const {
    return negativeSpikes && sign == SignCarriage::NegatedRow ? 2 : 1;
  }
  std::vector<OpClass> ops;
  bool runs(OpClass c) const;
  /// Energy of one element operation of the glue this core type runs
  /// (accumulate-difference maps, activation products, K/V state), pJ;
  /// < 0: not given (the report lists those ops as unpriced).
  double opEnergyPj = -1;
};

struct ChipDescription {
  std::string path, name, description;
  std::vector<std::string> sources; ///< citations, by id: text
  // Topology.
  int64_t chips = 1, coresPerChip = 0, meshX = 0, meshY = 0;
  double hopLatencyNs = 0, hopEnergyPj = 0;
  std::vector<CoreType> coreTypes;
  // Routing.
  int64_t routingTableEntries = 0;
  bool multicast = false;
  // Timing.
  double timestepNs = 0, barrierNs = 0;
  // Energy.
  double synopBinaryPj = 0, synopGradedPj = 0, neuronUpdatePj = 0,
         spikeLocalPj = 0, hopPj = 0, staticMw = 0;
  /// One element operation of glue that no core type runs, on the host,
  /// pJ; < 0: not given.
  double hostOpPj = -1;
  // The int8 dense accelerator the energy report compares against
  // (0: not given).
  double denseInt8MacPj = 0, denseSramBytePj = 0;

  /// The neuron cores: the core type that runs synaptic ops with the widest
  /// fan-in (nullptr if none). Legality, mapping, the program and chip
  /// numerics all read their limits and formats from it.
  const CoreType *neuronCore() const;

  /// The cores of `type` in the whole system (every chip).
  int64_t systemCount(const CoreType &type) const { return type.count * chips; }
};

/// Loads and validates a chip description.
Result<ChipDescription> loadChipDescription(const std::string &path);

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_CHIPDESCRIPTION_H
