//===- spike-run.cpp - The spikec simulation runtime driver ---------------===//
//
// Subcommands:
//   validate FILE...   check plans, activation statistics, calibration and
//                      firing-rate files against their schemas and rules
//   inspect --plan P   load a plan and its tensors, print a summary
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/FileIO.h"
#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
#include "spike/core/ChipDescription.h"
#endif
#include "spike/core/Formats.h"
#include "spike/core/Gguf.h"
#include "spike/core/Safetensors.h"
#include "spike/core/Tokenizer.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Generate.h"
#include "spike/runtime/Plan.h"
#include "spike/runtime/TensorIO.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
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
                     Run the plan on one token sequence; print the logits'
                     shape, checksum and per-position argmax, and spikes per
                     neuron site; write the logits ("logits", [S, V]) to F.
                     --chip-numerics runs the IF neurons (IF plans) in the
                     chip's integer membrane format; --chip-trace writes
                     what crosses its neuron cores (per IF site the
                     fixed-point charges and the spikes, per linear the
                     integer accumulations), which spike-chipsim checks.
  generate --plan P --prompt S [--max-tokens N] [--top-k K] [--temperature X]
           [--seed N] [--tokenizer T] [--no-cache] [--device D]
                     Continue a prompt: greedy with --top-k 1, else sampled
                     (top-k, temperature); stops at N tokens or EOS. A KV
                     cache (at spiking levels: the K and V trains) runs
                     each new token alone; --no-cache re-runs the sequence.
  eval --plan P --text F [--tokens N] [--seq-len S] [--batch B]
       [--tokenizer T] [--bos] [--json OUT] [--firing-rates OUT] [--device D]
                     Perplexity of the plan on a text (non-overlapping
                     chunks of S tokens, default 512), tokens/s, and per
                     neuron site: spikes per neuron per step, sparsity
                     (neuron-steps without a spike event), and the synaptic
                     operations of the linear layers reading the site
                     (events x fan-out) against the dense model's MACs; a
                     table on stdout, JSON to OUT. --firing-rates writes
                     the spikec.firing-rates file the chip mapper reads.
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
  tokenize --tokenizer T (--text S | --file F) [--decode] [--ids]
                     Print the token ids of a text (T: .gguf, tokenizer.json,
                     tokenizer.model or a model directory; for --file only
                     the count unless --ids); --decode also checks that
                     decoding gives the text back.
  gguf FILE [--out F.safetensors]
                     List a GGUF file's metadata and tensors; with --out,
                     write every tensor dequantized to f32 safetensors.
  diff A.safetensors B.safetensors [--expect identical|different|close]
       [--tolerance X]
                     Compare the tensors of two files bit for bit; report
                     the largest absolute difference, also relative to the
                     largest |value| of A. `close` requires that relative
                     difference to be at most X (default 1e-3).

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

int runValidate(const std::vector<std::string> &args) {
  spike::core::ValidateOptions options;
  std::vector<std::string> files;
  for (const auto &a : args) {
    if (a == "--no-tensors")
      options.checkTensors = false;
    else if (a.rfind("-", 0) == 0)
      return usageError("validate: unknown option '" + a + "'");
    else
      files.push_back(a);
  }
  if (files.empty())
    return usageError("validate: no input file");
  int rc = 0;
  for (const auto &f : files) {
    bool yaml = f.size() > 5 && (f.compare(f.size() - 5, 5, ".yaml") == 0 ||
                                 f.compare(f.size() - 4, 4, ".yml") == 0);
    if (yaml) {
#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
      auto chip = spike::core::loadChipDescription(f);
      if (!chip) {
        std::fprintf(stderr, "spike-run: error: %s\n", chip.message().c_str());
        rc = 1;
        continue;
      }
      int64_t cores = 0;
      for (const auto &c : chip->coreTypes)
        cores += c.count;
      std::printf("%s: valid spikec.chip (%s: %lld chip(s), %zu core types, "
                  "%lld cores per chip)\n",
                  f.c_str(), chip->name.c_str(), (long long)chip->chips,
                  chip->coreTypes.size(), (long long)cores);
#else
      std::fprintf(stderr,
                   "spike-run: error: %s: this build has no chip "
                   "descriptions (yaml-cpp)\n",
                   f.c_str());
      rc = 1;
#endif
      continue;
    }
    auto kind = spike::core::validateFile(f, options);
    if (!kind) {
      std::fprintf(stderr, "spike-run: error: %s\n", kind.message().c_str());
      rc = 1;
      continue;
    }
    std::printf("%s: valid %s\n", f.c_str(), spike::core::formatName(*kind));
  }
  return rc;
}

int runInspect(const std::vector<std::string> &args) {
  std::string plan;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--plan" && i + 1 < args.size())
      plan = args[++i];
    else
      return usageError("inspect: unexpected argument '" + args[i] + "'");
  }
  if (plan.empty())
    return usageError("inspect: --plan P is required");
  auto kind = spike::core::validateFile(plan);
  if (!kind) {
    std::fprintf(stderr, "spike-run: error: %s\n", kind.message().c_str());
    return 1;
  }
  if (*kind != spike::core::DocumentKind::Plan) {
    std::fprintf(stderr, "spike-run: error: %s: not a plan\n", plan.c_str());
    return 1;
  }
  // Validated above, so the fields read here exist with the right types.
  std::ifstream in(plan);
  nlohmann::json doc = nlohmann::json::parse(in);
  std::string dir = plan.find('/') == std::string::npos
                        ? "."
                        : plan.substr(0, plan.find_last_of('/'));
  auto file = spike::core::SafetensorsFile::open(
      dir + "/" + doc["tensors"].get<std::string>());
  if (!file) {
    std::fprintf(stderr, "spike-run: error: %s\n", file.message().c_str());
    return 1;
  }
  std::map<std::string, int> opCounts;
  for (const auto &op : doc["ops"])
    ++opCounts[op["op"].get<std::string>()];
  int64_t params = 0;
  for (const auto &[name, info] : file->tensors()) {
    auto t = spike::runtime::loadTensor(*file, name);
    if (!t) {
      std::fprintf(stderr, "spike-run: error: %s\n", t.message().c_str());
      return 1;
    }
    params += t->numel();
  }
  std::printf("plan      %s\nlevel     %s\ntime      T=%lld substeps=%lld\n",
              plan.c_str(), doc["level"].get<std::string>().c_str(),
              (long long)doc["time"]["timesteps"].get<int64_t>(),
              (long long)doc["time"]["substeps"].get<int64_t>());
  std::printf("tensors   %zu (%lld parameters)\nops       %zu\n",
              file->tensors().size(), (long long)params, doc["ops"].size());
  for (const auto &[op, n] : opCounts)
    std::printf("  %-12s %d\n", op.c_str(), n);
  return 0;
}

int runExec(const std::vector<std::string> &args) {
  std::string planPath, tokensText, out, device = "cpu", chipPath, tracePath;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--plan" && i + 1 < args.size())
      planPath = args[++i];
    else if (args[i] == "--chip-numerics" && i + 1 < args.size())
      chipPath = args[++i];
    else if (args[i] == "--chip-trace" && i + 1 < args.size())
      tracePath = args[++i];
    else if (args[i] == "--device" && i + 1 < args.size())
      device = args[++i];
    else if (args[i] == "--tokens" && i + 1 < args.size())
      tokensText = args[++i];
    else if (args[i] == "--out" && i + 1 < args.size())
      out = args[++i];
    else
      return usageError("exec: unexpected argument '" + args[i] + "'");
  }
  if (planPath.empty() || tokensText.empty())
    return usageError("exec: --plan P and --tokens \"ID ...\" are required");
  std::vector<int64_t> ids;
  std::istringstream in(tokensText);
  std::string word;
  while (in >> word) {
    char *end = nullptr;
    long long v = std::strtoll(word.c_str(), &end, 10);
    if (*end != '\0' || v < 0)
      return usageError("exec: --tokens: '" + word +
                        "' is not a non-negative token id");
    ids.push_back(v);
  }
  if (ids.empty())
    return usageError("exec: --tokens is empty");
  if (!tracePath.empty() && chipPath.empty())
    return usageError("exec: --chip-trace needs --chip-numerics CHIP");
  auto plan = loadPlanOn(planPath, device);
  if (!plan)
    return fail(plan.message());
  spike::runtime::Executor exec(*plan);
  std::map<std::string, at::Tensor> trace;
  if (!chipPath.empty()) {
    auto chip = chipNumerics(chipPath, *plan);
    if (!chip)
      return fail(chip.message());
    exec.setChipNumerics(*chip);
    if (!tracePath.empty())
      exec.setChipTrace(&trace);
  }
  at::Tensor tokens =
      at::tensor(ids, at::kLong).reshape({1, int64_t(ids.size())});
  auto logits = exec.forward(tokens);
  if (!logits)
    return fail(logits.message());
  at::Tensor l =
      logits->reshape({int64_t(ids.size()), -1}).to(at::kCPU).contiguous();
  std::printf("plan      %s (level %s, T=%lld)\n", planPath.c_str(),
              plan->level.c_str(), (long long)plan->timesteps);
  std::printf("logits    [%lld, %lld] sum %.9g\n", (long long)l.size(0),
              (long long)l.size(1), l.sum().item<double>());
  std::printf("argmax   ");
  at::Tensor top = l.argmax(-1);
  for (int64_t i = 0; i < top.size(0); ++i)
    std::printf(" %lld", (long long)top[i].item<int64_t>());
  std::printf("\n");
  for (const auto &[site, c] : exec.spikeCounts())
    std::printf("spikes    %-24s %.4f per neuron per step\n", site.c_str(),
                double(c.spikes) / double(c.slots));
  if (!out.empty()) {
    spike::core::SafetensorsWriter w;
    std::vector<float> values(l.data_ptr<float>(),
                              l.data_ptr<float>() + l.numel());
    if (auto st = w.addF32("logits", {l.size(0), l.size(1)}, values); !st)
      return fail(st.message());
    if (auto st = w.write(out); !st)
      return fail(st.message());
  }
  if (!tracePath.empty()) {
    if (auto st = writeTensors(tracePath, trace); !st)
      return fail(st.message());
    std::printf("trace     %s: %zu tensors\n", tracePath.c_str(), trace.size());
  }
  return 0;
}

int runGenerate(const std::vector<std::string> &args) {
  std::string planPath, prompt, tokenizerPath;
  int64_t maxTokens = 32, topK = 0, seed = 0;
  double temperature = 1.0;
  bool useCache = true;
  std::string device = "cpu";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    if (a == "--plan" && hasValue)
      planPath = args[++i];
    else if (a == "--prompt" && hasValue)
      prompt = args[++i];
    else if (a == "--tokenizer" && hasValue)
      tokenizerPath = args[++i];
    else if (a == "--no-cache")
      useCache = false;
    else if (a == "--device" && hasValue)
      device = args[++i];
    else if (a == "--temperature" && hasValue)
      temperature = std::strtod(args[++i].c_str(), nullptr);
    else if ((a == "--max-tokens" || a == "--top-k" || a == "--seed") &&
             hasValue) {
      int64_t v;
      if (!parseInt(args[++i], v))
        return usageError("generate: " + a +
                          " needs a non-negative "
                          "integer, got '" +
                          args[i] + "'");
      (a == "--max-tokens" ? maxTokens : a == "--top-k" ? topK : seed) = v;
    } else {
      return usageError("generate: unexpected argument '" + a + "'");
    }
  }
  if (planPath.empty() || prompt.empty())
    return usageError("generate: --plan P and --prompt S are required");
  if (!(temperature > 0))
    return usageError("generate: --temperature must be > 0");
  auto plan = loadPlanOn(planPath, device);
  if (!plan)
    return fail(plan.message());
  auto tok = loadPlanTokenizer("generate", *plan, tokenizerPath);
  if (!tok)
    return fail(tok.message());
  std::vector<int32_t> ids = (*tok)->encode(prompt);
  if (ids.empty())
    return usageError("generate: the prompt has no tokens");
  spike::runtime::Executor exec(*plan);
  spike::runtime::DecodeCache cache;
  std::mt19937_64 rng{uint64_t(seed)};
  size_t promptLength = ids.size();
  std::printf("%s", prompt.c_str());
  std::fflush(stdout);
  auto started = std::chrono::steady_clock::now();
  for (int64_t n = 0; n < maxTokens; ++n) {
    // With the cache, the prompt runs once and each new token alone; without
    // it, the whole sequence runs again (the two give identical logits).
    std::vector<int64_t> seq(useCache && n > 0 ? ids.end() - 1 : ids.begin(),
                             ids.end());
    at::Tensor tokens =
        at::tensor(seq, at::kLong).reshape({1, int64_t(seq.size())});
    auto logits = exec.forward(tokens, useCache ? &cache : nullptr);
    if (!logits)
      return fail(logits.message());
    int32_t next = int32_t(spike::runtime::sampleToken(
        (*logits)[0][-1], {topK, temperature}, rng));
    if (next == (*tok)->eos())
      break;
    ids.push_back(next);
    std::printf("%s", (*tok)->decode({next}).c_str());
    std::fflush(stdout);
  }
  std::printf("\n");
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::fprintf(
      stderr,
      "[%zu prompt + %zu generated tokens, level %s, T=%lld, %.2f "
      "s, %s]\n",
      promptLength, ids.size() - promptLength, plan->level.c_str(),
      (long long)plan->timesteps, seconds,
      useCache ? ("KV cache " + std::to_string(cache.bytes() / 1024) + " KiB")
                     .c_str()
               : "no cache");
  return 0;
}

int runEval(const std::vector<std::string> &args) {
  TextRun run;
  std::string jsonOut, ratesOut;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("eval", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    if (args[i] == "--json" && i + 1 < args.size())
      jsonOut = args[++i];
    else if (args[i] == "--firing-rates" && i + 1 < args.size())
      ratesOut = args[++i];
    else
      return usageError("eval: unexpected argument '" + args[i] + "'");
  }
  if (run.plan.empty() || run.text.empty())
    return usageError("eval: --plan P and --text F are required");
  auto loaded = loadRun("eval", run, run.plan);
  if (!loaded)
    return fail(loaded.message());
  const spike::runtime::Plan *plan = &loaded->plan;
  spike::runtime::EvalOptions &options = run.options;
  options.progress = progressBar;
  const std::string &planPath = run.plan, &textPath = run.text;
  spike::runtime::Executor exec(*plan);
  if (!ratesOut.empty() && !plan->spiking())
    return usageError("eval: --firing-rates needs an IS or IF plan");
  auto r = spike::runtime::evaluatePerplexity(exec, loaded->ids, options);
  if (!r)
    return fail(r.message());
  if (!ratesOut.empty()) {
    // spikec.firing-rates for the chip mapper: per site, the neurons of one
    // token position and the spikes over every position and step.
    int64_t tokens = exec.tokensRun();
    int64_t perToken = tokens * plan->timesteps * plan->substeps;
    nlohmann::json rates = nlohmann::json::object();
    for (const auto &[site, c] : exec.spikeCounts()) {
      int64_t neurons = c.slots / perToken;
      rates[site] = {{"neurons", neurons},
                     {"spikes", c.spikes},
                     {"events", c.events},
                     {"rate", double(c.spikes) / double(c.slots)}};
    }
    nlohmann::json doc = {
        {"format", "spikec.firing-rates"},
        {"version", 1},
        {"producer", std::string("spike-run eval ") + SPIKE_VERSION},
        {"level", plan->level},
        {"timesteps", plan->timesteps},
        {"substeps", plan->substeps},
        {"tokens", tokens},
        {"sites", rates}};
    if (auto st = spike::core::writeFileAtomic(ratesOut, doc.dump(1) + "\n");
        !st)
      return fail(st.message());
  }
  double tokensPerSecond = double(r->chunks * options.seqLen) / r->seconds;
  std::printf("%-22s %s\n", "plan", planPath.c_str());
  std::printf("%-22s %s, T=%lld\n", "level", plan->level.c_str(),
              (long long)plan->timesteps);
  std::printf("%-22s %s (%lld chunks x %lld tokens)\n", "text",
              textPath.c_str(), (long long)r->chunks,
              (long long)options.seqLen);
  std::printf("%-22s %.4f\n", "perplexity", r->perplexity);
  std::printf("%-22s %.1f\n", "tokens/s", tokensPerSecond);
  nlohmann::json sites = nlohmann::json::object();
  int64_t allSpikes = 0, allSlots = 0, allSops = 0, allMacs = 0;
  if (!exec.spikeCounts().empty())
    std::printf("\n%-24s %10s %12s %10s %12s\n", "site", "neurons",
                "spikes/n/step", "sparsity", "SOPs/MACs");
  for (const auto &[site, c] : exec.spikeCounts()) {
    double rate = double(c.spikes) / double(c.slots);
    // Sparsity: the share of neuron-steps without a spike event.
    double sparsity = 1.0 - double(c.events) / double(c.slots);
    std::printf("%-24s %10lld %12.4f %10.4f ", site.c_str(),
                (long long)c.neurons, rate, sparsity);
    if (c.denseMacs)
      std::printf("%12.4f\n", double(c.synapticOps) / double(c.denseMacs));
    else
      std::printf("%12s\n", "-");
    sites[site] = {{"neurons", c.neurons},
                   {"slots", c.slots},
                   {"spikes", c.spikes},
                   {"events", c.events},
                   {"rate", rate},
                   {"sparsity", sparsity},
                   {"synaptic_ops", c.synapticOps},
                   {"dense_macs", c.denseMacs}};
    allSpikes += c.spikes;
    allSlots += c.slots;
    allSops += c.synapticOps;
    allMacs += c.denseMacs;
  }
  if (allMacs)
    std::printf("%-24s %10s %12s %10s %12.4f\n", "linear layers, all sites", "",
                "", "", double(allSops) / double(allMacs));
  if (!jsonOut.empty()) {
    nlohmann::json out = {
        {"plan", planPath},
        {"level", plan->level},
        {"timesteps", plan->timesteps},
        {"text", textPath},
        {"seq_len", options.seqLen},
        {"chunks", r->chunks},
        {"tokens_scored", r->predicted},
        {"nll", r->nll},
        {"perplexity", r->perplexity},
        {"seconds", r->seconds},
        {"tokens_per_second", tokensPerSecond},
        {"spikes_per_neuron_per_step",
         allSlots ? double(allSpikes) / double(allSlots) : 0.0},
        {"synaptic_ops", allSops},
        {"dense_macs", allMacs},
        {"sops_per_mac", allMacs ? double(allSops) / double(allMacs) : 0.0},
        {"sites", sites}};
    if (auto st = spike::core::writeFileAtomic(jsonOut, out.dump(1) + "\n");
        !st)
      return fail(st.message());
  }
  return 0;
}

int runStats(const std::vector<std::string> &args) {
  TextRun run;
  std::string out;
  double ema = 0.99;
  bool channels = false;
  std::vector<int64_t> prefix;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("stats", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    if ((a == "-o" || a == "--out") && hasValue)
      out = args[++i];
    else if (a == "--channels")
      channels = true;
    else if (a == "--prefix" && hasValue) {
      std::istringstream in(args[++i]);
      std::string word;
      while (in >> word) {
        int64_t id;
        if (!parseInt(word, id))
          return usageError("stats: --prefix: '" + word +
                            "' is not a token id");
        prefix.push_back(id);
      }
    } else if (a == "--ema" && hasValue) {
      char *end = nullptr;
      ema = std::strtod(args[++i].c_str(), &end);
      if (*end != '\0' || ema < 0 || ema > 1)
        return usageError("stats: --ema needs a number in [0, 1]");
    } else {
      return usageError("stats: unexpected argument '" + a + "'");
    }
  }
  if (run.plan.empty() || run.text.empty() || out.empty())
    return usageError("stats: --plan P, --text F and -o OUT are required");
  auto loaded = loadRun("stats", run, run.plan);
  if (!loaded)
    return fail(loaded.message());
  spike::runtime::EvalOptions &options = run.options;
  options.progress = progressBar;
  const std::string &planPath = run.plan, &textPath = run.text;
  spike::runtime::Executor exec(loaded->plan);
  exec.setEma(ema);
  if (!prefix.empty())
    exec.setPrefix(prefix);
  auto r = spike::runtime::evaluatePerplexity(exec, loaded->ids, options);
  if (!r)
    return fail(r.message());
  if (exec.siteStats().empty())
    return fail(planPath + ": the plan has no observe sites");
  nlohmann::json sites = nlohmann::json::object();
  for (auto &[site, st] : exec.siteStats()) {
    bool isUnsigned = site.size() > 13 &&
                      site.compare(site.size() - 13, 13, ".attn.softmax") == 0;
    spike::runtime::searchClipping(st, isUnsigned);
    nlohmann::json e = {{"absmax", st.absmax},
                        {"ema_absmax", std::min(st.emaAbsmax, st.absmax)},
                        {"batches", st.batches}};
    if (channels)
      e["channel_absmax"] = st.channelAbsmax;
    if (!st.mseClip.empty()) {
      nlohmann::json clips = nlohmann::json::object();
      for (auto [bits, r] : st.mseClip)
        clips[std::to_string(bits)] = r;
      e["mse_clip"] = clips;
    }
    sites[site] = e;
  }
  nlohmann::json doc = {{"format", "spikec.activation-stats"},
                        {"version", 1},
                        {"producer", std::string("spike-run ") + SPIKE_VERSION},
                        {"source",
                         {{"text", textPath},
                          {"tokens", r->chunks * options.seqLen},
                          {"seq_len", options.seqLen},
                          {"prefix_tokens", prefix}}},
                        {"ema", ema},
                        {"sites", sites}};
  if (auto st = spike::core::writeFileAtomic(out, doc.dump(1) + "\n"); !st)
    return fail(st.message());
  std::printf("%s: %zu sites from %lld tokens (FP perplexity %.4f)\n",
              out.c_str(), exec.siteStats().size(),
              (long long)(r->chunks * options.seqLen), r->perplexity);
  return 0;
}

int runGate(const std::vector<std::string> &args) {
  TextRun run;
  std::string reference;
  double maxRatio = 1.10;
  bool strict = false;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("gate", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    if (args[i] == "--reference" && i + 1 < args.size())
      reference = args[++i];
    else if (args[i] == "--max-ratio" && i + 1 < args.size())
      maxRatio = std::strtod(args[++i].c_str(), nullptr);
    else if (args[i] == "--strict")
      strict = true;
    else
      return usageError("gate: unexpected argument '" + args[i] + "'");
  }
  if (run.plan.empty() || reference.empty() || run.text.empty())
    return usageError("gate: --reference FP_PLAN, --plan P and --text F are "
                      "required");
  double ppl[2];
  const std::string paths[2] = {reference, run.plan};
  for (int k = 0; k < 2; ++k) {
    auto loaded = loadRun("gate", run, paths[k]);
    if (!loaded)
      return fail(loaded.message());
    spike::runtime::Executor exec(loaded->plan);
    auto r = spike::runtime::evaluatePerplexity(exec, loaded->ids, run.options);
    if (!r)
      return fail(r.message());
    ppl[k] = r->perplexity;
  }
  double ratio = ppl[1] / ppl[0];
  std::printf("%-22s %.4f\n%-22s %.4f\n%-22s %.4f (limit %.2f)\n",
              "reference perplexity", ppl[0], "plan perplexity", ppl[1],
              "ratio", ratio, maxRatio);
  if (ratio > maxRatio) {
    std::fprintf(stderr,
                 "spike-run: warning: %s is %.2fx worse than %s on %s: the "
                 "quantized model is broken before any spiking conversion "
                 "(try --rotate at import, 8-bit softmax/KV sites, or more "
                 "bits)\n",
                 run.plan.c_str(), ratio, reference.c_str(), run.text.c_str());
    return strict ? 3 : 0;
  }
  std::printf("quality gate: passed\n");
  return 0;
}

int runTokenize(const std::vector<std::string> &args) {
  std::string path, text, file;
  bool decode = false, printIds = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--ids")
      printIds = true;
    else if (args[i] == "--tokenizer" && i + 1 < args.size())
      path = args[++i];
    else if (args[i] == "--text" && i + 1 < args.size())
      text = args[++i];
    else if (args[i] == "--file" && i + 1 < args.size())
      file = args[++i];
    else if (args[i] == "--decode")
      decode = true;
    else
      return usageError("tokenize: unexpected argument '" + args[i] + "'");
  }
  if (path.empty() || (text.empty() == file.empty()))
    return usageError("tokenize: needs --tokenizer and one of --text, --file");
  if (!file.empty()) {
    auto t = spike::core::readFileText(file);
    if (!t)
      return fail(t.message());
    text = *t;
  }
  auto tok = spike::core::loadTokenizer(path);
  if (!tok)
    return fail(tok.message());
  std::vector<int32_t> ids = (*tok)->encode(text);
  if (file.empty() || printIds) {
    for (size_t i = 0; i < ids.size(); ++i)
      std::printf("%s%d", i ? " " : "", ids[i]);
    std::printf("\n");
  } else {
    std::printf("%zu tokens, %zu bytes\n", ids.size(), text.size());
  }
  if (decode) {
    if ((*tok)->decode(ids) != text)
      return fail("decode(encode(text)) differs from the text");
    std::printf("round trip: ok\n");
  }
  return 0;
}

int runGguf(const std::vector<std::string> &args) {
  std::string path, out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size())
      out = args[++i];
    else if (args[i].rfind("-", 0) == 0 || !path.empty())
      return usageError("gguf: unexpected argument '" + args[i] + "'");
    else
      path = args[i];
  }
  if (path.empty())
    return usageError("gguf: no file given");
  auto file = spike::core::GgufFile::open(path);
  if (!file)
    return fail(file.message());
  std::printf("%s: GGUF v%u, %zu metadata keys, %zu tensors\n", path.c_str(),
              file->version(), file->metadata().size(), file->tensors().size());
  spike::core::SafetensorsWriter writer;
  for (const auto &[name, t] : file->tensors()) {
    std::string shape;
    for (int64_t d : t.shape)
      shape += (shape.empty() ? "" : "x") + std::to_string(d);
    std::printf("  %-40s %-6s %s\n", name.c_str(),
                spike::core::ggmlTypeName(t.type), shape.c_str());
    if (out.empty())
      continue;
    auto values = file->readF32(name);
    if (!values)
      return fail(values.message());
    if (auto st = writer.addF32(name, t.shape, *values); !st)
      return fail(st.message());
  }
  if (!out.empty())
    if (auto st = writer.write(out); !st)
      return fail(st.message());
  return 0;
}

int runDiff(const std::vector<std::string> &args) {
  std::vector<std::string> files;
  std::string expect;
  double tolerance = 1e-3, worstScaled = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--expect" && i + 1 < args.size())
      expect = args[++i];
    else if (args[i] == "--tolerance" && i + 1 < args.size())
      tolerance = std::strtod(args[++i].c_str(), nullptr);
    else if (args[i].rfind("-", 0) == 0)
      return usageError("diff: unknown option '" + args[i] + "'");
    else
      files.push_back(args[i]);
  }
  if (files.size() != 2)
    return usageError("diff: needs exactly two files");
  if (!expect.empty() && expect != "identical" && expect != "different" &&
      expect != "close")
    return usageError("diff: --expect takes identical, different or close");
  auto a = spike::core::SafetensorsFile::open(files[0]);
  if (!a)
    return fail(a.message());
  auto b = spike::core::SafetensorsFile::open(files[1]);
  if (!b)
    return fail(b.message());
  bool identical = true;
  for (const auto &[name, info] : a->tensors()) {
    const spike::core::TensorInfo *other = b->find(name);
    if (!other || other->shape != info.shape)
      return fail(files[1] + ": tensor '" + name +
                  "' is missing or has another shape");
    auto x = a->readF32(name), y = b->readF32(name);
    if (!x || !y)
      return fail(!x ? x.message() : y.message());
    double maxAbs = 0, scale = 0;
    int64_t differ = 0;
    for (size_t i = 0; i < x->size(); ++i) {
      float p = (*x)[i], q = (*y)[i];
      scale = std::max(scale, std::fabs(double(p)));
      if (std::memcmp(&p, &q, sizeof(float)) == 0)
        continue;
      ++differ;
      maxAbs = std::max(maxAbs, std::fabs(double(p) - double(q)));
    }
    double scaled = maxAbs / std::max(scale, 1e-30);
    worstScaled = std::max(worstScaled, scaled);
    if (differ == 0) {
      std::printf("%s: identical (%zu values)\n", name.c_str(), x->size());
    } else {
      identical = false;
      std::printf("%s: %lld of %zu values differ; max |diff| %.6g (%.3g of "
                  "max |value| %.6g)\n",
                  name.c_str(), (long long)differ, x->size(), maxAbs, scaled,
                  scale);
    }
  }
  if (expect == "identical" && !identical)
    return fail("expected identical tensors");
  if (expect == "different" && identical)
    return fail("expected the tensors to differ");
  if (expect == "close" && worstScaled > tolerance)
    return fail("difference " + std::to_string(worstScaled) +
                " of the largest value exceeds the tolerance " +
                std::to_string(tolerance));
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    return usageError("no command given");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("spike-run %s\n", SPIKE_VERSION);
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
  } catch (const std::exception &e) {
    std::fprintf(stderr, "spike-run: error: %s\n", e.what());
    return 1;
  }
  return usageError("unknown command '" + cmd + "'");
}
