//===- ExecCommand.cpp - spike-run exec -----------------------------------===//
//
// Exec: run a plan on one token sequence.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Plan.h"
#include "spike/runtime/TensorIO.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace spike::run {

int runExec(const std::vector<std::string> &args) {
  std::string planPath, tokensText, out, device = "cpu", chipPath, tracePath,
                                         neuronTracePath;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--plan" && i + 1 < args.size())
      planPath = args[++i];
    else if (args[i] == "--chip-numerics" && i + 1 < args.size())
      chipPath = args[++i];
    else if (args[i] == "--chip-trace" && i + 1 < args.size())
      tracePath = args[++i];
    else if (args[i] == "--neuron-trace" && i + 1 < args.size())
      neuronTracePath = args[++i];
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
  if (!neuronTracePath.empty() && !chipPath.empty())
    return usageError("exec: --neuron-trace records the float numerics; "
                      "use --chip-trace with --chip-numerics");
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
  std::map<std::string, at::Tensor> neuronTrace;
  if (!neuronTracePath.empty())
    exec.setNeuronTrace(&neuronTrace);
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
  // The traces first and the logits last, each complete or absent.
  spike::core::OutputSet outputs;
  if (!tracePath.empty()) {
    if (auto st = writeTensors(outputs, tracePath, trace); !st)
      return fail(st.message());
  }
  if (!neuronTracePath.empty()) {
    if (auto st = writeTensors(outputs, neuronTracePath, neuronTrace); !st)
      return fail(st.message());
  }
  if (!out.empty()) {
    spike::core::SafetensorsWriter w;
    std::vector<float> values(l.data_ptr<float>(),
                              l.data_ptr<float>() + l.numel());
    if (auto st = w.addF32("logits", {l.size(0), l.size(1)}, values); !st)
      return fail(st.message());
    if (auto st = outputs.write(out, w.serialize()); !st)
      return fail(st.message());
  }
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  if (!tracePath.empty())
    std::printf("trace     %s: %zu tensors\n", tracePath.c_str(), trace.size());
  if (!neuronTracePath.empty())
    std::printf("trace     %s: %zu tensors\n", neuronTracePath.c_str(),
                neuronTrace.size());
  return 0;
}

} // namespace spike::run
