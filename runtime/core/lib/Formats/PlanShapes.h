//===- PlanShapes.h - Shape rules of a plan (internal) ----------*- C++ -*-===//
//
// The shape rules that `spike-run exec` relies on, checked by the validator
// against the plan's tensor file before any work starts: every op's input
// widths against its tensors (docs/PlanFormat.md, "Shapes"), head splits
// that divide the width, per-group parameters that divide the channels,
// and the vocabulary against the embedding and output tables.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_LIB_PLANSHAPES_H
#define SPIKE_CORE_LIB_PLANSHAPES_H

#include "spike/core/Formats/PlanTensors.h"

#include <nlohmann/json.hpp>

#include <string>

namespace spike::core::detail {

/// Propagates feature widths through `plan` (schema-valid, values defined
/// before use) with the tensor shapes of the plan's files. Returns "" or
/// "<json pointer>: <what>".
std::string checkPlanShapes(const nlohmann::json &plan,
                            const PlanTensors &tensors);

} // namespace spike::core::detail

#endif // SPIKE_CORE_LIB_PLANSHAPES_H
