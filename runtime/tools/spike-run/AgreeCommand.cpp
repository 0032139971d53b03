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
#include <memory>

namespace spike::run {

namespace {

/// spike-run agree's arguments.
struct AgreeArgs {
  TextRun run;
  std::string reference, out;
  int64_t samples = 8, seed = 1;
  AgreeArgs() { run.options.seqLen = 128; }
};

int runAgree(AgreeArgs &args) {
  TextRun &run = args.run;
  const std::string &reference = args.reference, &out = args.out;
  int64_t samples = args.samples, seed = args.seed;
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

} // namespace

Command addAgreeCommand(CLI::App &app) {
  auto args = std::make_shared<AgreeArgs>();
  CLI::App *cmd = app.add_subcommand(
      "agree", "Agreement of a plan with a reference on the same tokens");
  addTextRunOptions(*cmd, args->run, kText | kTokenizer | kSeqLen,
                    /*textRequired=*/false);
  cmd->add_option("--reference", args->reference, "The FP plan")
      ->type_name("FP_PLAN")
      ->required();
  cmd->add_option("--samples", args->samples, "Sequences (or chunks of F)")
      ->type_name("N")
      ->transform(positiveInteger())
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sampled sequences")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  addJsonOption(*cmd, args->out);
  cmd->footer(
      R"(Top-1 match of the next-token prediction and mean KL(reference || P)
per position, on N held-out sequences of S tokens the reference samples
itself (top-k 50), or on the first N chunks of F.)");
  return {cmd, [args] { return runAgree(*args); }};
}

} // namespace spike::run
