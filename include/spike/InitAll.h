//===- InitAll.h - Register spikec dialects and passes ----------*- C++ -*-===//

#ifndef SPIKE_INITALL_H
#define SPIKE_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace spike {

/// The dialects spikec tools parse: qnn, spike, and func for the functions
/// that hold the graphs.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Every spikec pass and pipeline, plus the upstream cleanups it relies on
/// (canonicalize, cse).
void registerAllPasses();

/// "spikec <version>", printed by every tool's --version.
const char *versionString();

} // namespace spike

#endif // SPIKE_INITALL_H
