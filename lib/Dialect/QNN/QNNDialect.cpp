//===- QNNDialect.cpp - The quantized-ANN dialect -------------------------===//

#include "spike/Dialect/QNN/QNNDialect.h"
#include "spike/Dialect/QNN/QNNOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace spike::qnn;

#include "QNN/QNNDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "QNN/QNNAttrs.cpp.inc"

void QNNDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "QNN/QNNAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "QNN/QNNOps.cpp.inc"
      >();
}

Operation *QNNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  if (isa<ElementsAttr, ParamAttr>(value) && isa<RankedTensorType>(type))
    return WeightOp::create(builder, loc, type, value);
  return nullptr;
}

LogicalResult ParamAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                StringRef name, StringRef tensor, Type type) {
  if (name.empty())
    return emitError() << "parameter name must not be empty";
  if (tensor == name)
    return emitError() << "parameter \"" << name
                       << "\" names its own tensor a second time";
  if (!isa<RankedTensorType>(type))
    return emitError() << "parameter type must be a ranked tensor, got "
                       << type;
  return success();
}
