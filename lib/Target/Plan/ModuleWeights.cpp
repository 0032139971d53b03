//===- ModuleWeights.cpp - The weight file a module names -----------------===//

#include "spike/Target/ModuleWeights.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

FailureOr<std::optional<spike::core::SafetensorsFile>>
spike::openModuleWeights(ModuleOp module, const std::string &given,
                         llvm::StringRef who) {
  std::string path = given;
  if (path.empty()) {
    auto attr = module->getAttrOfType<StringAttr>("qnn.weights");
    if (!attr)
      return std::optional<core::SafetensorsFile>();
    path = attr.str();
    if (!llvm::sys::path::is_absolute(path) && !llvm::sys::fs::exists(path))
      if (auto loc = dyn_cast<FileLineColLoc>(module.getLoc())) {
        SmallString<256> candidate(
            llvm::sys::path::parent_path(loc.getFilename().getValue()));
        llvm::sys::path::append(candidate, path);
        if (llvm::sys::fs::exists(candidate))
          path = candidate.str().str();
      }
  }
  auto file = core::SafetensorsFile::open(path);
  if (!file) {
    mlir::emitError(module.getLoc()) << who << ": " << file.message();
    return failure();
  }
  return std::optional<core::SafetensorsFile>(file.take());
}
