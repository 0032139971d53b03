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
#include <memory>

namespace spike::run {

namespace {

/// spike-run sample's arguments.
struct SampleArgs {
  std::string planPath, tokPath, out, device = "cpu";
  int64_t samples = 16, seqLen = 256, seed = 0, topK = 50;
};

int runSample(SampleArgs &args) {
  const std::string &planPath = args.planPath, &tokPath = args.tokPath,
                    &out = args.out, &device = args.device;
  int64_t samples = args.samples, seqLen = args.seqLen, seed = args.seed,
          topK = args.topK;
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

} // namespace

Command addSampleCommand(CLI::App &app) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App *cmd = app.add_subcommand(
      "sample", "Data-free text: sequences a plan samples from its BOS token");
  addPlanOption(*cmd, args->planPath);
  cmd->add_option("-o", args->out, "The text file to write")
      ->type_name("OUT.txt")
      ->required();
  cmd->add_option("--samples", args->samples, "Sequences")
      ->type_name("N")
      ->transform(positiveInteger())
      ->capture_default_str();
  cmd->add_option("--seq-len", args->seqLen,
                  "Tokens per sequence, the start token included")
      ->type_name("S")
      ->transform(integerAtLeast(2))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sampler")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--top-k", args->topK, "Sample from the K most likely tokens")
      ->type_name("K")
      ->transform(positiveInteger())
      ->capture_default_str();
  addTokenizerOption(*cmd, args->tokPath);
  addDeviceOption(*cmd, args->device);
  cmd->footer(
      R"(N sequences of S tokens the plan samples from its BOS (else EOS) token,
decoded, one paragraph each.)");
  return {cmd, [args] { return runSample(*args); }};
}

} // namespace spike::run
