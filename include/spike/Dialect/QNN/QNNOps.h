//===- QNNOps.h - qnn operations --------------------------------*- C++ -*-===//

#ifndef SPIKE_DIALECT_QNN_QNNOPS_H
#define SPIKE_DIALECT_QNN_QNNOPS_H

#include "spike/Dialect/QNN/QNNDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "QNN/QNNOps.h.inc"

#endif // SPIKE_DIALECT_QNN_QNNOPS_H
