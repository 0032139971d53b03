//===- QNNOps.td - qnn operations --------------------------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_QNN_QNNOPS_TD
#define SPIKE_DIALECT_QNN_QNNOPS_TD

include "QNN/QNNDialect.td"
include "QNN/QNNAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def QNN_F32Tensor : RankedTensorOf<[F32]>;
def QNN_IndexTensor : RankedTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

def QNN_WeightOp : QNN_Op<"weight", [Pure, ConstantLike]> {
  let summary = "A weight tensor: a named external parameter or an inline constant";
  let description = [{
    Produces a weight tensor. `#qnn.param<"name">` names a tensor in the
    model's safetensors file; an inline `dense<...>` constant is allowed for
    tests and small models.

    ```mlir
    %w = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<1536x576xf32>
    %c = qnn.weight dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins AnyAttrOf<[QNN_ParamAttr, ElementsAttr]>:$value);
  let results = (outs QNN_F32Tensor:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Token-level ops
//===----------------------------------------------------------------------===//

def QNN_EmbeddingOp : QNN_Op<"embedding", [Pure]> {
  let summary = "Token embedding lookup";
  let description = [{
    `result[s, :] = table[tokens[s], :]` for tokens `tensor<S x i64>` and a
    table `tensor<V x D>`.
  }];
  let arguments = (ins QNN_IndexTensor:$tokens, QNN_F32Tensor:$table);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = [{
    $tokens `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def QNN_RMSNormOp : QNN_Op<"rmsnorm", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Root-mean-square normalization over the last dimension";
  let description = [{
    `y = x / sqrt(mean(x^2) + eps) * weight`, over the last dimension.
  }];
  let arguments = (ins QNN_F32Tensor:$input, QNN_F32Tensor:$weight, F64Attr:$eps);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `eps` $eps attr-dict `:` type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

def QNN_LinearOp : QNN_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "Linear layer y = x W^T + b, optionally with quantized weights";
  let description = [{
    `x : tensor<S x K>`, `W : tensor<N x K>`, `y : tensor<S x N>`. With
    `bits n` the layer uses the symmetric round-half-up per-output-channel
    weight grid `Wq[c] = s[c] * clip(round(W[c] / s[c]), -(2^(n-1)-1),
    2^(n-1)-1)`, with `s` given by `scales` or, without it, the absmax rule
    `s[c] = max|W[c]| / (2^(n-1)-1)` (`spike::neuron::weightScale`).
    The IR keeps W as stored, so the same weight file serves every bit
    width; the grid is applied on use, by every back end alike.
    The optional `bias` (`tensor<N>`, the checkpoint's `*_proj.bias`) is
    added in f32 to the output, before any quantizer that reads it; it is
    never quantized.

    ```mlir
    %y = qnn.linear %x, %w bits 6 bias %b
           : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins QNN_F32Tensor:$input, QNN_F32Tensor:$weight,
                       Optional<QNN_F32Tensor>:$weight_scale,
                       Optional<QNN_F32Tensor>:$bias,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<2>, IntMaxValue<8>]>>:$weight_bits);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bits` $weight_bits^)? (`scales` $weight_scale^)?
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The lm_head: a linear whose every user returns its result. It keeps
    /// FP weights and, at the spiking level, reads the decoded sum.
    bool isLmHead();
  }];
}

def QNN_RoPEOp : QNN_Op<"rope", [Pure, SameOperandsAndResultType]> {
  let summary = "Rotary position embedding on head-major activations";
  let description = [{
    Rotates pairs (i, i + Dh/2) of each head of `tensor<H x S x Dh>` by
    position-dependent angles `pos * base^(-2i/Dh)` (Hugging Face pairing).
    Positions count from the start of the sequence (plus the cache length
    at run time). Optional frequency scaling: `scaling = "linear"` divides
    frequencies by `factor`; `scaling = "llama3"` applies LLaMA-3's
    piecewise rule with `factor`, `low_freq_factor`, `high_freq_factor` and
    `original_max_position`; `scaling = "factors"` divides frequency i by
    `freq_factors[i]` (Dh/2 of them: GGUF's `rope_freqs.weight`, as
    llama.cpp applies it).
  }];
  let arguments = (ins QNN_F32Tensor:$input, F64Attr:$base,
                       OptionalAttr<StrAttr>:$scaling,
                       OptionalAttr<F64Attr>:$factor,
                       OptionalAttr<F64Attr>:$low_freq_factor,
                       OptionalAttr<F64Attr>:$high_freq_factor,
                       OptionalAttr<I64Attr>:$original_max_position,
                       OptionalAttr<DenseF64ArrayAttr>:$freq_factors);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input `base` $base attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def QNN_SplitHeadsOp : QNN_Op<"split_heads", [Pure]> {
  let summary = "tensor<S x H*Dh> to head-major tensor<H x S x Dh>";
  let arguments = (ins QNN_F32Tensor:$input);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def QNN_MergeHeadsOp : QNN_Op<"merge_heads", [Pure]> {
  let summary = "Head-major tensor<H x S x Dh> to tensor<S x H*Dh>";
  let arguments = (ins QNN_F32Tensor:$input);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def QNN_MatmulOp : QNN_Op<"matmul", [Pure]> {
  let summary = "Activation x activation matmul, batched over heads (GQA)";
  let description = [{
    `lhs : tensor<H x M x K>`, `rhs : tensor<Hkv x K x N>` (or
    `tensor<Hkv x N x K>` with `transpose_rhs`), `result : tensor<H x M x N>`.
    Head h of lhs uses head `h / (H / Hkv)` of rhs (grouped-query
    attention); H must be a multiple of Hkv.
  }];
  let arguments = (ins QNN_F32Tensor:$lhs, QNN_F32Tensor:$rhs, UnitAttr:$transpose_rhs);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def QNN_SoftmaxOp : QNN_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax over the last dimension, optionally causally masked";
  let description = [{
    With `causal`, on `tensor<... x M x N>` entry (m, n) is masked when
    `n > m + (N - M)`: query m sits at position `N - M + m` of the key
    sequence, as with a KV cache.
  }];
  let arguments = (ins QNN_F32Tensor:$input, UnitAttr:$causal);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input (`causal` $causal^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def QNN_SiLUOp : QNN_Op<"silu", [Pure, SameOperandsAndResultType]> {
  let summary = "x * sigmoid(x)";
  let arguments = (ins QNN_F32Tensor:$input);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def QNN_MulOp : QNN_Op<"mul", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Elementwise product of two activations";
  let arguments = (ins QNN_F32Tensor:$lhs, QNN_F32Tensor:$rhs);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def QNN_AddOp : QNN_Op<"add", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Elementwise sum (the residual add)";
  let arguments = (ins QNN_F32Tensor:$lhs, QNN_F32Tensor:$rhs);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def QNN_QuantizeOp : QNN_Op<"quantize", [Pure, SameOperandsAndResultType]> {
  let summary = "Static activation quantizer (fake-quantization on a fixed grid)";
  let description = [{
    `y = s * clip(round_half_up(x / s), lo, hi)` with `[lo, hi] =
    [-2^(n-1), 2^(n-1) - 1]` (signed) or `[0, 2^n - 1]` (`unsigned`). The
    scale list holds one entry (per tensor) or G entries, one per group of
    `D / G` consecutive channels of the last dimension. `site` is the stable
    name used by statistics, calibration and firing-rate files.

    The arithmetic is `spike::neuron::quantize` in
    `runtime/core/include/spike/core/Neuron/Neuron.h`, which the folder, the runtime
    and the IS neuron at T = 1 share (bit-identical by construction).

    ```mlir
    %q = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x576xf32>
    ```
  }];
  let arguments = (ins QNN_F32Tensor:$input, StrAttr:$site,
                       ConfinedAttr<I64Attr, [IntMinValue<2>, IntMaxValue<8>]>:$bits,
                       UnitAttr:$is_unsigned, DenseF64ArrayAttr:$scale);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = [{
    $input `site` $site `bits` $bits (`unsigned` $is_unsigned^)? `scale` custom<ExactF64List>($scale)
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def QNN_ObserveOp : QNN_Op<"observe", [SameOperandsAndResultType]> {
  let summary = "Identity that records activation statistics at a site";
  let description = [{
    Marks a future quantizer site on an FP graph. It computes nothing; the
    runtime records max|x| per site (and per channel) while it runs
    calibration text (`spike-run stats`), and `spike-quantize` replaces each
    observe by a `qnn.quantize` whose scale comes from those statistics.
    It has a side effect (the record) so that it is never folded away.

    ```mlir
    %n = qnn.observe %x site "blk0.attn.norm" : tensor<?x576xf32>
    ```
  }];
  let arguments = (ins QNN_F32Tensor:$input, StrAttr:$site);
  let results = (outs QNN_F32Tensor:$result);
  let assemblyFormat = "$input `site` $site attr-dict `:` type($input)";
  let hasVerifier = 1;
}

#endif // SPIKE_DIALECT_QNN_QNNOPS_TD
