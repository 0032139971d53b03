//===- ZeroShotCommand.cpp - spike-run zeroshot ---------------------------===//
//
// Zero-shot multiple-choice accuracy of a plan at any level, as the paper
// reports it: acc for WinoGrande, acc_norm for the others, and their mean
// ("Avg. Acc."), each with the standard error of its N items.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Support/FileIO.h"
#include "spike/runtime/ZeroShot.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <sstream>
#include <sys/stat.h>

namespace spike::run {

namespace {

/// One JSON line per item: its choices' log-likelihoods and the picks.
std::string sampleLines(const spike::runtime::TaskScore &s) {
  std::string lines;
  for (size_t i = 0; i < s.items.size(); ++i) {
    const spike::runtime::ItemScore &item = s.items[i];
    nlohmann::json line = {{"task", s.name},
                           {"index", i},
                           {"gold", item.gold},
                           {"pred", item.pred},
                           {"pred_norm", item.predNorm},
                           {"logliks", item.logliks}};
    lines += line.dump() + "\n";
  }
  return lines;
}

/// spike-run zeroshot's arguments.
struct ZeroShotArgs {
  std::string planPath, tokenizerPath, out, samples, device = "cpu", dataDir;
  std::string tasksArg = "all";
  int64_t limit = 0, batch = 8;
  bool bos = false;
};

int runZeroShot(ZeroShotArgs &args) {
  const std::string &planPath = args.planPath,
                    &tokenizerPath = args.tokenizerPath, &out = args.out,
                    &device = args.device, &tasksArg = args.tasksArg;
  std::string dataDir = args.dataDir;
  int64_t limit = args.limit, batch = args.batch;
  bool bos = args.bos;
  if (dataDir.empty()) {
    const char *env = std::getenv("SPIKEC_DATA");
    dataDir = std::string(env ? env : "../shared/data") + "/zeroshot";
  }
  struct stat st;
  if (stat(dataDir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(dataDir + ": zero-shot data not found (pass --data DIR or "
                          "set SPIKEC_DATA)");
  std::vector<std::string> tasks;
  if (tasksArg == "all") {
    tasks = spike::core::zeroShotTaskNames();
  } else {
    std::istringstream in(tasksArg);
    for (std::string t; std::getline(in, t, ',');)
      tasks.push_back(t);
  }

  auto plan = loadPlanOn(planPath, device);
  if (!plan)
    return fail(plan.message());
  auto tok = loadPlanTokenizer("zeroshot", *plan, tokenizerPath);
  if (!tok)
    return fail(tok.message());
  if (bos && (*tok)->bos() < 0)
    return fail("zeroshot: " + tokenizerPathFor(*plan, tokenizerPath) +
                ": the tokenizer has no BOS token");

  std::vector<spike::core::ZeroShotTask> loaded;
  for (const std::string &name : tasks) {
    auto task = spike::core::loadZeroShotTask(name, dataDir, limit);
    if (!task)
      return fail(task.message());
    // Every context and continuation must encode without losing a byte.
    for (size_t i = 0; i < task->items.size(); ++i)
      for (const auto &choice : task->items[i].choices)
        if (auto st = (*tok)->encodable(choice.context + choice.continuation);
            !st)
          return fail("zeroshot: " + name + ": item " + std::to_string(i) +
                      ": " + st.message());
    loaded.push_back(task.take());
  }

  spike::runtime::Executor exec(*plan);
  std::printf(
      "zero-shot: %s (level %s, T=%lld)%s\n", planPath.c_str(),
      plan->level.c_str(), (long long)plan->timesteps,
      limit ? (", first " + std::to_string(limit) + " items per task").c_str()
            : "");
  std::printf("%-14s %6s %16s %16s %9s\n", "task", "n", "acc", "acc_norm",
              "seconds");
  nlohmann::json results = nlohmann::json::object();
  double sum = 0;
  std::string samples;
  for (const auto &task : loaded) {
    auto progress = progressOf(task.name, "choices");
    auto s = spike::runtime::scoreTask(exec, **tok, task, batch,
                                       bos ? (*tok)->bos() : -1, progress);
    if (!s)
      return fail(s.message());
    std::printf("%-14s %6lld %8.4f±%.4f %8.4f±%.4f %9.1f\n", s->name.c_str(),
                (long long)s->n, s->acc, s->accStderr, s->accNorm,
                s->accNormStderr, s->seconds);
    std::fflush(stdout);
    results[s->name] = {{"n", s->n},
                        {"acc", s->acc},
                        {"acc_stderr", s->accStderr},
                        {"acc_norm", s->accNorm},
                        {"acc_norm_stderr", s->accNormStderr},
                        {"reported", s->reportsNorm ? "acc_norm" : "acc"},
                        {"seconds", s->seconds}};
    sum += s->reported();
    samples += sampleLines(*s);
  }
  double avg = sum / double(loaded.size());
  std::printf("Avg. Acc. (acc_norm; acc for winogrande): %.2f\n", 100 * avg);
  spike::core::OutputSet outputs;
  if (!args.samples.empty())
    if (auto w = outputs.write(args.samples, samples); !w)
      return fail(w.message());
  if (!out.empty()) {
    nlohmann::json doc = {{"plan", planPath},
                          {"level", plan->level},
                          {"timesteps", plan->timesteps},
                          {"limit", limit},
                          {"data", dataDir},
                          {"tasks", results},
                          {"avg_acc", avg}};
    if (auto w = outputs.write(out, doc.dump(1) + "\n"); !w)
      return fail(w.message());
  }
  if (auto w = outputs.commit(); !w)
    return fail(w.message());
  return 0;
}

} // namespace

Command addZeroShotCommand(CLI::App &app) {
  auto args = std::make_shared<ZeroShotArgs>();
  CLI::App *cmd = app.add_subcommand(
      "zeroshot", "Zero-shot multiple-choice accuracy by log-likelihood");
  addPlanOption(*cmd, args->planPath);
  cmd->add_option("--tasks", args->tasksArg,
                  "all, or a comma-separated list of piqa, arc_easy, "
                  "arc_challenge, hellaswag, winogrande")
      ->type_name("LIST")
      ->capture_default_str();
  cmd->add_option("--limit", args->limit,
                  "Score the first N items of each task (0: all)")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Choices per forward pass")
      ->type_name("B")
      ->transform(positiveInteger())
      ->capture_default_str();
  cmd->add_option("--data", args->dataDir,
                  "The zero-shot sets; default $SPIKEC_DATA/zeroshot or "
                  "../shared/data/zeroshot")
      ->type_name("DIR");
  addTokenizerOption(*cmd, args->tokenizerPath);
  cmd->add_flag("--bos", args->bos,
                "Start each context with the tokenizer's BOS token");
  addJsonOption(*cmd, args->out);
  cmd->add_option("--samples", args->samples,
                  "Write one JSON line per item: task, index, gold, pred, "
                  "pred_norm and each choice's log-likelihood")
      ->type_name("FILE.jsonl");
  addDeviceOption(*cmd, args->device);
  cmd->footer(
      R"(lm-evaluation-harness conventions: acc, and acc_norm (per character of
the choice), with standard errors, and the paper's "Avg. Acc." (acc for
winogrande, acc_norm otherwise).)");
  return {cmd, [args] { return runZeroShot(*args); }};
}

} // namespace spike::run
