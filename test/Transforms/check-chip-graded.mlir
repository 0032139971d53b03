// RUN: spike-opt %s -spike-check-chip="chip=%spike_src/chips/loihi2-like.yaml" -o /dev/null 2>&1 | FileCheck %s

// On the Loihi-2-like graded-spike target the block is legal: 24-bit
// payloads carry the IS counts (6 bits, 7 with correction spikes), the
// fan-in fits, the map runs on the neurocores' microcode and the product on
// an embedded x86 core.
// CHECK-NOT: error
// CHECK: remark: accumulate-difference map runs on core type neurocore
// CHECK: remark: activation product runs on core type embedded_x86
// CHECK-NOT: error
func.func @block(%x: !spike.train<2 x tensor<?x1536xf32>>) -> !spike.train<2 x tensor<?x576xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.3.mlp.down_proj.weight"> : tensor<576x1536xf32>
  %n = spike.is_neuron %x site "blk3.mlp.down_in" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 bidirectional : !spike.train<2 x tensor<?x1536xf32>>
  %s = spike.accum_map silu %n : !spike.train<2 x tensor<?x1536xf32>>
  %p = spike.aa_mul %s, %n : !spike.train<2 x tensor<?x1536xf32>>
  %y = spike.linear %p, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}
