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
// Each is JSON with a "format" and "version" field and has a JSON Schema in
// runtime/core/schemas/, compiled into the library. Validation runs the schema
// and then the semantic rules a schema cannot say (definition before use,
// op arity, tensor existence, unique sites).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_FORMATS_H
#define SPIKE_CORE_FORMATS_H

#include "spike/core/Status.h"

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
  NirManifest
};

/// "spikec.plan", "spikec.activation-stats", ...
const char *formatName(DocumentKind kind);
/// The JSON Schema text of a format, as shipped.
const char *schemaText(DocumentKind kind);

struct ValidateOptions {
  /// For plans: open the safetensors file and check every referenced tensor.
  bool checkTensors = true;
};

/// Validates a file of any of these kinds, detected from its "format"
/// field. On failure the message is one line: "<path>: <json pointer>: what".
Result<DocumentKind> validateFile(const std::string &path,
                                  const ValidateOptions &options = {});

/// Same for text already in memory; `path` only names it in messages and
/// anchors the plan's relative tensor file.
Result<DocumentKind> validateText(const std::string &text,
                                  const std::string &path,
                                  const ValidateOptions &options = {});

/// Reads, parses (bounded: JsonReader.h) and validates `path` as a
/// document of `kind`, and returns it: what loaders build from, so that
/// they read exactly what `spike-run validate` checked, parsed once.
Result<nlohmann::json> loadDocument(const std::string &path, DocumentKind kind,
                                    const ValidateOptions &options = {});

/// Well-formed site names, e.g. "blk3.attn.q_rope".
bool isValidSiteName(const std::string &name);

} // namespace spike::core

#endif // SPIKE_CORE_FORMATS_H
