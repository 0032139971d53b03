//===- ModuleWeights.h - The weight file a module names ---------*- C++ -*-===//

#ifndef SPIKE_TARGET_MODULEWEIGHTS_H
#define SPIKE_TARGET_MODULEWEIGHTS_H

#include "spike/core/Safetensors.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace spike {

/// Opens `path`, else the safetensors file the module's `qnn.weights`
/// attribute names (relative: the working directory first, then the IR
/// file's directory). Nothing when neither is given (inline constants
/// only). Errors are emitted on the module, prefixed by `who`.
mlir::FailureOr<std::optional<core::SafetensorsFile>>
openModuleWeights(mlir::ModuleOp module, const std::string &path,
                  llvm::StringRef who);

} // namespace spike

#endif // SPIKE_TARGET_MODULEWEIGHTS_H
