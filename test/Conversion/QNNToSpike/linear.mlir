// RUN: spike-opt %s -convert-qnn-to-spike="timesteps=4" | FileCheck %s

// Pattern: qnn.linear -> synaptic spike.linear per step, keeping the weight
// grid; a linear that feeds the return (the lm_head) reads the decoded sum.

// CHECK-LABEL: func.func @linear
// CHECK: %[[E:.*]] = spike.encode %arg0
// CHECK: %[[Y:.*]] = spike.linear %[[E]], %{{.*}} bits 6 scales %{{.*}} : (!spike.train<4 x tensor<?x8xf32>>, tensor<4x8xf32>, tensor<4xf32>) -> !spike.train<4 x tensor<?x4xf32>>
// CHECK: %[[S:.*]] = spike.decode %[[Y]] : !spike.train<4 x tensor<?x4xf32>> -> tensor<?x4xf32>
// CHECK: %[[H:.*]] = qnn.linear %[[S]], %{{.*}} : (tensor<?x4xf32>, tensor<16x4xf32>) -> tensor<?x16xf32>
// CHECK: return %[[H]]
func.func @linear(%x: tensor<?x8xf32>) -> tensor<?x16xf32> {
  %w = qnn.weight #qnn.param<"w"> : tensor<4x8xf32>
  %s = qnn.weight #qnn.param<"w.scale"> : tensor<4xf32>
  %head = qnn.weight #qnn.param<"lm_head.weight"> : tensor<16x4xf32>
  %y = qnn.linear %x, %w bits 6 scales %s : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %logits = qnn.linear %y, %head : (tensor<?x4xf32>, tensor<16x4xf32>) -> tensor<?x16xf32>
  return %logits : tensor<?x16xf32>
}
