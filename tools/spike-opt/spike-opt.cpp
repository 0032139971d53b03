//===- spike-opt.cpp - Run spikec pass pipelines on IR --------------------===//

#include "spike/InitAll.h"
#include "spike/Support/StagedOutput.h"
#include "spike/Support/ToolHelp.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  spike::hideLibraryOptions();
  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << spike::versionString() << "\n"; });
  mlir::DialectRegistry registry;
  spike::registerAllDialects(registry);
  spike::registerAllPasses();
  return spike::runWithStagedOutput(
      argc, argv, "spike-opt", [&](int argc, char **argv) {
        return mlir::asMainReturnCode(mlir::MlirOptMain(
            argc, argv, "spike-opt: the spikec pass driver\n", registry));
      });
}
