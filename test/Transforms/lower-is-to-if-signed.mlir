// RUN: spike-opt %s -spike-lower-is-to-if -split-input-file -verify-diagnostics | FileCheck %s

// A signed-code IS neuron becomes a signed IF neuron on L sub-steps: it
// keeps its grid (bits) and its code, and the consumer sums the -1/0/+1
// spikes of each window (alpha 0).
// CHECK-LABEL: func.func @signed
func.func @signed(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  // CHECK: %[[S:.*]] = spike.if_neuron %{{.*}} site "blk0.mlp.down" levels 16 alpha 0.000000e+00 threshold [5.000000e-02] v0 [2.500000e-02] bits 6 coding signed schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<32 x tensor<?x8xf32>>
  // CHECK: spike.if_collect %[[S]] levels 16 alpha 0.000000e+00 threshold [5.000000e-02] : !spike.train<32 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
  %n = spike.is_neuron %x site "blk0.mlp.down" levels 16 alpha 0.0 threshold [0.05] v0 [0.025] bits 6 coding signed : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// -----

// The full per-step cap (convert-qnn-to-spike{signed-cap=full}) gives
// 63 sub-steps per step; an unsigned grid keeps its name.
// CHECK-LABEL: func.func @signed_full_cap
func.func @signed_full_cap(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  // CHECK: spike.if_neuron {{.*}} levels 63 {{.*}} bits 6 coding signed schedule {{.*}} -> !spike.train<126 x tensor<?x8xf32>>
  // CHECK: spike.if_neuron {{.*}} levels 255 {{.*}} bits 8 coding signed unsigned schedule {{.*}} -> !spike.train<510 x tensor<?x8xf32>>
  %n = spike.is_neuron %x site "blk0.mlp.down" levels 63 alpha 0.0 threshold [0.05] v0 [0.025] bits 6 coding signed : !spike.train<2 x tensor<?x8xf32>>
  %u = spike.is_neuron %n site "blk0.attn.softmax" levels 255 alpha 0.0 threshold [0.05] v0 [0.025] bits 8 coding signed unsigned : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %u : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// -----

// The PrefixQuant prefix no longer stops the lowering: the runtime holds
// its keys and values as constants of the attention state.
// CHECK-LABEL: module attributes {qnn.prefix_tokens = array<i64: 1, 198>}
module attributes {qnn.prefix_tokens = array<i64: 1, 198>} {
  func.func @prefixed(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
    // CHECK: spike.if_neuron
    %n = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
    %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
    return %d : tensor<?x8xf32>
  }
}
