//===- Formats.h - Versioned file formats and their validators --*- C++ -*-===//
//
// The files exchanged between the compiler, the runtime and the chip
// simulator:
//   spikec.plan              the graph spike-run executes (+ safetensors)
//   spikec.activation-stats  per-site activation statistics (quantization)
//   spikec.calibration       calibrated theta / v0 per site (calibration)
//   spikec.firing-rates      measured spikes per site (chip mapping)
//   spikec.chip-program      per-core tables for a chip (ChipProgram.h)
//   spikec.nir-manifest      the graphs of a NIR export and what NIR lacks
//   spikec.chip-placement    where the mapper put each piece (ChipPlacement.h)
// Each is JSON with a "format" and "version" field and has a JSON Schema in
// runtime/core/lib/Formats/schemas/, compiled into the library. Validation
// runs the schema and then the semantic rules a schema cannot say
// (definition before use, op arity, tensor existence, unique sites).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_FORMATS_FORMATS_H
#define SPIKE_CORE_FORMATS_FORMATS_H

#include "spike/core/Support/Status.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace spike::core {

enum class DocumentKind {
  Plan,
  ActivationStats,
  Calibration,
  FiringRates,
  ChipProgram,
  NirManifest,
  ChipPlacement
};

/// "spikec.plan", "spikec.activation-stats", ...
const char *formatName(DocumentKind kind);
/// The JSON Schema text of a format, as shipped.
const char *schemaText(DocumentKind kind);

struct ValidateOptions {
  /// For plans: open the safetensors file and check every referenced tensor.
  bool checkTensors = true;
};

/// Reads, parses (bounded: JsonReader.h) and validates `path` as a
/// document of `kind`, and returns it: what loaders build from, so that
/// they read exactly what `spike-run validate` checked, parsed once. A chip
/// program gets its schema here; its rules need its tables and run in
/// `loadChipProgram` (Chip/ChipProgram.h); a chip placement's run in
/// `loadChipPlacement` (Chip/ChipPlacement.h). Any kind, every rule:
/// Formats/Validate.h.
Result<nlohmann::json> loadDocument(const std::string &path, DocumentKind kind,
                                    const ValidateOptions &options = {});

/// Well-formed site names, e.g. "blk3.attn.q_rope".
bool isValidSiteName(const std::string &name);

namespace detail {
/// The kind of `doc` from its "format" field, then its schema and its
/// format's rules (for a chip program, the schema only). Errors are one
/// line without the path.
Result<DocumentKind> checkDocument(const nlohmann::json &doc,
                                   const std::string &path,
                                   const ValidateOptions &options);
} // namespace detail

} // namespace spike::core

#endif // SPIKE_CORE_FORMATS_FORMATS_H
