//===- LowerISToIF.cpp - IS neurons to binary IF neurons ------------------===//

#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace spike {
#define GEN_PASS_DEF_SPIKELOWERISTOIF
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace spk = spike::spk;

namespace {
struct LowerISToIFPass
    : public spike::impl::SpikeLowerISToIFBase<LowerISToIFPass> {
  using SpikeLowerISToIFBase::SpikeLowerISToIFBase;

  void runOnOperation() override {
    std::optional<spk::IFSchedule> sched = spk::symbolizeIFSchedule(schedule);
    if (!sched) {
      mlir::emitError(getOperation().getLoc(),
                      "spike-lower-is-to-if: unknown schedule '")
          << schedule << "' (expected integrate-then-fire or uniform)";
      return signalPassFailure();
    }
    if (getOperation()->hasAttr("qnn.prefix_tokens")) {
      mlir::emitError(
          getOperation().getLoc(),
          "spike-lower-is-to-if: a PrefixQuant prefix (qnn.prefix_tokens) "
          "is computed at full precision, which binary IF neurons cannot "
          "carry; lower a model quantized without a prefix");
      return signalPassFailure();
    }
    SmallVector<spk::ISNeuronOp> neurons;
    getOperation().walk([&](spk::ISNeuronOp op) { neurons.push_back(op); });
    for (spk::ISNeuronOp is : neurons)
      if (is.getSpikeCoding() == spike::neuron::SpikeCoding::Signed) {
        // The neuron math exists (neuron::signedIfWindow); the IF ops, the
        // runtime's IF kernels and the chip program do not carry it yet.
        is.emitOpError("at site \"")
            << is.getSite()
            << "\" uses the signed code, whose binary IF lowering is not "
               "implemented yet; keep it at the IS level or convert with "
               "coding=offset";
        return signalPassFailure();
      }
    for (spk::ISNeuronOp is : neurons)
      if (is.getBidirectional()) {
        is.emitOpError("at site \"")
            << is.getSite()
            << "\" emits correction spikes, which binary IF neurons cannot; "
               "keep it at the IS level for a graded-spike target or convert "
               "without bidirectional";
        return signalPassFailure();
      }
    for (spk::ISNeuronOp is : neurons)
      lower(is, *sched);
  }

  void lower(spk::ISNeuronOp is, spk::IFSchedule sched) {
    OpBuilder b(is);
    spk::TrainType steps = is.getType();
    auto substeps = spk::TrainType::get(is.getContext(),
                                        steps.getTimesteps() * is.getLevels(),
                                        steps.getTensor());
    IntegerAttr budgetAttr = is.getBudgetAttr();
    if (budgetAttr && !keepBudget) {
      is.emitRemark("spike budget dropped at site \"")
          << is.getSite() << "\": the IF neuron may exceed "
          << budgetAttr.getInt() << " spikes per window";
      budgetAttr = {};
    }
    auto fire = spk::IFNeuronOp::create(
        b, is.getLoc(), substeps, is.getInput(), is.getSiteAttr(),
        is.getLevelsAttr(), is.getAlphaAttr(), is.getThresholdAttr(),
        is.getV0Attr(), budgetAttr,
        spk::IFScheduleAttr::get(is.getContext(), sched));
    auto collect = spk::IFCollectOp::create(
        b, is.getLoc(), steps, fire.getResult(), is.getLevelsAttr(),
        is.getAlphaAttr(), is.getThresholdAttr());
    is.replaceAllUsesWith(collect.getResult());
    is.erase();
  }
};
} // namespace
