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
    %14 = spike.is_neuron %13 site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [1.0459592138017926e-01] v0 [5.229796069008963e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %15 = spike.linear %14, %4 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %16 = spike.split_heads %15 : !spike.train<2 x tensor<?x32xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %17 = spike.linear %14, %5 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %18 = spike.split_heads %17 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %19 = spike.linear %14, %6 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<16x32xf32>) -> !spike.train<2 x tensor<?x16xf32>>
    %20 = spike.split_heads %19 : !spike.train<2 x tensor<?x16xf32>> -> !spike.train<2 x tensor<1x?x16xf32>>
    %21 = spike.is_neuron %20 site "blk0.attn.v" levels 32 alpha 1.600000e+01 threshold [1.026086455829163e-01] v0 [5.130432279145815e-02] budget 63 bits 6 : !spike.train<2 x tensor<1x?x16xf32>>
    %22 = spike.rope %16 base 1.000000e+04 : !spike.train<2 x tensor<2x?x16xf32>>
    %23 = spike.is_neuron %22 site "blk0.attn.q_rope" levels 32 alpha 1.600000e+01 threshold [2.3574386017675978e-02] v0 [1.1787193008837989e-02] budget 63 bits 6 : !spike.train<2 x tensor<2x?x16xf32>>
    %24 = spike.rope %18 base 1.000000e+04 : !spike.train<2 x tensor<1x?x16xf32>>
    %25 = spike.is_neuron %24 site "blk0.attn.k_rope" levels 32 alpha 1.600000e+01 threshold [1.2456038670571139e-01] v0 [6.2280193352855694e-02] budget 63 bits 6 : !spike.train<2 x tensor<1x?x16xf32>>
    %26 = spike.aa_matmul %23, %25 transpose_rhs : !spike.train<2 x tensor<2x?x16xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
    %27 = spike.accum_map softmax %26 causal : !spike.train<2 x tensor<2x?x?xf32>>
    %28 = spike.is_neuron %27 site "blk0.attn.softmax" levels 32 alpha 0.000000e+00 threshold [1.5714285714285715e-02] v0 [7.857142857142858e-03] budget 63 bits 6 : !spike.train<2 x tensor<2x?x?xf32>>
    %29 = spike.aa_matmul %28, %21 : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x16xf32>> -> !spike.train<2 x tensor<2x?x16xf32>>
    %30 = spike.merge_heads %29 : !spike.train<2 x tensor<2x?x16xf32>> -> !spike.train<2 x tensor<?x32xf32>>
    %31 = spike.is_neuron %30 site "blk0.attn.o_in" levels 32 alpha 1.600000e+01 threshold [6.921327093467305e-02] v0 [3.460663546733653e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %32 = spike.linear %31, %7 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<32x32xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %33 = spike.add %2, %32 : !spike.train<2 x tensor<?x32xf32>>
    %34 = spike.accum_map rmsnorm %33, %8 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %35 = spike.is_neuron %34 site "blk0.mlp.norm" levels 32 alpha 1.600000e+01 threshold [9.442938126184804e-02] v0 [4.721469063092402e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x32xf32>>
    %36 = spike.linear %35, %9 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %37 = spike.accum_map silu %36 : !spike.train<2 x tensor<?x64xf32>>
    %38 = spike.linear %35, %10 bits 6 : (!spike.train<2 x tensor<?x32xf32>>, tensor<64x32xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %39 = spike.aa_mul %37, %38 : !spike.train<2 x tensor<?x64xf32>>
    %40 = spike.linear %39, %11 : (!spike.train<2 x tensor<?x64xf32>>, tensor<64x64xf32>) -> !spike.train<2 x tensor<?x64xf32>>
    %41 = spike.is_neuron %40 site "blk0.mlp.down_in" levels 32 alpha 1.600000e+01 threshold [7.104022787740483e-02] v0 [3.552011393870241e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x64xf32>>
    %42 = spike.linear %41, %12 bits 6 : (!spike.train<2 x tensor<?x64xf32>>, tensor<32x64xf32>) -> !spike.train<2 x tensor<?x32xf32>>
    %43 = spike.add %33, %42 : !spike.train<2 x tensor<?x32xf32>>
    %44 = qnn.weight #qnn.param<"model.norm.weight"> : tensor<32xf32>
    %45 = qnn.weight #qnn.param<"lm_head.weight"> : tensor<270x32xf32>
    %46 = spike.accum_map rmsnorm %43, %44 : tensor<32xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x32xf32>>
    %47 = spike.decode %46 : !spike.train<2 x tensor<?x32xf32>> -> tensor<?x32xf32>
    %48 = qnn.linear %47, %45 : (tensor<?x32xf32>, tensor<270x32xf32>) -> tensor<?x270xf32>
    return %48 : tensor<?x270xf32>
  }
}

