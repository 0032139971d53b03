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
    %13 = qnn.linear %12, %3 : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
    %14 = qnn.split_heads %13 : tensor<?x32xf32> -> tensor<2x?x16xf32>
    %15 = qnn.linear %12, %4 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
    %16 = qnn.split_heads %15 : tensor<?x16xf32> -> tensor<1x?x16xf32>
    %17 = qnn.linear %12, %5 : (tensor<?x32xf32>, tensor<16x32xf32>) -> tensor<?x16xf32>
    %18 = qnn.split_heads %17 : tensor<?x16xf32> -> tensor<1x?x16xf32>
    %19 = qnn.rope %14 base 1.000000e+04 : tensor<2x?x16xf32>
    %20 = qnn.rope %16 base 1.000000e+04 : tensor<1x?x16xf32>
    %21 = qnn.matmul %19, %20 transpose_rhs : tensor<2x?x16xf32>, tensor<1x?x16xf32> -> tensor<2x?x?xf32>
    %22 = qnn.softmax %21 causal : tensor<2x?x?xf32>
    %23 = qnn.matmul %22, %18 : tensor<2x?x?xf32>, tensor<1x?x16xf32> -> tensor<2x?x16xf32>
    %24 = qnn.merge_heads %23 : tensor<2x?x16xf32> -> tensor<?x32xf32>
    %25 = qnn.linear %24, %6 : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
    %26 = qnn.add %1, %25 : tensor<?x32xf32>
    %27 = qnn.rmsnorm %26, %7 eps 1.000000e-05 : tensor<?x32xf32>, tensor<32xf32>
    %28 = qnn.linear %27, %8 : (tensor<?x32xf32>, tensor<64x32xf32>) -> tensor<?x64xf32>
    %29 = qnn.silu %28 : tensor<?x64xf32>
    %30 = qnn.linear %27, %9 : (tensor<?x32xf32>, tensor<64x32xf32>) -> tensor<?x64xf32>
    %31 = qnn.mul %29, %30 : tensor<?x64xf32>
    %32 = qnn.linear %31, %10 : (tensor<?x64xf32>, tensor<64x64xf32>) -> tensor<?x64xf32>
    %33 = qnn.linear %32, %11 : (tensor<?x64xf32>, tensor<32x64xf32>) -> tensor<?x32xf32>
    %34 = qnn.add %26, %33 : tensor<?x32xf32>
    %35 = qnn.weight #qnn.param<"model.norm.weight"> : tensor<32xf32>
    %36 = qnn.weight #qnn.param<"lm_head.weight"> : tensor<270x32xf32>
    %37 = qnn.rmsnorm %34, %35 eps 1.000000e-05 : tensor<?x32xf32>, tensor<32xf32>
    %38 = qnn.linear %37, %36 : (tensor<?x32xf32>, tensor<270x32xf32>) -> tensor<?x270xf32>
    return %38 : tensor<?x270xf32>
  }
}
