//===- PlanGrids.cpp - Which values lie on an integer grid ----------------===//

#include "spike/runtime/ExactProduct.h"
#include "spike/runtime/Plan.h"

#include <cmath>

namespace spike::runtime {

std::vector<GridSource> gridSources(const Plan &plan) {
  std::vector<GridSource> src(plan.numValues);
  std::vector<int> producer(plan.numValues, -1);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const PlanOp &op = plan.ops[i];
    producer[op.output] = int(i);
    switch (op.kind) {
    case OpKind::Quantize:
    case OpKind::ISNeuron:
      src[op.output] = {int(i), int(i)};
      break;
    case OpKind::IFCollect: {
      // An IF collect counts one step's binary spikes: the bounds are its
      // IF neuron's.
      int spikes = producer[op.inputs[0]];
      if (spikes >= 0 && plan.ops[spikes].kind == OpKind::IFNeuron)
        src[op.output] = {int(i), spikes};
      break;
    }
    case OpKind::SplitHeads:
    case OpKind::MergeHeads: // reshapes keep the grid
      src[op.output] = src[op.inputs[0]];
      break;
    default:
      break;
    }
  }
  return src;
}

ValueGrid gridOf(const Plan &plan, const GridSource &source) {
  if (source.op < 0)
    return {};
  const PlanOp &op = plan.ops[source.op];
  if (op.kind == OpKind::Quantize) {
    if (op.scale.size() != 1 || !(op.scale[0] > 0))
      return {};
    neuron::QuantGrid g = neuron::quantGrid(int(op.bits), op.isSigned);
    int64_t m = std::max(-g.lo(), g.hi());
    return {op.scale[0], m, m};
  }
  // IS neurons and IF collects: one threshold, an integer offset.
  const neuron::ISParams &params = plan.ops[source.params].neuron;
  if (op.threshold.size() != 1 || !(op.threshold[0] > 0) ||
      op.neuron.alpha != std::floor(op.neuron.alpha) ||
      params.alpha != std::floor(params.alpha))
    return {};
  return {op.threshold[0],
          int64_t(std::ceil(neuron::maxStepOutput(params, plan.timesteps))),
          int64_t(std::ceil(neuron::maxWindowOutput(params, plan.timesteps)))};
}

int64_t perSynapse(const PlanOp &linear, const ValueGrid &input) {
  if (!input || linear.kind != OpKind::Linear ||
      !linear.params.count("weight_codes"))
    return 0;
  return input.maxAbs * ((int64_t(1) << (linear.bits - 1)) - 1);
}

core::Status checkSynapseBounds(const Plan &plan) {
  std::vector<GridSource> sources = gridSources(plan);
  for (const PlanOp &op : plan.ops) {
    if (op.kind != OpKind::Linear)
      continue;
    int64_t p = perSynapse(op, gridOf(plan, sources[op.inputs[0]]));
    int64_t k = linearWeightShape(op)[1];
    if (p > 0 && k >= kExactInt32Bound / p)
      return core::Status::error(
          plan.path + ": linear '" + op.paramNames.at("weight") +
          "': its synaptic sums reach " + std::to_string(p) + " x " +
          std::to_string(k) +
          " (largest input integer x largest weight code x fan-in), beyond "
          "the 2^31 of int32 accumulation");
  }
  return core::Status::ok();
}

} // namespace spike::runtime
