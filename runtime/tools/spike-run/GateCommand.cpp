//===- GateCommand.cpp - spike-run gate -----------------------------------===//
//
// Gate: the quantization quality gate.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace spike::run {

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

} // namespace spike::run
