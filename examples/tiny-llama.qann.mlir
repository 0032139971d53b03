// One LLaMA block at the QANN level (W6A6, static per-tensor activation
// scales at PrefixQuant's sites): hidden 8, two query heads sharing one KV
// head of dimension 4, FFN 16, vocabulary 16. Weights are named tensors of
// test/Plan/golden/tiny.safetensors.
//
//   spike-opt examples/tiny-llama.qann.mlir -canonicalize -spike-verify-sites
module attributes {qnn.weights = "test/Plan/golden/tiny.safetensors"} {
  func.func @forward(%tokens: tensor<?xi64>) -> tensor<?x16xf32> {
    %embed = qnn.weight #qnn.param<"model.embed_tokens.weight"> : tensor<16x8xf32>
    %ln1 = qnn.weight #qnn.param<"model.layers.0.input_layernorm.weight"> : tensor<8xf32>
    %ln2 = qnn.weight #qnn.param<"model.layers.0.post_attention_layernorm.weight"> : tensor<8xf32>
    %lnf = qnn.weight #qnn.param<"model.norm.weight"> : tensor<8xf32>
    %wq = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight"> : tensor<8x8xf32>
    %sq = qnn.weight #qnn.param<"model.layers.0.self_attn.q_proj.weight_scale"> : tensor<8xf32>
    %wk = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight"> : tensor<4x8xf32>
    %sk = qnn.weight #qnn.param<"model.layers.0.self_attn.k_proj.weight_scale"> : tensor<4xf32>
    %wv = qnn.weight #qnn.param<"model.layers.0.self_attn.v_proj.weight"> : tensor<4x8xf32>
    %sv = qnn.weight #qnn.param<"model.layers.0.self_attn.v_proj.weight_scale"> : tensor<4xf32>
    %wo = qnn.weight #qnn.param<"model.layers.0.self_attn.o_proj.weight"> : tensor<8x8xf32>
    %so = qnn.weight #qnn.param<"model.layers.0.self_attn.o_proj.weight_scale"> : tensor<8xf32>
    %wg = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight"> : tensor<16x8xf32>
    %sg = qnn.weight #qnn.param<"model.layers.0.mlp.gate_proj.weight_scale"> : tensor<16xf32>
    %wu = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<16x8xf32>
    %su = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight_scale"> : tensor<16xf32>
    %wd = qnn.weight #qnn.param<"model.layers.0.mlp.down_proj.weight"> : tensor<8x16xf32>
    %sd = qnn.weight #qnn.param<"model.layers.0.mlp.down_proj.weight_scale"> : tensor<8xf32>

    %x = qnn.embedding %tokens, %embed : (tensor<?xi64>, tensor<16x8xf32>) -> tensor<?x8xf32>

    // Attention.
    %n1 = qnn.rmsnorm %x, %ln1 eps 1.0e-5 : tensor<?x8xf32>, tensor<8xf32>
    %n1q = qnn.quantize %n1 site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    %q = qnn.linear %n1q, %wq bits 6 scales %sq : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %k = qnn.linear %n1q, %wk bits 6 scales %sk : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %v = qnn.linear %n1q, %wv bits 6 scales %sv : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    %qh = qnn.split_heads %q : tensor<?x8xf32> -> tensor<2x?x4xf32>
    %kh = qnn.split_heads %k : tensor<?x4xf32> -> tensor<1x?x4xf32>
    %vh = qnn.split_heads %v : tensor<?x4xf32> -> tensor<1x?x4xf32>
    %qr = qnn.rope %qh base 10000.0 : tensor<2x?x4xf32>
    %kr = qnn.rope %kh base 10000.0 : tensor<1x?x4xf32>
    %qq = qnn.quantize %qr site "blk0.attn.q_rope" bits 6 scale [0.04] : tensor<2x?x4xf32>
    %kq = qnn.quantize %kr site "blk0.attn.k_rope" bits 6 scale [0.04] : tensor<1x?x4xf32>
    %vq = qnn.quantize %vh site "blk0.attn.v" bits 6 scale [0.04] : tensor<1x?x4xf32>
    %s = qnn.matmul %qq, %kq transpose_rhs : tensor<2x?x4xf32>, tensor<1x?x4xf32> -> tensor<2x?x?xf32>
    %p = qnn.softmax %s causal : tensor<2x?x?xf32>
    %pq = qnn.quantize %p site "blk0.attn.softmax" bits 6 unsigned scale [0.015873015873015872] : tensor<2x?x?xf32>
    %o = qnn.matmul %pq, %vq : tensor<2x?x?xf32>, tensor<1x?x4xf32> -> tensor<2x?x4xf32>
    %om = qnn.merge_heads %o : tensor<2x?x4xf32> -> tensor<?x8xf32>
    %oq = qnn.quantize %om site "blk0.attn.o_in" bits 6 scale [0.03] : tensor<?x8xf32>
    %a = qnn.linear %oq, %wo bits 6 scales %so : (tensor<?x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %x1 = qnn.add %x, %a : tensor<?x8xf32>

    // MLP.
    %n2 = qnn.rmsnorm %x1, %ln2 eps 1.0e-5 : tensor<?x8xf32>, tensor<8xf32>
    %n2q = qnn.quantize %n2 site "blk0.mlp.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    %g = qnn.linear %n2q, %wg bits 6 scales %sg : (tensor<?x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    %u = qnn.linear %n2q, %wu bits 6 scales %su : (tensor<?x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    %gs = qnn.silu %g : tensor<?x16xf32>
    %h = qnn.mul %gs, %u : tensor<?x16xf32>
    %hq = qnn.quantize %h site "blk0.mlp.down_in" bits 6 scale [0.02] : tensor<?x16xf32>
    %d = qnn.linear %hq, %wd bits 6 scales %sd : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    %x2 = qnn.add %x1, %d : tensor<?x8xf32>

    // Head (tied embeddings; lm_head stays unquantized, as in the seed code).
    %xf = qnn.rmsnorm %x2, %lnf eps 1.0e-5 : tensor<?x8xf32>, tensor<8xf32>
    %logits = qnn.linear %xf, %embed : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
    return %logits : tensor<?x16xf32>
  }
}
