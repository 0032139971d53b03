//===- AgreeCommand.cpp - spike-run agree ---------------------------------===//
//
// Agreement of a plan with a reference (the FP model) on the same tokens:
// the fraction of positions whose most likely next token is the same
// (top-1 match) and the mean KL divergence KL(reference || plan) in nats
// per position. The tokens are held-out sequences the reference samples
// itself (data-free, a seed other than calibration's) or chunks of a text.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Generate.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace spike::run {

int runAgree(const std::vector<std::string> &args) {
  TextRun run;
  std::string reference, out;
  int64_t samples = 8, seed = 1;
  run.options.seqLen = 128;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("agree", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    if (a == "--reference" && hasValue) {
      reference = args[++i];
    } else if (a == "--json" && hasValue) {
      out = args[++i];
    } else if ((a == "--samples" || a == "--seed") && hasValue) {
      int64_t v;
      if (!parseInt(args[++i], v) || (a == "--samples" && v < 1))
        return usageError("agree: " + a + " needs a positive integer, got '" +
                          args[i] + "'");
      (a == "--samples" ? samples : seed) = v;
    } else {
      return usageError("agree: unexpected argument '" + a + "'");
    }
  }
  if (run.plan.empty() || reference.empty())
    return usageError("agree: --plan P and --reference FP_PLAN are required");
  auto ref = loadPlanOn(reference, run.device);
  if (!ref)
    return fail(ref.message());
  auto plan = loadPlanOn(run.plan, run.device);
  if (!plan)
    return fail(plan.message());
  spike::runtime::Executor refExec(*ref), planExec(*plan);

  int64_t seqLen = run.options.seqLen;
  at::Tensor tokens;
  std::string source;
  if (run.text.empty()) {
    auto start = dataFreeStart("agree", *ref, run.tokenizer);
    if (!start)
      return fail(start.message());
    auto generated = spike::runtime::generateSequences(
        refExec, start->token, samples, seqLen, {50, 1.0}, uint64_t(seed));
    if (!generated)
      return fail(generated.message());
    tokens = *generated;
    source = "data-free: " + std::to_string(samples) + " sequences of " +
             std::to_string(seqLen) + " tokens sampled by the reference";
  } else {
    auto ids = tokenizeText("agree", run, *ref);
    if (!ids)
      return fail(ids.message());
    int64_t chunks = std::min<int64_t>(samples, int64_t(ids->size()) / seqLen);
    if (chunks < 1)
      return fail(run.text + ": fewer than " + std::to_string(seqLen) +
                  " tokens");
    tokens = at::empty({chunks, seqLen}, at::kLong);
    for (int64_t c = 0; c < chunks; ++c)
      for (int64_t j = 0; j < seqLen; ++j)
        tokens[c][j] = int64_t((*ids)[c * seqLen + j]);
    source = run.text + ": first " + std::to_string(chunks) + " chunks of " +
             std::to_string(seqLen) + " tokens";
  }

  double kl = 0;
  int64_t same = 0, positions = 0;
  Progress progress("agree", "sequences");
  for (int64_t i = 0; i < tokens.size(0); ++i) {
    at::Tensor row = tokens.narrow(0, i, 1);
    auto a = refExec.forward(row);
    if (!a)
      return fail(a.message());
    auto b = planExec.forward(row);
    if (!b)
      return fail(b.message());
    at::Tensor la = at::log_softmax(a->to(at::kCPU, at::kDouble), -1)[0];
    at::Tensor lb = at::log_softmax(b->to(at::kCPU, at::kDouble), -1)[0];
    same += la.argmax(-1).eq(lb.argmax(-1)).sum().item<int64_t>();
    kl += (la.exp() * (la - lb)).sum().item<double>();
    positions += la.size(0);
    progress.update(i + 1, tokens.size(0));
  }
  double top1 = double(same) / double(positions);
  double meanKl = kl / double(positions);
  std::printf("agreement of %s with %s\n", run.plan.c_str(), reference.c_str());
  std::printf("tokens      %s\n", source.c_str());
  std::printf("positions   %lld\n", (long long)positions);
  std::printf("top-1 match %.4f\n", top1);
  std::printf("KL(ref||p)  %.5f nats/position\n", meanKl);
  if (!out.empty()) {
    nlohmann::json doc = {{"plan", run.plan},   {"reference", reference},
                          {"tokens", source},   {"positions", positions},
                          {"top1_match", top1}, {"kl_nats", meanKl}};
    if (auto w = spike::core::writeFileAtomic(out, doc.dump(1) + "\n"); !w)
      return fail(w.message());
  }
  return 0;
}

} // namespace spike::run
