// RUN: sed 's/state_bits: 16/state_bits: 8/' %spike_src/test/Target/Chip/Inputs/tiny-graded.yaml > %t.yaml
// RUN: not spike-opt %s -spike-check-chip="chip=%t.yaml" -o /dev/null 2>&1 | FileCheck %s
// RUN: spike-opt %s -spike-check-chip="chip=%spike_src/test/Target/Chip/Inputs/tiny-graded.yaml" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FITS --allow-empty

// The membrane and threshold widths are checked with the rest of legality,
// before calibration (they depend on L and alpha, not theta), with the
// chip emitter's rule (neuron::chipHoldsNeuron): an 8-bit membrane holds
// no fixed point for 32 levels with alpha 16.
// CHECK: error: site "blk0.mlp.norm": a 8-bit membrane and 16-bit threshold of core type tile cannot hold 32 levels
// FITS-NOT: error
func.func @block(%x: !spike.train<2 x tensor<?x16xf32>>) -> !spike.train<2 x tensor<?x16xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight"> : tensor<16x16xf32>
  %n = spike.is_neuron %x site "blk0.mlp.norm" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x16xf32>>
  %y = spike.linear %n, %w bits 6 : (!spike.train<2 x tensor<?x16xf32>>, tensor<16x16xf32>) -> !spike.train<2 x tensor<?x16xf32>>
  return %y : !spike.train<2 x tensor<?x16xf32>>
}
