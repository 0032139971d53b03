// RUN: spike-opt %s -split-input-file -spike-check-chip="chip=%spike_src/chips/loihi1-like.yaml" -verify-diagnostics

// Legality on the shipped binary target, Loihi-1-like: 4,096 input axons
// per core, binary spikes whose sign takes a negated twin row, glue on the
// embedded x86 cores. A signed IF site's reader counts two axons per
// input: SmolLM2's down projection (fan-in 1536, 3072 axons) fits, a
// fan-in of 2304 (4608 axons) does not; unsigned binary spikes take one.

func.func @signed_down_proj(%x: !spike.train<2 x tensor<?x1536xf32>>) -> !spike.train<2 x tensor<?x576xf32>> {
  %w = qnn.weight #qnn.param<"model.layers.3.mlp.down_proj.weight"> : tensor<576x1536xf32>
  %s = spike.if_neuron %x site "blk3.mlp.down_in" levels 32 alpha 0.0 threshold [0.05] v0 [0.025] bits 6 coding signed schedule "integrate-then-fire" : !spike.train<2 x tensor<?x1536xf32>> -> !spike.train<64 x tensor<?x1536xf32>>
  %c = spike.if_collect %s levels 32 alpha 0.0 threshold [0.05] : !spike.train<64 x tensor<?x1536xf32>> -> !spike.train<2 x tensor<?x1536xf32>>
  %y = spike.linear %c, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> !spike.train<2 x tensor<?x576xf32>>
  return %y : !spike.train<2 x tensor<?x576xf32>>
}

// -----

func.func @signed_too_wide(%x: !spike.train<2 x tensor<?x2304xf32>>) -> !spike.train<2 x tensor<?x8xf32>> {
  %w = qnn.weight #qnn.param<"wide"> : tensor<8x2304xf32>
  %s = spike.if_neuron %x site "blk0.mlp.wide" levels 32 alpha 0.0 threshold [0.05] v0 [0.025] bits 6 coding signed schedule "integrate-then-fire" : !spike.train<2 x tensor<?x2304xf32>> -> !spike.train<64 x tensor<?x2304xf32>>
  %c = spike.if_collect %s levels 32 alpha 0.0 threshold [0.05] : !spike.train<64 x tensor<?x2304xf32>> -> !spike.train<2 x tensor<?x2304xf32>>
  // expected-error @+1 {{linear "wide" needs fan-in 2304 (two axons per input: negated rows); max is 4096 on core type neuromorphic_core; graded spikes unavailable, so no relay split is possible}}
  %y = spike.linear %c, %w bits 6 : (!spike.train<2 x tensor<?x2304xf32>>, tensor<8x2304xf32>) -> !spike.train<2 x tensor<?x8xf32>>
  return %y : !spike.train<2 x tensor<?x8xf32>>
}

// -----

func.func @unsigned_wide(%x: !spike.train<2 x tensor<?x2304xf32>>) -> !spike.train<2 x tensor<?x8xf32>> {
  %w = qnn.weight #qnn.param<"wide"> : tensor<8x2304xf32>
  %s = spike.if_neuron %x site "blk0.mlp.wide" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x2304xf32>> -> !spike.train<64 x tensor<?x2304xf32>>
  %c = spike.if_collect %s levels 32 alpha 16.0 threshold [0.05] : !spike.train<64 x tensor<?x2304xf32>> -> !spike.train<2 x tensor<?x2304xf32>>
  %y = spike.linear %c, %w bits 6 : (!spike.train<2 x tensor<?x2304xf32>>, tensor<8x2304xf32>) -> !spike.train<2 x tensor<?x8xf32>>
  // expected-remark @+1 {{accumulate-difference map runs on core type embedded_x86}}
  %m = spike.accum_map silu %y : !spike.train<2 x tensor<?x8xf32>>
  return %m : !spike.train<2 x tensor<?x8xf32>>
}
