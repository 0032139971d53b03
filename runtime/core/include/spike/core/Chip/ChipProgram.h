//===- ChipProgram.h - A chip program, read strictly ------------*- C++ -*-===//
//
// The spikec.chip-program format (docs/ChipProgram.md): a manifest
// (lib/Formats/schemas/chip-program.schema.json) and a safetensors file of
// per-core tables. loadChipProgram reads every field and checks it against the
// others and against the tables before anything runs, so that the
// simulator can index without checks of its own:
//   - every count in the manifest equals its table's rows;
//   - every index (site, core, axon, accumulator, block, relay, neuron)
//     lies inside what it indexes, and every range inside its table;
//   - each site's pieces cover its channels once and name exactly the
//     neurons of the cores' tables; each linear's output rows are read
//     once (by a tile or a relay);
//   - threshold_raw = 2^frac_bits with frac_bits = chipFracBits; weight
//     codes and v0 fit their registers;
//   - no tensor that the manifest does not name.
// `spike-run validate` runs the same rules.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_CHIPPROGRAM_H
#define SPIKE_CORE_CHIP_CHIPPROGRAM_H

#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Support/Status.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace spike::core {

struct ChipProgram {
  /// One core's tables.
  struct Core {
    /// (site index, channel, v0 in the membrane's fixed point) per neuron.
    std::vector<int64_t> neurons;
    /// Per local neuron, its (destination core, axon) pairs: CSR offsets
    /// (neurons + 1) and pairs.
    std::vector<int64_t> routeOf;
    std::vector<int32_t> routes;
    /// Per input axon, the copy neurons' (core, axon) pairs (CSR).
    std::vector<int64_t> copyOf;
    std::vector<int32_t> copyRoutes;
    /// Synapse blocks, by increasing first axon: [in, out] weight codes.
    struct Block {
      int64_t axonBase, accBase, in, out;
      std::vector<int64_t> codes;
      /// Binary negative spikes: rows [in/2, in) hold rows [0, in/2)
      /// negated; a negative spike to axon a adds row a + in/2.
      bool negatedRows = false;
    };
    std::vector<Block> blocks;
    int64_t axons = 0, accumulators = 0;
  };
  struct Piece {
    int core;
    int64_t first, count, neuronBase;
  };
  struct Site {
    std::string name;
    int64_t index, width;
    bool graded; ///< IS: one graded spike per step; IF: binary sub-steps
    /// IF sites of the signed code (either grid): -1 sub-step spikes,
    /// which reach their readers' negated rows.
    bool negativeBinary = false;
    neuron::ISParams params;
    int64_t thresholdRaw; ///< 2^frac_bits
    std::vector<Piece> pieces;
  };
  struct Tile {
    int core;
    int64_t relay; ///< index into Linear::relays, or -1
    int64_t block, outFirst, outCount, inFirst, inCount, axonBase, accBase;
  };
  struct Relay {
    int core;
    int64_t outFirst, outCount, accBase;
  };
  struct Linear {
    std::string name, site;
    int64_t rows, cols, weightBits;
    std::vector<Tile> tiles;
    std::vector<Relay> relays;
  };

  std::string path; ///< the manifest
  int stateBits = 0;
  int64_t timesteps = 0;
  std::map<int, Core> cores;
  std::vector<Site> sites;
  std::vector<Linear> linears;
};

/// Reads the manifest at `path` and its tensor file, with every rule above.
/// Errors are one line: "<file>: <json pointer or tensor>: what".
Result<ChipProgram> loadChipProgram(const std::string &path);

namespace detail {
/// The rules on a schema-valid manifest `doc` (from `path`); with
/// `withTables`, also against its tensor file. Fills `out` when non-null.
/// Returns "" or "<pointer or file: tensor>: what" (without the path).
std::string buildChipProgram(const nlohmann::json &doc, const std::string &path,
                             bool withTables, ChipProgram *out);
} // namespace detail

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_CHIPPROGRAM_H
