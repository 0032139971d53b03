// RUN: spike-opt %s -spike-lower-is-to-if | FileCheck %s --check-prefix=ITF
// RUN: spike-opt %s -spike-lower-is-to-if="schedule=uniform" | FileCheck %s --check-prefix=UNI
// RUN: spike-opt %s -spike-lower-is-to-if="keep-budget=false" 2>&1 | FileCheck %s --check-prefix=DROP
// RUN: not spike-opt %s -spike-lower-is-to-if="schedule=eager" 2>&1 | FileCheck %s --check-prefix=BAD

// Pattern: spike.is_neuron (T steps, L levels) -> spike.if_neuron on T x L
// binary sub-steps + spike.if_collect, which applies -alpha * theta as the
// consumer's bias. Consumers keep the step grid.

// ITF-LABEL: func.func @lower
// ITF: %[[S:.*]] = spike.if_neuron %arg0 site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [5.000000e-02, 4.000000e-02] v0 [2.500000e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>
// ITF: %[[C:.*]] = spike.if_collect %[[S]] levels 32 alpha 1.600000e+01 threshold [5.000000e-02, 4.000000e-02] : !spike.train<64 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
// ITF: spike.decode %[[C]]
// ITF-NOT: spike.is_neuron
// UNI: spike.if_neuron {{.*}} budget 63 schedule uniform
// DROP: remark: spike budget dropped at site "blk0.attn.norm": the IF neuron may exceed 63 spikes per window
// DROP: spike.if_neuron {{.*}} v0 [2.500000e-02] schedule "integrate-then-fire"
// BAD: error: spike-lower-is-to-if: unknown schedule 'eager' (expected integrate-then-fire or uniform)
func.func @lower(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  %n = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.05, 0.04] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}
