// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 coding=signed" | FileCheck %s --check-prefix=T2
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=1 coding=signed" | FileCheck %s --check-prefix=T1
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=4 coding=signed bidirectional=true" | FileCheck %s --check-prefix=BI
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="coding=binary" 2>&1 | FileCheck %s --check-prefix=BAD

// The signed code (zero is silence): a signed quantizer becomes an IS
// neuron with alpha 0, L = ceil(2^(n-1) / T), no budget, no correction
// spikes, and `coding "signed"`; theta = scale and v0 = theta / 2 as in the
// offset code.

// T2-LABEL: func.func @signed
// T2: spike.is_neuron %{{.*}} site "blk0.attn.norm" levels 16 alpha 0.000000e+00 threshold [1.000000e-01] v0 [5.000000e-02] bits 6 coding signed : !spike.train<2 x tensor<?x8xf32>>
// T1-LABEL: func.func @signed
// T1: spike.is_neuron %{{.*}} levels 32 alpha 0.000000e+00 threshold [1.000000e-01] v0 [5.000000e-02] bits 6 coding signed : !spike.train<1 x tensor<?x8xf32>>
// Correction spikes apply to offset-code neurons only.
// BI-LABEL: func.func @signed
// BI: spike.is_neuron %{{.*}} levels 8 alpha 0.000000e+00 threshold [1.000000e-01] v0 [5.000000e-02] bits 6 coding signed : !spike.train<4 x tensor<?x8xf32>>
// BAD: convert-qnn-to-spike: unknown coding 'binary' (offset, signed)
func.func @signed(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}

// -----

// An unsigned grid (the softmax output) already spends nothing on a zero:
// it keeps its non-negative offset-code neuron.
// T2-LABEL: func.func @unsigned
// T2: spike.is_neuron %{{.*}} site "blk0.attn.softmax" levels 128 alpha 0.000000e+00 threshold [1.000000e-02] v0 [5.000000e-03] budget 255 bits 8 : !spike.train<2 x tensor<?x8xf32>>
// T2-NOT: coding
// BI-LABEL: func.func @unsigned
// BI: site "blk0.attn.softmax" {{.*}} bidirectional :
func.func @unsigned(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.softmax" bits 8 unsigned scale [0.01] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}
