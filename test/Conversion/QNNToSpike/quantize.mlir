// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2" | FileCheck %s --check-prefix=T2
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=1" | FileCheck %s --check-prefix=T1
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=8 budget=false" | FileCheck %s --check-prefix=T8
// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=4 bidirectional=true" | FileCheck %s --check-prefix=BI

// Pattern: qnn.quantize -> spike.is_neuron with Theorem-2 parameters:
// theta = scale, v0 = theta / 2, L = ceil((2^n - 1) / T), alpha = 2^(n-1) / T,
// budget 2^n - 1.

// T2-LABEL: func.func @signed
// T2: %[[E:.*]] = spike.encode %arg0 : tensor<?x8xf32> -> !spike.train<2 x tensor<?x8xf32>>
// T2: %[[N:.*]] = spike.is_neuron %[[E]] site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [1.000000e-01] v0 [5.000000e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
// T2: spike.decode %[[N]]
// T1-LABEL: func.func @signed
// T1: spike.is_neuron %{{.*}} levels 63 alpha 3.200000e+01 threshold [1.000000e-01] v0 [5.000000e-02] budget 63 bits 6 : !spike.train<1 x tensor<?x8xf32>>
// T8-LABEL: func.func @signed
// T8: spike.is_neuron %{{.*}} levels 8 alpha 4.000000e+00 threshold [1.000000e-01] v0 [5.000000e-02] bits 6 : !spike.train<8 x tensor<?x8xf32>>
// With correction spikes (the option's default is the paper's neuron).
// BI-LABEL: func.func @signed
// BI: spike.is_neuron %{{.*}} levels 16 alpha 8.000000e+00 threshold [1.000000e-01] v0 [5.000000e-02] budget 63 bits 6 bidirectional : !spike.train<4 x tensor<?x8xf32>>
func.func @signed(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}

// -----

// Unsigned grid (the softmax output): alpha = 0. Per-group scales give
// per-group thresholds and v0.
// T2-LABEL: func.func @unsigned_groups
// T2: spike.is_neuron %{{.*}} site "blk0.attn.softmax" levels 128 alpha 0.000000e+00 threshold [1.000000e-02, 2.000000e-02] v0 [5.000000e-03, 1.000000e-02] budget 255 bits 8
func.func @unsigned_groups(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %q = qnn.quantize %x site "blk0.attn.softmax" bits 8 unsigned scale [0.01, 0.02] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}
