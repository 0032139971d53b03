module attributes {qnn.attention_scale_folded_into = "q_proj", qnn.model = "spikec-tiny-llama", qnn.rotated_down_proj_input = "randomized-hadamard", qnn.rotated_residual = "randomized-hadamard", qnn.tokenizer = "<OUT>/hf/tokenizer.json", qnn.weights = "fp.safetensors"} {
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
    %14 = spike.if_neuron %13 site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [1.0585475713014603e-01] v0 [5.4334837943315506e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<64 x tensor<?x32xf32>>
    %15 = spike.if_collect %14 levels 32 alpha 1.600000e+01 threshold [1.0585475713014603e-01] : !spike.train<64 x tensor<?x32xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %16 = spike.linear %15, %4 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %17 = spike.split_heads %16 : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %18 = spike.linear %15, %5 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %19 = spike.split_heads %18 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %20 = spike.linear %15, %6 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %21 = spike.split_heads %20 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %22 = spike.if_neuron %21 site "blk0.attn.v" levels 32 alpha 1.600000e+01 threshold [1.0396149009466171e-01] v0 [5.314910411834717e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<64 x tensor<1x?x16xf32>>
    %23 = spike.if_collect %22 levels 32 alpha 1.600000e+01 threshold [1.0396149009466171e-01] : !spike.train<64 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %24 = spike.rope %17 base 1.000000e+04 : !spike.train<2 x tensor<2x?x16xf32>>
    %25 = spike.if_neuron %24 site "blk0.attn.q_rope" levels 32 alpha 1.600000e+01 threshold [2.3270156234502792e-02] v0 [1.139575894922018e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<2x?x16xf32>> -> !spike.train<64 x tensor<2x?x16xf32>>
    %26 = spike.if_collect %25 levels 32 alpha 1.600000e+01 threshold [2.3270156234502792e-02] : !spike.train<64 x tensor<2x?x16xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %27 = spike.rope %19 base 1.000000e+04 : !spike.train<2 x tensor<1x?x16xf32>>
    %28 = spike.if_neuron %27 site "blk0.attn.k_rope" levels 32 alpha 1.600000e+01 threshold [1.2263499200344086e-01] v0 [6.176130101084709e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<64 x tensor<1x?x16xf32>>
    %29 = spike.if_collect %28 levels 32 alpha 1.600000e+01 threshold [1.2263499200344086e-01] : !spike.train<64 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %30 = spike.aa_matmul %26, %29 transpose_rhs : !spike.train<2 x tensor<2x?x16xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
    %31 = spike.accum_map softmax %30 causal : !spike.train<2 x tensor<2x?x?xf32>>
    %32 = spike.if_neuron %31 site "blk0.attn.softmax" levels 32 alpha 0.000000e+00 threshold [1.5927257016301155e-02] v0 [7.747844327241182e-03] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<2x?x?xf32>> -> !spike.train<64 x tensor<2x?x?xf32>>
    %33 = spike.if_collect %32 levels 32 alpha 0.000000e+00 threshold [1.5927257016301155e-02] : !spike.train<64 x tensor<2x?x?xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
    %34 = spike.aa_matmul %33, %23 : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %35 = spike.merge_heads %34 : !spike.train<2 x tensor<2x?x16xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %36 = spike.if_neuron %35 site "blk0.attn.o_in" levels 32 alpha 1.600000e+01 threshold [7.013915479183197e-02] v0 [3.591315820813179e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<64 x tensor<?x32xf32>>
    %37 = spike.if_collect %36 levels 32 alpha 1.600000e+01 threshold [7.013915479183197e-02] : !spike.train<64 x tensor<?x32xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %38 = spike.linear %37, %7 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %39 = spike.add %2, %38 : !spike.train<2 x tensor<?x32xf32>>
    %40 = spike.accum_map rmsnorm %39, %8 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %41 = spike.if_neuron %40 site "blk0.mlp.norm" levels 32 alpha 1.600000e+01 threshold [9.296735376119614e-02] v0 [4.78302463889122e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<64 x tensor<?x32xf32>>
    %42 = spike.if_collect %41 levels 32 alpha 1.600000e+01 threshold [9.296735376119614e-02] : !spike.train<64 x tensor<?x32xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %43 = spike.linear %42, %9 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %44 = spike.accum_map silu %43 : !spike.train<2 x tensor<?x64xf32>>
    %45 = spike.linear %42, %10 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %46 = spike.aa_mul %44, %45 : !spike.train<2 x tensor<?x64xf32>>
    %47 = spike.linear %46, %11 : (!spike.train<2 x tensor<?x64xf32>>, tensor<64x64xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %48 = spike.if_neuron %47 site "blk0.mlp.down_in" levels 32 alpha 1.600000e+01 threshold [6.99424296617508e-02] v0 [3.59867624938488e-02] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<?x64xf32>> -> !spike.train<64 x tensor<?x64xf32>>
    %49 = spike.if_collect %48 levels 32 alpha 1.600000e+01 threshold [6.99424296617508e-02] : !spike.train<64 x tensor<?x64xf32>> -> !spike.train<2 x tensor<?x64xf32>>
    %50 = spike.linear %49, %12 bits 6 : (!spike.train<2 x tensor<?x64xf32>>, tensor<32x64xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %51 = spike.add %39, %50 : !spike.train<2 x tensor<?x32xf32>>
    %52 = qnn.weight #qnn.param<"model.norm.weight"> : tensor<32xf32>
    %53 = qnn.weight #qnn.param<"lm_head.weight"> : tensor<270x32xf32>
    %54 = spike.accum_map rmsnorm %51, %52 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %55 = spike.decode %54 : !spike.train<2 x tensor<?x32xf32>> -> tensor<?x32xf32>
    %56 = qnn.linear %55, %53 : (tensor<?x32xf32>, tensor<270x32xf32>) -> tensor<?x270xf32>
    return %56 : tensor<?x270xf32>
  }
}

