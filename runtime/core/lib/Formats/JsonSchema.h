//===- JsonSchema.h - A small JSON Schema interpreter (internal) *- C++ -*-===//
//
// Implements the subset of JSON Schema 2020-12 that spikec's schemas use:
// type, const, enum, properties, required, additionalProperties,
// propertyNames, items, minItems, maxItems, minimum, maximum,
// exclusiveMinimum, minLength, pattern and local $ref ("#/$defs/...").
// Interpreting the shipped schema keeps it the single source of truth.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_LIB_JSONSCHEMA_H
#define SPIKE_CORE_LIB_JSONSCHEMA_H

#include <nlohmann/json.hpp>

#include <string>

namespace spike::core::detail {

/// Checks `doc` against `schema` (whose "$defs" resolve local refs). Returns
/// the empty string on success, else "<json pointer>: <what>".
std::string validateAgainstSchema(const nlohmann::json &doc,
                                  const nlohmann::json &schema);

} // namespace spike::core::detail

#endif // SPIKE_CORE_LIB_JSONSCHEMA_H
