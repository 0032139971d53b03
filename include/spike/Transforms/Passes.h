//===- Passes.h - spikec transformation passes ------------------*- C++ -*-===//

#ifndef SPIKE_TRANSFORMS_PASSES_H
#define SPIKE_TRANSFORMS_PASSES_H

#include "spike/Pipeline/Lowering.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace spike {

#define GEN_PASS_DECL
#include "spike/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "spike/Transforms/Passes.h.inc"

} // namespace spike

#endif // SPIKE_TRANSFORMS_PASSES_H
