//===- GenerateCommand.cpp - spike-run generate ---------------------------===//
//
// Generate: continue a prompt with a KV cache.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Text/Tokenizer.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Generate.h"
#include "spike/runtime/Plan.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run generate's arguments.
struct GenerateArgs {
  std::string planPath, prompt, tokenizerPath, device = "cpu";
  int64_t maxTokens = 32, topK = 0, seed = 0;
  double temperature = 1.0;
  bool noCache = false;
};

int runGenerate(GenerateArgs &args) {
  const std::string &planPath = args.planPath, &prompt = args.prompt,
                    &tokenizerPath = args.tokenizerPath, &device = args.device;
  int64_t maxTokens = args.maxTokens, topK = args.topK, seed = args.seed;
  double temperature = args.temperature;
  bool useCache = !args.noCache;
  auto plan = loadPlanOn(planPath, device);
  if (!plan)
    return fail(plan.message());
  auto tok = loadPlanTokenizer("generate", *plan, tokenizerPath);
  if (!tok)
    return fail(tok.message());
  if (auto st = (*tok)->encodable(prompt); !st)
    return fail("generate: --prompt: " + st.message());
  std::vector<int32_t> ids = (*tok)->encode(prompt);
  if (ids.empty())
    return usageError("generate", "the prompt has no tokens");
  spike::runtime::Executor exec(*plan);
  spike::runtime::DecodeCache cache;
  std::mt19937_64 rng{uint64_t(seed)};
  size_t promptLength = ids.size();
  std::printf("%s", prompt.c_str());
  std::fflush(stdout);
  auto started = std::chrono::steady_clock::now();
  // Decoders work on whole sequences (SentencePiece strips a leading
  // space, byte fallback joins bytes): print what the growing suffix adds.
  std::string shown;
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
    std::string text = (*tok)->decode(
        std::vector<int32_t>(ids.begin() + int64_t(promptLength), ids.end()));
    if (text.compare(0, shown.size(), shown) == 0) {
      std::printf("%s", text.substr(shown.size()).c_str());
      shown = text;
    }
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

} // namespace

Command addGenerateCommand(CLI::App &app) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App *cmd = app.add_subcommand("generate", "Continue a prompt");
  addPlanOption(*cmd, args->planPath);
  cmd->add_option("--prompt", args->prompt, "The text to continue")
      ->type_name("S")
      ->required();
  cmd->add_option("--max-tokens", args->maxTokens,
                  "Stop after N new tokens (or at EOS)")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--top-k", args->topK,
                  "Sample from the K most likely tokens (1: greedy; 0: all)")
      ->type_name("K")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "Sampling temperature")
      ->type_name("X")
      ->check(positiveNumber())
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sampler")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  addTokenizerOption(*cmd, args->tokenizerPath);
  cmd->add_flag("--no-cache", args->noCache,
                "Re-run the whole sequence for each token instead of keeping "
                "a KV cache");
  addDeviceOption(*cmd, args->device);
  cmd->footer(
      R"(Greedy with --top-k 1, else sampled (top-k, temperature); stops at N
tokens or EOS. A KV cache (at spiking levels: the K and V trains) runs
each new token alone; --no-cache re-runs the sequence (identical logits).)");
  return {cmd, [args] { return runGenerate(*args); }};
}

} // namespace spike::run
