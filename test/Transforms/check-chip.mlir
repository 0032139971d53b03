// RUN: spike-opt %s -split-input-file -spike-check-chip="chip=%spike_src/chips/truenorth-like.yaml" -verify-diagnostics
// RUN: not spike-opt %s -split-input-file -spike-check-chip="chip=%spike_src/chips/missing.yaml" 2>&1 | FileCheck %s --check-prefix=MISSING

// Legality against a chip description. On the TrueNorth-like binary
// crossbar, a LLaMA down_proj cannot fit (fan-in 1536 > 256 axons, binary
// spikes, so no relay split) and IS neurons need graded spikes; the
// accumulate-difference map and the activation product run on the host.

// MISSING: error: spike-check-chip: {{.*}}missing.yaml: cannot open

func.func @down_proj(%x: !spike.train<2 x tensor<?x1536xf32>>) -> !spike.train<2 x tensor<?x576xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.3.mlp.down_proj.weight"> : tensor<576x1536xf32>
  // expected-error @+1 {{linear "model.layers.3.mlp.down_proj.weight" needs fan-in 1536; max is 256 on core type neurosynaptic; graded spikes unavailable, so no relay split is possible}}
  %y = spike.linear %x, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}

// -----

func.func @neurons(%x: !spike.train<2 x tensor<?x8xf32>>) -> !spike.train<2 x tensor<?x8xf32>> {
  // expected-error @+1 {{site "blk0.mlp.down_in" emits up to 32 spikes per step; core type neurosynaptic has binary spikes: run spike-lower-is-to-if first}}
  %n = spike.is_neuron %x site "blk0.mlp.down_in" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
  // expected-remark @+1 {{accumulate-difference map runs on the host (no core type of truenorth-like runs accum_diff ops)}}
  %s = spike.accum_map silu %n : !spike.train<2 x tensor<?x8xf32>>
  // expected-remark @+1 {{activation product runs on the host (no core type of truenorth-like runs aa_product ops)}}
  %p = spike.aa_mul %s, %n : !spike.train<2 x tensor<?x8xf32>>
  return %p : !spike.train<2 x tensor<?x8xf32>>
}

// -----

// A binary IF neuron is legal, but its 576 outputs span 3 cores of 256
// neurons and a TrueNorth neuron has one destination: copy neurons.
func.func @fan_out(%x: !spike.train<2 x tensor<?x8xf32>>, %w: tensor<576x8xf32>) -> !spike.train<2 x tensor<?x576xf32>> {
  // expected-remark @+1 {{site "blk0.attn.norm" reaches 3 destination cores; max is 1 on core type neurosynaptic: split its fan-out through copy neurons}}
  %s = spike.if_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>
  %c = spike.if_collect %s levels 32 alpha 16.0 threshold [0.05] : !spike.train<64 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
  %y = spike.linear %c, %w : (!spike.train<2 x tensor<?x8xf32>>, tensor<576x8xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}
