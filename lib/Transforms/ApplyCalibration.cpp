//===- ApplyCalibration.cpp - Calibrated theta / v0 into IS neurons -------===//

#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Support/ValidatedJson.h"
#include "spike/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

namespace spike {
#define GEN_PASS_DEF_SPIKEAPPLYCALIBRATION
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace spk = spike::spk;

namespace {

SmallVector<double> numbers(const llvm::json::Array &array) {
  SmallVector<double> out;
  for (const llvm::json::Value &v : array)
    out.push_back(*v.getAsNumber()); // the schema checked they are numbers
  return out;
}

struct ApplyCalibrationPass
    : public spike::impl::SpikeApplyCalibrationBase<ApplyCalibrationPass> {
  using SpikeApplyCalibrationBase::SpikeApplyCalibrationBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](const Twine &what) {
      mlir::emitError(module.getLoc(), "spike-apply-calibration: ") << what;
      signalPassFailure();
    };
    // Errors about one neuron are reported at it.
    auto failAt = [&](Operation *op, const Twine &what) {
      op->emitOpError("spike-apply-calibration: ") << what;
      signalPassFailure();
    };
    if (file.empty())
      return fail("no calibration file given (file=PATH)");
    // Validated: every field read below exists with the right type.
    std::string error;
    auto json = spike::readValidatedJson(
        file, spike::core::DocumentKind::Calibration, error);
    if (!json)
      return fail(error);
    const llvm::json::Object &root = *json->getAsObject();
    int64_t timesteps = *root.getInteger("timesteps");

    llvm::StringMap<spk::ISNeuronOp> neurons;
    module.walk([&](spk::ISNeuronOp op) { neurons[op.getSite()] = op; });

    for (const auto &[site, entry] : *root.getObject("sites")) {
      auto it = neurons.find(site);
      if (it == neurons.end())
        return fail(file + ": site \"" + site.str() +
                    "\" names no spike.is_neuron in the module");
      spk::ISNeuronOp op = it->second;
      int64_t t = op.getInput().getType().getTimesteps();
      if (t != timesteps)
        return failAt(op, file + ": calibrated for T=" + Twine(timesteps) +
                              ", but site \"" + site.str() +
                              "\" has T=" + Twine(t));
      const llvm::json::Object &values = *entry.getAsObject();
      SmallVector<double> theta = numbers(*values.getArray("threshold"));
      SmallVector<double> v0 = numbers(*values.getArray("v0"));
      int64_t d = op.getInput().getType().getTensor().getShape().back();
      if (!ShapedType::isDynamic(d) && d % int64_t(theta.size()) != 0)
        return failAt(op, file + ": site \"" + site.str() + "\" has " +
                              Twine(theta.size()) +
                              " threshold groups, which do not divide its " +
                              Twine(d) + " features");
      op.setThreshold(theta);
      op.setV0(v0);
    }
  }
};
} // namespace
