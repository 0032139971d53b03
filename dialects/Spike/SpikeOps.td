//===- SpikeOps.td - spike operations ----------------------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKEOPS_TD
#define SPIKE_DIALECT_SPIKE_SPIKEOPS_TD

include "Spike/SpikeDialect.td"
include "Spike/SpikeTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def SpikeF32Tensor : RankedTensorOf<[F32]>;

def Spike_AccumFnSiLU : I32EnumAttrCase<"silu", 0>;
def Spike_AccumFnSoftmax : I32EnumAttrCase<"softmax", 1>;
def Spike_AccumFnRMSNorm : I32EnumAttrCase<"rmsnorm", 2>;
def Spike_AccumFn : I32EnumAttr<"AccumFn",
    "nonlinear function of an accumulate-difference op",
    [Spike_AccumFnSiLU, Spike_AccumFnSoftmax, Spike_AccumFnRMSNorm]> {
  let cppNamespace = "::spike::spk";
}

def Spike_ScheduleITF : I32EnumAttrCase<"IntegrateThenFire", 0, "integrate-then-fire">;
def Spike_ScheduleUniform : I32EnumAttrCase<"Uniform", 1, "uniform">;
def Spike_IFSchedule : I32EnumAttr<"IFSchedule",
    "how an IS step's charge reaches the L binary sub-steps of an IF neuron",
    [Spike_ScheduleITF, Spike_ScheduleUniform]> {
  let cppNamespace = "::spike::spk";
}

def Spike_CodingOffset : I32EnumAttrCase<"Offset", 0, "offset">;
def Spike_CodingSigned : I32EnumAttrCase<"Signed", 1, "signed">;
def Spike_Coding : I32EnumAttr<"Coding",
    "how an IS neuron carries a signed value in spikes",
    [Spike_CodingOffset, Spike_CodingSigned]> {
  let cppNamespace = "::spike::spk";
}

//===----------------------------------------------------------------------===//
// Entering and leaving the time domain
//===----------------------------------------------------------------------===//

def Spike_EncodeOp : Spike_Op<"encode", [Pure]> {
  let summary = "Tensor to train, split uniformly over T";
  let description = [{
    Step t carries `x / T`, so the train sums to x. Used for the embedding
    output (the seed code's e / T repeated T times).
  }];
  let arguments = (ins SpikeF32Tensor:$input);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` qualified(type($result))";
  let hasVerifier = 1;
}

def Spike_DecodeOp : Spike_Op<"decode", [Pure]> {
  let summary = "Train to tensor: the sum over T";
  let arguments = (ins Spike_Train:$input);
  let results = (outs SpikeF32Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Neurons
//===----------------------------------------------------------------------===//

def Spike_ISNeuronOp : Spike_Op<"is_neuron", [Pure, SameOperandsAndResultType]> {
  let summary = "Integer-Spiking neuron with L threshold levels (eqs 8-10)";
  let description = [{
    Per element and step, in threshold units u = v / theta:
    `m = u + I(t)/theta + alpha`,
    `s(t) = clip(floor(m), 0, min(L, budget - spikes so far))`,
    `u = m - s(t)`; the step emits `(s(t) - alpha) * theta`.
    `u(0) = v0 / theta`. `threshold` and `v0` hold one entry or one per
    group of consecutive channels of the last dimension. `budget` (optional)
    caps the spikes of the whole window, which makes the neuron equal the
    n-bit quantizer for every T. With `bits`, the neuron claims the Theorem-2
    parameterization (L = ceil((2^n-1)/T), alpha = 2^(n-1)/T or 0), and the
    verifier checks it. `bidirectional` adds correction spikes (SpikeZIP-TF
    style): the lower clip becomes `-(spikes so far)`, so a step can cancel
    spikes already emitted and the window's count follows the floor of the
    total charge however it is spread over the steps. Binary IF hardware
    cannot emit them (`spike-lower-is-to-if` refuses); graded signed spikes
    can. The arithmetic is `spike::neuron::isStep`.

    `coding "signed"` selects the signed code instead of the paper's offset
    code: zero is silence. The grid [lo, hi] is the quantizer's n-bit grid
    of `bits` (required): [-2^(n-1), 2^(n-1)-1], or [0, 2^n - 1] with
    `unsigned` (the softmax output, whose negative spikes are corrections);
    `alpha` is 0, there is no budget and no `bidirectional`; `levels` is L,
    from ceil(max|grid| / T) up to 2^n - 1. Each step: `m = u + I(t)/theta`,
    `s(t) = clip(floor(m), max(-L, lo - C), min(L, hi - C))` with C the
    window's count so far, `u = m - s(t)`; the step emits `s(t) * theta`.
    The floor is the quantizer's expression, so T = 1 is the QANN bit for
    bit (`spike::neuron::signedCodeParams`).

    ```mlir
    %y = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0
           threshold [0.05] v0 [0.025] budget 63 bits 6
           : !spike.train<2 x tensor<?x576xf32>>
    %z = spike.is_neuron %x site "blk0.mlp.down" levels 16 alpha 0.0
           threshold [0.05] v0 [0.025] bits 6 coding "signed"
           : !spike.train<2 x tensor<?x576xf32>>
    ```
  }];
  let arguments = (ins Spike_Train:$input, StrAttr:$site, I64Attr:$levels,
                       F64Attr:$alpha, DenseF64ArrayAttr:$threshold,
                       DenseF64ArrayAttr:$v0, OptionalAttr<I64Attr>:$budget,
                       OptionalAttr<I64Attr>:$bits, UnitAttr:$bidirectional,
                       OptionalAttr<Spike_Coding>:$coding,
                       UnitAttr:$is_unsigned);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $input `site` $site `levels` $levels `alpha` $alpha `threshold` custom<ExactF64List>($threshold)
    `v0` custom<ExactF64List>($v0) (`budget` $budget^)? (`bits` $bits^)?
    (`bidirectional` $bidirectional^)? (`coding` $coding^)?
    (`unsigned` $is_unsigned^)? attr-dict `:` qualified(type($input))
  }];
  let extraClassDeclaration = [{
    /// The neuron's code: the paper's offset code unless `coding` says so.
    ::spike::neuron::SpikeCoding getSpikeCoding() {
      return getCoding() == ::spike::spk::Coding::Signed
                 ? ::spike::neuron::SpikeCoding::Signed
                 : ::spike::neuron::SpikeCoding::Offset;
    }
    /// Whether the neuron sends negative spikes (correction spikes, or the
    /// signed code, whose unsigned grid corrects with them too): a chip
    /// must carry their sign.
    bool sendsNegativeSpikes() {
      return getBidirectional() ||
             getSpikeCoding() == ::spike::neuron::SpikeCoding::Signed;
    }
  }];
  let hasVerifier = 1;
}

def Spike_IFNeuronOp : Spike_Op<"if_neuron", [Pure]> {
  let summary = "Binary integrate-and-fire neuron over L sub-steps per step (Lemma 2)";
  let description = [{
    Replaces an IS neuron on binary spike-event hardware. For each step t of
    the input (a window current I(t)), the neuron runs `levels` (L) binary
    sub-steps; the result has T * L steps holding spike indicators 0 or 1.
    With charge `q = I(t)/theta + alpha` (threshold units):
    - `integrate-then-fire` (exact for every input): integrate q before the
      first sub-step, then on each sub-step fire once if `u >= 1` (and the
      optional `budget` allows) with subtractive reset, `u -= 1`.
    - `uniform` (the paper's Lemma 2): integrate `q / L` on each sub-step,
      then fire the same way. Equal to the IS neuron only while every step's
      current lies in `[-alpha*theta, (L-alpha)*theta)`.
    `u(0) = v0 / theta`. The `-alpha * theta` of eq. 10 is not a spike: the
    consumer applies it (`spike.if_collect`). The arithmetic is
    `spike::neuron::ifWindow`.

    `coding "signed"` (with `bits`, optionally `unsigned`, alpha 0, no
    budget, integrate-then-fire only) lowers a signed-code IS neuron: the step's charge `I(t)/theta` is
    integrated first, the direction of firing is fixed from the membrane's
    level (+1 at `floor(u) >= 1`, -1 at `floor(u) <= -1`), and each sub-step
    fires at most once in that direction, with subtractive (for -1,
    additive) reset, while the level stays beyond 0 and the window's count
    on the n-bit grid. The result holds -1, 0 or +1; its window sums equal
    the IS neuron's counts bit for bit (`spike::neuron::signedIfWindow`).

    ```mlir
    %s = spike.if_neuron %i site "blk0.attn.norm" levels 32 alpha 1.6e+01
           threshold [0.05] v0 [0.025] budget 63 schedule "integrate-then-fire"
           : !spike.train<2 x tensor<?x576xf32>> -> !spike.train<64 x tensor<?x576xf32>>
    %z = spike.if_neuron %j site "blk0.mlp.down" levels 16 alpha 0.0
           threshold [0.05] v0 [0.025] bits 6 coding "signed"
           schedule "integrate-then-fire"
           : !spike.train<2 x tensor<?x576xf32>> -> !spike.train<32 x tensor<?x576xf32>>
    ```
  }];
  let arguments = (ins Spike_Train:$input, StrAttr:$site, I64Attr:$levels,
                       F64Attr:$alpha, DenseF64ArrayAttr:$threshold,
                       DenseF64ArrayAttr:$v0, OptionalAttr<I64Attr>:$budget,
                       OptionalAttr<I64Attr>:$bits,
                       OptionalAttr<Spike_Coding>:$coding,
                       UnitAttr:$is_unsigned, Spike_IFSchedule:$schedule);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $input `site` $site `levels` $levels `alpha` $alpha
    `threshold` custom<ExactF64List>($threshold) `v0` custom<ExactF64List>($v0)
    (`budget` $budget^)? (`bits` $bits^)? (`coding` $coding^)?
    (`unsigned` $is_unsigned^)? `schedule` $schedule attr-dict `:`
    qualified(type($input)) `->` qualified(type($result))
  }];
  let extraClassDeclaration = [{
    /// The neuron's code: the paper's offset code unless `coding` says so.
    ::spike::neuron::SpikeCoding getSpikeCoding() {
      return getCoding() == ::spike::spk::Coding::Signed
                 ? ::spike::neuron::SpikeCoding::Signed
                 : ::spike::neuron::SpikeCoding::Offset;
    }
    /// Whether the neuron sends negative spikes (the signed code, on
    /// either grid): a chip must carry their sign.
    bool sendsNegativeSpikes() {
      return getSpikeCoding() == ::spike::neuron::SpikeCoding::Signed;
    }
  }];
  let hasVerifier = 1;
}

def Spike_IFCollectOp : Spike_Op<"if_collect", [Pure]> {
  let summary = "Consumer side of an IF neuron: counts a window's spikes, applies the -alpha bias";
  let description = [{
    Step t of the result is `(c(t) - alpha) * theta` with `c(t)` the sum of
    the spikes in sub-steps `[t*L, (t+1)*L)` of the input (a signed-code
    neuron's -1 spikes count -1): the value the IS neuron emits (eq. 10),
    computed by the same `spike::neuron::isOutput`.
    On a chip this is the synaptic integration of a window's binary events
    by the consumers, with `-alpha * theta` folded into their bias.
  }];
  let arguments = (ins Spike_Train:$input, I64Attr:$levels, F64Attr:$alpha,
                       DenseF64ArrayAttr:$threshold);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $input `levels` $levels `alpha` $alpha
    `threshold` custom<ExactF64List>($threshold) attr-dict `:`
    qualified(type($input)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Synapses and stepwise ops
//===----------------------------------------------------------------------===//

def Spike_LinearOp : Spike_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "Synaptic linear layer applied at every step";
  let description = [{
    Step t of T: `y(t) = x(t) W^T + b / T`, with the weight grid of
    `qnn.linear` when `bits` and `scales` are given. The bias arrives in
    equal parts over the T steps, as `spike.encode` spreads a value, so the
    sum over T is the layer's output `x W^T + b` (T is a power of two, so
    `b / T` is exact). On a chip it is a constant current into the
    consumers' charge, added by the host with the row scales
    (docs/ChipProgram.md).
  }];
  let arguments = (ins Spike_Train:$input, SpikeF32Tensor:$weight,
                       Optional<SpikeF32Tensor>:$weight_scale,
                       Optional<SpikeF32Tensor>:$bias,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<2>, IntMaxValue<8>]>>:$weight_bits);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bits` $weight_bits^)? (`scales` $weight_scale^)?
    (`bias` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Spike_AddOp : Spike_Op<"add", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Stepwise sum of two trains (the residual add)";
  let arguments = (ins Spike_Train:$lhs, Spike_Train:$rhs);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` qualified(type($result))";
}

def Spike_RoPEOp : Spike_Op<"rope", [Pure, SameOperandsAndResultType]> {
  let summary = "Rotary position embedding applied at every step";
  let description = [{
    `qnn.rope` on each step. RoPE is linear in its input, so the sum over T
    commutes with it.
  }];
  let arguments = (ins Spike_Train:$input, F64Attr:$base,
                       OptionalAttr<StrAttr>:$scaling,
                       OptionalAttr<F64Attr>:$factor,
                       OptionalAttr<F64Attr>:$low_freq_factor,
                       OptionalAttr<F64Attr>:$high_freq_factor,
                       OptionalAttr<I64Attr>:$original_max_position,
                       OptionalAttr<DenseF64ArrayAttr>:$freq_factors);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$input `base` $base attr-dict `:` qualified(type($input))";
  let hasVerifier = 1;
}

def Spike_SplitHeadsOp : Spike_Op<"split_heads", [Pure]> {
  let summary = "`qnn.split_heads` at every step";
  let arguments = (ins Spike_Train:$input);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` qualified(type($result))";
  let hasVerifier = 1;
}

def Spike_MergeHeadsOp : Spike_Op<"merge_heads", [Pure]> {
  let summary = "`qnn.merge_heads` at every step";
  let arguments = (ins Spike_Train:$input);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` qualified(type($result))";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Nonlinear and activation x activation ops (Appendix G)
//===----------------------------------------------------------------------===//

def Spike_AccumMapOp : Spike_Op<"accum_map", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Accumulate-then-difference nonlinearity (eqs 33-35)";
  let description = [{
    `X(t) = X(t-1) + x(t)`, `O(t) = f(X(t))`, `o(t) = O(t) - O(t-1)` with
    `O(0) = 0`, so the outputs sum to exactly `f(sum of inputs)` (note that
    `softmax(0)` is not 0, hence the explicit `O(0) = 0`). `fn` is `silu`,
    `softmax` (with optional `causal`) or `rmsnorm` (with `weight` and
    `eps`), each as defined by the `qnn` op of that name.
  }];
  let arguments = (ins Spike_AccumFn:$fn, Spike_Train:$input,
                       Optional<SpikeF32Tensor>:$weight,
                       OptionalAttr<F64Attr>:$eps, UnitAttr:$causal);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $fn $input (`,` $weight^ `:` type($weight))? (`eps` $eps^)?
    (`causal` $causal^)? attr-dict `:` qualified(type($input))
  }];
  let hasVerifier = 1;
}

def Spike_AAMatmulOp : Spike_Op<"aa_matmul", [Pure]> {
  let summary = "Causal activation x activation matmul (eq 32)";
  let description = [{
    With running sums `S_A(t)`, `S_B(t)`: step t emits
    `S_A(t) B(t) + A(t) S_B(t) - A(t) B(t)`, so the outputs up to t sum to
    `S_A(t) S_B(t)`. Head batching and GQA as in `qnn.matmul`.
  }];
  let arguments = (ins Spike_Train:$lhs, Spike_Train:$rhs, UnitAttr:$transpose_rhs);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    qualified(type($lhs)) `,` qualified(type($rhs)) `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def Spike_AAMulOp : Spike_Op<"aa_mul", [Pure, Commutative, SameOperandsAndResultType]> {
  let summary = "Causal activation x activation Hadamard product";
  let description = [{
    Step t emits `A(t) * S_B(t) + S_A(t) * B(t) - A(t) * B(t)`, whose
    running sum is `S_A(t) * S_B(t)`. The paper's eq. 36 has the same total
    but needs all T steps first; this form is causal (gate x up).
  }];
  let arguments = (ins Spike_Train:$lhs, Spike_Train:$rhs);
  let results = (outs Spike_Train:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` qualified(type($result))";
}

#endif // SPIKE_DIALECT_SPIKE_SPIKEOPS_TD
