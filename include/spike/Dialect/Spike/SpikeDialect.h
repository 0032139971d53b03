//===- SpikeDialect.h - The spiking dialect ---------------------*- C++ -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKEDIALECT_H
#define SPIKE_DIALECT_SPIKE_SPIKEDIALECT_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/Types.h"

#include "Spike/SpikeDialect.h.inc"
#include "Spike/SpikeEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "Spike/SpikeTypes.h.inc"

#endif // SPIKE_DIALECT_SPIKE_SPIKEDIALECT_H
