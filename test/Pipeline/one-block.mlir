// The whole pipeline on a one-block LLaMA QANN graph: QANN -> IS -> IF.
// RUN: spike-opt %spike_src/examples/tiny-llama.qann.mlir --spike-pipeline="timesteps=2 bits=6" | FileCheck %s
// RUN: spike-opt %spike_src/examples/tiny-llama.qann.mlir --spike-pipeline="timesteps=2 bits=6" | spike-opt -spike-verify-sites | FileCheck %s
// RUN: spike-opt %spike_src/examples/tiny-llama.qann.mlir --spike-pipeline="timesteps=8 schedule=uniform budget=false" | FileCheck %s --check-prefix=T8
// RUN: spike-opt %spike_src/examples/tiny-llama.qann.mlir --spike-pipeline="timesteps=2 calibration=%S/../Transforms/Inputs/calibration.json" 2>&1 | FileCheck %s --check-prefix=CAL

// No QANN compute op survives except the embedding lookup and the lm_head.
// CHECK-NOT: qnn.quantize
// CHECK-NOT: spike.is_neuron
// CHECK: qnn.embedding
// CHECK: spike.encode {{.*}} -> !spike.train<2 x tensor<?x8xf32>>
// CHECK: spike.accum_map rmsnorm
// CHECK: spike.if_neuron {{.*}} site "blk0.attn.norm" levels 32 alpha 1.600000e+01 {{.*}} budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>
// CHECK: spike.if_collect
// CHECK: spike.linear
// CHECK: spike.rope
// CHECK: site "blk0.attn.q_rope"
// CHECK: site "blk0.attn.k_rope"
// CHECK: site "blk0.attn.v"
// CHECK: spike.aa_matmul {{.*}} transpose_rhs
// CHECK: spike.accum_map softmax {{.*}} causal
// CHECK: spike.if_neuron {{.*}} site "blk0.attn.softmax" levels 32 alpha 0.000000e+00
// CHECK: spike.aa_matmul
// CHECK: site "blk0.attn.o_in"
// CHECK: spike.add
// CHECK: site "blk0.mlp.norm"
// CHECK: spike.accum_map silu
// CHECK: spike.aa_mul
// CHECK: site "blk0.mlp.down_in"
// CHECK: spike.add
// CHECK: spike.accum_map rmsnorm
// CHECK: spike.decode
// CHECK: qnn.linear
// CHECK-NOT: qnn.
// CHECK: return

// T8: spike.if_neuron {{.*}} site "blk0.attn.norm" levels 8 alpha 4.000000e+00 threshold [5.000000e-02] v0 [2.500000e-02] schedule uniform : !spike.train<8 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>

// Calibrated parameters are applied at the IS level and carried into the
// IF neurons and their collectors.
// CAL: spike.if_neuron {{.*}} site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [5.100000e-02, 4.87654321e-02] v0 [2.000000e-02]
// CAL-NEXT: spike.if_collect {{.*}} threshold [5.100000e-02, 4.87654321e-02]
// CAL: site "blk0.mlp.down_in" {{.*}} threshold [1.900000e-02] v0 [1.000000e-02]
