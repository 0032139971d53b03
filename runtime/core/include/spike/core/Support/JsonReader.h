//===- JsonReader.h - Bounded, strict JSON parsing --------------*- C++ -*-===//
//
// Every JSON file spikec reads (its exchange formats, checkpoint configs,
// tokenizer.json, safetensors headers) goes through parseJson, so that no
// input can exhaust the stack or memory before a validator sees it:
//   - nesting deeper than JsonLimits::maxDepth is refused before parsing
//     (nlohmann's dump and destructor recurse; llvm::json's parser does);
//   - a key given twice in one object is refused (JSON leaves its meaning
//     open; nlohmann would keep the last silently);
//   - NaN and Infinity are not JSON and fail to parse.
// Errors are one line: "<where>: <what>".
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_SUPPORT_JSONREADER_H
#define SPIKE_CORE_SUPPORT_JSONREADER_H

#include "spike/core/Support/Status.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace spike::core {

struct JsonLimits {
  /// Arrays and objects nested in each other. spikec's own formats need 6;
  /// tokenizer.json and Hugging Face configs stay under 10.
  int maxDepth = 64;
};

/// The deepest nesting of arrays and objects in `text` (strings skipped),
/// without parsing it. Malformed text gives the depth reached so far.
int jsonNestingDepth(std::string_view text);

/// Checks only the nesting bound: "" or the error (for parsers other than
/// nlohmann's, e.g. llvm::json, which recurses).
std::string checkJsonDepth(std::string_view text,
                           const JsonLimits &limits = {});

/// Parses `text` under `limits` and the rules above; `where` names the
/// source in errors (a path, or "path: header").
Result<nlohmann::json> parseJson(std::string_view text,
                                 const std::string &where,
                                 const JsonLimits &limits = {});

/// Reads and parses a whole file (where = path).
Result<nlohmann::json> readJsonFile(const std::string &path,
                                    const JsonLimits &limits = {});

} // namespace spike::core

#endif // SPIKE_CORE_SUPPORT_JSONREADER_H
