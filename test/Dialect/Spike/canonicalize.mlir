// RUN: spike-opt %s -canonicalize -split-input-file | FileCheck %s

// decode(encode(x)) is x when T is a power of two: x / T is exact and the
// runtime sums the T steps pairwise.
// CHECK-LABEL: func.func @decode_encode
// CHECK-NEXT: return %arg0
func.func @decode_encode(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %e = spike.encode %x : tensor<?x8xf32> -> !spike.train<4 x tensor<?x8xf32>>
  %d = spike.decode %e : !spike.train<4 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// -----

// With T = 3 the split x / 3 is inexact, so the round trip is kept.
// CHECK-LABEL: func.func @decode_encode_inexact
// CHECK: spike.encode
// CHECK: spike.decode
func.func @decode_encode_inexact(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %e = spike.encode %x : tensor<?x8xf32> -> !spike.train<3 x tensor<?x8xf32>>
  %d = spike.decode %e : !spike.train<3 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}

// -----

// A neuron between encode and decode blocks the fold.
// CHECK-LABEL: func.func @decode_neuron
// CHECK: spike.is_neuron
// CHECK: spike.decode
func.func @decode_neuron(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %e = spike.encode %x : tensor<?x8xf32> -> !spike.train<2 x tensor<?x8xf32>>
  %n = spike.is_neuron %e site "blk0.a" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}
