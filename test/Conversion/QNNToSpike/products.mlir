// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2" | FileCheck %s

// Patterns: activation x activation products become causal running-sum
// products: qnn.matmul -> spike.aa_matmul (eq 32), qnn.mul -> spike.aa_mul.

// CHECK-LABEL: func.func @attention
// CHECK: %[[S:.*]] = spike.aa_matmul %{{.*}}, %{{.*}} transpose_rhs : !spike.train<2 x tensor<2x?x4xf32>>, !spike.train<2 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
// CHECK: spike.aa_matmul %[[S]], %{{.*}} : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x4xf32>>
func.func @attention(%q: tensor<2x?x4xf32>, %k: tensor<1x?x4xf32>) -> tensor<2x?x4xf32> {
  %s = qnn.matmul %q, %k transpose_rhs : tensor<2x?x4xf32>, tensor<1x?x4xf32> -> tensor<2x?x?xf32>
  %o = qnn.matmul %s, %k : tensor<2x?x?xf32>, tensor<1x?x4xf32> -> tensor<2x?x4xf32>
  return %o : tensor<2x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @gate_up
// CHECK: spike.aa_mul %{{.*}}, %{{.*}} : !spike.train<2 x tensor<?x16xf32>>
func.func @gate_up(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %h = qnn.mul %g, %u : tensor<?x16xf32>
  return %h : tensor<?x16xf32>
}
