//===- PlanBlocks.h - Decoder blocks of a plan ------------------*- C++ -*-===//
//
// Layer-wise calibration works block by block, but a plan is a flat list of
// ops with no notion of blocks. They are recovered from the dataflow: a
// residual cut is a point between two ops where exactly one value is live
// and an `add` produced it (the residual stream after an attention or MLP
// half-block), plus the cut that opens the first of them (after the
// embedding). A block is the run of spans between residual cuts whose
// neuron sites are named blk<k>.*. Two plans of the same model (FP and
// spiking) have the same residual cuts, which is how a teacher plan lines
// up with a student plan.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_PLANBLOCKS_H
#define SPIKE_RUNTIME_PLANBLOCKS_H

#include "spike/runtime/Plan.h"

namespace spike::runtime {

/// A point after op `afterOp` where `value` is the only live value.
struct ResidualCut {
  size_t afterOp;
  int value;
};

/// The residual cuts of a plan, in order; an error if it has none.
core::Result<std::vector<ResidualCut>> residualCuts(const Plan &plan);

/// A decoder block: ops (cuts[begin].afterOp, cuts[end].afterOp], which read
/// the value of cut `begin` and produce the value of cut `end`.
struct PlanBlock {
  int64_t index;                  ///< k of the blk<k>.* sites
  size_t begin, end;              ///< indices into the cut list
  std::vector<std::string> sites; ///< IS-neuron sites, in plan order
};

/// The blocks of a spiking or QANN plan, by the block index in site names;
/// an error if a span mixes blocks or the plan has no named sites.
core::Result<std::vector<PlanBlock>>
findBlocks(const Plan &plan, const std::vector<ResidualCut> &cuts);

/// The index (into residualCuts) of the cut that ends the first `blocks`
/// blocks of a spiking or QANN plan, which may be its op graph alone
/// (PlanLoadOptions::params false); none when the plan has at most
/// `blocks` blocks. Errors: residualCuts' and findBlocks'.
core::Result<std::optional<size_t>> cutAfterBlocks(const Plan &plan,
                                                   int64_t blocks);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_PLANBLOCKS_H
