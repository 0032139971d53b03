//===- SpikeOps.h - spike operations ----------------------------*- C++ -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKEOPS_H
#define SPIKE_DIALECT_SPIKE_SPIKEOPS_H

#include "spike/Dialect/Spike/SpikeDialect.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "Spike/SpikeOps.h.inc"

namespace mlir {
class ModuleOp;
} // namespace mlir

namespace spike::spk {

/// The time steps T of a model: the step count of its step-level spike
/// trains (spike.encode results, IS neuron results, IF neuron inputs),
/// which all agree; 1 for a module without them (FP, QANN). The one
/// accessor for the plan emitter, the chip graph and the chip emitter.
/// Emits an error at the first train whose T differs and fails.
mlir::FailureOr<int64_t> getModelTimesteps(mlir::ModuleOp module);

} // namespace spike::spk

#endif // SPIKE_DIALECT_SPIKE_SPIKEOPS_H
