//===- CalibrateCommand.cpp - spike-run calibrate -------------------------===//
//
// Layer-wise calibration of an IS-level plan on a text: writes the
// spikec.calibration file that spike-opt --spike-apply-calibration applies,
// and the per-block error report (CSV and PNG, like the paper's Figures 3
// and 4).
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/FileIO.h"
#include "spike/core/LinePlot.h"
#include "spike/runtime/Calibrate.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Generate.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace spike::run {

namespace {

/// Presets: samples x sequence length x epochs.
struct Preset {
  const char *name;
  int64_t samples, seqLen, epochs;
  const char *what;
};
constexpr Preset kPresets[] = {
    {"cpu", 16, 256, 2,
     "SmolLM2-135M at T = 2 in about 7 minutes on 2 CPU cores"},
    {"paper", 64, 1024, 10, "the seed code's calibration.sh (GPU-sized)"},
};

std::string stem(const std::string &path) {
  size_t slash = path.find_last_of('/');
  size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
    return path;
  return path.substr(0, dot);
}

} // namespace

int runCalibrate(const std::vector<std::string> &args) {
  TextRun run;
  run.options.seqLen = 0; // the preset's unless given
  std::string out, teacherPlanPath, reportPrefix;
  spike::runtime::CalibrateOptions options;
  int64_t samples = 0, epochs = 0;
  const Preset *preset = &kPresets[0];
  bool dataFree = false;
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("calibrate", args, i, run);
    if (parsed < 0)
      return 2;
    if (parsed)
      continue;
    const std::string &a = args[i];
    bool hasValue = i + 1 < args.size();
    auto integer = [&](int64_t &field, bool allowNegativeOne = false) {
      const std::string &v = args[++i];
      if (allowNegativeOne && v == "-1") {
        field = -1;
        return true;
      }
      int64_t x;
      if (!parseInt(v, x) || x < 1) {
        usageError("calibrate: " + a + " needs a positive integer, got '" + v +
                   "'");
        return false;
      }
      field = x;
      return true;
    };
    if ((a == "-o" || a == "--out") && hasValue) {
      out = args[++i];
    } else if (a == "--teacher" && hasValue) {
      if (!spike::runtime::parseTeacher(args[++i], options.teacher))
        return usageError("calibrate: --teacher must be fp, w-only or qann, "
                          "got '" +
                          args[i] + "'");
    } else if (a == "--teacher-plan" && hasValue) {
      teacherPlanPath = args[++i];
    } else if (a == "--report" && hasValue) {
      reportPrefix = args[++i];
    } else if (a == "--samples" && hasValue) {
      if (!integer(samples))
        return 2;
    } else if (a == "--epochs" && hasValue) {
      if (!integer(epochs))
        return 2;
    } else if (a == "--group-size" && hasValue) {
      if (!integer(options.groupSize, /*allowNegativeOne=*/true))
        return 2;
    } else if (a == "--seed" && hasValue) {
      int64_t seed;
      if (!parseInt(args[++i], seed))
        return usageError("calibrate: --seed needs an integer");
      options.seed = uint64_t(seed);
    } else if (a == "--lr" && hasValue) {
      if (!parseDouble(args[++i], options.lr) || options.lr <= 0)
        return usageError("calibrate: --lr needs a positive number, got '" +
                          args[i] + "'");
    } else if (a == "--data-free") {
      dataFree = true;
    } else if (a == "--v0-per-group") {
      options.v0PerGroup = true;
    } else if (a == "--preset" && hasValue) {
      preset = nullptr;
      for (const Preset &p : kPresets)
        if (args[i + 1] == p.name)
          preset = &p;
      if (!preset)
        return usageError("calibrate: unknown preset '" + args[i + 1] +
                          "' (cpu, paper)");
      ++i;
    } else {
      return usageError("calibrate: unexpected argument '" + a + "'");
    }
  }
  if (run.plan.empty() || out.empty() || run.text.empty() == !dataFree)
    return usageError("calibrate: --plan P, -o OUT and one of --text F or "
                      "--data-free are required");
  if (options.teacher == spike::runtime::Teacher::FP && teacherPlanPath.empty())
    return usageError("calibrate: the fp teacher needs --teacher-plan "
                      "FP_PLAN (or choose --teacher w-only|qann)");
  if (!samples)
    samples = preset->samples;
  if (!epochs)
    epochs = preset->epochs;
  if (!run.options.seqLen)
    run.options.seqLen = preset->seqLen;
  options.epochs = epochs;
  options.batch = run.options.batch;
  if (reportPrefix.empty())
    reportPrefix = stem(out) + ".layers";

  auto plan = loadPlanOn(run.plan, run.device);
  if (!plan)
    return fail(plan.message());
  spike::runtime::Plan &student = *plan;
  if (auto st = spike::runtime::checkCalibratable(student); !st)
    return fail(st.message());
  spike::runtime::Plan teacherPlan;
  if (!teacherPlanPath.empty()) {
    auto t = loadPlanOn(teacherPlanPath, run.device);
    if (!t)
      return fail(t.message());
    teacherPlan = t.take();
  }

  int64_t seqLen = run.options.seqLen;
  at::Tensor tokens;
  std::string source = run.text;
  if (dataFree) {
    // Sequences the FP model (else the plan itself) writes from its start
    // token: top-k 50 sampling, seeded.
    const spike::runtime::Plan &writer =
        teacherPlanPath.empty() ? student : teacherPlan;
    auto start = dataFreeStart("calibrate", writer, run.tokenizer);
    if (!start)
      return fail(start.message());
    spike::runtime::Executor exec(writer);
    std::fprintf(stderr, "generating %lld data-free samples with %s\n",
                 (long long)samples, writer.path.c_str());
    auto generated = spike::runtime::generateSequences(
        exec, start->token, samples, seqLen, {50, 1.0}, options.seed,
        progressOf("data-free samples", "positions"));
    if (!generated)
      return fail(generated.message());
    tokens = *generated;
    source = "data-free: generated by " + writer.path;
  } else {
    auto ids = tokenizeText("calibrate", run, student);
    if (!ids)
      return fail(ids.message());
    // Samples: `samples` chunks spread evenly over the text.
    int64_t body = seqLen - (run.options.bos >= 0 ? 1 : 0);
    if (int64_t(ids->size()) < body)
      return fail(run.text + ": " + std::to_string(ids->size()) +
                  " tokens, fewer than one sample of " + std::to_string(body));
    tokens = at::empty({samples, seqLen}, at::kLong);
    int64_t span = int64_t(ids->size()) - body;
    for (int64_t s = 0; s < samples; ++s) {
      int64_t start = samples > 1 ? s * span / (samples - 1) : 0;
      int64_t *row = tokens[s].data_ptr<int64_t>();
      int64_t k = 0;
      if (run.options.bos >= 0)
        row[k++] = run.options.bos;
      for (int64_t j = 0; j < body; ++j)
        row[k++] = (*ids)[start + j];
    }
  }

  std::printf("calibrating %s: teacher %s, %lld samples x %lld tokens, %lld "
              "epochs, lr %g, group size %lld\n",
              run.plan.c_str(), spike::runtime::teacherName(options.teacher),
              (long long)samples, (long long)seqLen, (long long)epochs,
              options.lr, (long long)options.groupSize);
  // One bar per block on a terminal; in a log, one line per tenth.
  options.progress = [bar = std::optional<Progress>()](
                         int64_t block, int64_t blocks, int64_t step,
                         int64_t steps, double loss) mutable {
    if (step <= 1 || !bar)
      bar.emplace("block " + std::to_string(block + 1) + "/" +
                      std::to_string(blocks),
                  "steps");
    char detail[32];
    std::snprintf(detail, sizeof detail, "loss %.4g", loss);
    bar->update(step, steps, detail);
  };
  options.note = [](const std::string &line) {
    std::fprintf(stderr, "spike-run: note: %s\n", line.c_str());
  };
  auto result = spike::runtime::calibrate(
      student, teacherPlanPath.empty() ? nullptr : &teacherPlan, tokens,
      options);
  if (!result)
    return fail(result.message());

  nlohmann::json sites = nlohmann::json::object();
  for (const auto &[site, c] : result->sites)
    sites[site] = {{"threshold", c.threshold}, {"v0", c.v0}};
  nlohmann::json doc = {
      {"format", "spikec.calibration"},
      {"version", 1},
      {"producer", std::string("spike-run calibrate ") + SPIKE_VERSION},
      {"timesteps", student.timesteps},
      {"group_size", options.groupSize},
      {"teacher", spike::runtime::teacherName(options.teacher)},
      {"source",
       {{"text", source},
        {"samples", samples},
        {"seq_len", seqLen},
        {"epochs", epochs},
        {"lr", options.lr},
        {"seed", options.seed}}},
      {"sites", sites}};

  std::ostringstream csv;
  // Every digit of the doubles, so that readers compare what was computed.
  csv << std::setprecision(17);
  csv << "block,ann_vs_qann,ann_vs_snn_before,ann_vs_snn_after,first_loss,"
         "last_loss,steps,seconds\n";
  std::printf("%-6s %14s %14s %14s %9s\n", "block", "ANN vs QANN", "SNN before",
              "SNN after", "seconds");
  spike::core::LinePlot plot;
  plot.title = "Layer-wise MSE against the " +
               std::string(spike::runtime::teacherName(options.teacher)) +
               " teacher, T = " + std::to_string(student.timesteps);
  plot.xLabel = "block";
  plot.yLabel = "MSE (log)";
  plot.logY = true;
  plot.series = {{"ANN vs QANN", {}, 0x1f77b4},
                 {"ANN vs SNN before", {}, 0xd62728},
                 {"ANN vs SNN after", {}, 0x2ca02c}};
  for (const auto &b : result->blocks) {
    csv << b.block << ',' << b.annVsQann << ',' << b.annVsSnnBefore << ','
        << b.annVsSnnAfter << ',' << b.firstLoss << ',' << b.lastLoss << ','
        << b.steps << ',' << b.seconds << '\n';
    std::printf("%-6lld %14.6g %14.6g %14.6g %9.1f\n", (long long)b.block,
                b.annVsQann, b.annVsSnnBefore, b.annVsSnnAfter, b.seconds);
    plot.series[0].points.push_back({double(b.block), b.annVsQann});
    plot.series[1].points.push_back({double(b.block), b.annVsSnnBefore});
    plot.series[2].points.push_back({double(b.block), b.annVsSnnAfter});
  }
  // The report first and the parameters last: a CALIB.json in place means
  // its report is complete.
  spike::core::OutputSet outputs;
  for (auto [path, bytes] :
       {std::pair{reportPrefix + ".csv", csv.str()},
        std::pair{reportPrefix + ".png", spike::core::renderPng(plot)},
        std::pair{out, doc.dump(1) + "\n"}})
    if (auto st = outputs.write(path, bytes); !st)
      return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  std::printf("wrote %s, %s.csv, %s.png\n", out.c_str(), reportPrefix.c_str(),
              reportPrefix.c_str());
  return 0;
}

} // namespace spike::run
