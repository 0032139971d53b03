// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2" | FileCheck %s

// Patterns: rmsnorm, softmax and silu -> spike.accum_map (eqs 33-35).

// CHECK-LABEL: func.func @rmsnorm
// CHECK: spike.accum_map rmsnorm %{{.*}}, %{{.*}} : tensor<8xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x8xf32>>
func.func @rmsnorm(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %g = qnn.weight #qnn.param<"g"> : tensor<8xf32>
  %y = qnn.rmsnorm %x, %g eps 1.0e-5 : tensor<?x8xf32>, tensor<8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// CHECK-LABEL: func.func @softmax
// CHECK: spike.accum_map softmax %{{.*}} causal : !spike.train<2 x tensor<2x?x?xf32>>
// CHECK: spike.accum_map softmax %{{.*}} : !spike.train<2 x tensor<2x?x?xf32>>
func.func @softmax(%x: tensor<2x?x?xf32>) -> (tensor<2x?x?xf32>, tensor<2x?x?xf32>) {
  %a = qnn.softmax %x causal : tensor<2x?x?xf32>
  %b = qnn.softmax %x : tensor<2x?x?xf32>
  return %a, %b : tensor<2x?x?xf32>, tensor<2x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @silu
// CHECK: spike.accum_map silu %{{.*}} : !spike.train<2 x tensor<?x16xf32>>
func.func @silu(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %y = qnn.silu %x : tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
