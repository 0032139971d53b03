//===- SpikeOps.cpp - spike operations ------------------------------------===//

#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Dialect/AsmHelpers.h"
#include "spike/Dialect/ShapeRules.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using spike::parseExactF64List;
using spike::printExactF64List;
using namespace spike::spk;

/// All trains of an op have the same number of time steps.
static LogicalResult verifySameTimesteps(Operation *op) {
  std::optional<int64_t> t;
  for (Type type :
       llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto train = dyn_cast<TrainType>(type);
    if (!train)
      continue;
    if (t && *t != train.getTimesteps())
      return op->emitOpError("time steps differ: T=")
             << *t << " vs T=" << train.getTimesteps();
    t = train.getTimesteps();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Encode / decode
//===----------------------------------------------------------------------===//

LogicalResult EncodeOp::verify() {
  if (getResult().getType().getTensor() != getInput().getType())
    return emitOpError("train steps must have the input type ")
           << getInput().getType();
  return success();
}

LogicalResult DecodeOp::verify() {
  if (getInput().getType().getTensor() != getResult().getType())
    return emitOpError("result must have the train's step type ")
           << getInput().getType().getTensor();
  return success();
}

OpFoldResult DecodeOp::fold(FoldAdaptor) {
  // sum_t (x / T) == x exactly when T is a power of two: x / T is exact and
  // the runtime sums pairwise, so every partial sum is a power-of-two
  // multiple of x / T.
  auto encode = getInput().getDefiningOp<EncodeOp>();
  if (encode &&
      spike::neuron::isPowerOfTwo(getInput().getType().getTimesteps()))
    return encode.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

static LogicalResult verifyNeuronCommon(Operation *op, TrainType train,
                                        StringRef site,
                                        ArrayRef<double> threshold,
                                        ArrayRef<double> v0,
                                        std::optional<int64_t> budget) {
  if (failed(spike::verifySiteName(op, site)) ||
      failed(spike::verifyGroups(op, train.getTensor(), threshold, "threshold",
                                 /*positive=*/true)) ||
      failed(spike::verifyGroups(op, train.getTensor(), v0, "v0",
                                 /*positive=*/false)))
    return failure();
  if (v0.size() != 1 && v0.size() != threshold.size())
    return op->emitOpError("'v0' needs 1 entry or one per threshold group (")
           << threshold.size() << "), got " << v0.size();
  if (budget && *budget < 1)
    return op->emitOpError("spike budget must be >= 1, got ") << *budget;
  return success();
}

/// The signed code's starting membranes: v0 / theta in [0, 1) for every
/// threshold group (neuron::signedV0Silent).
static LogicalResult verifySignedV0(Operation *op, ArrayRef<double> threshold,
                                    ArrayRef<double> v0) {
  for (size_t g = 0; g < threshold.size(); ++g) {
    double v = v0[v0.size() == 1 ? 0 : g];
    if (!spike::neuron::signedV0Silent(v, threshold[g]))
      return op->emitOpError("the signed code needs v0 in [0, threshold), "
                             "so that a zero input fires nothing; group ")
             << g << " has v0 " << v << " and threshold " << threshold[g];
  }
  return success();
}

/// Neuron.h's rule for L, alpha and their Theorem-2 values (`bits` 0: no
/// bits to check them against).
static LogicalResult verifyLevelsAndAlpha(Operation *op, int64_t levels,
                                          double alpha, int bits = 0,
                                          int64_t timesteps = 1) {
  if (auto err = spike::neuron::checkISParams(levels, alpha, bits, timesteps))
    return op->emitOpError(err.message);
  return success();
}

LogicalResult ISNeuronOp::verify() {
  TrainType train = getInput().getType();
  if (failed(verifyNeuronCommon(*this, train, getSite(), getThreshold(),
                                getV0(), getBudget())))
    return failure();
  if (auto err = spike::neuron::checkISParams(
          getLevels(), getAlpha().convertToDouble(), int(getBits().value_or(0)),
          train.getTimesteps(), getSpikeCoding(), getBudget().has_value(),
          getBidirectional(), getIsUnsigned()))
    return emitOpError(err.message);
  if (getSpikeCoding() == spike::neuron::SpikeCoding::Signed)
    return verifySignedV0(*this, getThreshold(), getV0());
  return success();
}

/// `fine` has `levels` sub-steps for each step of `coarse`, same tensor.
static LogicalResult verifySubstepGrid(Operation *op, TrainType coarse,
                                       TrainType fine, int64_t levels) {
  if (coarse.getTensor() != fine.getTensor())
    return op->emitOpError("sub-step train must have step type ")
           << coarse.getTensor();
  if (fine.getTimesteps() != coarse.getTimesteps() * levels)
    return op->emitOpError("sub-step train needs T x L = ")
           << coarse.getTimesteps() << " x " << levels << " = "
           << coarse.getTimesteps() * levels << " steps, has "
           << fine.getTimesteps();
  return success();
}

LogicalResult IFNeuronOp::verify() {
  if (failed(verifyNeuronCommon(*this, getInput().getType(), getSite(),
                                getThreshold(), getV0(), getBudget())))
    return failure();
  if (auto err = spike::neuron::checkISParams(
          getLevels(), getAlpha().convertToDouble(), int(getBits().value_or(0)),
          getInput().getType().getTimesteps(), getSpikeCoding(),
          getBudget().has_value(), /*bidirectional=*/false, getIsUnsigned()))
    return emitOpError(err.message);
  if (getSpikeCoding() == spike::neuron::SpikeCoding::Signed &&
      getSchedule() != IFSchedule::IntegrateThenFire)
    return emitOpError("the signed code fires in one direction per step, "
                       "fixed from the integrated membrane: it needs "
                       "schedule \"integrate-then-fire\"");
  if (getSpikeCoding() == spike::neuron::SpikeCoding::Signed &&
      failed(verifySignedV0(*this, getThreshold(), getV0())))
    return failure();
  return verifySubstepGrid(*this, getInput().getType(), getResult().getType(),
                           getLevels());
}

LogicalResult IFCollectOp::verify() {
  if (failed(verifyLevelsAndAlpha(*this, getLevels(),
                                  getAlpha().convertToDouble())) ||
      failed(spike::verifyGroups(*this, getResult().getType().getTensor(),
                                 getThreshold(), "threshold",
                                 /*positive=*/true)) ||
      failed(verifySubstepGrid(*this, getResult().getType(),
                               getInput().getType(), getLevels())))
    return failure();
  if (auto neuron = getInput().getDefiningOp<IFNeuronOp>())
    if (neuron.getLevels() != getLevels() || neuron.getAlpha() != getAlpha() ||
        neuron.getThreshold() != getThreshold())
      return emitOpError("levels, alpha and threshold must match the "
                         "if_neuron that produces the spikes");
  return success();
}

//===----------------------------------------------------------------------===//
// Stepwise ops
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifySameTimesteps(*this)))
    return failure();
  return spike::verifyLinearShapes(
      *this, getInput().getType().getTensor(), getWeight().getType(),
      getWeightScale() ? getWeightScale().getType() : RankedTensorType(),
      getWeightBits().has_value(), getResult().getType().getTensor(),
      getBias() ? getBias().getType() : RankedTensorType());
}

LogicalResult RoPEOp::verify() {
  return spike::verifyRoPE(
      *this, getInput().getType().getTensor(), getBase().convertToDouble(),
      getScaling(), getFactor().has_value(),
      getLowFreqFactor() || getHighFreqFactor() || getOriginalMaxPosition(),
      getFreqFactors());
}

LogicalResult SplitHeadsOp::verify() {
  if (failed(verifySameTimesteps(*this)))
    return failure();
  return spike::verifySplitHeadsShapes(*this, getInput().getType().getTensor(),
                                       getResult().getType().getTensor());
}

LogicalResult MergeHeadsOp::verify() {
  if (failed(verifySameTimesteps(*this)))
    return failure();
  return spike::verifySplitHeadsShapes(*this, getResult().getType().getTensor(),
                                       getInput().getType().getTensor());
}

LogicalResult AccumMapOp::verify() {
  if (getResult().getType() != getInput().getType())
    return emitOpError("result type must equal the input type ")
           << getInput().getType();
  bool isRMSNorm = getFn() == AccumFn::rmsnorm;
  if (isRMSNorm != bool(getWeight()) || isRMSNorm != getEps().has_value())
    return emitOpError("'weight' and 'eps' are required by rmsnorm and "
                       "allowed only there");
  if (getCausal() && getFn() != AccumFn::softmax)
    return emitOpError("'causal' applies only to softmax");
  RankedTensorType t = getInput().getType().getTensor();
  if (isRMSNorm) {
    auto w = getWeight().getType();
    if (t.getRank() < 1 || w.getRank() != 1 ||
        !spike::shapesCompatible(w.getShape(), t.getShape().take_back()))
      return emitOpError("rmsnorm weight must be [D] for steps [..., D]");
    if (!(getEps()->convertToDouble() > 0))
      return emitOpError("eps must be > 0");
  }
  if (getCausal() && t.getRank() < 2)
    return emitOpError("causal softmax needs steps of rank >= 2");
  return success();
}

LogicalResult AAMatmulOp::verify() {
  if (failed(verifySameTimesteps(*this)))
    return failure();
  return spike::verifyHeadMatmulShapes(
      *this, getLhs().getType().getTensor(), getRhs().getType().getTensor(),
      getTransposeRhs(), getResult().getType().getTensor());
}

#define GET_OP_CLASSES
#include "Spike/SpikeOps.cpp.inc"

FailureOr<int64_t> spike::spk::getModelTimesteps(ModuleOp module) {
  int64_t timesteps = 0;
  WalkResult walk = module.walk([&](Operation *op) {
    TrainType train;
    if (auto e = dyn_cast<EncodeOp>(op))
      train = e.getType();
    else if (auto n = dyn_cast<ISNeuronOp>(op))
      train = n.getType();
    else if (auto n = dyn_cast<IFNeuronOp>(op))
      train = n.getInput().getType();
    else
      return WalkResult::advance();
    if (timesteps && train.getTimesteps() != timesteps) {
      op->emitOpError("has T = ")
          << train.getTimesteps() << " where the model has T = " << timesteps;
      return WalkResult::interrupt();
    }
    timesteps = train.getTimesteps();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return timesteps ? timesteps : 1;
}
