// RUN: spike-opt %s | spike-opt | FileCheck %s
// RUN: spike-opt %s --mlir-print-op-generic | spike-opt | FileCheck %s

// A one-block LLaMA graph at the QANN level: every qnn op, each printed,
// reparsed and printed again.

// CHECK-LABEL: func.func @block
func.func @block(%tokens: tensor<?xi64>) -> tensor<?x16xf32> {
  // CHECK: qnn.weight #qnn.param<"model.embed_tokens.weight"> : tensor<16x8xf32>
  %table = qnn.weight #qnn.param<"model.embed_tokens.weight"> : tensor<16x8xf32>
  // CHECK: qnn.weight dense<1.000000e+00> : tensor<8xf32>
  %gamma = qnn.weight dense<1.0> : tensor<8xf32>
  %wq = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight"> : tensor<8x8xf32>
  %wk = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight"> : tensor<4x8xf32>
  %sq = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight_scale"> : tensor<8xf32>
  // A parameter that reads a tensor shared with others names it second.
  // CHECK: qnn.weight #qnn.param<"model.layers.0.mlp.down_rotation", "model.down_rotation"> : tensor<8x8xf32>
  %rot = qnn.weight #qnn.param<"model.layers.0.mlp.down_rotation", "model.down_rotation"> : tensor<8x8xf32>

  // CHECK: qnn.embedding %{{.*}}, %{{.*}} : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x8xf32>
  %x = qnn.embedding %tokens, %table : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x8xf32>
  // CHECK: qnn.rmsnorm %{{.*}}, %{{.*}} eps 1.000000e-05 : tensor<?x8xf32>, tensor<8xf32>
  %n = qnn.rmsnorm %x, %gamma eps 1.0e-5 : tensor<?x8xf32>, tensor<8xf32>
  // CHECK: qnn.quantize %{{.*}} site "blk0.attn.norm" bits 6 scale [1.234567890123e-01] : tensor<?x8xf32>
  %nq = qnn.quantize %n site "blk0.attn.norm" bits 6 scale [0.1234567890123] : tensor<?x8xf32>
  // CHECK: qnn.linear %{{.*}}, %{{.*}} bits 6 scales %{{.*}} : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %q = qnn.linear %nq, %wq bits 6 scales %sq : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  // CHECK: qnn.linear %{{.*}}, %{{.*}} bits 4 bias %{{.*}} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %bk = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.bias"> : tensor<4xf32>
  %k = qnn.linear %nq, %wk bits 4 bias %bk : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: qnn.split_heads %{{.*}} : tensor<?x8xf32> -> tensor<2x?x4xf32>
  %qh = qnn.split_heads %q : tensor<?x8xf32> -> tensor<2x?x4xf32>
  %kh = qnn.split_heads %k : tensor<?x4xf32> -> tensor<1x?x4xf32>
  // CHECK: qnn.rope %{{.*}} base 1.000000e+04 : tensor<2x?x4xf32>
  %qr = qnn.rope %qh base 10000.0 : tensor<2x?x4xf32>
  // CHECK: qnn.rope %{{.*}} base 5.000000e+05 {factor = 8.000000e+00 : f64, high_freq_factor = 4.000000e+00 : f64, low_freq_factor = 1.000000e+00 : f64, original_max_position = 8192 : i64, scaling = "llama3"} : tensor<1x?x4xf32>
  %kr = qnn.rope %kh base 500000.0 {scaling = "llama3", factor = 8.0 : f64, low_freq_factor = 1.0 : f64, high_freq_factor = 4.0 : f64, original_max_position = 8192 : i64} : tensor<1x?x4xf32>
  // CHECK: qnn.rope %{{.*}} base 5.000000e+05 {freq_factors = array<f64: 1.000000e+00, 8.000000e+00>, scaling = "factors"} : tensor<1x?x4xf32>
  %kf = qnn.rope %kh base 500000.0 {scaling = "factors", freq_factors = array<f64: 1.0, 8.0>} : tensor<1x?x4xf32>
  // CHECK: qnn.quantize %{{.*}} site "blk0.attn.q_rope" bits 8 scale [5.000000e-02, 2.500000e-02] : tensor<2x?x4xf32>
  %qq = qnn.quantize %qr site "blk0.attn.q_rope" bits 8 scale [0.05, 0.025] : tensor<2x?x4xf32>
  // CHECK: qnn.matmul %{{.*}}, %{{.*}} transpose_rhs : tensor<2x?x4xf32>, tensor<1x?x4xf32> -> tensor<2x?x?xf32>
  %s = qnn.matmul %qq, %kr transpose_rhs : tensor<2x?x4xf32>, tensor<1x?x4xf32> -> tensor<2x?x?xf32>
  // CHECK: qnn.softmax %{{.*}} causal : tensor<2x?x?xf32>
  %p = qnn.softmax %s causal : tensor<2x?x?xf32>
  // CHECK: qnn.quantize %{{.*}} site "blk0.attn.softmax" bits 6 unsigned scale
  %pq = qnn.quantize %p site "blk0.attn.softmax" bits 6 unsigned scale [0.015625] : tensor<2x?x?xf32>
  // CHECK: qnn.matmul %{{.*}}, %{{.*}} : tensor<2x?x?xf32>, tensor<1x?x4xf32> -> tensor<2x?x4xf32>
  %o = qnn.matmul %pq, %kr : tensor<2x?x?xf32>, tensor<1x?x4xf32> -> tensor<2x?x4xf32>
  // CHECK: qnn.merge_heads %{{.*}} : tensor<2x?x4xf32> -> tensor<?x8xf32>
  %om = qnn.merge_heads %o : tensor<2x?x4xf32> -> tensor<?x8xf32>
  // CHECK: qnn.observe %{{.*}} site "blk0.mlp.in" : tensor<?x8xf32>
  %om2 = qnn.observe %om site "blk0.mlp.in" : tensor<?x8xf32>
  // CHECK: qnn.silu %{{.*}} : tensor<?x8xf32>
  %g = qnn.silu %om : tensor<?x8xf32>
  // CHECK: qnn.mul %{{.*}}, %{{.*}} : tensor<?x8xf32>
  %m = qnn.mul %g, %om : tensor<?x8xf32>
  // CHECK: qnn.add %{{.*}}, %{{.*}} : tensor<?x8xf32>
  %r = qnn.add %x, %m : tensor<?x8xf32>
  %head = qnn.weight #qnn.param<"lm_head.weight"> : tensor<16x8xf32>
  %logits = qnn.linear %r, %head : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %logits : tensor<?x16xf32>
}
