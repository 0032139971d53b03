//===- ChipProgram.h - Emit a spike-event program for a chip ----*- C++ -*-===//
//
// `spike-translate --emit-chip-program`: a binary-IF graph mapped onto a
// chip description becomes per-core neuron, synapse and routing tables in
// the chip's integer formats (safetensors) plus a JSON manifest
// (spikec.chip-program, docs/ChipProgram.md). spike-chipsim runs it.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TARGET_CHIPPROGRAM_H
#define SPIKE_TARGET_CHIPPROGRAM_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace spike {

struct ChipProgramOptions {
  std::string chip;        ///< the chip description (YAML)
  std::string tensorsPath; ///< the per-core images (safetensors)
  std::string rates;       ///< firing rates for placement (optional)
  /// spike-map-to-chip's placement (spikec.chip-placement) to build the
  /// program from; empty: map here, as spike-map-to-chip does by default.
  std::string placement;
};

mlir::LogicalResult emitChipProgram(mlir::ModuleOp module,
                                    llvm::raw_ostream &os,
                                    const ChipProgramOptions &options);

/// Registers --emit-chip-program and its options.
void registerChipProgramTranslation();

} // namespace spike

#endif // SPIKE_TARGET_CHIPPROGRAM_H
