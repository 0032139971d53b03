//===- spike-translate.cpp - Translate between IR and other formats -------===//
//
// Translations registered so far:
//   --emit-plan         IR (any level) -> spikec.plan + safetensors
//   --emit-site-table   IR -> JSON table of every quantizer / neuron site
// Model import, chip-program emission and NIR export are added by their own
// libraries as they land (docs/Architecture.md).
//
//===----------------------------------------------------------------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Target/Plan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

void writeShape(llvm::json::OStream &j, RankedTensorType t) {
  j.attributeArray("shape", [&] {
    for (int64_t d : t.getShape())
      j.value(ShapedType::isDynamic(d) ? llvm::json::Value(nullptr)
                                       : llvm::json::Value(d));
  });
}

/// One JSON object per site, in IR order: what the statistics, calibration
/// and firing-rate files of that module must be keyed by.
LogicalResult emitSiteTable(ModuleOp module, llvm::raw_ostream &os) {
  llvm::json::OStream j(os, 2);
  j.objectBegin();
  j.attribute("format", "spikec.site-table");
  j.attributeArray("sites", [&] {
    module.walk([&](Operation *op) {
      if (auto q = dyn_cast<spike::qnn::QuantizeOp>(op)) {
        j.object([&] {
          j.attribute("site", q.getSite());
          j.attribute("op", "qnn.quantize");
          j.attribute("bits", q.getBits());
          j.attribute("signed", !q.getIsUnsigned());
          j.attribute("groups", int64_t(q.getScale().size()));
          writeShape(j, q.getInput().getType());
        });
      } else if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
        j.object([&] {
          j.attribute("site", n.getSite());
          j.attribute("op", "spike.is_neuron");
          j.attribute("timesteps", n.getInput().getType().getTimesteps());
          j.attribute("levels", n.getLevels());
          j.attribute("groups", int64_t(n.getThreshold().size()));
          writeShape(j, n.getInput().getType().getTensor());
        });
      } else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
        j.object([&] {
          j.attribute("site", n.getSite());
          j.attribute("op", "spike.if_neuron");
          j.attribute("timesteps", n.getInput().getType().getTimesteps());
          j.attribute("groups", int64_t(n.getThreshold().size()));
          writeShape(j, n.getInput().getType().getTensor());
        });
      }
    });
  });
  j.objectEnd();
  os << "\n";
  return success();
}

} // namespace

int main(int argc, char **argv) {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << spike::versionString() << "\n";
  });
  spike::registerPlanTranslation();
  TranslateFromMLIRRegistration siteTable(
      "emit-site-table",
      "Emit a JSON table of every quantizer and neuron site",
      emitSiteTable, [](DialectRegistry &registry) {
        spike::registerAllDialects(registry);
      });
  return failed(mlirTranslateMain(argc, argv, "spike-translate: spikec "
                                              "translations\n"));
}
