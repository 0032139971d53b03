//===- ValidateCommand.cpp - spike-run validate and inspect ---------------===//
//
// Validate and inspect: check files against their formats, summarize a plan.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Formats/PlanTensors.h"
#include "spike/core/Formats/Validate.h"
#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
#include "spike/core/Chip/ChipDescription.h"
#endif

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace spike::run {

namespace {

int runValidate(const std::vector<std::string> &files,
                const spike::core::ValidateOptions &options) {
  int rc = 0;
  for (const auto &f : files) {
    bool yaml = f.size() > 5 && (f.compare(f.size() - 5, 5, ".yaml") == 0 ||
                                 f.compare(f.size() - 4, 4, ".yml") == 0);
    if (yaml) {
#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
      auto chip = spike::core::loadChipDescription(f);
      if (!chip) {
        std::fprintf(stderr, "spike-run: error: %s\n", chip.message().c_str());
        rc = 1;
        continue;
      }
      int64_t cores = 0;
      for (const auto &c : chip->coreTypes)
        cores += c.count;
      std::printf("%s: valid spikec.chip (%s: %lld chip(s), %zu core types, "
                  "%lld cores per chip)\n",
                  f.c_str(), chip->name.c_str(), (long long)chip->chips,
                  chip->coreTypes.size(), (long long)cores);
#else
      std::fprintf(stderr,
                   "spike-run: error: %s: this build has no chip "
                   "descriptions (yaml-cpp)\n",
                   f.c_str());
      rc = 1;
#endif
      continue;
    }
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

int runInspect(const std::string &plan) {
  auto loaded =
      spike::core::loadDocument(plan, spike::core::DocumentKind::Plan);
  if (!loaded) {
    std::fprintf(stderr, "spike-run: error: %s\n", loaded.message().c_str());
    return 1;
  }
  // Validated, so the fields read here exist with the right types, and
  // every tensor an op names is in one of the plan's files.
  const nlohmann::json &doc = *loaded;
  auto files = spike::core::PlanTensors::open(doc, plan);
  if (!files) {
    std::fprintf(stderr, "spike-run: error: %s: %s\n", plan.c_str(),
                 files.message().c_str());
    return 1;
  }
  std::map<std::string, int> opCounts;
  std::set<std::string> tensors;
  for (const auto &op : doc["ops"]) {
    ++opCounts[op["op"].get<std::string>()];
    for (const auto &t : op.value("params", nlohmann::json::object()))
      tensors.insert(t.get<std::string>());
  }
  int64_t params = 0;
  for (const std::string &t : tensors)
    params += files->find(t)->numElements();
  std::printf("plan      %s\nlevel     %s\ntime      T=%lld substeps=%lld\n",
              plan.c_str(), doc["level"].get<std::string>().c_str(),
              (long long)doc["time"]["timesteps"].get<int64_t>(),
              (long long)doc["time"]["substeps"].get<int64_t>());
  std::printf("tensors   %zu (%lld parameters)\n", tensors.size(),
              (long long)params);
  for (const auto &f : files->files()) {
    std::printf("  %s\n", f.path().c_str());
    std::vector<std::string> chain = f.files();
    for (size_t i = 1; i < chain.size(); ++i) // an overlay's bases
      std::printf("    over %s\n", chain[i].c_str());
  }
  std::printf("ops       %zu\n", doc["ops"].size());
  for (const auto &[op, n] : opCounts)
    std::printf("  %-12s %d\n", op.c_str(), n);
  return 0;
}

/// spike-run validate's arguments.
struct ValidateArgs {
  std::vector<std::string> files;
  bool noTensors = false;
};

} // namespace

Command addValidateCommand(CLI::App &app) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App *cmd = app.add_subcommand(
      "validate", "Check exchange files and chip descriptions against their "
                  "formats");
  cmd->add_option("FILE", args->files,
                  "spikec exchange files (plans, activation statistics, "
                  "calibrations, firing rates, chip programs and placements, "
                  "NIR manifests; the kind is read from their \"format\") "
                  "and chip descriptions (.yaml; docs/ChipFormat.md)")
      ->type_name("FILE...")
      ->required();
  cmd->add_flag("--no-tensors", args->noTensors,
                "Do not open a plan's tensor files");
  return {cmd, [args] {
            spike::core::ValidateOptions options;
            options.checkTensors = !args->noTensors;
            return runValidate(args->files, options);
          }};
}

Command addInspectCommand(CLI::App &app) {
  auto plan = std::make_shared<std::string>();
  CLI::App *cmd = app.add_subcommand(
      "inspect", "Validate a plan and read its tensor files' headers; print "
                 "the time grid, the tensor files, op counts and parameter "
                 "counts");
  addPlanOption(*cmd, *plan);
  return {cmd, [plan] { return runInspect(*plan); }};
}

} // namespace spike::run
