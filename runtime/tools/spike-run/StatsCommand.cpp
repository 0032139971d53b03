//===- StatsCommand.cpp - spike-run stats ---------------------------------===//
//
// Stats: activation statistics for static quantization.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Neuron/SiteClass.h"
#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run stats's arguments.
struct StatsArgs {
  TextRun run;
  std::string out, prefixText;
  double ema = 0.99;
  bool channels = false;
};

int runStats(StatsArgs &args) {
  TextRun &run = args.run;
  const std::string &out = args.out;
  double ema = args.ema;
  bool channels = args.channels;
  // Checked at parse time (tokenIdList).
  const std::vector<int64_t> prefix = parseTokenIds(args.prefixText).take();
  // The ops after the last observe site do not change what it records:
  // they are neither loaded nor run (an 8B model's lm_head is 1 GB).
  spike::runtime::PlanLoadOptions graphOnly, load;
  graphOnly.params = false;
  auto graph = spike::runtime::loadPlan(run.plan, graphOnly);
  if (!graph)
    return fail(graph.message());
  for (size_t i = 0; i < graph->ops.size(); ++i)
    if (graph->ops[i].kind == spike::runtime::OpKind::Observe)
      load.throughOp = i;
  if (!load.throughOp)
    return fail(run.plan + ": the plan has no observe sites");
  auto loaded = loadRun("stats", run, run.plan, load);
  if (!loaded)
    return fail(loaded.message());
  spike::runtime::EvalOptions &options = run.options;
  options.progress = progressOf("stats", "chunks");
  const std::string &textPath = run.text;
  spike::runtime::Executor exec(loaded->plan);
  exec.setEma(ema);
  if (!prefix.empty())
    exec.setPrefix(prefix);
  auto chunks = spike::runtime::runChunks(exec, loaded->ids, options);
  if (!chunks)
    return fail(chunks.message());
  nlohmann::json sites = nlohmann::json::object();
  for (auto &[site, st] : exec.siteStats()) {
    spike::runtime::searchClipping(st, spike::core::isUnsignedSite(site));
    nlohmann::json e = {{"absmax", st.absmax},
                        {"ema_absmax", std::min(st.emaAbsmax, st.absmax)},
                        {"batches", st.batches}};
    if (channels)
      e["channel_absmax"] = st.channelAbsmax;
    if (!st.mseClip.empty()) {
      nlohmann::json clips = nlohmann::json::object();
      for (auto [bits, r] : st.mseClip)
        clips[std::to_string(bits)] = r;
      e["mse_clip"] = clips;
    }
    sites[site] = e;
  }
  nlohmann::json doc = {{"format", "spikec.activation-stats"},
                        {"version", 1},
                        {"producer", std::string("spike-run ") + SPIKE_VERSION},
                        {"source",
                         {{"text", textPath},
                          {"tokens", *chunks * options.seqLen},
                          {"seq_len", options.seqLen},
                          {"prefix_tokens", prefix}}},
                        {"ema", ema},
                        {"sites", sites}};
  if (auto st = spike::core::writeFileAtomic(out, doc.dump(1) + "\n"); !st)
    return fail(st.message());
  std::printf("%s: %zu sites from %lld tokens\n", out.c_str(),
              exec.siteStats().size(), (long long)(*chunks * options.seqLen));
  return 0;
}

} // namespace

Command addStatsCommand(CLI::App &app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App *cmd = app.add_subcommand(
      "stats", "Activation statistics of a plan's observe sites on a text");
  addTextRunOptions(*cmd, args->run, kAllTextRunOptions,
                    /*textRequired=*/true);
  cmd->add_option("-o,--out", args->out,
                  "The spikec.activation-stats file to write")
      ->type_name("OUT")
      ->required();
  cmd->add_option("--ema", args->ema, "Weight of the running max over batches")
      ->type_name("E")
      ->check(numberIn(0, 1))
      ->capture_default_str();
  cmd->add_flag("--channels", args->channels, "Also write the per-channel max");
  cmd->add_option("--prefix", args->prefixText,
                  "PrefixQuant's outlier tokens, prepended to every chunk at "
                  "full precision and left out of the statistics")
      ->type_name("\"ID ...\"")
      ->check(tokenIdList());
  cmd->footer(
      R"(Runs a plan with observe sites over calibration text and writes their
activation statistics (spikec.activation-stats): max |x|, its EMA over
batches, the MSE-optimal clipping ratio per bit width and, with
--channels, the per-channel max.)");
  return {cmd, [args] { return runStats(*args); }};
}

} // namespace spike::run
