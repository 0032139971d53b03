//===- GateCommand.cpp - spike-run gate -----------------------------------===//
//
// Gate: the quantization quality gate.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run gate's arguments.
struct GateArgs {
  TextRun run;
  std::string reference;
  double maxRatio = 1.10;
  bool strict = false;
};

int runGate(GateArgs &args) {
  TextRun &run = args.run;
  const std::string &reference = args.reference;
  double maxRatio = args.maxRatio;
  bool strict = args.strict;
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

} // namespace

Command addGateCommand(CLI::App &app) {
  auto args = std::make_shared<GateArgs>();
  CLI::App *cmd = app.add_subcommand(
      "gate", "The quality gate before conversion: a plan's perplexity "
              "against the FP reference");
  addTextRunOptions(*cmd, args->run, kAllTextRunOptions,
                    /*textRequired=*/true);
  cmd->add_option("--reference", args->reference, "The FP plan")
      ->type_name("FP_PLAN")
      ->required();
  cmd->add_option("--max-ratio", args->maxRatio,
                  "Warn when the plan's perplexity is more than R times the "
                  "reference's")
      ->type_name("R")
      ->check(positiveNumber())
      ->capture_default_str();
  cmd->add_flag("--strict", args->strict,
                "Exit with code 3 instead of warning");
  return {cmd, [args] { return runGate(*args); }};
}

} // namespace spike::run
