//===- CalibrateCommand.cpp - spike-run calibrate -------------------------===//
//
// Layer-wise calibration of an IS-level plan on a text: writes the
// spikec.calibration file that spike-opt --spike-apply-calibration applies,
// and the per-block error report (CSV and PNG, like the paper's Figures 3
// and 4).
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/Plot/LinePlot.h"
#include "spike/core/Support/FileIO.h"
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

/// Prints a usage error; false, for the parser to return.
bool usage(const std::string &what) {
  usageError(what);
  return false;
}

/// spike-run calibrate's arguments, with the preset's defaults applied.
struct CalibrateArgs {
  TextRun run;
  std::string out, teacherPlanPath, reportPrefix;
  spike::runtime::CalibrateOptions options;
  int64_t samples = 0, epochs = 0;
  const Preset *preset = &kPresets[0];
  bool dataFree = false;
};

/// Parses `args` into `c`; on a usage error prints it and returns false.
bool parseCalibrateArgs(const std::vector<std::string> &args,
                        CalibrateArgs &c) {
  c.run.options.seqLen = 0; // the preset's unless given
  for (size_t i = 0; i < args.size(); ++i) {
    int parsed = parseTextRunOption("calibrate", args, i, c.run);
    if (parsed < 0)
      return false;
    if (parsed)
      continue;
    const std::string &arg = args[i];
    bool hasValue = i + 1 < args.size();
    auto integer = [&](int64_t &field, bool allowNegativeOne = false) {
      const std::string &v = args[++i];
      if (allowNegativeOne && v == "-1") {
        field = -1;
        return true;
      }
      int64_t x;
      if (!parseInt(v, x) || x < 1) {
        usageError("calibrate: " + arg + " needs a positive integer, got '" +
                   v + "'");
        return false;
      }
      field = x;
      return true;
    };
    if ((arg == "-o" || arg == "--out") && hasValue) {
      c.out = args[++i];
    } else if (arg == "--teacher" && hasValue) {
      if (!spike::runtime::parseTeacher(args[++i], c.options.teacher))
        return usage("calibrate: --teacher must be fp, w-only or qann, "
                     "got '" +
                     args[i] + "'");
    } else if (arg == "--teacher-plan" && hasValue) {
      c.teacherPlanPath = args[++i];
    } else if (arg == "--report" && hasValue) {
      c.reportPrefix = args[++i];
    } else if (arg == "--samples" && hasValue) {
      if (!integer(c.samples))
        return false;
    } else if (arg == "--epochs" && hasValue) {
      if (!integer(c.epochs))
        return false;
    } else if (arg == "--group-size" && hasValue) {
      if (!integer(c.options.groupSize, /*allowNegativeOne=*/true))
        return false;
    } else if (arg == "--seed" && hasValue) {
      int64_t seed;
      if (!parseInt(args[++i], seed))
        return usage("calibrate: --seed needs an integer");
      c.options.seed = uint64_t(seed);
    } else if (arg == "--lr" && hasValue) {
      if (!parseDouble(args[++i], c.options.lr) || c.options.lr <= 0)
        return usage("calibrate: --lr needs a positive number, got '" +
                     args[i] + "'");
    } else if (arg == "--data-free") {
      c.dataFree = true;
    } else if (arg == "--v0-per-group") {
      c.options.v0PerGroup = true;
    } else if (arg == "--preset" && hasValue) {
      c.preset = nullptr;
      for (const Preset &p : kPresets)
        if (args[i + 1] == p.name)
          c.preset = &p;
      if (!c.preset)
        return usage("calibrate: unknown preset '" + args[i + 1] +
                     "' (cpu, paper)");
      ++i;
    } else {
      return usage("calibrate: unexpected argument '" + arg + "'");
    }
  }
  if (c.run.plan.empty() || c.out.empty() || c.run.text.empty() == !c.dataFree)
    return usage("calibrate: --plan P, -o OUT and one of --text F or "
                 "--data-free are required");
  if (c.options.teacher == spike::runtime::Teacher::FP &&
      c.teacherPlanPath.empty())
    return usage("calibrate: the fp teacher needs --teacher-plan "
                 "FP_PLAN (or choose --teacher w-only|qann)");
  if (!c.samples)
    c.samples = c.preset->samples;
  if (!c.epochs)
    c.epochs = c.preset->epochs;
  if (!c.run.options.seqLen)
    c.run.options.seqLen = c.preset->seqLen;
  c.options.epochs = c.epochs;
  c.options.batch = c.run.options.batch;
  if (c.reportPrefix.empty())
    c.reportPrefix = stem(c.out) + ".layers";
  return true;
}

/// The calibration samples: `samples` chunks of seqLen tokens spread
/// evenly over the text (after the BOS, if any), or with --data-free
/// sequences the FP model (else the plan itself) writes from its start
/// token. `source` says which, for the calibration file.
spike::core::Result<at::Tensor>
calibrationSamples(CalibrateArgs &c, const spike::runtime::Plan &student,
                   const spike::runtime::Plan &teacherPlan,
                   std::string &source) {
  int64_t seqLen = c.run.options.seqLen;
  at::Tensor tokens;
  source = c.run.text;
  if (c.dataFree) {
    // Sequences the FP model (else the plan itself) writes from its start
    // token: top-k 50 sampling, seeded.
    const spike::runtime::Plan &writer =
        c.teacherPlanPath.empty() ? student : teacherPlan;
    auto start = dataFreeStart("calibrate", writer, c.run.tokenizer);
    if (!start)
      return start.status();
    spike::runtime::Executor exec(writer);
    std::fprintf(stderr, "generating %lld data-free samples with %s\n",
                 (long long)c.samples, writer.path.c_str());
    auto generated = spike::runtime::generateSequences(
        exec, start->token, c.samples, seqLen, {50, 1.0}, c.options.seed,
        progressOf("data-free samples", "positions"));
    if (!generated)
      return generated.status();
    tokens = *generated;
    source = "data-free: generated by " + writer.path;
  } else {
    auto ids = tokenizeText("calibrate", c.run, student);
    if (!ids)
      return ids.status();
    // `samples` chunks spread evenly over the text.
    int64_t body = seqLen - (c.run.options.bos >= 0 ? 1 : 0);
    if (int64_t(ids->size()) < body)
      return spike::core::Status::error(
          c.run.text + ": " + std::to_string(ids->size()) +
          " tokens, fewer than one sample of " + std::to_string(body));
    tokens = at::empty({c.samples, seqLen}, at::kLong);
    int64_t span = int64_t(ids->size()) - body;
    for (int64_t s = 0; s < c.samples; ++s) {
      int64_t start = c.samples > 1 ? s * span / (c.samples - 1) : 0;
      int64_t *row = tokens[s].data_ptr<int64_t>();
      int64_t k = 0;
      if (c.run.options.bos >= 0)
        row[k++] = c.run.options.bos;
      for (int64_t j = 0; j < body; ++j)
        row[k++] = (*ids)[start + j];
    }
  }
  return tokens;
}

/// One bar per block on a terminal; in a log, one line per tenth.
void reportProgress(spike::runtime::CalibrateOptions &options) {
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
}

/// Writes the calibration file and the per-block report (CSV and PNG,
/// like the paper's Figures 3 and 4), every file or none; prints the table.
int writeCalibration(const CalibrateArgs &c,
                     const spike::runtime::Plan &student,
                     const spike::runtime::CalibrationResult &result,
                     const std::string &source, int64_t seqLen) {
  nlohmann::json sites = nlohmann::json::object();
  for (const auto &[site, cal] : result.sites)
    sites[site] = {{"threshold", cal.threshold}, {"v0", cal.v0}};
  nlohmann::json doc = {
      {"format", "spikec.calibration"},
      {"version", 1},
      {"producer", std::string("spike-run calibrate ") + SPIKE_VERSION},
      {"timesteps", student.timesteps},
      {"group_size", c.options.groupSize},
      {"teacher", spike::runtime::teacherName(c.options.teacher)},
      {"source",
       {{"text", source},
        {"samples", c.samples},
        {"seq_len", seqLen},
        {"epochs", c.epochs},
        {"lr", c.options.lr},
        {"seed", c.options.seed}}},
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
               std::string(spike::runtime::teacherName(c.options.teacher)) +
               " teacher, T = " + std::to_string(student.timesteps);
  plot.xLabel = "block";
  plot.yLabel = "MSE (log)";
  plot.logY = true;
  plot.series = {{"ANN vs QANN", {}, 0x1f77b4},
                 {"ANN vs SNN before", {}, 0xd62728},
                 {"ANN vs SNN after", {}, 0x2ca02c}};
  for (const auto &b : result.blocks) {
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
       {std::pair{c.reportPrefix + ".csv", csv.str()},
        std::pair{c.reportPrefix + ".png", spike::core::renderPng(plot)},
        std::pair{c.out, doc.dump(1) + "\n"}})
    if (auto st = outputs.write(path, bytes); !st)
      return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  std::printf("wrote %s, %s.csv, %s.png\n", c.out.c_str(),
              c.reportPrefix.c_str(), c.reportPrefix.c_str());
  return 0;
}

} // namespace

int runCalibrate(const std::vector<std::string> &args) {
  CalibrateArgs c;
  if (!parseCalibrateArgs(args, c))
    return 2;
  auto plan = loadPlanOn(c.run.plan, c.run.device);
  if (!plan)
    return fail(plan.message());
  spike::runtime::Plan &student = *plan;
  if (auto st = spike::runtime::checkCalibratable(student); !st)
    return fail(st.message());
  spike::runtime::Plan teacherPlan;
  if (!c.teacherPlanPath.empty()) {
    auto t = loadPlanOn(c.teacherPlanPath, c.run.device);
    if (!t)
      return fail(t.message());
    teacherPlan = t.take();
  }
  std::string source;
  auto tokens = calibrationSamples(c, student, teacherPlan, source);
  if (!tokens)
    return fail(tokens.message());
  int64_t seqLen = c.run.options.seqLen;
  std::printf("calibrating %s: teacher %s, %lld samples x %lld tokens, %lld "
              "epochs, lr %g, group size %lld\n",
              c.run.plan.c_str(),
              spike::runtime::teacherName(c.options.teacher),
              (long long)c.samples, (long long)seqLen, (long long)c.epochs,
              c.options.lr, (long long)c.options.groupSize);
  reportProgress(c.options);
  auto result = spike::runtime::calibrate(
      student, c.teacherPlanPath.empty() ? nullptr : &teacherPlan, *tokens,
      c.options);
  if (!result)
    return fail(result.message());
  return writeCalibration(c, student, *result, source, seqLen);
}

} // namespace spike::run
