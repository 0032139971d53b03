//===- SpikeOps.h - spike operations ----------------------------*- C++ -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKEOPS_H
#define SPIKE_DIALECT_SPIKE_SPIKEOPS_H

#include "spike/Dialect/Spike/SpikeDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "Spike/SpikeOps.h.inc"

#endif // SPIKE_DIALECT_SPIKE_SPIKEOPS_H
