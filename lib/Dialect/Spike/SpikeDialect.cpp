//===- SpikeDialect.cpp - The spiking dialect -----------------------------===//

#include "spike/Dialect/Spike/SpikeDialect.h"
#include "spike/Dialect/Spike/SpikeOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace spike::spk;

#include "Spike/SpikeDialect.cpp.inc"
#include "Spike/SpikeEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "Spike/SpikeTypes.cpp.inc"

void SpikeDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "Spike/SpikeTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "Spike/SpikeOps.cpp.inc"
      >();
}

LogicalResult TrainType::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t timesteps, RankedTensorType tensor) {
  if (timesteps < 1)
    return emitError() << "spike train needs T >= 1 time steps, got "
                       << timesteps;
  if (!tensor || !isa<FloatType>(tensor.getElementType()))
    return emitError() << "spike train steps must be floating-point tensors";
  return success();
}
