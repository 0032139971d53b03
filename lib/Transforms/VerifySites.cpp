//===- VerifySites.cpp - Unique site names --------------------------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

namespace spike {
#define GEN_PASS_DEF_SPIKEVERIFYSITES
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;

namespace {
struct VerifySitesPass
    : public spike::impl::SpikeVerifySitesBase<VerifySitesPass> {
  using SpikeVerifySitesBase::SpikeVerifySitesBase;

  void runOnOperation() override {
    llvm::StringMap<Operation *> seen;
    bool failedAny = false;
    getOperation().walk([&](Operation *op) {
      StringAttr site;
      if (auto q = dyn_cast<spike::qnn::QuantizeOp>(op))
        site = q.getSiteAttr();
      else if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op))
        site = n.getSiteAttr();
      else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op))
        site = n.getSiteAttr();
      if (!site)
        return;
      if (!expectPrefix.empty() && !site.getValue().starts_with(expectPrefix)) {
        op->emitError("site \"")
            << site.getValue() << "\" does not start with \"" << expectPrefix
            << "\"";
        failedAny = true;
      }
      auto [it, inserted] = seen.try_emplace(site.getValue(), op);
      if (!inserted) {
        op->emitError("site \"")
                .append(site.getValue(), "\" is used twice")
                .attachNote(it->second->getLoc())
            << "first use of the site";
        failedAny = true;
      }
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
