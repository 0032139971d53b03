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
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace spike::run {

int runStats(const std::vector<std::string> &args) {
  TextRun run;
  std::string out;
  double ema = 0.99;
  bool channels = false;
  std::vector<int64_t> prefix;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("stats", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    if ((a == "-o" || a == "--out") && hasValue)
      out = args[++i];
    else if (a == "--channels")
      channels = true;
    else if (a == "--prefix" && hasValue) {
      std::istringstream in(args[++i]);
      std::string word;
      while (in >> word) {
        int64_t id;
        if (!parseInt(word, id))
          return usageError("stats: --prefix: '" + word +
                            "' is not a token id");
        prefix.push_back(id);
      }
    } else if (a == "--ema" && hasValue) {
      char *end = nullptr;
      ema = std::strtod(args[++i].c_str(), &end);
      if (*end != '\0' || ema < 0 || ema > 1)
        return usageError("stats: --ema needs a number in [0, 1]");
    } else {
      return usageError("stats: unexpected argument '" + a + "'");
    }
  }
  if (run.plan.empty() || run.text.empty() || out.empty())
    return usageError("stats: --plan P, --text F and -o OUT are required");
  auto loaded = loadRun("stats", run, run.plan);
  if (!loaded)
    return fail(loaded.message());
  spike::runtime::EvalOptions &options = run.options;
  options.progress = progressOf("stats", "chunks");
  const std::string &planPath = run.plan, &textPath = run.text;
  spike::runtime::Executor exec(loaded->plan);
  exec.setEma(ema);
  if (!prefix.empty())
    exec.setPrefix(prefix);
  auto r = spike::runtime::evaluatePerplexity(exec, loaded->ids, options);
  if (!r)
    return fail(r.message());
  if (exec.siteStats().empty())
    return fail(planPath + ": the plan has no observe sites");
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
                          {"tokens", r->chunks * options.seqLen},
                          {"seq_len", options.seqLen},
                          {"prefix_tokens", prefix}}},
                        {"ema", ema},
                        {"sites", sites}};
  if (auto st = spike::core::writeFileAtomic(out, doc.dump(1) + "\n"); !st)
    return fail(st.message());
  std::printf("%s: %zu sites from %lld tokens (FP perplexity %.4f)\n",
              out.c_str(), exec.siteStats().size(),
              (long long)(r->chunks * options.seqLen), r->perplexity);
  return 0;
}

} // namespace spike::run
