//===- SampleCommand.cpp - spike-run sample -------------------------------===//
//
// Data-free text: N sequences that a plan (the FP model) samples from its
// start token, decoded and written as paragraphs. spikec uses it when no
// calibration text is given, so that statistics and calibration read the
// same data, which the user can inspect.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Generate.h"

#include <cstdio>

namespace spike::run {

int runSample(const std::vector<std::string> &args) {
  std::string planPath, tokPath, out, device = "cpu";
  int64_t samples = 16, seqLen = 256, seed = 0, topK = 50;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    if (a == "--plan" && hasValue) {
      planPath = args[++i];
    } else if (a == "--tokenizer" && hasValue) {
      tokPath = args[++i];
    } else if (a == "-o" && hasValue) {
      out = args[++i];
    } else if (a == "--device" && hasValue) {
      device = args[++i];
    } else if ((a == "--samples" || a == "--seq-len" || a == "--seed" ||
                a == "--top-k") &&
               hasValue) {
      int64_t v;
      if (!parseInt(args[++i], v) || (a != "--seed" && v < 1) ||
          (a == "--seq-len" && v < 2))
        return usageError("sample: " + a + " needs a positive integer" +
                          (a == "--seq-len" ? " of at least 2" : "") +
                          ", got '" + args[i] + "'");
      if (a == "--samples")
        samples = v;
      else if (a == "--seq-len")
        seqLen = v;
      else if (a == "--seed")
        seed = v;
      else
        topK = v;
    } else {
      return usageError("sample: unexpected argument '" + a + "'");
    }
  }
  if (planPath.empty() || out.empty())
    return usageError("sample: --plan P and -o OUT are required");
  auto plan = loadPlanOn(planPath, device);
  if (!plan)
    return fail(plan.message());
  auto start = dataFreeStart("sample", *plan, tokPath);
  if (!start)
    return fail(start.message());
  spike::runtime::Executor exec(*plan);
  auto generated = spike::runtime::generateSequences(
      exec, start->token, samples, seqLen, {topK, 1.0}, uint64_t(seed),
      progressOf("sample", "positions"));
  if (!generated)
    return fail(generated.message());
  at::Tensor tokens = generated->to(at::kCPU).contiguous();
  std::string text;
  for (int64_t s = 0; s < samples; ++s) {
    const int64_t *row = tokens[s].data_ptr<int64_t>();
    // The start token is not text; a sampled end token closes the paragraph.
    std::vector<int32_t> ids;
    for (int64_t j = 1; j < seqLen; ++j)
      if (row[j] != start->tokenizer->eos() &&
          row[j] != start->tokenizer->bos())
        ids.push_back(int32_t(row[j]));
    text += start->tokenizer->decode(ids) + "\n\n";
  }
  if (auto st = spike::core::writeFileAtomic(out, text); !st)
    return fail(st.message());
  std::printf("wrote %s: %lld sequences of %lld tokens sampled by %s "
              "(top-k %lld, seed %lld)\n",
              out.c_str(), (long long)samples, (long long)seqLen,
              planPath.c_str(), (long long)topK, (long long)seed);
  return 0;
}

} // namespace spike::run
