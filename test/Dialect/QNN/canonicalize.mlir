// RUN: spike-opt %s -canonicalize -split-input-file | FileCheck %s

// The quantize folder runs the shared neuron math (Neuron.h) on constants:
// round half up, then clip to the signed 4-bit grid [-8, 7].
// CHECK-LABEL: func.func @fold_constant
// CHECK-NEXT: %[[C:.*]] = qnn.weight dense<[-2.000000e+00, 2.500000e-01, 5.000000e-01, 1.750000e+00]> : tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_constant() -> tensor<4xf32> {
  %c = qnn.weight dense<[-9.0, 0.125, 0.375, 9.0]> : tensor<4xf32>
  %q = qnn.quantize %c site "blk0.a" bits 4 scale [0.25] : tensor<4xf32>
  return %q : tensor<4xf32>
}

// -----

// Per-group scales: the first two channels use 0.5, the last two 1.0;
// unsigned 2-bit grid [0, 3].
// CHECK-LABEL: func.func @fold_groups_unsigned
// CHECK-NEXT: qnn.weight dense<[0.000000e+00, 1.500000e+00, 1.000000e+00, 3.000000e+00]> : tensor<4xf32>
func.func @fold_groups_unsigned() -> tensor<4xf32> {
  %c = qnn.weight dense<[-1.0, 5.0, 0.5, 5.0]> : tensor<4xf32>
  %q = qnn.quantize %c site "blk0.a" bits 2 unsigned scale [0.5, 1.0] : tensor<4xf32>
  return %q : tensor<4xf32>
}

// -----

// Quantizing twice on the same grid is quantizing once.
// CHECK-LABEL: func.func @idempotent
// CHECK-NEXT: %[[Q:.*]] = qnn.quantize %arg0 site "blk0.a"
// CHECK-NEXT: return %[[Q]]
func.func @idempotent(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = qnn.quantize %x site "blk0.a" bits 6 scale [0.1] : tensor<?x8xf32>
  %b = qnn.quantize %a site "blk0.b" bits 6 scale [0.1] : tensor<?x8xf32>
  return %b : tensor<?x8xf32>
}

// -----

// A different grid is not folded.
// CHECK-LABEL: func.func @different_grid
// CHECK: qnn.quantize %arg0 site "blk0.a"
// CHECK: qnn.quantize %{{.*}} site "blk0.b" bits 4
func.func @different_grid(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = qnn.quantize %x site "blk0.a" bits 6 scale [0.1] : tensor<?x8xf32>
  %b = qnn.quantize %a site "blk0.b" bits 4 scale [0.1] : tensor<?x8xf32>
  return %b : tensor<?x8xf32>
}

// -----

// qnn.weight is a constant: identical weights are merged.
// CHECK-LABEL: func.func @weights_dedup
// CHECK-COUNT-1: qnn.weight
// CHECK-NOT: qnn.weight
func.func @weights_dedup() -> (tensor<4xf32>, tensor<4xf32>) {
  %a = qnn.weight #qnn.param<"w"> : tensor<4xf32>
  %b = qnn.weight #qnn.param<"w"> : tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
