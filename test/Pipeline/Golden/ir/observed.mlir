module attributes {qnn.attention_scale_folded_into = "q_proj", qnn.model = "spikec-tiny-llama", qnn.rotated_down_proj_input = "randomized-hadamard", qnn.rotated_residual = "randomized-hadamard", qnn.tokenizer = "<OUT>/hf/tokenizer.json", qnn.weights = "fp.safetensors"} {
  func.func @forward(%arg0: tensor<?xi64>) -> tensor<?x270xf32> {
    %0 = qnn.weight #qnn.param<"model.embed_tokens.weight"> : tensor<270x32xf32>
    %1 = qnn.embedding %arg0, %0 : (tensor<?xi64>, tensor<270x32xf32>) -> tensor<?x32xf32>
    %2 = qnn.weight #qnn.param<"model.layers.0.input_layernorm.weight"> : tensor<32xf32>
    %3 = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight"> : tensor<32x32xf32>
    %4 = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight"> : tensor<16x32xf32>
    %5 = qnn.weight #qnn.param<"model.layers.0.self_attn.v_proj.weight"> : tensor<16x32xf32>
    %6 = qnn.weight #qnn.param<"model.layers.0.self_attn.o_proj.weight"> : tensor<32x32xf32>
    %7 = qnn.weight #qnn.param<"model.layers.0.post_attention_layernorm.weight"> : tensor<32xf32>
    %8 = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight"> : tensor<64x32xf32>
    %9 = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<64x32xf32>
    %10 = qnn.weight #qnn.param<"model.layers.0.mlp.down_rotation", "model.down_rotation"> : tensor<64x64xf32>
    %11 = qnn.weight #qnn.param<"model.layers.0.mlp.down_proj.weight"> : tensor<32x64xf32>
    %12 = qnn.rmsnorm %1, %2 eps 1.000000e-05 : tensor<?x32xf32>, tensor<32xf32>
    %13 = qnn.observe %12 site "blk0.attn.norm" : tensor<?x32xf32>
    %14 = qnn.linear %13, %3 : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
    %15 = qnn.split_heads %14 : tensor<?x32xf32> -> tensor<2x?x16xf32>
    %16 = qnn.linear %13, %4 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
    %17 = qnn.split_heads %16 : tensor<?x16xf32> -> tensor<1x?x16xf32>
    %18 = qnn.linear %13, %5 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
    %19 = qnn.split_heads %18 : tensor<?x16xf32> -> tensor<1x?x16xf32>
    %20 = qnn.observe %19 site "blk0.attn.v" : tensor<1x?x16xf32>
    %21 = qnn.rope %15 base 1.000000e+04 : tensor<2x?x16xf32>
    %22 = qnn.observe %21 site "blk0.attn.q_rope" : tensor<2x?x16xf32>
    %23 = qnn.rope %17 base 1.000000e+04 : tensor<1x?x16xf32>
    %24 = qnn.observe %23 site "blk0.attn.k_rope" : tensor<1x?x16xf32>
    %25 = qnn.matmul %22, %24 transpose_rhs : tensor<2x?x16xf32>, tensor<1x?x16xf32> -> tensor<2x?x?xf32>
    %26 = qnn.softmax %25 causal : tensor<2x?x?xf32>
    %27 = qnn.observe %26 site "blk0.attn.softmax" : tensor<2x?x?xf32>
    %28 = qnn.matmul %27, %20 : tensor<2x?x?xf32>, tensor<1x?x16xf32> -> tensor<2x?x16xf32>
    %29 = qnn.merge_heads %28 : tensor<2x?x16xf32> -> tensor<?x32xf32>
    %30 = qnn.observe %29 site "blk0.attn.o_in" : tensor<?x32xf32>
    %31 = qnn.linear %30, %6 : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
    %32 = qnn.add %1, %31 : tensor<?x32xf32>
    %33 = qnn.rmsnorm %32, %7 eps 1.000000e-05 : tensor<?x32xf32>, tensor<32xf32>
    %34 = qnn.observe %33 site "blk0.mlp.norm" : tensor<?x32xf32>
    %35 = qnn.linear %34, %8 : (tensor<?x32xf32>, tensor<64x32xf32>) -> tensor<?x64xf32>
    %36 = qnn.silu %35 : tensor<?x64xf32>
    %37 = qnn.linear %34, %9 : (tensor<?x32xf32>, tensor<64x32xf32>) -> tensor<?x64xf32>
    %38 = qnn.mul %36, %37 : tensor<?x64xf32>
    %39 = qnn.linear %38, %10 : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
    %40 = qnn.observe %39 site "blk0.mlp.down_in" : tensor<?x64xf32>
    %41 = qnn.linear %40, %11 : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
    %42 = qnn.add %32, %41 : tensor<?x32xf32>
    %43 = qnn.weight #qnn.param<"model.norm.weight"> : tensor<32xf32>
    %44 = qnn.weight #qnn.param<"lm_head.weight"> : tensor<270x32xf32>
    %45 = qnn.rmsnorm %42, %43 eps 1.000000e-05 : tensor<?x32xf32>, tensor<32xf32>
    %46 = qnn.linear %45, %44 : (tensor<?x32xf32>, tensor<270x32xf32>) -> tensor<?x270xf32>
    return %46 : tensor<?x270xf32>
  }
}

