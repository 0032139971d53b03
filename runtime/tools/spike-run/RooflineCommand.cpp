//===- RooflineCommand.cpp - spike-run roofline ---------------------------===//
//
// Roofline: the time the plan's linear layers take on this machine's
// matrix-product kernels alone, per token. It is the floor under a forward
// pass, against which bench/snn_speed.sh sets the FP, QANN and SNN runs.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Gemm.h"
#include "spike/runtime/Plan.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run roofline's arguments.
struct RooflineArgs {
  std::string planPath, jsonOut;
  int64_t rows = 512, repeat = 3;
};

int runRoofline(RooflineArgs &args) {
  const std::string &planPath = args.planPath, &jsonOut = args.jsonOut;
  int64_t rows = args.rows, repeat = args.repeat;
  auto plan = loadPlanOn(planPath, "cpu");
  if (!plan)
    return fail(plan.message());

  // The linear layers' shapes [N, K], with how often each occurs.
  std::map<std::pair<int64_t, int64_t>, int64_t> shapes;
  for (const auto &op : plan->ops)
    if (op.kind == spike::runtime::OpKind::Linear) {
      at::IntArrayRef w = spike::runtime::linearWeightShape(op);
      ++shapes[{w[0], w[1]}];
    }
  if (shapes.empty())
    return fail(planPath + ": the plan has no linear layers");

  // Best of `repeat` timed runs of every shape, after one warm-up, on
  // random f32 operands (the kernels' speed does not depend on the values).
  auto timeKernel = [&](bool aten) {
    spike::runtime::setLinearUsesATen(aten);
    double total = 0;
    for (const auto &[shape, count] : shapes) {
      at::Tensor x = at::randn({rows, shape.second});
      at::Tensor w = at::randn({shape.first, shape.second});
      spike::runtime::linearLayer(x, w);
      double best = 1e30;
      for (int64_t r = 0; r < repeat; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        spike::runtime::linearLayer(x, w);
        best = std::min(best, std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count());
      }
      total += best * double(count);
    }
    spike::runtime::setLinearUsesATen(false);
    return total / double(rows); // seconds per token
  };
  std::string linearName = spike::runtime::linearKernelName();
  double linearSeconds = timeKernel(false);
  double atenSeconds = timeKernel(true);
  std::string atenName =
      "ATen matmul (" + spike::runtime::blasKernelName() + ")";

  double flops = 0;
  for (const auto &[shape, count] : shapes)
    flops += 2.0 * double(shape.first * shape.second * count);
  std::printf("roofline of %s: %zu linear shapes, %lld rows per product\n",
              planPath.c_str(), shapes.size(), (long long)rows);
  std::printf("%-58s %12s %10s\n", "kernel", "ms/token", "GFLOP/s");
  for (const auto &[name, s] :
       {std::pair{linearName, linearSeconds}, {atenName, atenSeconds}})
    std::printf("%-58s %12.4f %10.1f\n", name.c_str(), 1e3 * s,
                flops / s * 1e-9);
  if (!jsonOut.empty()) {
    nlohmann::json doc = {
        {"plan", planPath},
        {"rows", rows},
        {"flops_per_token", flops},
        {"kernels",
         {{{"name", linearName}, {"seconds_per_token", linearSeconds}},
          {{"name", atenName}, {"seconds_per_token", atenSeconds}}}}};
    if (auto st = spike::core::writeFileAtomic(jsonOut, doc.dump(1) + "\n");
        !st)
      return fail(st.message());
  }
  return 0;
}

} // namespace

Command addRooflineCommand(CLI::App &app) {
  auto args = std::make_shared<RooflineArgs>();
  CLI::App *cmd = app.add_subcommand(
      "roofline", "A plan's linear layers alone on this machine's product "
                  "kernels: the floor under a forward pass");
  addPlanOption(*cmd, args->planPath);
  cmd->add_option("--rows", args->rows, "Rows per product")
      ->type_name("M")
      ->transform(positiveInteger())
      ->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Timed runs; the best counts")
      ->type_name("R")
      ->transform(positiveInteger())
      ->capture_default_str();
  addJsonOption(*cmd, args->jsonOut);
  cmd->footer(
      R"(Milliseconds per token and GFLOP/s of oneDNN's sgemm and of ATen's
matmul through its BLAS (bench/snn_speed.sh).)");
  return {cmd, [args] { return runRoofline(*args); }};
}

} // namespace spike::run
