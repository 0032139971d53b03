//===- QNNDialect.h - The quantized-ANN dialect -----------------*- C++ -*-===//

#ifndef SPIKE_DIALECT_QNN_QNNDIALECT_H
#define SPIKE_DIALECT_QNN_QNNDIALECT_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Dialect.h"

#include "QNN/QNNDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "QNN/QNNAttrs.h.inc"

#endif // SPIKE_DIALECT_QNN_QNNDIALECT_H
