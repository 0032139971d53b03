//===- QNNOps.cpp - qnn operations ----------------------------------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/AsmHelpers.h"
#include "spike/Dialect/ShapeRules.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"

using namespace mlir;
using spike::parseExactF64List;
using spike::printExactF64List;
using namespace spike::qnn;

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

// `qnn.weight #qnn.param<"name"> : tensor<...>` or
// `qnn.weight dense<...> : tensor<...>`: both attributes carry their type,
// which is the result type.
ParseResult WeightOp::parse(OpAsmParser &parser, OperationState &result) {
  Attribute value;
  llvm::SMLoc loc = parser.getCurrentLocation();
  if (parser.parseAttribute(value) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || !isa<ParamAttr, ElementsAttr>(value))
    return parser.emitError(loc, "expected #qnn.param<\"name\"> : type or "
                                 "an elements attribute");
  result.addAttribute(getValueAttrName(result.name), value);
  result.addTypes(typed.getType());
  return success();
}

void WeightOp::print(OpAsmPrinter &p) {
  p << ' ' << getValue();
  p.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

LogicalResult WeightOp::verify() {
  Type type = cast<TypedAttr>(getValue()).getType();
  if (type != getType())
    return emitOpError("value type ")
           << type << " differs from result type " << getType();
  return success();
}

OpFoldResult WeightOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Shape verifiers
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  auto tokens = getTokens().getType();
  auto table = getTable().getType();
  auto result = getResult().getType();
  if (tokens.getRank() != 1 || table.getRank() != 2 || result.getRank() != 2)
    return emitOpError("expects tokens [S], table [V, D] and result [S, D]");
  if (!spike::shapesCompatible({tokens.getDimSize(0), table.getDimSize(1)},
                               result.getShape()))
    return emitOpError("result must be [S, D] = [")
           << tokens.getDimSize(0) << ", " << table.getDimSize(1) << "]";
  return success();
}

LogicalResult RMSNormOp::verify() {
  auto in = getInput().getType();
  auto w = getWeight().getType();
  if (in.getRank() < 1 || w.getRank() != 1 ||
      !spike::shapesCompatible(w.getShape(), in.getShape().take_back()))
    return emitOpError("weight must be [D] for input [..., D]");
  if (!(getEps().convertToDouble() > 0))
    return emitOpError("eps must be > 0");
  return success();
}

LogicalResult LinearOp::verify() {
  return spike::verifyLinearShapes(
      *this, getInput().getType(), getWeight().getType(),
      getWeightScale() ? getWeightScale().getType() : RankedTensorType(),
      getWeightBits().has_value(), getResult().getType(),
      getBias() ? getBias().getType() : RankedTensorType());
}

bool LinearOp::isLmHead() {
  Operation *op = getOperation();
  return !op->use_empty() && llvm::all_of(op->getUsers(), [](Operation *user) {
    return user->hasTrait<OpTrait::ReturnLike>();
  });
}

LogicalResult RoPEOp::verify() {
  return spike::verifyRoPE(
      *this, getInput().getType(), getBase().convertToDouble(), getScaling(),
      getFactor().has_value(),
      getLowFreqFactor() || getHighFreqFactor() || getOriginalMaxPosition(),
      getFreqFactors());
}

LogicalResult SplitHeadsOp::verify() {
  return spike::verifySplitHeadsShapes(*this, getInput().getType(),
                                       getResult().getType());
}

LogicalResult MergeHeadsOp::verify() {
  return spike::verifySplitHeadsShapes(*this, getResult().getType(),
                                       getInput().getType());
}

LogicalResult MatmulOp::verify() {
  return spike::verifyHeadMatmulShapes(*this, getLhs().getType(),
                                       getRhs().getType(), getTransposeRhs(),
                                       getResult().getType());
}

LogicalResult SoftmaxOp::verify() {
  if (getCausal() && getInput().getType().getRank() < 2)
    return emitOpError("causal softmax needs a rank >= 2 input [..., M, N]");
  return success();
}

LogicalResult ObserveOp::verify() {
  return spike::verifySiteName(*this, getSite());
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(spike::verifySiteName(*this, getSite())))
    return failure();
  return spike::verifyGroups(*this, getInput().getType(), getScale(), "scale",
                             /*positive=*/true);
}

OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  // Quantizing twice on the same grid changes nothing.
  if (auto inner = getInput().getDefiningOp<QuantizeOp>())
    if (inner.getScale() == getScale() && inner.getBits() == getBits() &&
        inner.getIsUnsigned() == getIsUnsigned())
      return getInput();

  // Constant inputs fold with the shared neuron math.
  auto input = dyn_cast_or_null<DenseFPElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  auto type = cast<RankedTensorType>(input.getType());
  if (!type.hasStaticShape() || type.getRank() < 1)
    return {};
  auto grid = spike::neuron::quantGrid(getBits(), !getIsUnsigned());
  ArrayRef<double> scales = getScale();
  int64_t d = type.getShape().back();
  int64_t groupSize = d / int64_t(scales.size());
  SmallVector<float> out;
  out.reserve(type.getNumElements());
  int64_t i = 0;
  for (APFloat v : input.getValues<APFloat>()) {
    float s = float(scales[(i++ % d) / groupSize]);
    out.push_back(spike::neuron::quantize(v.convertToFloat(), s, grid));
  }
  return DenseFPElementsAttr::get(type, ArrayRef<float>(out));
}

#define GET_OP_CLASSES
#include "QNN/QNNOps.cpp.inc"
