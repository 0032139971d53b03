//===- ApplyCalibration.cpp - Calibrated theta / v0 into IS neurons -------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Support/ValidatedJson.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

namespace spike {
#define GEN_PASS_DEF_SPIKEAPPLYCALIBRATION
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace spk = spike::spk;
namespace qnn = spike::qnn;

namespace {

SmallVector<double> numbers(const llvm::json::Array &array) {
  SmallVector<double> out;
  for (const llvm::json::Value &v : array)
    out.push_back(*v.getAsNumber()); // the schema checked they are numbers
  return out;
}

/// The checkpoint name of a linear's weight (a qnn.weight parameter), or
/// "" for an inline constant.
StringRef weightName(Value weight) {
  qnn::ParamAttr param = spike::weightParam(weight);
  return param ? param.getName() : StringRef();
}

/// The quantized linears of the module (QNN or spiking level) by the name of
/// their weight.
llvm::StringMap<SmallVector<Operation *>> linearsByWeight(ModuleOp module) {
  llvm::StringMap<SmallVector<Operation *>> out;
  module.walk([&](Operation *op) {
    if (auto l = dyn_cast<qnn::LinearOp>(op))
      out[weightName(l.getWeight())].push_back(op);
    else if (auto l = dyn_cast<spk::LinearOp>(op))
      out[weightName(l.getWeight())].push_back(op);
  });
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
    if (const llvm::json::Object *weights = root.getObject("weights"))
      if (failed(applyWeights(module, *weights)))
        signalPassFailure();
  }

  /// Learnt weights: writes `weights-out`, the module's weight file with
  /// each learnt tensor replaced and its row scales added (NAME.scale), and
  /// points the module and the learnt linears (their `scales` operand) at
  /// it, so that every back end reads the learnt codes.
  LogicalResult applyWeights(ModuleOp module,
                             const llvm::json::Object &weights) {
    auto fail = [&](const Twine &what) {
      return mlir::emitError(module.getLoc(), "spike-apply-calibration: ")
             << what;
    };
    if (weightsOut.empty())
      return fail(file + ": has learnt weights; give weights-out=PATH, the "
                         "weight file to write");
    SmallString<256> learntPath(llvm::sys::path::parent_path(file));
    llvm::sys::path::append(learntPath, *weights.getString("file"));
    auto learnt = spike::core::SafetensorsFile::open(learntPath.str().str());
    if (!learnt)
      return fail(learnt.message());
    auto current =
        spike::openModuleWeights(module, "", "spike-apply-calibration");
    if (failed(current))
      return failure();
    if (!*current)
      return fail("the module names no weight file (qnn.weights)");
    const spike::core::SafetensorsFile &base = **current;

    auto linears = linearsByWeight(module);
    llvm::StringSet<> learntNames;
    for (const llvm::json::Value &v : *weights.getArray("tensors")) {
      std::string name = v.getAsString()->str();
      auto it = linears.find(name);
      if (name.empty() || it == linears.end())
        return fail(learntPath + ": tensor '" + name +
                    "' is the weight of no linear in the module");
      if (learntNames.contains(name))
        return fail(learntPath + ": tensor '" + name + "' is listed twice");
      const auto *w = learnt->find(name);
      const auto *s = learnt->find(name + ".scale");
      if (!w || !s)
        return fail(learntPath + ": has no tensor '" + name +
                    (w ? ".scale'" : "'"));
      for (Operation *op : it->second) {
        auto type = cast<RankedTensorType>(op->getOperand(1).getType());
        bool quantized = op->hasAttr("weight_bits");
        if (!quantized || !llvm::equal(w->shape, type.getShape()) ||
            s->shape != std::vector<int64_t>{type.getShape()[0]} ||
            w->dtype != spike::core::DType::F32 ||
            s->dtype != spike::core::DType::F32)
          return op->emitOpError("spike-apply-calibration: ")
                 << learntPath << ": tensor '" << name
                 << "' does not fit this linear (it needs weight bits, an f32 "
                    "weight of its shape and an f32 scale per row)";
      }
      if (base.contains(name + ".scale"))
        return fail(base.path() + ": already has a tensor '" + name +
                    ".scale'");
      learntNames.insert(name);
    }

    if (auto st = spike::checkOutsideChain(base, weightsOut, "weights-out");
        !st)
      return fail(st.message());

    // The new file: every tensor of the module's, the learnt ones replaced;
    // an overlay holds only the learnt ones and reads the rest from `base`.
    spike::core::SafetensorsWriter writer;
    if (overlay)
      writer.setMetadata(spike::core::kBaseFileKey,
                         spike::overlayBaseReference(base.path(), weightsOut));
    else
      for (const auto &[key, value] : base.metadata())
        if (key != spike::core::kBaseFileKey) // the copy holds every tensor
          writer.setMetadata(key, value);
    auto copy = [&](const spike::core::SafetensorsFile &from,
                    const std::string &name) {
      return spike::copyStoredTensor(writer, from, name);
    };
    for (const auto &[name, info] : base.tensors()) {
      bool learntHere = learntNames.contains(name);
      if (!learntHere && overlay)
        continue; // read through the base
      if (auto st = copy(learntHere ? *learnt : base, name); !st)
        return fail(st.message());
    }
    for (const auto &entry : learntNames)
      if (auto st = copy(*learnt, entry.getKey().str() + ".scale"); !st)
        return fail(st.message());

    for (const auto &entry : learntNames)
      for (Operation *op : linears[entry.getKey()])
        spike::setRowScaleParam(op, entry.getKey().str() + ".scale");
    if (auto st = writer.write(weightsOut); !st)
      return fail(st.message());
    module->setAttr("qnn.weights",
                    StringAttr::get(module.getContext(),
                                    spike::weightFileAttr(module, weightsOut)));
    return success();
  }
};
} // namespace
