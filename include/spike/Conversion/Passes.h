//===- Passes.h - spikec conversion passes ----------------------*- C++ -*-===//

#ifndef SPIKE_CONVERSION_PASSES_H
#define SPIKE_CONVERSION_PASSES_H

#include "spike/Dialect/Spike/SpikeDialect.h"
#include "spike/Pipeline/Lowering.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace spike {

#define GEN_PASS_DECL
#include "spike/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "spike/Conversion/Passes.h.inc"

} // namespace spike

#endif // SPIKE_CONVERSION_PASSES_H
