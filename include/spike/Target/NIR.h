//===- NIR.h - Export to NIR ------------------------------------*- C++ -*-===//
//
// `spike-translate --emit-nir`: each maximal NIR-expressible subgraph of a
// spiking graph becomes a NIR v1.0 HDF5 file (PREFIX.<k>.nir); the output
// is a JSON manifest (spikec.nir-manifest) listing the files, what runs
// between them, and what NIR cannot express.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TARGET_NIR_H
#define SPIKE_TARGET_NIR_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace spike {

struct NIREmitOptions {
  std::string prefix = "nir"; ///< files are PREFIX.<k>.nir
  bool strict = false;        ///< fail when any op is outside NIR
};

mlir::LogicalResult emitNIR(mlir::ModuleOp module, llvm::raw_ostream &os,
                            const NIREmitOptions &options);

/// Registers --emit-nir and its options.
void registerNIRTranslation();

} // namespace spike

#endif // SPIKE_TARGET_NIR_H
