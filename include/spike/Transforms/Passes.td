//===- Passes.td - spikec transformation passes ------------*- tablegen -*-===//

#ifndef SPIKE_TRANSFORMS_PASSES_TD
#define SPIKE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SpikeVerifySites : Pass<"spike-verify-sites", "mlir::ModuleOp"> {
  let summary = "Check that every quantizer and neuron has a unique site name";
  let description = [{
    Site names (`blk3.attn.q_rope`) key the activation statistics, the
    calibration file and the firing-rate file, so each must name exactly one
    `qnn.quantize`, `spike.is_neuron` or `spike.if_neuron` in the module.
    The pass changes nothing; it fails with a diagnostic on the second use of
    a name and a note on the first. With `expect-prefix`, every site must
    also start with that prefix (for example `blk` in a block-only test).

    Before and after (unchanged):
    ```mlir
    %0 = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    %1 = qnn.quantize %y site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    // error: site "blk0.attn.norm" is used twice
    ```
  }];
  let options = [
    Option<"expectPrefix", "expect-prefix", "std::string", /*default=*/"\"\"",
           "Require every site name to start with this prefix">
  ];
}

def SpikeLowerISToIF : Pass<"spike-lower-is-to-if", "mlir::ModuleOp"> {
  let summary = "Lower IS neurons to binary IF neurons over L sub-steps (Lemma 2)";
  let description = [{
    Each `spike.is_neuron` (T steps, L levels) becomes a `spike.if_neuron`
    that fires binary spikes on T x L sub-steps, followed by a
    `spike.if_collect` that counts each window's spikes and applies the
    `-alpha * theta` correction as the consumers' bias (Appendix F). The
    rest of the graph keeps the step grid: every consumer integrates a
    whole window of binary events, which is what makes the default
    `integrate-then-fire` schedule exact for every input. `uniform` is the
    paper's Lemma 2 (exact only inside its precondition).

    The cumulative spike budget is kept as a counter; with
    `keep-budget=false` (targets that cannot count) it is dropped and a
    remark names each site that lost it.

    Before:
    ```mlir
    %y = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 1.6e+01
           threshold [0.05] v0 [0.025] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
    ```
    After:
    ```mlir
    %s = spike.if_neuron %x site "blk0.attn.norm" levels 32 alpha 1.6e+01
           threshold [0.05] v0 [0.025] budget 63 schedule "integrate-then-fire"
           : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>
    %y = spike.if_collect %s levels 32 alpha 1.6e+01 threshold [0.05]
           : !spike.train<64 x tensor<?x8xf32>> -> !spike.train<2 x tensor<?x8xf32>>
    ```
  }];
  let options = [
    Option<"schedule", "schedule", "std::string",
           /*default=*/"\"integrate-then-fire\"",
           "How a step's charge reaches the sub-steps: integrate-then-fire (exact) or uniform (Lemma 2)">,
    Option<"keepBudget", "keep-budget", "bool", /*default=*/"true",
           "Keep the cumulative spike budget as a counter (false: drop it and report each site)">
  ];
}

def SpikeApplyCalibration : Pass<"spike-apply-calibration", "mlir::ModuleOp"> {
  let summary = "Write calibrated thresholds and initial membranes into IS neurons";
  let description = [{
    Reads a `spikec.calibration` file (docs/PlanFormat.md), validated against
    its schema, and sets `threshold` and `v0` of the `spike.is_neuron` with
    each listed site. Per-group lists must divide the neuron's feature
    dimension. A site that names no neuron, or a file whose `timesteps`
    differs from the neuron's T, is an error. Neurons the file does not list
    keep their values.

    Before: `spike.is_neuron %x site "blk0.attn.norm" ... threshold [0.05] v0 [0.025]`
    After, with `{"blk0.attn.norm": {"threshold": [0.051, 0.048], "v0": [0.02]}}`:
    `spike.is_neuron %x site "blk0.attn.norm" ... threshold [0.051, 0.048] v0 [0.02]`

    A file with learnt weights (`spike-run calibrate --learn weights`) also
    names a safetensors file of them. The pass then writes `weights-out`: the
    module's weight file with each learnt weight replaced (on its grid) and
    its row scales added as `NAME.scale`. The module's `qnn.weights` names
    the new file (by its name alone when it lies beside the input IR, so
    the directory can move), and each learnt linear reads those scales, so the plan,
    NIR and chip emitters all see the learnt codes:

    Before: `%y = spike.linear %x, %w bits 6 : ...` (`%w` the parameter
    `"model.layers.0.mlp.up_proj.weight"`)
    After: `%s = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight.scale"> : tensor<1536xf32>`
    and `%y = spike.linear %x, %w bits 6 scales %s : ...`

    With `overlay=true`, `weights-out` holds only the learnt weights and
    their scales and names the module's file as its base (metadata
    `spikec.base`, docs/PlanFormat.md): a 7B model's other 13 GB are not
    copied, and the two files must move together. `weights-out` may not be
    the module's file or a base of it.
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"",
           "Path of the spikec.calibration JSON file">,
    Option<"weightsOut", "weights-out", "std::string", /*default=*/"\"\"",
           "The weight file to write when the calibration has learnt weights">,
    Option<"overlay", "overlay", "bool", /*default=*/"false",
           "Write only the learnt weights and their scales, naming the read file as the base of the rest">
  ];
}

def SpikeStoreWeightCodes : Pass<"spike-store-weight-codes", "mlir::ModuleOp"> {
  let summary = "Store each quantized linear's weight as integer codes and row scales";
  let description = [{
    Writes `out`: the module's weight file with the weight of each linear
    that has `bits` n replaced by its codes on the n-bit per-row grid (I8
    for n <= 8, I16 up to 16; `spike::neuron::weightCode`, the function the
    runtime and the chip emitters apply). A linear without `scales` gets
    its absmax row scales as the tensor `NAME.scale` and reads them. Every
    other tensor (embedding, norms, lm_head, the online rotation) is copied
    as stored, so bf16 stays bf16, and codes the file already stores are
    copied as they are. The module's `qnn.weights` then names `out` (by its
    name alone when it lies beside the input IR).

    The file is about half the size of bf16 and a quarter of f32. Plans
    emitted from the module (version 4), its NIR and its chip program read
    the codes as stored: the runtime no longer quantizes at load, and every
    back end sees the same integers. Passes that need the float weights
    (observers, quantization, calibration with learnt weights) run before.

    With `overlay=true`, `out` holds only the new codes and scales and
    names the file it read as its base (metadata `spikec.base`): every
    other tensor is read from there (docs/PlanFormat.md, "Weight files").
    The embedding and lm_head of an 8B model are then not copied (2.1 GB);
    the two files must move together.

    A weight that a quantized linear shares with another op, or with a
    linear of another width or other scales, is an error: its codes would
    not serve both.

    Before (`qnn.weights = "fp.safetensors"`, the weight stored as bf16):
    ```mlir
    %w = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<1536x576xf32>
    %y = spike.linear %x, %w bits 6 : ...
    ```
    After, with `out=codes.safetensors` (the weight stored as I8):
    ```mlir
    %s = qnn.weight #qnn.param<"model.layers.0.mlp.up_proj.weight.scale"> : tensor<1536xf32>
    %y = spike.linear %x, %w bits 6 scales %s : ...
    ```
  }];
  let options = [
    Option<"out", "out", "std::string", /*default=*/"\"\"",
           "The weight file to write">,
    Option<"overlay", "overlay", "bool", /*default=*/"false",
           "Write only the codes and scales, naming the read file as the base of the rest">
  ];
}

def SpikeInsertObservers : Pass<"spike-insert-observers", "mlir::ModuleOp"> {
  let summary = "Mark PrefixQuant's activation-quantizer sites on an FP LLaMA graph";
  let description = [{
    Inserts a `qnn.observe` at each static quantizer site of PrefixQuant
    (and of the paper's released code), named by the stable site scheme:

    | site | tensor |
    |---|---|
    | `blk{i}.attn.norm` | input RMSNorm output (feeds q/k/v) |
    | `blk{i}.attn.q_rope`, `blk{i}.attn.k_rope` | Q and K after RoPE |
    | `blk{i}.attn.v` | V |
    | `blk{i}.attn.softmax` | attention probabilities |
    | `blk{i}.attn.o_in` | o_proj input |
    | `blk{i}.mlp.norm` | post-attention RMSNorm output (feeds gate/up) |
    | `blk{i}.mlp.down_in` | down_proj input |

    Blocks and roles are recognised from the weights' checkpoint names
    (`model.layers.{i}.self_attn.q_proj.weight`, ...), as written by
    `--import-llama`. A graph in which a site cannot be identified is an
    error.

    Before: `%n = qnn.rmsnorm %x, %g ...` (weight `model.layers.0.input_layernorm.weight`)
    After: `%n = qnn.rmsnorm ...` then `%o = qnn.observe %n site "blk0.attn.norm"`,
    with every former use of `%n` reading `%o`.
  }];
}

def SpikeQuantize : Pass<"spike-quantize", "mlir::ModuleOp"> {
  let summary = "Static W/A quantization from activation statistics (PrefixQuant-style)";
  let description = [{
    Turns every `qnn.observe` into a static per-tensor `qnn.quantize` whose
    scale comes from the `spikec.activation-stats` file:
    `scale = 2 * clip * m / (2^n - 1)` on the signed grid, and
    `clip * m / (2^n - 1)` on the unsigned grid of the softmax output, with
    m the EMA of the per-batch max |x| (or the max, with `use-ema=false`).
    Every `qnn.linear` except the lm_head (a linear feeding the return) and
    online rotations (weights named `*_rotation`) gets `wbits`-bit symmetric per-output-channel weights (absmax scales). Bits
    can be set per site class (`q-bits`, `kv-bits`, `softmax-bits`; 0 means
    `abits`). Statistics collected with a PrefixQuant prefix
    (`spike-run stats --prefix`) put it on the module as
    `qnn.prefix_tokens`: the quantized model runs with that prefix at full
    precision.

    Before: `%o = qnn.observe %n site "blk0.attn.norm" : tensor<?x576xf32>`
    After: `%o = qnn.quantize %n site "blk0.attn.norm" bits 6 scale [0.0123] : tensor<?x576xf32>`
  }];
  let options = [
    Option<"stats", "stats", "std::string", /*default=*/"\"\"",
           "The spikec.activation-stats file">,
    Option<"wbits", "wbits", "int64_t", /*default=*/"6",
           "Weight bits (0: keep FP weights)">,
    Option<"abits", "abits", "int64_t", /*default=*/"6", "Activation bits">,
    Option<"qBits", "q-bits", "int64_t", /*default=*/"0",
           "Bits of the Q-after-RoPE sites (0: abits)">,
    Option<"kvBits", "kv-bits", "int64_t", /*default=*/"0",
           "Bits of the K-after-RoPE and V sites (0: abits)">,
    Option<"softmaxBits", "softmax-bits", "int64_t", /*default=*/"0",
           "Bits of the softmax-output sites (0: abits)">,
    Option<"clip", "clip", "double", /*default=*/"1.0",
           "Clipping ratio applied to the observed maximum">,
    Option<"useEma", "use-ema", "bool", /*default=*/"true",
           "Use the EMA of the per-batch maxima (false: the overall max)">,
    Option<"mse", "mse", "bool", /*default=*/"false",
           "Clip each site by its MSE-optimal ratio from the statistics (mse_clip), instead of `clip`">
  ];
}

def SpikeCheckChip : Pass<"spike-check-chip", "mlir::ModuleOp"> {
  let summary = "Check a spiking graph against a chip description";
  let description = [{
    Reads a `spikec.chip` description (docs/ChipFormat.md) and reports, op
    by op, what the target cannot hold or run, early and specifically:

    - `spike.linear`: the fan-in (input features) against the neuron cores'
      `max_fan_in_axons`. Too large is an error on binary-spike targets,
      where no partial-sum relay split exists; on graded-spike targets it is
      a remark that legalization must split it.
    - `spike.is_neuron`: emits up to L spikes per step (signed with
      correction spikes), so it needs graded spikes of ceil(log2(L + 1))
      (+1) payload bits; a binary target needs `spike-lower-is-to-if` first.
      `spike.if_neuron` runs anywhere neurons run.
    - neuron fan-out: destination cores (each reading linear spreads over
      ceil(out / max_neurons) cores) against `max_fan_out`; a remark that
      copy neurons must split it.
    - synapse memory: the weights' bits against the neuron cores' synapse
      memory of all chips; an error when the lower bound exceeds them.
    - accumulate-difference maps, activation products: remarks naming the
      core type that runs them, or the host when none does.

    The IR is unchanged; the pass fails if any error was reported.

    ```mlir
    %y = spike.linear %x, %w bits 6 : (!spike.train<2 x tensor<?x1536xf32>>, tensor<576x1536xf32>) -> ...
    // with chip=chips/truenorth-like.yaml:
    // error: linear "model.layers.3.mlp.down_proj.weight" needs fan-in 1536;
    //   max is 256 on core type neurosynaptic; graded spikes unavailable, so
    //   no relay split is possible
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip description (YAML)">
  ];
}

def SpikeMapToChip : Pass<"spike-map-to-chip", "mlir::ModuleOp"> {
  let summary = "Partition, place and route a spiking graph on a chip";
  let description = [{
    Maps the graph onto a `spikec.chip` description (docs/ChipFormat.md)
    with the core mapper (`spike/core/Chip/ChipMapping.h`; docs/Mapping.md):

    - neuron sites (`spike.is_neuron`, `spike.if_neuron`) and synapse groups
      (`spike.linear`, cut into tiles within fan-in, neuron, synapse- and
      state-memory capacities; fan-in above the limit becomes partial-sum
      tiles plus relay neurons on graded chips) are packed onto neuron
      cores in dataflow order;
    - the non-neuron ops between a linear and the next neurons (activation
      products, accumulate-difference maps, K/V state, residual adds) form
      one glue unit per destination, which runs on the neuron cores, a
      programmable core type or the host, as the chip says;
    - placement lays cores along a snake over each chip's mesh and swaps
      pairs while that lowers messages x hops; `placement=round-robin` is
      the naive baseline that deals cores in turn;
    - routing is XY; messages are weighted by the firing rates that
      `spike-run eval --firing-rates` measured (`rates=FILE`), else one
      event per neuron and step.

    Each `spike.linear` gets a `spike.cores` attribute (the global core of
    each of its tiles). `report-md=FILE` writes the same as a readable
    markdown table. `report=FILE` writes a `spikec.chip-mapping` JSON
    file: cores used against the capacity lower bound, relays, traffic,
    hops, routing-table use, latency and energy per token by kind (glue
    ops priced on the core type that runs them), per layer synaptic ops
    against dense MACs; three ways to run (decode with batch 1, batched
    decode of `batch` sequences, prefill of a `prompt`-token prompt) with
    latency, tokens/s and energy per token; the references (int8 dense,
    the SOP convention, a published edge GPU) and the spike rate at which
    the SNN would match each (spike/core/Chip/RunModes.h).
    What cannot fit is an error naming the layer and the limit.

    ```mlir
    %y = spike.linear %x, %w bits 6 : (...) -> ...
    // after spike-map-to-chip{chip=chips/loihi2-like.yaml}:
    %y = spike.linear %x, %w bits 6 {spike.cores = array<i64: 17, 18>} : ...
    ```
  }];
  let options = [
    Option<"chip", "chip", "std::string", /*default=*/"\"\"",
           "The chip description (YAML)">,
    Option<"rates", "rates", "std::string", /*default=*/"\"\"",
           "Firing rates (spikec.firing-rates) from spike-run eval">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Where to write the mapping report (JSON)">,
    Option<"placement", "placement", "std::string",
           /*default=*/"\"optimized\"",
           "optimized or round-robin (the baseline)">,
    Option<"reportMd", "report-md", "std::string", /*default=*/"\"\"",
           "Where to write the readable report (markdown)">,
    Option<"context", "context", "int64_t",
           /*default=*/"::spike::pipeline::kDefaultContext",
           "Context length that sizes per-token neurons over the sequence "
           "(the attention scores)">,
    Option<"placementOut", "placement-out", "std::string",
           /*default=*/"\"\"",
           "Where to write the placement (spikec.chip-placement) that "
           "--emit-chip-program --program-placement builds the program from">,
    Option<"batch", "batch", "int64_t", /*default=*/"0",
           "Sequences in flight for batched decode (0: the pipeline depth, "
           "capped by the K/V memory)">,
    Option<"prompt", "prompt", "int64_t", /*default=*/"128",
           "Prompt tokens for the prefill run mode">,
    Option<"energyPlot", "energy-plot", "std::string", /*default=*/"\"\"",
           "Where to write energy per token against the spike rate, each "
           "way to run beside the references (PNG)">,
    Option<"meshPlot", "mesh-plot", "std::string", /*default=*/"\"\"",
           "Where to write the core mesh coloured by synaptic energy, with "
           "the busiest routes (PNG)">,
    ListOption<"compare", "compare", "std::string",
               "Mapping reports (JSON) of other codes or T on the same chip, "
               "whose measured points the energy plot marks too">
  ];
}

#endif // SPIKE_TRANSFORMS_PASSES_TD
