//===- Plan.h - Emit spikec execution plans from IR -------------*- C++ -*-===//
//
// `spike-translate --emit-plan`: the IR at any level (FP, QANN, IS, IF)
// becomes a spikec.plan (docs/PlanFormat.md) plus a safetensors file with
// every tensor the plan references. The runtime executes exactly this.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TARGET_PLAN_H
#define SPIKE_TARGET_PLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace spike {

struct PlanEmitOptions {
  /// Where to write the plan's tensors; the plan names its basename, so the
  /// plan must be written to the same directory.
  std::string tensorsPath;
  /// The model's weight file; empty means the module's `qnn.weights`
  /// attribute (resolved against the working directory, then against the
  /// IR file's directory).
  std::string weightsPath;
  /// Copy the weights the plan uses into its tensor file (a self-contained
  /// plan) instead of naming the model's weight file, which the plans of
  /// every level of one model then share (plan version 3, `weights`).
  bool copyWeights = false;
  /// Tokenizer file recorded in the plan's model section (optional).
  std::string tokenizer;
};

mlir::LogicalResult emitPlan(mlir::ModuleOp module, llvm::raw_ostream &os,
                             const PlanEmitOptions &options);

/// Registers the --emit-plan translation and its options.
void registerPlanTranslation();

} // namespace spike

#endif // SPIKE_TARGET_PLAN_H
