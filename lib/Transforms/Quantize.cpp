//===- Quantize.cpp - Static W/A quantization from statistics -------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Support/ValidatedJson.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Neuron/SiteClass.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace spike {
#define GEN_PASS_DEF_SPIKEQUANTIZE
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace qnn = spike::qnn;

namespace {
struct QuantizePass : public spike::impl::SpikeQuantizeBase<QuantizePass> {
  using SpikeQuantizeBase::SpikeQuantizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](const Twine &what) {
      mlir::emitError(module.getLoc(), "spike-quantize: ") << what;
      signalPassFailure();
    };
    // Errors about one site are reported at its observer.
    auto failAt = [&](Operation *op, const Twine &what) {
      op->emitOpError("spike-quantize: ") << what;
      signalPassFailure();
    };
    for (auto [name, bits] : {std::pair<const char *, int64_t>{"wbits", wbits},
                              {"abits", abits},
                              {"q-bits", qBits},
                              {"kv-bits", kvBits},
                              {"softmax-bits", softmaxBits}}) {
      bool weightsOff = bits == 0 && std::string(name) != "abits";
      if (!weightsOff &&
          (bits < spike::neuron::kMinBits || bits > spike::neuron::kMaxBits))
        return fail(Twine(name) + "=" + Twine(bits) +
                    " is out of range [2, 8]");
    }
    if (!(clip > 0 && clip <= 1))
      return fail("clip must be in (0, 1]");
    if (stats.empty())
      return fail("no statistics file given (stats=PATH; see spike-run "
                  "stats)");
    std::string error;
    auto json = spike::readValidatedJson(
        stats, spike::core::DocumentKind::ActivationStats, error);
    if (!json)
      return fail(error);
    const llvm::json::Object &root = *json->getAsObject();
    const llvm::json::Object &sites = *root.getObject("sites");
    // Statistics taken with a PrefixQuant prefix only describe the model
    // run with that prefix: the module carries it from here on.
    if (const llvm::json::Array *prefix =
            root.getObject("source")->getArray("prefix_tokens"))
      if (!prefix->empty()) {
        SmallVector<int64_t> ids;
        for (const llvm::json::Value &v : *prefix)
          ids.push_back(*v.getAsInteger());
        module->setAttr("qnn.prefix_tokens",
                        DenseI64ArrayAttr::get(module.getContext(), ids));
      }

    SmallVector<qnn::ObserveOp> observers;
    module.walk([&](qnn::ObserveOp op) { observers.push_back(op); });
    // Statistics of a site the module does not have belong to another
    // model (or a renamed site): refused, as the calibration reader does.
    llvm::StringSet<> known;
    for (qnn::ObserveOp op : observers)
      known.insert(op.getSite());
    for (const auto &entry : sites)
      if (!known.contains(entry.first))
        return fail(stats + ": site \"" + entry.first.str() +
                    "\" names no qnn.observe in the module");
    for (qnn::ObserveOp op : observers) {
      StringRef site = op.getSite();
      const llvm::json::Object *entry = sites.getObject(site);
      if (!entry)
        return failAt(op, stats + ": no statistics for site \"" + site + "\"");
      // mse_clip ratios are relative to ema_absmax.
      double m = *entry->getNumber(useEma || mse ? "ema_absmax" : "absmax");
      bool isUnsigned = spike::core::isUnsignedSite(site);
      int64_t bits = abits;
      if (site.ends_with(".attn.q_rope") && qBits)
        bits = qBits;
      if ((site.ends_with(".attn.k_rope") || site.ends_with(".attn.v")) &&
          kvBits)
        bits = kvBits;
      if (isUnsigned && softmaxBits)
        bits = softmaxBits;
      double ratio = clip;
      if (mse) {
        const llvm::json::Object *clips = entry->getObject("mse_clip");
        auto r = clips ? clips->getNumber(std::to_string(bits)) : std::nullopt;
        if (!r)
          return failAt(op, stats + ": site \"" + site +
                                "\" has no mse_clip for " + Twine(bits) +
                                " bits");
        ratio = *r;
      }
      m *= ratio;
      auto grid = spike::neuron::quantGrid(int(bits), !isUnsigned);
      double scale = (isUnsigned ? m : 2 * m) / double(grid.maxCode);
      if (!(scale > 0))
        scale = 1.0 / double(grid.maxCode); // a site that was always zero
      OpBuilder b(op);
      auto q = qnn::QuantizeOp::create(
          b, op.getLoc(), op.getInput(), op.getSiteAttr(),
          b.getI64IntegerAttr(bits), isUnsigned ? b.getUnitAttr() : UnitAttr(),
          b.getDenseF64ArrayAttr({scale}));
      op.replaceAllUsesWith(q.getResult());
      op.erase();
    }
    if (wbits == 0)
      return;
    module.walk([&](qnn::LinearOp l) {
      // Online rotations (imported as "*.down_rotation") stay FP, like the
      // online Hadamard of PrefixQuant.
      qnn::ParamAttr p = spike::weightParam(l.getWeight());
      bool isRotation = p && p.getName().ends_with("_rotation");
      if (!l.isLmHead() && !isRotation && !l.getWeightBits())
        l.setWeightBitsAttr(OpBuilder(l).getI64IntegerAttr(wbits));
    });
  }
};
} // namespace
