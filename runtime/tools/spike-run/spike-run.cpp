//===- spike-run.cpp - The spikec simulation runtime driver ---------------===//
//
// The usage text and the dispatch to the commands, which live in
// <Name>Command.cpp files (helpers they share: CommandLine.h).
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/runtime/Gemm.h"

#include <ATen/Parallel.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <malloc.h>
#include <sched.h>
#include <string>
#include <vector>

using namespace spike::run;

namespace {

constexpr const char *kUsage =
    R"(OVERVIEW: spike-run - simulation runtime of the spikec compiler

USAGE: spike-run <command> [options]

COMMANDS:
  validate [--no-tensors] FILE...
                     Validate plan, activation-statistics, calibration and
                     firing-rate files (kind detected from their "format"),
                     and chip descriptions (.yaml; docs/ChipFormat.md).
                     --no-tensors skips opening a plan's safetensors file.
  inspect --plan P   Load a plan and all its tensors; print the time grid,
                     op counts and parameter counts.
  exec --plan P --tokens "ID ID ..." [--out F.safetensors] [--device D]
       [--chip-numerics CHIP.yaml [--chip-trace TRACE.safetensors]]
       [--neuron-trace TRACE.safetensors]
                     Run the plan on one token sequence; print the logits'
                     shape, checksum and per-position argmax, and spikes per
                     neuron site; write the logits ("logits", [S, V]) to F.
                     --chip-numerics runs the IF neurons (IF plans) in the
                     chip's integer membrane format; --chip-trace writes
                     what crosses its neuron cores (per IF site the
                     fixed-point charges and the spikes, per linear the
                     integer accumulations), which spike-chipsim checks.
                     --neuron-trace writes each IF site's f32 input
                     currents and its spikes in the float numerics, from
                     which an export (NIR) can be re-simulated.
  generate --plan P --prompt S [--max-tokens N] [--top-k K] [--temperature X]
           [--seed N] [--tokenizer T] [--no-cache] [--device D]
                     Continue a prompt: greedy with --top-k 1, else sampled
                     (top-k, temperature); stops at N tokens or EOS. A KV
                     cache (at spiking levels: the K and V trains) runs
                     each new token alone; --no-cache re-runs the sequence.
  eval --plan P --text F [--tokens N] [--seq-len S] [--batch B]
       [--tokenizer T] [--bos] [--json OUT] [--firing-rates OUT] [--profile]
       [--device D]
                     Perplexity of the plan on a text (non-overlapping
                     chunks of S tokens, default 512), tokens/s, and per
                     neuron site: spikes per neuron per step, sparsity
                     (neuron-steps without a spike event), and the synaptic
                     operations of the linear layers reading the site
                     (events x fan-out) against the dense model's MACs; a
                     table on stdout, JSON to OUT. --firing-rates writes
                     the spikec.firing-rates file the chip mapper reads.
                     --profile adds the wall time per op kind.
                     The tokenizer defaults to the plan's.
  stats --plan P --text F -o OUT [--tokens N] [--seq-len S] [--batch B]
        [--ema E] [--channels] [--prefix "ID ..."] [--tokenizer T]
                     Run a plan with observe sites over calibration text and
                     write their activation statistics (spikec.activation-
                     stats): max |x|, its EMA over batches (E, default 0.99),
                     the MSE-optimal clipping ratio per bit width and, with
                     --channels, the per-channel max. --prefix: PrefixQuant's
                     outlier tokens, prepended to every chunk at full
                     precision and left out of the statistics.
  calibrate --plan IS_PLAN (--text F | --data-free) -o CALIB.json
            [--teacher fp|w-only|qann]
            [--teacher-plan FP_PLAN] [--preset cpu|paper] [--samples N]
            [--seq-len S] [--epochs E] [--batch B] [--lr X]
            [--group-size G|-1] [--v0-per-group] [--seed N] [--bos]
            [--report PREFIX] [--device D]
                     Layer-wise calibration (paper Section 3.4): block by
                     block, learn the IS neurons' thresholds (per group of G
                     channels) and initial membranes (per site, or per
                     group) so that the T-summed block output matches the
                     teacher's, each fed by its own output chain. AdamW,
                     cosine schedule to lr/10, straight-through floor, hard
                     clamp. Samples: N chunks of S tokens spread over F,
                     or (--data-free) N sequences of S tokens that the FP
                     teacher (else the plan) samples from its BOS token
                     (top-k 50).
                     Writes CALIB.json (for spike-opt
                     --spike-apply-calibration) and the per-block MSE of
                     ANN vs QANN, ANN vs SNN before and after as
                     PREFIX.csv and PREFIX.png (default CALIB.layers.*).
                     Presets: cpu (16 x 256 x 2 epochs), paper (64 x 1024
                     x 10).
  zeroshot --plan P [--tasks all|piqa,arc_easy,arc_challenge,hellaswag,
           winogrande] [--limit N] [--batch B] [--data DIR] [--bos]
           [--json OUT] [--device D]
                     Zero-shot multiple-choice accuracy by log-likelihood
                     (lm-evaluation-harness conventions): acc, and acc_norm
                     (per byte of the choice), with standard errors over
                     the first N items (all by default), and the paper's
                     "Avg. Acc." (acc for winogrande, acc_norm otherwise).
                     DIR defaults to $SPIKEC_DATA/zeroshot or
                     ../shared/data/zeroshot.
  agree --plan P --reference FP_PLAN [--samples N] [--seq-len S] [--seed N]
        [--text F] [--json OUT] [--device D]
                     Agreement with the reference on the same tokens: top-1
                     match of the next-token prediction and mean
                     KL(reference || P) per position, on N held-out
                     sequences of S tokens the reference samples itself
                     (default 8 x 128, seed 1) or on N chunks of F.
  sample --plan P -o OUT.txt [--samples N] [--seq-len S] [--seed N]
         [--top-k K] [--tokenizer T] [--device D]
                     Data-free text: N sequences of S tokens the plan
                     samples from its BOS (else EOS) token (top-k K,
                     default 16 x 256, top-k 50, seed 0), decoded, one
                     paragraph each.
  gate --reference FP_PLAN --plan P --text F [--tokens N] [--seq-len S]
       [--max-ratio R] [--strict]
                     The quality gate before conversion: perplexity of P
                     against the FP reference; warns when P is more than R
                     (default 1.10) times worse (--strict: exit code 3).
  roofline --plan P [--rows M] [--repeat R] [--json OUT]
                     The plan's linear layers alone on this machine's
                     product kernels (oneDNN's sgemm, ATen's matmul through
                     its BLAS), M rows each (default 512), best of R runs
                     (default 3): milliseconds per token and GFLOP/s, the
                     floor under a forward pass (bench/snn_speed.sh).
  tokenize --tokenizer T (--text S | --file F | --texts F.json | --info)
           [--decode] [--ids] [--add-special-tokens]
                     Print the token ids of a text (T: .gguf, tokenizer.json,
                     tokenizer.model or a model directory; for --file only
                     the count unless --ids); --decode also checks that
                     decoding gives the text back; --add-special-tokens
                     wraps the ids as HF's add_special_tokens does (the
                     tokenizer.json's post-processor). --texts takes a JSON
                     array of strings and prints a JSON array of
                     {"ids", "decoded", "ids_special"}, one per string.
                     --info prints the vocabulary size, BOS and EOS.
  gguf FILE [--out F.safetensors]
                     List a GGUF file's metadata and tensors; with --out,
                     write every tensor dequantized to f32 safetensors.
  diff A.safetensors B.safetensors [--expect identical|different|close]
       [--tolerance X]
                     Compare the tensors of two files bit for bit; report
                     the largest absolute difference, also relative to the
                     largest |value| of A. `close` requires that relative
                     difference to be at most X (default 1e-3).

THREADS:
  OMP_NUM_THREADS=N  threads of the CPU kernels (default: every core this
                     process may run on); OpenBLAS, behind attention on
                     the CPU, follows OPENBLAS_NUM_THREADS.

DEVICES:
  --device cpu|cuda[:N]  where exec, generate, eval, stats and gate run
                     (default cpu). CUDA needs a spike-run built against a
                     CUDA-enabled libtorch with nvcc; its neuron,
                     accumulate-difference and causal-product kernels are
                     runtime/cuda/SpikeKernels.cu.

OPTIONS:
  --help             Show this help.
  --version          Show the version.
)";

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Every core this process may run on, unless OMP_NUM_THREADS says
  // otherwise: libtorch's own default can be one thread (it counts
  // physical cores through cpuinfo, which may see none on a VM).
  // Keep large temporaries in the heap: glibc maps every block above its
  // mmap threshold (at most 32 MiB) afresh, and a spiking plan's attention
  // scores (T x heads x S x S floats) are larger, so each forward would
  // fault their pages in again. Without mmap and trimming, freed memory
  // stays for the next forward.
  if (!std::getenv("SPIKE_MALLOC_DEFAULTS")) {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
  }
  if (!std::getenv("OMP_NUM_THREADS")) {
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0)
      at::set_num_threads(CPU_COUNT(&cpus));
  }
  if (args.empty())
    return usageError("no command given");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("spike-run %s\nkernels: %s\n", SPIKE_VERSION,
                spike::runtime::kernelSummary().c_str());
    return 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "validate")
      return runValidate(args);
    if (cmd == "inspect")
      return runInspect(args);
    if (cmd == "exec")
      return runExec(args);
    if (cmd == "generate")
      return runGenerate(args);
    if (cmd == "eval")
      return runEval(args);
    if (cmd == "stats")
      return runStats(args);
    if (cmd == "tokenize")
      return runTokenize(args);
    if (cmd == "gate")
      return runGate(args);
    if (cmd == "gguf")
      return runGguf(args);
    if (cmd == "diff")
      return runDiff(args);
    if (cmd == "calibrate")
      return runCalibrate(args);
    if (cmd == "zeroshot")
      return runZeroShot(args);
    if (cmd == "agree")
      return runAgree(args);
    if (cmd == "sample")
      return runSample(args);
    if (cmd == "roofline")
      return runRoofline(args);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "spike-run: error: %s\n", e.what());
    return 1;
  }
  return usageError("unknown command '" + cmd + "'");
}
