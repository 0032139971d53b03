//===- spike-run.cpp - The spikec simulation runtime driver ---------------===//
//
// Subcommands:
//   validate FILE...   check plans, activation statistics, calibration and
//                      firing-rate files against their schemas and rules
//   inspect --plan P   load a plan and its tensors, print a summary
//
//===----------------------------------------------------------------------===//

#include "spike/core/Formats.h"
#include "spike/core/Safetensors.h"
#include "spike/runtime/TensorIO.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr const char *kUsage = R"(OVERVIEW: spike-run - simulation runtime of the spikec compiler

USAGE: spike-run <command> [options]

COMMANDS:
  validate [--no-tensors] FILE...
                     Validate plan, activation-statistics, calibration and
                     firing-rate files (kind detected from their "format").
                     --no-tensors skips opening a plan's safetensors file.
  inspect --plan P   Load a plan and all its tensors; print the time grid,
                     op counts and parameter counts.

OPTIONS:
  --help             Show this help.
  --version          Show the version.
)";

int usageError(const std::string &what) {
  std::fprintf(stderr, "spike-run: error: %s (see spike-run --help)\n",
               what.c_str());
  return 2;
}

int runValidate(const std::vector<std::string> &args) {
  spike::core::ValidateOptions options;
  std::vector<std::string> files;
  for (const auto &a : args) {
    if (a == "--no-tensors")
      options.checkTensors = false;
    else if (a.rfind("-", 0) == 0)
      return usageError("validate: unknown option '" + a + "'");
    else
      files.push_back(a);
  }
  if (files.empty())
    return usageError("validate: no input file");
  int rc = 0;
  for (const auto &f : files) {
    auto kind = spike::core::validateFile(f, options);
    if (!kind) {
      std::fprintf(stderr, "spike-run: error: %s\n", kind.message().c_str());
      rc = 1;
      continue;
    }
    std::printf("%s: valid %s\n", f.c_str(), spike::core::formatName(*kind));
  }
  return rc;
}

int runInspect(const std::vector<std::string> &args) {
  std::string plan;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--plan" && i + 1 < args.size())
      plan = args[++i];
    else
      return usageError("inspect: unexpected argument '" + args[i] + "'");
  }
  if (plan.empty())
    return usageError("inspect: --plan P is required");
  auto kind = spike::core::validateFile(plan);
  if (!kind) {
    std::fprintf(stderr, "spike-run: error: %s\n", kind.message().c_str());
    return 1;
  }
  if (*kind != spike::core::DocumentKind::Plan) {
    std::fprintf(stderr, "spike-run: error: %s: not a plan\n", plan.c_str());
    return 1;
  }
  // Validated above, so the fields read here exist with the right types.
  std::ifstream in(plan);
  nlohmann::json doc = nlohmann::json::parse(in);
  std::string dir = plan.find('/') == std::string::npos
                        ? "."
                        : plan.substr(0, plan.find_last_of('/'));
  auto file = spike::core::SafetensorsFile::open(
      dir + "/" + doc["tensors"].get<std::string>());
  if (!file) {
    std::fprintf(stderr, "spike-run: error: %s\n", file.message().c_str());
    return 1;
  }
  std::map<std::string, int> opCounts;
  for (const auto &op : doc["ops"])
    ++opCounts[op["op"].get<std::string>()];
  int64_t params = 0;
  for (const auto &[name, info] : file->tensors()) {
    auto t = spike::runtime::loadTensor(*file, name);
    if (!t) {
      std::fprintf(stderr, "spike-run: error: %s\n", t.message().c_str());
      return 1;
    }
    params += t->numel();
  }
  std::printf("plan      %s\nlevel     %s\ntime      T=%lld substeps=%lld\n",
              plan.c_str(), doc["level"].get<std::string>().c_str(),
              (long long)doc["time"]["timesteps"].get<int64_t>(),
              (long long)doc["time"]["substeps"].get<int64_t>());
  std::printf("tensors   %zu (%lld parameters)\nops       %zu\n",
              file->tensors().size(), (long long)params, doc["ops"].size());
  for (const auto &[op, n] : opCounts)
    std::printf("  %-12s %d\n", op.c_str(), n);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty())
    return usageError("no command given");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("spike-run %s\n", SPIKE_VERSION);
    return 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "validate")
      return runValidate(args);
    if (cmd == "inspect")
      return runInspect(args);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "spike-run: error: %s\n", e.what());
    return 1;
  }
  return usageError("unknown command '" + cmd + "'");
}
