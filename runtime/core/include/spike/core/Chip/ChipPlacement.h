//===- ChipPlacement.h - The mapper's decisions, as a file ------*- C++ -*-===//
//
// spikec.chip-placement (docs/Mapping.md): where spike-map-to-chip put each
// piece of the graph, so that the chip-program emitter builds the program
// the mapping reported instead of mapping again. The file names the graph
// it was made for (its sites and synapse groups, the context and T) and
// the chip; a reader checks both before using a piece.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_CHIPPLACEMENT_H
#define SPIKE_CORE_CHIP_CHIPPLACEMENT_H

#include "spike/core/Chip/ChipMapping.h"
#include "spike/core/Support/Status.h"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace spike::core {

/// A mapping's pieces and copy groups with what they were made for.
struct ChipPlacement {
  std::string chip;      ///< the chip description's name
  std::string placement; ///< "optimized" or "round-robin"
  int64_t context = 0;   ///< sizes the context-wide sites
  /// T, the sites (name, neurons) and the synapse groups made for.
  MappingInput graph;
  int64_t glueUnits = 0;
  /// The pieces, copy groups and copy counts; the rest of a mapping's
  /// figures (traffic, energy) are in its report, not here.
  MappingResult mapping;
};

/// The spikec.chip-placement text of a mapping of `input` onto `chipName`.
std::string renderChipPlacement(const MappingInput &input,
                                const MappingResult &result,
                                const std::string &chipName,
                                const std::string &placement, int64_t context,
                                const std::string &producer);

/// Reads and checks `path`: the schema, then every piece's owner and range
/// against the file's own graph, and every copy group's piece. Errors are
/// one line: "<path>: <json pointer>: what".
Result<ChipPlacement> loadChipPlacement(const std::string &path);

/// Whether `placement` was made for `input` on a chip named `chipName` with
/// `neuronCores` neuron cores in all: the same sites and synapse groups in
/// the same order, and every core on the chip. Errors name the first
/// difference.
Status checkPlacementFits(const ChipPlacement &placement,
                          const MappingInput &input,
                          const std::string &chipName, int64_t neuronCores,
                          int64_t chips);

namespace detail {
/// The rules on a schema-valid document; fills `out` when non-null.
/// Returns "" or "<json pointer>: what".
std::string readChipPlacement(const nlohmann::json &doc, ChipPlacement *out);
} // namespace detail

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_CHIPPLACEMENT_H
