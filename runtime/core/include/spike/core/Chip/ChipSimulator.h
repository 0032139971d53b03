//===- ChipSimulator.h - Event-driven simulation of a chip -----*- C++ -*-===//
//
// Runs a spikec.chip-program (spike-translate --emit-chip-program) the way
// the chip would: integer neurons (spike::neuron::ifWindow, or isStep for
// graded IS neurons, on int64 registers) fed the host's fixed-point
// charges, each spike an event that the source core's routing table sends
// to (core, axon) pairs, each event adding the axon's synapse weight codes
// (times its payload) to accumulators, tiles of a split fan-in sending
// their partial sums to relay accumulators, and the host reading them after
// the step. The result
// is compared bit for bit with `spike-run exec --chip-numerics
// --chip-trace`, which computes the same quantities densely.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_CHIPSIMULATOR_H
#define SPIKE_CORE_CHIP_CHIPSIMULATOR_H

#include "spike/core/Chip/ChipProgram.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace spike::core {

/// A dense integer tensor ([steps, rows, width]).
struct IntTensor {
  /// I64 (IS counts), U8 (IF spikes) or I8 (the signed code's IF spikes)
  DType dtype = DType::I64;
  std::vector<int64_t> shape;
  std::vector<int64_t> data;
};

struct ChipSimResult {
  std::map<std::string, IntTensor> tensors; ///< "<site>.spikes", "<w>.accum"
  int64_t spikes = 0;                       ///< spike events emitted
  int64_t deliveries = 0;                   ///< (core, axon) messages routed
  int64_t synapticOps = 0;                  ///< weight additions
  int64_t saturations = 0;   ///< membranes clipped to the register
  int64_t relayMessages = 0; ///< partial sums sent to relays
  int64_t copies = 0;        ///< spikes re-sent by copy neurons
};

/// Runs a loaded program on the charges of `inputs` ("<site>.charge",
/// int64 [steps, rows, width]).
Result<ChipSimResult> simulateChipProgram(const ChipProgram &program,
                                          const SafetensorsFile &inputs);

/// Loads the program (loadChipProgram: every field checked) and runs it.
Result<ChipSimResult> simulateChipProgram(const std::string &manifestPath,
                                          const SafetensorsFile &inputs);

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_CHIPSIMULATOR_H
