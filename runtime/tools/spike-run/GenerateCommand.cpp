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
  if (auto st = (*tok)->encodable(prompt); !st)
    return fail("generate: --prompt: " + st.message());
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

} // namespace spike::run
