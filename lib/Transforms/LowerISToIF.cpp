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
    SmallVector<spk::ISNeuronOp> neurons;
    getOperation().walk([&](spk::ISNeuronOp op) { neurons.push_back(op); });
    for (spk::ISNeuronOp is : neurons)
      if (is.getSpikeCoding() == spike::neuron::SpikeCoding::Signed &&
          *sched != spk::IFSchedule::IntegrateThenFire) {
        // Its direction of firing comes from the whole step's charge.
        is.emitOpError("at site \"")
            << is.getSite()
            << "\" uses the signed code, which lowers only with schedule "
               "integrate-then-fire";
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
    // The signed code keeps its grid (bits) and its name.
    bool isSignedCode =
        is.getSpikeCoding() == spike::neuron::SpikeCoding::Signed;
    auto fire = spk::IFNeuronOp::create(
        b, is.getLoc(), substeps, is.getInput(), is.getSiteAttr(),
        is.getLevelsAttr(), is.getAlphaAttr(), is.getThresholdAttr(),
        is.getV0Attr(), budgetAttr,
        isSignedCode ? is.getBitsAttr() : IntegerAttr(),
        isSignedCode ? is.getCodingAttr() : spk::CodingAttr(),
        isSignedCode ? is.getIsUnsignedAttr() : UnitAttr(),
        spk::IFScheduleAttr::get(is.getContext(), sched));
    auto collect = spk::IFCollectOp::create(
        b, is.getLoc(), steps, fire.getResult(), is.getLevelsAttr(),
        is.getAlphaAttr(), is.getThresholdAttr());
    is.replaceAllUsesWith(collect.getResult());
    is.erase();
  }
};
} // namespace
