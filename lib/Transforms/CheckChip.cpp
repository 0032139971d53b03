//===- CheckChip.cpp - Legality of a spiking graph on a chip --------------===//

#include "spike/Analysis/ChipGraph.h"
#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/Chip/ChipDescription.h"
#include "spike/core/Neuron/Neuron.h"

namespace spike {
#define GEN_PASS_DEF_SPIKECHECKCHIP
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
using spike::core::CoreType;
using spike::core::OpClass;

namespace {

/// Bits of a spike count of 0..L, and its sign when spikes can be negative
/// (correction spikes, the signed code).
int64_t payloadBitsFor(int64_t levels, bool signedSpikes) {
  int64_t bits = 0;
  while ((int64_t(1) << bits) <= levels)
    ++bits;
  return bits + (signedSpikes ? 1 : 0);
}

/// The checkpoint name of a weight operand, or "".
std::string weightName(Value weight) {
  if (auto op = weight.getDefiningOp<spike::qnn::WeightOp>())
    if (auto p = dyn_cast<spike::qnn::ParamAttr>(op.getValue()))
      return p.getName().str();
  return "";
}

/// The legality rules of a chip, checked op by op; each failure is
/// reported at its op and remembered.
class ChipChecker {
public:
  ChipChecker(const spike::core::ChipDescription &desc, const CoreType &core)
      : desc(desc), neuronCore(core) {}

  /// A lower bound on the neuron cores the synapses need, against the
  /// chip's.
  void checkSynapseMemory(ModuleOp module);
  /// The rules of one op: fan-in, fan-out, spike payload, membrane widths,
  /// and where glue ops run.
  void checkOp(Operation *op);

  bool failedAny = false;

private:
  const spike::core::ChipDescription &desc;
  const CoreType &neuronCore;

  std::string runnerOf(OpClass c) const {
    for (const CoreType &t : desc.coreTypes)
      if (t.runs(c))
        return "core type " + t.name;
    return "the host (no core type of " + desc.name + " runs " +
           spike::core::opClassName(c) + " ops)";
  }
  int64_t destinations(Value spikes) const;
  void checkFanOut(Operation *op, StringRef site, Value spikes);
  void checkWidths(Operation *op, StringRef site, int64_t levels, double alpha,
                   RankedTensorType tensor);
  void checkLinear(spike::spk::LinearOp l);
  void checkPayload(spike::spk::ISNeuronOp n);
  /// Negative spikes need a chip that carries a sign (numerics.sign);
  /// false after an error naming the site.
  bool checkSign(Operation *op, StringRef site, bool negative,
                 spike::neuron::SpikeCoding coding);
};

/// Destination cores of a neuron: each reading linear spreads its output
/// features over ceil(out / max_neurons) cores.
int64_t ChipChecker::destinations(Value spikes) const {
  int64_t cores = 0;
  SmallVector<Value> frontier = {spikes};
  while (!frontier.empty()) {
    Value v = frontier.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto c = dyn_cast<spike::spk::IFCollectOp>(user)) {
        frontier.push_back(c.getResult());
        continue;
      }
      if (auto l = dyn_cast<spike::spk::LinearOp>(user)) {
        int64_t out =
            cast<RankedTensorType>(l.getWeight().getType()).getDimSize(0);
        cores += (out + neuronCore.maxNeurons - 1) / neuronCore.maxNeurons;
      }
    }
  }
  return cores;
}

void ChipChecker::checkFanOut(Operation *op, StringRef site, Value spikes) {
  int64_t dest = destinations(spikes);
  if (dest > neuronCore.maxFanOut)
    op->emitRemark("site \"")
        << site << "\" reaches " << dest << " destination cores; max is "
        << neuronCore.maxFanOut << " on core type " << neuronCore.name
        << ": split its fan-out through copy neurons";
}

/// The membrane and threshold widths, as the chip emitter needs them
/// (neuron::chipHoldsNeuron); sites as wide as the context (attention
/// scores) stay with the host.
void ChipChecker::checkWidths(Operation *op, StringRef site, int64_t levels,
                              double alpha, RankedTensorType tensor) {
  if (ShapedType::isDynamic(tensor.getShape().back()))
    return;
  spike::neuron::ISParams p;
  p.levels = levels;
  p.alpha = alpha;
  if (spike::neuron::chipHoldsNeuron(neuronCore.stateBits,
                                     neuronCore.thresholdBits, p))
    return;
  op->emitError("site \"") << site << "\": a " << neuronCore.stateBits
                           << "-bit membrane and " << neuronCore.thresholdBits
                           << "-bit threshold of core type " << neuronCore.name
                           << " cannot hold " << levels << " levels";
  failedAny = true;
}

void ChipChecker::checkSynapseMemory(ModuleOp module) {
  int64_t synapseBits = 0;
  module.walk([&](spike::spk::LinearOp l) {
    auto w = cast<RankedTensorType>(l.getWeight().getType());
    synapseBits += w.getDimSize(0) * w.getDimSize(1) * neuronCore.weightBits *
                   spike::synapseRowsPerInput(l.getInput(), neuronCore);
  });
  if (synapseBits == 0 || neuronCore.synapseMemoryBits == 0)
    return;
  int64_t need = (synapseBits + neuronCore.synapseMemoryBits - 1) /
                 neuronCore.synapseMemoryBits;
  int64_t have = desc.systemCount(neuronCore);
  if (need <= have)
    return;
  mlir::emitError(module.getLoc(), "spike-check-chip: the synapses need ")
      << "at least " << need << " cores of type " << neuronCore.name << " ("
      << synapseBits << " bits at " << neuronCore.weightBits
      << "-bit weights); " << desc.name << " has " << have
      << " (chips: " << desc.chips << ")";
  failedAny = true;
}

void ChipChecker::checkLinear(spike::spk::LinearOp l) {
  int64_t fanIn = cast<RankedTensorType>(l.getWeight().getType()).getDimSize(1);
  // Negative binary spikes take a negated twin row per input.
  int64_t rows = spike::synapseRowsPerInput(l.getInput(), neuronCore);
  if (fanIn * rows <= neuronCore.maxFanInAxons)
    return;
  std::string name = weightName(l.getWeight());
  if (neuronCore.spikePayloadBits == 0) {
    l.emitError("linear \"")
        << name << "\" needs fan-in " << fanIn
        << (rows > 1 ? " (two axons per input: negated rows)" : "")
        << "; max is " << neuronCore.maxFanInAxons << " on core type "
        << neuronCore.name
        << "; graded spikes unavailable, so no relay split is possible";
    failedAny = true;
  } else {
    l.emitRemark("linear \"")
        << name << "\" needs fan-in " << fanIn << "; max is "
        << neuronCore.maxFanInAxons << " on core type " << neuronCore.name
        << ": split through partial-sum relay neurons";
  }
}

bool ChipChecker::checkSign(Operation *op, StringRef site, bool negative,
                            spike::neuron::SpikeCoding coding) {
  if (!negative || neuronCore.carriesSign())
    return true;
  op->emitError("site \"")
      << site << "\" sends negative spikes ("
      << (coding == spike::neuron::SpikeCoding::Signed ? "the signed code"
                                                       : "correction spikes")
      << "); core type " << neuronCore.name << " has "
      << (neuronCore.spikePayloadBits ? "graded" : "binary")
      << " spikes with 'sign: none', so a sign cannot travel on it";
  failedAny = true;
  return false;
}

void ChipChecker::checkPayload(spike::spk::ISNeuronOp n) {
  if (neuronCore.spikePayloadBits == 0) {
    n.emitError("site \"")
        << n.getSite() << "\" emits up to " << n.getLevels()
        << " spikes per step; core type " << neuronCore.name
        << " has binary spikes: run spike-lower-is-to-if first";
    failedAny = true;
    return;
  }
  if (!checkSign(n, n.getSite(), n.sendsNegativeSpikes(), n.getSpikeCoding()))
    return;
  // A negative spike (correction spikes, the signed code) needs a sign bit.
  int64_t need = payloadBitsFor(n.getLevels(), n.sendsNegativeSpikes());
  if (need <= neuronCore.spikePayloadBits)
    return;
  n.emitError("site \"") << n.getSite() << "\" needs " << need
                         << "-bit graded spikes; core type " << neuronCore.name
                         << " carries " << neuronCore.spikePayloadBits;
  failedAny = true;
}

void ChipChecker::checkOp(Operation *op) {
  if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
    checkSign(op, n.getSite(), n.sendsNegativeSpikes(), n.getSpikeCoding());
    checkFanOut(op, n.getSite(), n.getResult());
    checkWidths(op, n.getSite(), n.getLevels(), n.getAlpha().convertToDouble(),
                n.getInput().getType().getTensor());
  } else if (auto l = dyn_cast<spike::spk::LinearOp>(op)) {
    checkLinear(l);
  } else if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
    checkFanOut(op, n.getSite(), n.getResult());
    checkWidths(op, n.getSite(), n.getLevels(), n.getAlpha().convertToDouble(),
                n.getInput().getType().getTensor());
    checkPayload(n);
  } else if (isa<spike::spk::AccumMapOp>(op)) {
    op->emitRemark("accumulate-difference map runs on ")
        << runnerOf(OpClass::AccumDiff);
  } else if (isa<spike::spk::AAMatmulOp, spike::spk::AAMulOp>(op)) {
    op->emitRemark("activation product runs on ")
        << runnerOf(OpClass::AAProduct);
  }
}

struct CheckChipPass : public spike::impl::SpikeCheckChipBase<CheckChipPass> {
  using SpikeCheckChipBase::SpikeCheckChipBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (chip.empty()) {
      mlir::emitError(module.getLoc(), "spike-check-chip: chip=FILE is "
                                       "required");
      return signalPassFailure();
    }
    auto desc = spike::core::loadChipDescription(chip);
    if (!desc) {
      mlir::emitError(module.getLoc(), "spike-check-chip: ") << desc.message();
      return signalPassFailure();
    }
    const CoreType *neuronCore = desc->neuronCore();
    if (!neuronCore) {
      mlir::emitError(module.getLoc(), "spike-check-chip: ")
          << chip << ": no core type runs synaptic ops";
      return signalPassFailure();
    }
    ChipChecker checker(*desc, *neuronCore);
    checker.checkSynapseMemory(module);
    module.walk([&](Operation *op) { checker.checkOp(op); });
    if (checker.failedAny)
      signalPassFailure();
  }
};

} // namespace
