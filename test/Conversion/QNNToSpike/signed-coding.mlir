// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 coding=signed" | FileCheck %s --check-prefix=T2
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=1 coding=signed" | FileCheck %s --check-prefix=T1
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=4 coding=signed bidirectional=true" | FileCheck %s --check-prefix=BI
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="coding=binary" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 coding=signed signed-cap=full" | FileCheck %s --check-prefix=CAP
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 coding=signed signed-cap=wide" 2>&1 | FileCheck %s --check-prefix=BADCAP

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
// signed-cap=full: the per-step cap is the grid's width 2^n - 1, which no
// input meets.
// CAP-LABEL: func.func @signed
// CAP: spike.is_neuron %{{.*}} levels 63 alpha 0.000000e+00 {{.*}} bits 6 coding signed :
// BADCAP: convert-qnn-to-spike: unknown signed-cap 'wide' (even, full)
func.func @signed(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}

// -----

// An unsigned grid (the softmax output) already spends nothing on a zero,
// but an uneven train needs negative spikes to follow the sum of its
// input: it becomes a signed-code neuron on its own grid [0, 255].
// T2-LABEL: func.func @unsigned
// T2: spike.is_neuron %{{.*}} site "blk0.attn.softmax" levels 128 alpha 0.000000e+00 threshold [1.000000e-02] v0 [5.000000e-03] bits 8 coding signed unsigned : !spike.train<2 x tensor<?x8xf32>>
// CAP-LABEL: func.func @unsigned
// CAP: levels 255 {{.*}} bits 8 coding signed unsigned :
// BI-LABEL: func.func @unsigned
// BI: site "blk0.attn.softmax" levels 64 {{.*}} bits 8 coding signed unsigned :
func.func @unsigned(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.softmax" bits 8 unsigned scale [0.01] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}
