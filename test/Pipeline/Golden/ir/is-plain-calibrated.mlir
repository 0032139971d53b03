module attributes {qnn.attention_scale_folded_into = "q_proj", qnn.model = "spikec-tiny-llama", qnn.rotated_down_proj_input = "randomized-hadamard", qnn.rotated_residual = "randomized-hadamard", qnn.tokenizer = "<OUT>/hf/tokenizer.json", qnn.weights = "is-plain-calibrated.codes.safetensors"} {
  func.func @forward(%arg0: tensor<?xi64>) -> tensor<?x270xf32> {
    %0 = qnn.weight #qnn.param<"model.embed_tokens.weight"> : tensor<270x32xf32>
    %1 = qnn.embedding %arg0, %0 : (tensor<?xi64>, tensor<270x32xf32>) -> tensor<?x32xf32>
    %2 = spike.encode %1 : tensor<?x32xf32> -> !spike.train<2 x tensor<?x32xf32>>
    %3 = qnn.weight #qnn.param<"model.layers.0.input_layernorm.weight"> : tensor<32xf32>
    %4 = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight"> : tensor<32x32xf32>
    %5 = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight"> : tensor<16x32xf32>
    %6 = qnn.weight #qnn.param<"model.layers.0.self_attn.v_proj.weight"> : tensor<16x32xf32>
    %7 = qnn.weight #qnn.param<"model.layers.0.self_attn.o_proj.weight"> : tensor<32x32xf32>
    %8 = qnn.weight #qnn.param<"model.layers.0.post_attention_layernorm.weight"> : tensor<32xf32>
    %9 = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight"> : tensor<64x32xf32>
    %10 = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<64x32xf32>
    %11 = qnn.weight #qnn.param<"model.layers.0.mlp.down_rotation", "model.down_rotation"> : tensor<64x64xf32>
    %12 = qnn.weight #qnn.param<"model.layers.0.mlp.down_proj.weight"> : tensor<32x64xf32>
    %13 = spike.accum_map rmsnorm %2, %3 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %14 = spike.is_neuron %13 site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [1.0585475713014603e-01] v0 [5.4334837943315506e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %15 = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight.scale"> : tensor<32xf32>
    %16 = spike.linear %14, %4 bits 6 scales %15 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>, tensor<32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %17 = spike.split_heads %16 : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %18 = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight.scale"> : tensor<16xf32>
    %19 = spike.linear %14, %5 bits 6 scales %18 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>, tensor<16xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %20 = spike.split_heads %19 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %21 = qnn.weight #qnn.param<"model.layers.0.self_attn.v_proj.weight.scale"> : tensor<16xf32>
    %22 = spike.linear %14, %6 bits 6 scales %21 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>, tensor<16xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %23 = spike.split_heads %22 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %24 = spike.is_neuron %23 site "blk0.attn.v" levels 32 alpha 1.600000e+01 threshold [1.0396149009466171e-01] v0 [5.314910411834717e-02] budget 63 bits 6 : !spike.train<2 x tensor<1x?x16xf32>>
    %25 = spike.rope %17 base 1.000000e+04 : !spike.train<2 x tensor<2x?x16xf32>>
    %26 = spike.is_neuron %25 site "blk0.attn.q_rope" levels 32 alpha 1.600000e+01 threshold [2.3270156234502792e-02] v0 [1.139575894922018e-02] budget 63 bits 6 : !spike.train<2 x tensor<2x?x16xf32>>
    %27 = spike.rope %20 base 1.000000e+04 : !spike.train<2 x tensor<1x?x16xf32>>
    %28 = spike.is_neuron %27 site "blk0.attn.k_rope" levels 32 alpha 1.600000e+01 threshold [1.2263499200344086e-01] v0 [6.176130101084709e-02] budget 63 bits 6 : !spike.train<2 x tensor<1x?x16xf32>>
    %29 = spike.aa_matmul %26, %28 transpose_rhs : !spike.train<2 x tensor<2x?x16xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
    %30 = spike.accum_map softmax %29 causal : !spike.train<2 x tensor<2x?x?xf32>>
    %31 = spike.is_neuron %30 site "blk0.attn.softmax" levels 32 alpha 0.000000e+00 threshold [1.5927257016301155e-02] v0 [7.747844327241182e-03] budget 63 bits 6 : !spike.train<2 x tensor<2x?x?xf32>>
    %32 = spike.aa_matmul %31, %24 : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %33 = spike.merge_heads %32 : !spike.train<2 x tensor<2x?x16xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %34 = spike.is_neuron %33 site "blk0.attn.o_in" levels 32 alpha 1.600000e+01 threshold [7.013915479183197e-02] v0 [3.591315820813179e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %35 = qnn.weight #qnn.param<"model.layers.0.self_attn.o_proj.weight.scale"> : tensor<32xf32>
    %36 = spike.linear %34, %7 bits 6 scales %35 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>, tensor<32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %37 = spike.add %2, %36 : !spike.train<2 x tensor<?x32xf32>>
    %38 = spike.accum_map rmsnorm %37, %8 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %39 = spike.is_neuron %38 site "blk0.mlp.norm" levels 32 alpha 1.600000e+01 threshold [9.296735376119614e-02] v0 [4.78302463889122e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %40 = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight.scale"> : tensor<64xf32>
    %41 = spike.linear %39, %9 bits 6 scales %40 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>, tensor<64xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %42 = spike.accum_map silu %41 : !spike.train<2 x tensor<?x64xf32>>
    %43 = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight.scale"> : tensor<64xf32>
    %44 = spike.linear %39, %10 bits 6 scales %43 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>, tensor<64xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %45 = spike.aa_mul %42, %44 : !spike.train<2 x tensor<?x64xf32>>
    %46 = spike.linear %45, %11 : (!spike.train<2 x tensor<?x64xf32>>, tensor<64x64xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %47 = spike.is_neuron %46 site "blk0.mlp.down_in" levels 32 alpha 1.600000e+01 threshold [6.99424296617508e-02] v0 [3.59867624938488e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x64xf32>>
    %48 = qnn.weight #qnn.param<"model.layers.0.mlp.down_proj.weight.scale"> : tensor<32xf32>
    %49 = spike.linear %47, %12 bits 6 scales %48 : (!spike.train<2 x tensor<?x64xf32>>, tensor<32x64xf32>, tensor<32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %50 = spike.add %37, %49 : !spike.train<2 x tensor<?x32xf32>>
    %51 = qnn.weight #qnn.param<"model.norm.weight"> : tensor<32xf32>
    %52 = qnn.weight #qnn.param<"lm_head.weight"> : tensor<270x32xf32>
    %53 = spike.accum_map rmsnorm %50, %51 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %54 = spike.decode %53 : !spike.train<2 x tensor<?x32xf32>> -> tensor<?x32xf32>
    %55 = qnn.linear %54, %52 : (tensor<?x32xf32>, tensor<270x32xf32>) -> tensor<?x270xf32>
    return %55 : tensor<?x270xf32>
  }
}

