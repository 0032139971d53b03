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
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run exec's arguments.
struct ExecArgs {
  std::string planPath, tokensText, out, device = "cpu", chipPath, tracePath,
                                         neuronTracePath;
};

int runExec(ExecArgs &args) {
  const std::string &planPath = args.planPath, &out = args.out,
                    &device = args.device, &chipPath = args.chipPath,
                    &tracePath = args.tracePath,
                    &neuronTracePath = args.neuronTracePath;
  // Checked at parse time (tokenIdList).
  std::vector<int64_t> ids = parseTokenIds(args.tokensText).take();
  if (ids.empty())
    return usageError("exec", "--tokens is empty");
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
    if (auto st = w.write(outputs, out); !st)
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

} // namespace

Command addExecCommand(CLI::App &app) {
  auto args = std::make_shared<ExecArgs>();
  CLI::App *cmd = app.add_subcommand(
      "exec", "Run a plan on one token sequence: logits, argmax and spikes");
  addPlanOption(*cmd, args->planPath);
  cmd->add_option("--tokens", args->tokensText, "The token ids")
      ->type_name("\"ID ID ...\"")
      ->required()
      ->check(tokenIdList());
  addDeviceOption(*cmd, args->device);
  cmd->add_option("--out", args->out,
                  "Write the logits (\"logits\", [S, V]) as safetensors")
      ->type_name("F.safetensors");
  CLI::Option *chip =
      cmd->add_option("--chip-numerics", args->chipPath,
                      "Run the IF neurons (IF plans) in this chip's integer "
                      "membrane format")
          ->type_name("CHIP.yaml");
  cmd->add_option("--chip-trace", args->tracePath,
                  "Write what crosses the chip's neuron cores (per IF site "
                  "the fixed-point charges and the spikes, per linear the "
                  "integer accumulations), which spike-chipsim checks")
      ->type_name("TRACE.safetensors")
      ->needs(chip);
  cmd->add_option("--neuron-trace", args->neuronTracePath,
                  "Write each neuron site's f32 input currents and its "
                  "spikes in the float numerics (IF: binary sub-step spikes, "
                  "from which an export (NIR) can be re-simulated; IS: int16 "
                  "graded spikes per step)")
      ->type_name("TRACE.safetensors")
      ->excludes(chip);
  cmd->footer(
      R"(Prints the logits' shape, checksum and per-position argmax, and the
spikes per neuron per step of each neuron site.)");
  return {cmd, [args] { return runExec(*args); }};
}

} // namespace spike::run
