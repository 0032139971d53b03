//===- Passes.td - spikec conversion passes ----------------*- tablegen -*-===//

#ifndef SPIKE_CONVERSION_PASSES_TD
#define SPIKE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQNNToSpike : Pass<"convert-qnn-to-spike", "mlir::ModuleOp"> {
  let summary = "Convert a QANN graph into an IS-neuron spiking graph of T steps";
  let description = [{
    The dual ANN-to-SNN conversion (Section 3.2, Appendix G). Activations
    become spike trains of `timesteps` steps:

    | qnn | spike |
    |---|---|
    | `quantize` (n bits, scale s) | `is_neuron` with Theorem-2 parameters: θ = s, v0 = θ/2, L = ⌈(2^n−1)/T⌉, α = 2^(n−1)/T (0 if unsigned), budget 2^n−1 when `budget` |
    | `embedding` output, float function arguments | `encode` (x/T per step) |
    | `linear` | synaptic `linear` per step |
    | `add`, `rope`, `split_heads`, `merge_heads` | the same op per step |
    | `rmsnorm`, `softmax`, `silu` | `accum_map` (eqs 33-35, O(0) = 0) |
    | `matmul` | causal `aa_matmul` (eq 32) |
    | `mul` | causal `aa_mul` (running-sum Hadamard) |
    | `linear` feeding the return (lm_head) | reads the `decode`d sum |

    Weights and the embedding lookup stay tensors. An op that consumes a
    train and has no spiking form is an error, never passed through. T must
    satisfy Theorem 2 for every quantizer (a power of two, T ≤ 2^(n−1)).
    With `coding=signed`, every quantizer becomes a signed-code neuron
    instead (`coding "signed"`: alpha 0, no budget, any T in [1, 1024],
    L = ⌈2^(n−1)/T⌉ on a signed grid; the unsigned softmax output keeps its
    grid [0, 2^n − 1] as `unsigned`, with L = ⌈(2^n − 1)/T⌉, and spends its
    negative spikes on corrections). `signed-cap=full` raises every signed
    neuron's per-step cap L to 2^n − 1, which no input meets.

    Before:
    ```mlir
    %q = qnn.quantize %n site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    %y = qnn.linear %q, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
    ```
    After (`timesteps=2`):
    ```mlir
    %q = spike.is_neuron %n site "blk0.attn.norm" levels 32 alpha 1.600000e+01
           threshold [5.000000e-02] v0 [2.500000e-02] budget 63 bits 6
           : !spike.train<2 x tensor<?x8xf32>>
    %y = spike.linear %q, %w : (!spike.train<2 x tensor<?x8xf32>>, tensor<8x8xf32>)
           -> !spike.train<2 x tensor<?x8xf32>>
    ```
  }];
  let dependentDialects = ["::spike::spk::SpikeDialect"];
  let options = [
    Option<"timesteps", "timesteps", "int64_t",
           /*default=*/"::spike::pipeline::kDefaultTimesteps",
           "Number of time steps T (a power of two, T <= 2^(bits-1))">,
    Option<"budget", "budget", "bool", /*default=*/"true",
           "Cap each neuron's spikes per window at 2^n - 1 (exact for every T)">,
    Option<"bits", "bits", "int64_t", /*default=*/"0",
           "If non-zero, require every quantizer to use this many bits (2..8)">,
    Option<"bidirectional", "bidirectional", "bool", /*default=*/"false",
           "Give every IS neuron correction spikes (SpikeZIP-TF style): the "
           "window's output then follows the quantizer of the summed input "
           "however it is spread over the steps; not lowerable to binary IF">,
    Option<"coding", "coding", "std::string", /*default=*/"\"offset\"",
           "How signed sites carry their sign: offset (the paper's Theorem "
           "2: alpha = 2^(n-1)/T spikes per step stand for zero) or signed "
           "(zero is silence, spikes of either sign, any T in [1, 1024]); "
           "unsigned sites keep their non-negative spikes">,
    Option<"signedCap", "signed-cap", "std::string", /*default=*/"\"even\"",
           "The signed code's per-step spike cap L: even (the smallest L "
           "with T*L covering the grid, which an evenly spread input never "
           "meets) or full (2^n - 1, the grid's width, which no input "
           "meets); a larger L costs graded payload bits or binary "
           "sub-steps, not spikes">
  ];
}

#endif // SPIKE_CONVERSION_PASSES_TD
