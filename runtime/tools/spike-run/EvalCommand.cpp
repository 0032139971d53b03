//===- EvalCommand.cpp - spike-run eval -----------------------------------===//
//
// Eval: perplexity, speed and spike statistics over a text.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Plan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// spike-run eval's arguments.
struct EvalArgs {
  TextRun run;
  std::string jsonOut, ratesOut;
  bool profile = false;
};

int runEval(EvalArgs &args) {
  TextRun &run = args.run;
  const std::string &jsonOut = args.jsonOut, &ratesOut = args.ratesOut;
  bool profile = args.profile;
  auto loaded = loadRun("eval", run, run.plan);
  if (!loaded)
    return fail(loaded.message());
  const spike::runtime::Plan *plan = &loaded->plan;
  spike::runtime::EvalOptions &options = run.options;
  options.progress = progressOf("eval", "chunks");
  const std::string &planPath = run.plan, &textPath = run.text;
  spike::runtime::Executor exec(*plan);
  if (!ratesOut.empty() && !plan->spiking())
    return usageError("eval", "--firing-rates needs an IS or IF plan");
  std::map<std::string, double> opSeconds;
  if (profile)
    exec.setProfile(&opSeconds);
  auto r = spike::runtime::evaluatePerplexity(exec, loaded->ids, options);
  if (!r)
    return fail(r.message());
  // The firing rates first and the report last, each complete or absent.
  spike::core::OutputSet outputs;
  if (!ratesOut.empty()) {
    // spikec.firing-rates for the chip mapper: per site, the neurons of one
    // token position and the spikes over every position and step.
    int64_t tokens = exec.tokensRun();
    int64_t perToken = tokens * plan->timesteps * plan->substeps;
    nlohmann::json rates = nlohmann::json::object();
    for (const auto &[site, c] : exec.spikeCounts()) {
      int64_t neurons = c.slots / perToken;
      rates[site] = {{"neurons", neurons},
                     {"spikes", c.spikes},
                     {"events", c.events},
                     {"rate", double(c.spikes) / double(c.slots)}};
    }
    nlohmann::json doc = {
        {"format", "spikec.firing-rates"},
        {"version", 1},
        {"producer", std::string("spike-run eval ") + SPIKE_VERSION},
        {"level", plan->level},
        {"timesteps", plan->timesteps},
        {"substeps", plan->substeps},
        {"tokens", tokens},
        {"sites", rates}};
    if (auto st = outputs.write(ratesOut, doc.dump(1) + "\n"); !st)
      return fail(st.message());
  }
  double tokensPerSecond = double(r->chunks * options.seqLen) / r->seconds;
  std::printf("%-22s %s\n", "plan", planPath.c_str());
  std::printf("%-22s %s, T=%lld\n", "level", plan->level.c_str(),
              (long long)plan->timesteps);
  std::printf("%-22s %s (%lld chunks x %lld tokens)\n", "text",
              textPath.c_str(), (long long)r->chunks,
              (long long)options.seqLen);
  std::printf("%-22s %.4f\n", "perplexity", r->perplexity);
  std::printf("%-22s %.1f\n", "tokens/s", tokensPerSecond);
  nlohmann::json sites = nlohmann::json::object();
  int64_t allSlots = 0, allSops = 0, allMacs = 0;
  spike::runtime::NeuronCounts all;
  if (!exec.spikeCounts().empty())
    std::printf("\n%-24s %10s %12s %10s %12s\n", "site", "neurons",
                "spikes/n/step", "sparsity", "SOPs/MACs");
  for (const auto &[site, c] : exec.spikeCounts()) {
    double rate = double(c.spikes) / double(c.slots);
    // Sparsity: the share of neuron-steps without a spike event.
    double sparsity = 1.0 - double(c.events) / double(c.slots);
    std::printf("%-24s %10lld %12.4f %10.4f ", site.c_str(),
                (long long)c.neurons, rate, sparsity);
    if (c.denseMacs)
      std::printf("%12.4f\n", double(c.synapticOps) / double(c.denseMacs));
    else
      std::printf("%12s\n", "-");
    sites[site] = {{"neurons", c.neurons},
                   {"slots", c.slots},
                   {"spikes", c.spikes},
                   {"events", c.events},
                   {"rate", rate},
                   {"sparsity", sparsity},
                   {"synaptic_ops", c.synapticOps},
                   {"dense_macs", c.denseMacs},
                   {"negative_spikes", c.negativeSpikes},
                   {"negative_events", c.negativeEvents},
                   {"cap_bound", c.capBound}};
    all.add(c);
    allSlots += c.slots;
    allSops += c.synapticOps;
    allMacs += c.denseMacs;
  }
  if (allMacs)
    std::printf("%-24s %10s %12s %10s %12.4f\n", "linear layers, all sites", "",
                "", "", double(allSops) / double(allMacs));
  nlohmann::json opTimes = nlohmann::json::object();
  if (profile) {
    // Wall time per op kind, largest first.
    std::vector<std::pair<double, std::string>> byTime;
    double all = 0;
    for (const auto &[name, s] : opSeconds)
      byTime.push_back({s, name}), all += s;
    std::sort(byTime.rbegin(), byTime.rend());
    std::printf("\n%-24s %10s %8s\n", "op", "seconds", "share");
    for (const auto &[s, name] : byTime) {
      std::printf("%-24s %10.3f %7.1f%%\n", name.c_str(), s,
                  all > 0 ? 100 * s / all : 0.0);
      opTimes[name] = s;
    }
  }
  if (!jsonOut.empty()) {
    // A count over all neuron-steps (0 without any).
    auto perSlot = [&](int64_t n) {
      return allSlots ? double(n) / double(allSlots) : 0.0;
    };
    nlohmann::json out = {
        {"plan", planPath},
        {"level", plan->level},
        {"timesteps", plan->timesteps},
        {"text", textPath},
        {"seq_len", options.seqLen},
        {"chunks", r->chunks},
        {"tokens_scored", r->predicted},
        {"nll", r->nll},
        {"perplexity", r->perplexity},
        {"seconds", r->seconds},
        {"tokens_per_second", tokensPerSecond},
        {"spikes_per_neuron_per_step", perSlot(all.spikes)},
        {"synaptic_ops", allSops},
        {"dense_macs", allMacs},
        {"sops_per_mac", allMacs ? double(allSops) / double(allMacs) : 0.0},
        {"events_per_neuron_per_step", perSlot(all.events)},
        {"silent_fraction", allSlots ? 1.0 - perSlot(all.events) : 0.0},
        {"negative_event_fraction", perSlot(all.negativeEvents)},
        {"cap_bound_fraction", perSlot(all.capBound)},
        {"sites", sites}};
    if (profile)
      out["op_seconds"] = opTimes;
    if (auto st = outputs.write(jsonOut, out.dump(1) + "\n"); !st)
      return fail(st.message());
  }
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  return 0;
}

} // namespace

Command addEvalCommand(CLI::App &app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App *cmd = app.add_subcommand(
      "eval", "Perplexity, speed and spike statistics of a plan on a text");
  addTextRunOptions(*cmd, args->run, kAllTextRunOptions,
                    /*textRequired=*/true);
  addJsonOption(*cmd, args->jsonOut);
  cmd->add_option("--firing-rates", args->ratesOut,
                  "Write the spikec.firing-rates file the chip mapper reads "
                  "(IS and IF plans)")
      ->type_name("OUT");
  cmd->add_flag("--profile", args->profile, "Add the wall time per op kind");
  cmd->footer(
      R"(Perplexity of the plan on a text (non-overlapping chunks of S tokens),
tokens/s, and per neuron site: spikes per neuron per step, sparsity
(neuron-steps without a spike event), and the synaptic operations of the
linear layers reading the site (events x fan-out) against the dense
model's MACs; a table on stdout, JSON to OUT, which also gives the
negative spikes and events and, for the signed code, the neuron-steps
whose per-step cap L held spikes back (cap_bound).)");
  return {cmd, [args] { return runEval(*args); }};
}

} // namespace spike::run
