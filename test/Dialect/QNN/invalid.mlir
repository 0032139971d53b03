// RUN: spike-opt %s -split-input-file -verify-diagnostics

func.func @weight_type_mismatch() -> tensor<4xf32> {
  // expected-error @+1 {{custom op 'qnn.weight' expected #qnn.param<"name"> : type or an elements attribute}}
  %w = qnn.weight 1.0 : f32
  return %w : tensor<4xf32>
}

// -----

func.func @empty_param_name() -> tensor<4xf32> {
  // expected-error @+1 {{parameter name must not be empty}}
  %w = qnn.weight #qnn.param<""> : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @param_names_itself_twice() -> tensor<4xf32> {
  // expected-error @+1 {{parameter "blk.w" names its own tensor a second time}}
  %w = qnn.weight #qnn.param<"blk.w", "blk.w"> : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @embedding_shape(%t: tensor<?xi64>, %e: tensor<16x8xf32>) {
  // expected-error @+1 {{result must be [S, D] = [-9223372036854775808, 8]}}
  %x = qnn.embedding %t, %e : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @rmsnorm_weight(%x: tensor<?x8xf32>, %g: tensor<4xf32>) {
  // expected-error @+1 {{weight must be [D] for input [..., D]}}
  %n = qnn.rmsnorm %x, %g eps 1.0e-5 : tensor<?x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @rmsnorm_eps(%x: tensor<?x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{eps must be > 0}}
  %n = qnn.rmsnorm %x, %g eps 0.0 : tensor<?x8xf32>, tensor<8xf32>
  return
}

// -----

func.func @linear_in_features(%x: tensor<?x8xf32>, %w: tensor<4x6xf32>) {
  // expected-error @+1 {{input features (8) do not match weight in-features (6)}}
  %y = qnn.linear %x, %w : (tensor<?x8xf32>, tensor<4x6xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_out_features(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{result features (5) do not match weight out-features (4)}}
  %y = qnn.linear %x, %w : (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @linear_scales_shape(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{weight scales must be [out] = [4], one per output channel}}
  %y = qnn.linear %x, %w bits 6 scales %s : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_scales_without_bits(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{weight 'scales' need weight 'bits'}}
  %y = "qnn.linear"(%x, %w, %s) {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_bias_shape(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must be [out] = [4], one per output channel}}
  %y = qnn.linear %x, %w bias %b : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_bias_rank(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{bias must be [out] = [4], one per output channel}}
  %y = qnn.linear %x, %w bias %b : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_bits_range(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'weight_bits' failed to satisfy constraint}}
  %y = qnn.linear %x, %w bits 9 scales %s : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @rope_odd_head_dim(%x: tensor<2x?x5xf32>) {
  // expected-error @+1 {{head dimension must be even, got 5}}
  %y = qnn.rope %x base 10000.0 : tensor<2x?x5xf32>
  return
}

// -----

func.func @rope_rank(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects head-major [H, S, Dh] input}}
  %y = qnn.rope %x base 10000.0 : tensor<?x8xf32>
  return
}

// -----

func.func @rope_unknown_scaling(%x: tensor<2x?x4xf32>) {
  // expected-error @+1 {{unknown RoPE scaling 'yarn' (expected linear, llama3 or factors)}}
  %y = qnn.rope %x base 10000.0 {scaling = "yarn", factor = 2.0 : f64} : tensor<2x?x4xf32>
  return
}

// -----

func.func @rope_llama3_incomplete(%x: tensor<2x?x4xf32>) {
  // expected-error @+1 {{llama3 scaling needs 'factor', 'low_freq_factor', 'high_freq_factor' and 'original_max_position'}}
  %y = qnn.rope %x base 10000.0 {scaling = "llama3", factor = 8.0 : f64} : tensor<2x?x4xf32>
  return
}

// -----

func.func @rope_factors_missing(%x: tensor<2x?x4xf32>) {
  // expected-error @+1 {{factors scaling takes exactly 'freq_factors'}}
  %y = qnn.rope %x base 10000.0 {scaling = "factors"} : tensor<2x?x4xf32>
  return
}

// -----

func.func @rope_factors_count(%x: tensor<2x?x8xf32>) {
  // expected-error @+1 {{'freq_factors' needs 4 entries (head dim / 2), has 2}}
  %y = qnn.rope %x base 10000.0 {scaling = "factors", freq_factors = array<f64: 1.0, 8.0>} : tensor<2x?x8xf32>
  return
}

// -----

func.func @rope_factors_positive(%x: tensor<2x?x4xf32>) {
  // expected-error @+1 {{'freq_factors' entries must be finite and > 0, got 0}}
  %y = qnn.rope %x base 10000.0 {scaling = "factors", freq_factors = array<f64: 1.0, 0.0>} : tensor<2x?x4xf32>
  return
}

// -----

func.func @rope_factors_other_scaling(%x: tensor<2x?x4xf32>) {
  // expected-error @+1 {{'freq_factors' belong to scaling "factors"}}
  %y = qnn.rope %x base 10000.0 {scaling = "linear", factor = 2.0 : f64, freq_factors = array<f64: 1.0, 2.0>} : tensor<2x?x4xf32>
  return
}

// -----

func.func @split_heads_size(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{feature size 8 is not heads x head_dim = 3 x 4}}
  %y = qnn.split_heads %x : tensor<?x8xf32> -> tensor<3x?x4xf32>
  return
}

// -----

func.func @merge_heads_rank(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects tokens [S, H*Dh] and heads [H, S, Dh]}}
  %y = qnn.merge_heads %x : tensor<?x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @matmul_gqa(%q: tensor<3x?x4xf32>, %k: tensor<2x?x4xf32>) {
  // expected-error @+1 {{lhs heads (3) must be a multiple of rhs heads (2)}}
  %s = qnn.matmul %q, %k transpose_rhs : tensor<3x?x4xf32>, tensor<2x?x4xf32> -> tensor<3x?x?xf32>
  return
}

// -----

func.func @matmul_contraction(%q: tensor<2x?x4xf32>, %k: tensor<1x?x8xf32>) {
  // expected-error @+1 {{contraction dimensions differ: 4 vs 8}}
  %s = qnn.matmul %q, %k transpose_rhs : tensor<2x?x4xf32>, tensor<1x?x8xf32> -> tensor<2x?x?xf32>
  return
}

// -----

func.func @matmul_result(%p: tensor<2x?x?xf32>, %v: tensor<1x?x4xf32>) {
  // expected-error @+1 {{result shape must be [heads, M, N]}}
  %o = qnn.matmul %p, %v : tensor<2x?x?xf32>, tensor<1x?x4xf32> -> tensor<2x?x8xf32>
  return
}

// -----

func.func @softmax_causal_rank(%x: tensor<8xf32>) {
  // expected-error @+1 {{causal softmax needs a rank >= 2 input [..., M, N]}}
  %y = qnn.softmax %x causal : tensor<8xf32>
  return
}

// -----

func.func @add_shapes(%a: tensor<?x8xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{'qnn.add' op requires the same type for all operands and results}}
  %y = "qnn.add"(%a, %b) : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @quantize_bits(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{attribute 'bits' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 2 whose maximum value is 8}}
  %y = qnn.quantize %x site "blk0.a" bits 9 scale [0.1] : tensor<?x8xf32>
  return
}

// -----

func.func @quantize_scale_positive(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'scale' entries must be > 0, got 0}}
  %y = qnn.quantize %x site "blk0.a" bits 6 scale [0.1, 0.0] : tensor<?x8xf32>
  return
}

// -----

func.func @quantize_groups_divide(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'scale' has 3 groups, which do not divide the feature dimension 8}}
  %y = qnn.quantize %x site "blk0.a" bits 6 scale [0.1, 0.2, 0.3] : tensor<?x8xf32>
  return
}

// -----

func.func @quantize_site(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{invalid site name 'Blk0 A' (expected lower-case dot-separated identifiers, e.g. blk3.attn.q_rope)}}
  %y = qnn.quantize %x site "Blk0 A" bits 6 scale [0.1] : tensor<?x8xf32>
  return
}

// -----

func.func @observe_site(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{invalid site name 'Blk0'}}
  %y = qnn.observe %x site "Blk0" : tensor<?x8xf32>
  return
}
