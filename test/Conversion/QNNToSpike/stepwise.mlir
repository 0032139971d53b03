// RUN: spike-opt %s -convert-qnn-to-spike="timesteps=2" | FileCheck %s

// Patterns: linear per-step ops stay on trains: add (the residual), rope
// (with its scaling attributes), split_heads and merge_heads. The embedding
// output is encoded uniformly over T.

// CHECK-LABEL: func.func @stepwise
// CHECK: %[[X:.*]] = qnn.embedding %arg0, %{{.*}} : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x8xf32>
// CHECK: %[[E:.*]] = spike.encode %[[X]] : tensor<?x8xf32> -> !spike.train<2 x tensor<?x8xf32>>
// CHECK: %[[H:.*]] = spike.split_heads %[[E]] : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<2 x tensor<2x?x4xf32>>
// CHECK: %[[R:.*]] = spike.rope %[[H]] base 5.000000e+05 {factor = 8.000000e+00 : f64, high_freq_factor = 4.000000e+00 : f64, low_freq_factor = 1.000000e+00 : f64, original_max_position = 8192 : i64, scaling = "llama3"} : !spike.train<2 x tensor<2x?x4xf32>>
// CHECK: %[[M:.*]] = spike.merge_heads %[[R]] : !spike.train<2 x tensor<2x?x4xf32>> -> !spike.train<2 x tensor<?x8xf32>>
// CHECK: %[[A:.*]] = spike.add %[[E]], %[[M]] : !spike.train<2 x tensor<?x8xf32>>
// CHECK: spike.decode %[[A]]
func.func @stepwise(%tokens: tensor<?xi64>) -> tensor<?x8xf32> {
  %table = qnn.weight #qnn.param<"embed"> : tensor<16x8xf32>
  %x = qnn.embedding %tokens, %table : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x8xf32>
  %h = qnn.split_heads %x : tensor<?x8xf32> -> tensor<2x?x4xf32>
  %r = qnn.rope %h base 500000.0 {scaling = "llama3", factor = 8.0 : f64, low_freq_factor = 1.0 : f64, high_freq_factor = 4.0 : f64, original_max_position = 8192 : i64} : tensor<2x?x4xf32>
  %m = qnn.merge_heads %r : tensor<2x?x4xf32> -> tensor<?x8xf32>
  %a = qnn.add %x, %m : tensor<?x8xf32>
  return %a : tensor<?x8xf32>
}
