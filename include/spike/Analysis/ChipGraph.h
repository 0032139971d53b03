//===- ChipGraph.h - The spiking graph as a chip sees it --------*- C++ -*-===//
//
// The mapper's input (spike/core/Chip/ChipMapping.h) from a spiking module:
// neuron sites (IS/IF neurons, with measured or fallback rates), synapse
// groups (spike.linear) and the glue units between a linear and the next
// neurons. Shared by spike-map-to-chip and the chip-program emitter.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_ANALYSIS_CHIPGRAPH_H
#define SPIKE_ANALYSIS_CHIPGRAPH_H

#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/core/Chip/ChipMapping.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace spike {

struct ChipGraph {
  core::MappingInput input;
  llvm::SmallVector<mlir::Operation *> siteOps; ///< by site index
  llvm::SmallVector<spk::LinearOp> linears;     ///< by synapse group index
};

/// The IS or IF neuron whose spikes `v` carries (an IF neuron's through its
/// if_collect), or nullptr.
mlir::Operation *sourceNeuron(mlir::Value v);

/// Synapse rows per input of a linear reading `input` on `core`: 2 where
/// the input carries negative binary spikes that a negated row takes
/// (core::SignCarriage::NegatedRow), else 1.
int64_t synapseRowsPerInput(mlir::Value input, const core::CoreType &core);

/// `rates`: a spikec.firing-rates file, or "" for the uniform fallback;
/// `context` sizes the context-wide sites (attention scores). Nothing, and
/// `error` set, when the rates file is bad.
std::optional<ChipGraph> buildChipGraph(mlir::ModuleOp module,
                                        const std::string &rates,
                                        int64_t context, std::string &error);

} // namespace spike

#endif // SPIKE_ANALYSIS_CHIPGRAPH_H
