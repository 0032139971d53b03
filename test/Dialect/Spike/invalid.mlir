// RUN: spike-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{spike train needs T >= 1 time steps, got 0}}
func.func @zero_steps(%x: !spike.train<0 x tensor<8xf32>>) {
  return
}

// -----

// expected-error @+1 {{spike train steps must be floating-point tensors}}
func.func @int_steps(%x: !spike.train<2 x tensor<8xi32>>) {
  return
}

// -----

// Rule: T matches across operands and results.
func.func @linear_timesteps(%x: !spike.train<2 x tensor<?x8xf32>>, %w: tensor<4x8xf32>) {
  // expected-error @+1 {{time steps differ: T=2 vs T=4}}
  %y = spike.linear %x, %w : (!spike.train<2 x tensor<?x8xf32>>, tensor<4x8xf32>) -> !spike.train<4 x tensor<?x4xf32>>
  return
}

// -----

func.func @aa_matmul_timesteps(%q: !spike.train<2 x tensor<2x?x4xf32>>, %k: !spike.train<4 x tensor<1x?x4xf32>>) {
  // expected-error @+1 {{time steps differ: T=2 vs T=4}}
  %s = spike.aa_matmul %q, %k transpose_rhs : !spike.train<2 x tensor<2x?x4xf32>>, !spike.train<4 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
  return
}

// -----

func.func @split_heads_timesteps(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{time steps differ: T=2 vs T=1}}
  %y = spike.split_heads %x : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<1 x tensor<2x?x4xf32>>
  return
}

// -----

func.func @add_timesteps(%a: !spike.train<2 x tensor<8xf32>>, %b: !spike.train<4 x tensor<8xf32>>) {
  // expected-error @+1 {{'spike.add' op requires the same type for all operands and results}}
  %y = "spike.add"(%a, %b) : (!spike.train<2 x tensor<8xf32>>, !spike.train<4 x tensor<8xf32>>) -> !spike.train<2 x tensor<8xf32>>
  return
}

// -----

// Rule: shapes agree.
func.func @encode_shape(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{train steps must have the input type 'tensor<?x8xf32>'}}
  %e = spike.encode %x : tensor<?x8xf32> -> !spike.train<2 x tensor<?x4xf32>>
  return
}

// -----

func.func @decode_shape(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{result must have the train's step type 'tensor<?x8xf32>'}}
  %y = spike.decode %x : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x4xf32>
  return
}

// -----

func.func @linear_shape(%x: !spike.train<2 x tensor<?x8xf32>>, %w: tensor<4x6xf32>) {
  // expected-error @+1 {{input features (8) do not match weight in-features (6)}}
  %y = spike.linear %x, %w : (!spike.train<2 x tensor<?x8xf32>>, tensor<4x6xf32>) -> !spike.train<2 x tensor<?x4xf32>>
  return
}

// -----

func.func @aa_matmul_shape(%p: !spike.train<2 x tensor<2x?x?xf32>>, %v: !spike.train<2 x tensor<1x?x4xf32>>) {
  // expected-error @+1 {{result shape must be [heads, M, N]}}
  %o = spike.aa_matmul %p, %v : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x8xf32>>
  return
}

// -----

func.func @rope_shape(%x: !spike.train<2 x tensor<2x?x5xf32>>) {
  // expected-error @+1 {{head dimension must be even, got 5}}
  %y = spike.rope %x base 10000.0 : !spike.train<2 x tensor<2x?x5xf32>>
  return
}

// -----

func.func @merge_heads_shape(%x: !spike.train<2 x tensor<2x?x4xf32>>) {
  // expected-error @+1 {{feature size 6 is not heads x head_dim = 2 x 4}}
  %y = spike.merge_heads %x : !spike.train<2 x tensor<2x?x4xf32>> -> !spike.train<2 x tensor<?x6xf32>>
  return
}

// -----

// Rule: L >= 1.
func.func @levels(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{levels L must be >= 1, got 0}}
  %y = spike.is_neuron %x site "blk0.a" levels 0 alpha 0.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

// Rule: theta > 0.
func.func @threshold_positive(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'threshold' entries must be > 0, got -0.1}}
  %y = spike.is_neuron %x site "blk0.a" levels 32 alpha 16.0 threshold [-0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @if_threshold_positive(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'threshold' entries must be > 0, got 0}}
  %y = spike.if_neuron %x site "blk0.a" levels 4 alpha 2.0 threshold [0.0] v0 [0.0] schedule "uniform" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<8 x tensor<?x8xf32>>
  return
}

// -----

// Rule: 0 <= alpha <= L.
func.func @alpha_high(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{alpha must be in [0, L] = [0, 4], got 5}}
  %y = spike.is_neuron %x site "blk0.a" levels 4 alpha 5.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @alpha_negative(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{alpha must be in [0, L] = [0, 4], got -1}}
  %y = spike.is_neuron %x site "blk0.a" levels 4 alpha -1.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

// Rule: group shapes divide the feature dimension.
func.func @threshold_groups(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'threshold' has 3 groups, which do not divide the feature dimension 8}}
  %y = spike.is_neuron %x site "blk0.a" levels 32 alpha 16.0 threshold [0.1, 0.1, 0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @v0_groups(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'v0' needs 1 entry or one per threshold group (4), got 2}}
  %y = spike.is_neuron %x site "blk0.a" levels 32 alpha 16.0 threshold [0.1, 0.1, 0.1, 0.1] v0 [0.05, 0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

// Rule: budget >= 1.
func.func @budget(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{spike budget must be >= 1, got 0}}
  %y = spike.is_neuron %x site "blk0.a" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] budget 0 : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @if_budget(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{spike budget must be >= 1, got -3}}
  %y = spike.if_neuron %x site "blk0.a" levels 4 alpha 2.0 threshold [0.1] v0 [0.05] budget -3 schedule "uniform" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<8 x tensor<?x8xf32>>
  return
}

// -----

// Rule: T is a power of two with T <= 2^(n-1) under Theorem 2.
func.func @theorem2_power_of_two(%x: !spike.train<3 x tensor<?x8xf32>>) {
  // expected-error @+1 {{Theorem-2 parameterization with 6 bits and T=3: T must be a power of two}}
  %y = spike.is_neuron %x site "blk0.a" levels 21 alpha 10.0 threshold [0.1] v0 [0.05] bits 6 : !spike.train<3 x tensor<?x8xf32>>
  return
}

// -----

func.func @theorem2_too_many_steps(%x: !spike.train<8 x tensor<?x8xf32>>) {
  // expected-error @+1 {{Theorem-2 parameterization with 3 bits and T=8: T must be at most 2^(bits-1)}}
  %y = spike.is_neuron %x site "blk0.a" levels 1 alpha 0.5 threshold [0.1] v0 [0.05] bits 3 : !spike.train<8 x tensor<?x8xf32>>
  return
}

// -----

func.func @theorem2_levels(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{Theorem 2 with 6 bits and T=2 requires levels 32 and alpha 16 (or 0 for an unsigned grid)}}
  %y = spike.is_neuron %x site "blk0.a" levels 31 alpha 16.0 threshold [0.1] v0 [0.05] bits 6 : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @neuron_site(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{invalid site name 'blk0..a'}}
  %y = spike.is_neuron %x site "blk0..a" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @accum_rmsnorm_weight(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'weight' and 'eps' are required by rmsnorm and allowed only there}}
  %y = spike.accum_map rmsnorm %x : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @accum_silu_eps(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'weight' and 'eps' are required by rmsnorm and allowed only there}}
  %y = spike.accum_map silu %x eps 1.0e-5 : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @accum_causal(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'causal' applies only to softmax}}
  %y = spike.accum_map silu %x causal : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @accum_rmsnorm_shape(%x: !spike.train<2 x tensor<?x8xf32>>, %g: tensor<4xf32>) {
  // expected-error @+1 {{rmsnorm weight must be [D] for steps [..., D]}}
  %y = spike.accum_map rmsnorm %x, %g : tensor<4xf32> eps 1.0e-5 : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @accum_unknown_fn(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'fn' [silu, softmax, rmsnorm]}}
  %y = spike.accum_map gelu %x : !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

// Rule: the IF sub-step grid has T x L steps.
func.func @if_grid(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{sub-step train needs T x L = 2 x 4 = 8 steps, has 6}}
  %y = spike.if_neuron %x site "blk0.a" levels 4 alpha 2.0 threshold [0.1] v0 [0.05] schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<6 x tensor<?x8xf32>>
  return
}

// -----

func.func @if_alpha(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{alpha must be in [0, L] = [0, 4], got 6}}
  %y = spike.if_neuron %x site "blk0.a" levels 4 alpha 6.0 threshold [0.1] v0 [0.05] schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<8 x tensor<?x8xf32>>
  return
}

// -----

func.func @if_schedule(%x: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-error @+1 {{invalid schedule attribute specification: "eager"}}
  %y = spike.if_neuron %x site "blk0.a" levels 4 alpha 2.0 threshold [0.1] v0 [0.05] schedule "eager" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<8 x tensor<?x8xf32>>
  return
}

// -----

func.func @collect_grid(%s: !spike.train<8 x tensor<?x8xf32>>) {
  // expected-error @+1 {{sub-step train needs T x L = 4 x 4 = 16 steps, has 8}}
  %y = spike.if_collect %s levels 4 alpha 2.0 threshold [0.1] : !spike.train<8 x tensor<?x8xf32>> -> !spike.train<4 x tensor<?x8xf32>>
  return
}

// -----

func.func @collect_mismatch(%x: !spike.train<2 x tensor<?x8xf32>>) {
  %s = spike.if_neuron %x site "blk0.a" levels 4 alpha 2.0 threshold [0.1] v0 [0.05] schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<8 x tensor<?x8xf32>>
  // expected-error @+1 {{levels, alpha and threshold must match the if_neuron that produces the spikes}}
  %y = spike.if_collect %s levels 4 alpha 2.0 threshold [0.2] : !spike.train<8 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

func.func @collect_threshold(%s: !spike.train<8 x tensor<?x8xf32>>) {
  // expected-error @+1 {{'threshold' has 3 groups, which do not divide the feature dimension 8}}
  %y = spike.if_collect %s levels 4 alpha 2.0 threshold [0.1, 0.1, 0.1] : !spike.train<8 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
  return
}

// -----

// The signed code: alpha 0, no budget, no correction spikes, bits given,
// L = ceil(2^(n-1) / T) (neuron::checkISParams).
func.func @signed_alpha(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code has no offset: alpha must be 0, got 16}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 16.0 threshold [0.1] v0 [0.05] bits 6 coding signed : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_budget(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code has no spike budget}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] budget 63 bits 6 coding signed : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_correction(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code has negative spikes of its own; correction spikes do not apply}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] bits 6 bidirectional coding signed : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_no_bits(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code needs bits (its grid)}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] coding signed : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_levels(%x: !spike.train<3 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code with 6 bits and T=3 requires levels in [11, 63]}}
  %y = spike.is_neuron %x site "blk0.a" levels 10 alpha 0.0 threshold [0.1] v0 [0.05] bits 6 coding signed : !spike.train<3 x tensor<8xf32>>
  return
}

// -----

func.func @coding_name(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'coding' [offset, signed]}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] bits 6 coding binary : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_levels_top(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code with 6 bits and T=2 requires levels in [16, 63]}}
  %y = spike.is_neuron %x site "blk0.a" levels 64 alpha 0.0 threshold [0.1] v0 [0.05] bits 6 coding signed : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_if_uniform(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code fires in one direction per step, fixed from the integrated membrane: it needs schedule "integrate-then-fire"}}
  %y = spike.if_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] bits 6 coding signed schedule "uniform" : !spike.train<2 x tensor<8xf32>> -> !spike.train<32 x tensor<8xf32>>
  return
}

// -----

func.func @signed_if_no_bits(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code needs bits (its grid)}}
  %y = spike.if_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.05] coding signed schedule "integrate-then-fire" : !spike.train<2 x tensor<8xf32>> -> !spike.train<32 x tensor<8xf32>>
  return
}

// -----

func.func @signed_if_alpha(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code has no offset: alpha must be 0, got 16}}
  %y = spike.if_neuron %x site "blk0.a" levels 16 alpha 16.0 threshold [0.1] v0 [0.05] bits 6 coding signed schedule "integrate-then-fire" : !spike.train<2 x tensor<8xf32>> -> !spike.train<32 x tensor<8xf32>>
  return
}

// -----

func.func @unsigned_offset(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{only the signed code names its grid's sign; the offset code's follows from alpha (Theorem 2)}}
  %y = spike.is_neuron %x site "blk0.attn.softmax" levels 128 alpha 0.0 threshold [0.1] v0 [0.05] bits 8 unsigned : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_unsigned_levels(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code with 8 bits and T=2 (unsigned grid) requires levels in [128, 255]}}
  %y = spike.is_neuron %x site "blk0.attn.softmax" levels 64 alpha 0.0 threshold [0.1] v0 [0.05] bits 8 coding signed unsigned : !spike.train<2 x tensor<8xf32>>
  return
}

// -----

func.func @signed_v0(%x: !spike.train<2 x tensor<8xf32>>) {
  // expected-error @+1 {{the signed code needs v0 in [0, threshold), so that a zero input fires nothing; group 0 has v0 1.000000e-01 and threshold 1.000000e-01}}
  %y = spike.is_neuron %x site "blk0.a" levels 16 alpha 0.0 threshold [0.1] v0 [0.1] bits 6 coding signed : !spike.train<2 x tensor<8xf32>>
  return
}
