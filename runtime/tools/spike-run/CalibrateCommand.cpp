//===- CalibrateCommand.cpp - spike-run calibrate -------------------------===//
//
// Layer-wise calibration of an IS-level plan on a text: writes the
// spikec.calibration file that spike-opt --spike-apply-calibration applies,
// and the per-block error report (CSV and PNG, like the paper's Figures 3
// and 4).
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Plot/LinePlot.h"
#include "spike/core/Support/FileIO.h"
#include "spike/runtime/Calibrate.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Generate.h"
#include "spike/runtime/PlanBlocks.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <memory>
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

/// spike-run calibrate's arguments; the preset fills what is not given.
struct CalibrateArgs {
  TextRun run;
  std::string out, teacherPlanPath, reportPrefix, teacher = "fp",
                                                  preset = "cpu";
  spike::runtime::CalibrateOptions options;
  int64_t samples = 0, epochs = -1, seed = 0; ///< epochs -1: the preset's
  double spikeBudget = 0;                     ///< spikes per token; 0: none
  std::string learn = "thresholds";
  bool dataFree = false;
  CalibrateArgs() { run.options.seqLen = 0; }
};

/// The rules between options, and the preset's defaults; a usage error
/// printed and false when the arguments cannot run.
bool completeCalibrateArgs(CalibrateArgs &c) {
  if (c.run.text.empty() && !c.dataFree) {
    usageError("calibrate", "one of --text F or --data-free is required");
    return false;
  }
  // Checked at parse time (IsMember over these names).
  (void)spike::runtime::parseTeacher(c.teacher, c.options.teacher);
  if (c.options.teacher == spike::runtime::Teacher::FP &&
      c.teacherPlanPath.empty()) {
    usageError("calibrate", "the fp teacher needs --teacher-plan FP_PLAN (or "
                            "choose --teacher w-only|qann)");
    return false;
  }
  const Preset *preset = &kPresets[0];
  for (const Preset &p : kPresets)
    if (c.preset == p.name)
      preset = &p;
  if (!c.samples)
    c.samples = preset->samples;
  if (c.epochs < 0)
    c.epochs = preset->epochs;
  if (!c.run.options.seqLen)
    c.run.options.seqLen = preset->seqLen;
  c.options.learnThresholds = c.learn.find("thresholds") != std::string::npos;
  c.options.learnWeights = c.learn.find("weights") != std::string::npos;
  if (c.epochs == 0 && c.options.endToEndEpochs == 0) {
    usageError("calibrate", "--epochs 0 skips the block-wise pass: it needs "
                            "--end-to-end E");
    return false;
  }
  if (c.epochs == 0 && (c.options.learnWeights || c.options.spikePenalty > 0 ||
                        c.spikeBudget > 0)) {
    usageError("calibrate", "--learn weights, --spike-penalty and "
                            "--spike-budget act in the block-wise pass: they "
                            "need --epochs of at least 1");
    return false;
  }
  if (c.options.endToEndEpochs > 0 && c.options.maxBlocks > 0) {
    usageError("calibrate", "--end-to-end trains every block at once: it "
                            "cannot be combined with --blocks");
    return false;
  }
  if (c.options.endToEndEpochs > 0 && !c.options.learnThresholds) {
    usageError("calibrate", "--end-to-end learns thresholds: it needs "
                            "--learn thresholds or weights,thresholds");
    return false;
  }
  c.options.epochs = c.epochs;
  c.options.batch = c.run.options.batch;
  c.options.seed = uint64_t(c.seed);
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
      bar.emplace(block < 0 ? std::string("end-to-end")
                            : "block " + std::to_string(block + 1) + "/" +
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
  nlohmann::json learnt = nlohmann::json::array();
  if (c.options.learnThresholds)
    learnt.push_back("thresholds");
  if (c.options.learnWeights)
    learnt.push_back("weights");
  nlohmann::json doc = {
      {"format", "spikec.calibration"},
      {"version", 1},
      {"producer", std::string("spike-run calibrate ") + SPIKE_VERSION},
      {"timesteps", student.timesteps},
      {"group_size", c.options.groupSize},
      {"teacher", spike::runtime::teacherName(c.options.teacher)},
      {"learn", learnt},
      {"source",
       {{"text", source},
        {"samples", c.samples},
        {"seq_len", seqLen},
        {"epochs", c.epochs},
        {"lr", c.options.lr},
        {"seed", c.options.seed}}},
      {"sites", sites}};
  if (c.options.spikePenalty > 0)
    doc["source"]["spike_penalty"] = c.options.spikePenalty;
  if (c.spikeBudget > 0)
    doc["source"]["spike_budget"] = c.spikeBudget;
  if (c.options.maxBlocks > 0)
    doc["source"]["blocks"] = c.options.maxBlocks;
  if (c.options.endToEndEpochs > 0)
    doc["end_to_end"] = {{"objective", "kl"},
                         {"epochs", c.options.endToEndEpochs},
                         {"lr", c.options.endToEndLr},
                         {"steps", result.endToEndSteps},
                         {"kl_before", result.endToEndKlBefore},
                         {"kl_after", result.endToEndKlAfter}};
  // Learnt weights go beside the file: on their grid, with the row scales
  // they were learnt against (NAME and NAME.scale).
  std::string weightsPath = stem(c.out) + ".weights.safetensors";
  spike::core::SafetensorsWriter weights;
  if (c.options.learnWeights) {
    doc["source"]["weight_lr"] = c.options.weightLr;
    nlohmann::json names = nlohmann::json::array();
    for (const auto &[name, w] : result.weights) {
      names.push_back(name);
      for (auto [key, t] :
           {std::pair{name, w.weight}, std::pair{name + ".scale", w.scale}})
        if (auto st = weights.add(key, spike::core::DType::F32, t.sizes().vec(),
                                  t.data_ptr<float>(),
                                  size_t(t.numel()) * sizeof(float));
            !st)
          return fail(st.message());
    }
    size_t slash = weightsPath.find_last_of('/');
    doc["weights"] = {{"file", slash == std::string::npos
                                   ? weightsPath
                                   : weightsPath.substr(slash + 1)},
                      {"scales", "kept"},
                      {"tensors", names}};
  }

  std::ostringstream csv;
  // Every digit of the doubles, so that readers compare what was computed.
  csv << std::setprecision(17);
  csv << "block,ann_vs_qann,ann_vs_snn_before,ann_vs_snn_after,first_loss,"
         "last_loss,steps,seconds,first_rate,last_rate,weight_codes,"
         "codes_changed\n";
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
        << b.steps << ',' << b.seconds << ',' << b.firstRate << ','
        << b.lastRate << ',' << b.weightCodes << ',' << b.codesChanged << '\n';
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
        std::pair{c.reportPrefix + ".png", spike::core::renderPng(plot)}})
    if (auto st = outputs.write(path, bytes); !st)
      return fail(st.message());
  if (c.options.learnWeights) {
    if (auto st = weights.write(outputs, weightsPath); !st)
      return fail(st.message());
  }
  if (auto st = outputs.write(c.out, doc.dump(1) + "\n"); !st)
    return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  std::printf("wrote %s, %s.csv, %s.png%s%s\n", c.out.c_str(),
              c.reportPrefix.c_str(), c.reportPrefix.c_str(),
              c.options.learnWeights ? ", " : "",
              c.options.learnWeights ? weightsPath.c_str() : "");
  return 0;
}

/// Spikes per token of `plan` on `tokens` ([N, S]), one sequence per
/// forward pass, as spike-run eval counts them (prefix excluded).
spike::core::Result<double> spikesPerToken(const spike::runtime::Plan &plan,
                                           const at::Tensor &tokens) {
  spike::runtime::Executor exec(plan);
  for (int64_t i = 0; i < tokens.size(0); ++i)
    if (auto r = exec.forward(tokens.narrow(0, i, 1)); !r)
      return r.status();
  int64_t spikes = 0;
  for (const auto &[site, counts] : exec.spikeCounts())
    spikes += counts.spikes;
  return double(spikes) / double(tokens.numel());
}

/// --spike-budget: calibrates with the spike penalties of a ladder, least
/// first, and keeps the first whose plan spends at most the budget on the
/// calibration samples (CalibrateOptions::spikePenalty); an error naming the
/// fewest spikes reached when none does.
spike::core::Result<spike::runtime::CalibrationResult>
calibrateToBudget(CalibrateArgs &c, spike::runtime::Plan &student,
                  const spike::runtime::Plan *teacher,
                  const at::Tensor &tokens) {
  const double ladder[] = {0, 0.1, 0.3, 1, 3, 10};
  double fewest = 0;
  for (double lambda : ladder) {
    spike::runtime::Plan candidate = student;
    c.options.spikePenalty = lambda;
    auto result =
        spike::runtime::calibrate(candidate, teacher, tokens, c.options);
    if (!result)
      return result.status();
    auto spent = spikesPerToken(candidate, tokens);
    if (!spent)
      return spent.status();
    std::printf("spike budget: penalty %g -> %.0f spikes per token (budget "
                "%.0f)\n",
                lambda, *spent, c.spikeBudget);
    std::fflush(stdout);
    if (*spent <= c.spikeBudget) {
      student = std::move(candidate);
      return result;
    }
    fewest = *spent;
  }
  std::ostringstream why;
  why << "calibrate: no --spike-penalty up to " << std::end(ladder)[-1]
      << " meets --spike-budget " << c.spikeBudget
      << " spikes per token (fewest: " << std::setprecision(6) << fewest << ")";
  return spike::core::Status::error(why.str());
}

/// With --blocks, checks that the plan can be calibrated from its op graph
/// and sets `load` to the residual cut after the last block calibrated: the
/// later blocks neither run nor change, so their tensors are not loaded (a
/// 7B model's first block fits in memory where the model does not).
/// Data-free samples need the whole model to write them.
spike::core::Status blocksToLoad(const CalibrateArgs &c,
                                 spike::runtime::PlanLoadOptions &load) {
  if (c.options.maxBlocks == 0 || c.dataFree)
    return spike::core::Status::ok();
  spike::runtime::PlanLoadOptions graphOnly;
  graphOnly.params = false;
  auto graph = spike::runtime::loadPlan(c.run.plan, graphOnly);
  if (!graph)
    return graph.status();
  if (auto st = spike::runtime::checkCalibratable(*graph); !st)
    return st;
  auto found = spike::runtime::cutAfterBlocks(*graph, c.options.maxBlocks);
  if (!found)
    return found.status();
  load.throughCut = *found;
  if (auto cut = load.throughCut) {
    auto cuts = spike::runtime::residualCuts(*graph); // found above
    std::fprintf(stderr,
                 "calibrate: --blocks %lld: loading ops 0 to %zu of %zu; the "
                 "later ops' tensors are not read\n",
                 (long long)c.options.maxBlocks, (*cuts)[*cut].afterOp,
                 graph->ops.size() - 1);
  }
  return spike::core::Status::ok();
}

int runCalibrate(CalibrateArgs &c) {
  if (!completeCalibrateArgs(c))
    return 2;
  spike::runtime::PlanLoadOptions load;
  if (auto st = blocksToLoad(c, load); !st)
    return fail(st.message());
  auto plan = loadPlanOn(c.run.plan, c.run.device, load);
  if (!plan)
    return fail(plan.message());
  spike::runtime::Plan &student = *plan;
  if (auto st = spike::runtime::checkCalibratable(student); !st)
    return fail(st.message());
  spike::runtime::Plan teacherPlan;
  if (!c.teacherPlanPath.empty()) {
    auto t = loadPlanOn(c.teacherPlanPath, c.run.device, load);
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
              "epochs, lr %g, group size %lld",
              c.run.plan.c_str(),
              spike::runtime::teacherName(c.options.teacher),
              (long long)c.samples, (long long)seqLen, (long long)c.epochs,
              c.options.lr, (long long)c.options.groupSize);
  if (c.options.endToEndEpochs > 0)
    std::printf("; then end-to-end: %lld epochs, lr %g",
                (long long)c.options.endToEndEpochs, c.options.endToEndLr);
  std::printf("\n");
  reportProgress(c.options);
  const spike::runtime::Plan *teacher =
      c.teacherPlanPath.empty() ? nullptr : &teacherPlan;
  auto result =
      c.spikeBudget > 0
          ? calibrateToBudget(c, student, teacher, *tokens)
          : spike::runtime::calibrate(student, teacher, *tokens, c.options);
  if (!result)
    return fail(result.message());
  return writeCalibration(c, student, *result, source, seqLen);
}

} // namespace

Command addCalibrateCommand(CLI::App &app) {
  auto args = std::make_shared<CalibrateArgs>();
  CalibrateArgs &c = *args;
  CLI::App *cmd = app.add_subcommand(
      "calibrate", "Layer-wise calibration of an IS plan's thresholds and "
                   "initial membranes (paper Section 3.4)");
  addTextRunOptions(*cmd, c.run, kText | kTokenizer | kBos | kSeqLen | kBatch,
                    /*textRequired=*/false);
  cmd->add_flag("--data-free", c.dataFree,
                "Calibrate on sequences the FP teacher (else the plan) "
                "samples from its BOS token instead of a text")
      ->excludes(cmd->get_option("--text"));
  cmd->add_option("-o,--out", c.out,
                  "The spikec.calibration file to write (for spike-opt "
                  "--spike-apply-calibration)")
      ->type_name("CALIB.json")
      ->required();
  cmd->add_option("--teacher", c.teacher,
                  "What the block outputs are matched against")
      ->type_name("TEACHER")
      ->check(CLI::IsMember({"fp", "w-only", "qann"}))
      ->capture_default_str();
  cmd->add_option("--teacher-plan", c.teacherPlanPath,
                  "The FP plan (the fp teacher; the data-free writer)")
      ->type_name("FP_PLAN");
  // The presets' help and choices come from kPresets.
  std::string presetHelp = "Samples x sequence length x epochs:";
  std::vector<std::string> presetNames;
  for (const Preset &p : kPresets) {
    presetHelp += std::string(presetNames.empty() ? " " : "; ") + p.name +
                  " (" + std::to_string(p.samples) + " x " +
                  std::to_string(p.seqLen) + " x " + std::to_string(p.epochs) +
                  ", " + p.what + ")";
    presetNames.push_back(p.name);
  }
  cmd->add_option("--preset", c.preset, presetHelp)
      ->type_name("PRESET")
      ->check(CLI::IsMember(presetNames))
      ->capture_default_str();
  cmd->add_option("--samples", c.samples, "Samples; default: the preset's")
      ->type_name("N")
      ->transform(positiveInteger());
  cmd->add_option("--epochs", c.epochs,
                  "Epochs of the block-wise pass; default: the preset's (0, "
                  "with --end-to-end: none, the end-to-end pass starts from "
                  "the plan's values)")
      ->type_name("E")
      ->transform(nonNegativeInteger());
  cmd->add_option("--blocks", c.options.maxBlocks,
                  "Calibrate the first N blocks only; the later ones keep "
                  "the plan's values and are not run (0: all)")
      ->type_name("N")
      ->transform(nonNegativeInteger());
  cmd->add_option("--lr", c.options.lr, "AdamW's learning rate")
      ->type_name("X")
      ->check(positiveNumber())
      ->capture_default_str();
  cmd->add_option("--group-size", c.options.groupSize,
                  "Channels that share a threshold (-1: one per site)")
      ->type_name("G")
      ->transform(CLI::Validator(
          [](std::string &text) {
            if (text == "-1" || positiveInteger()(text).empty())
              return std::string();
            return "needs a positive integer or -1, got '" + text + "'";
          },
          /*validator_desc=*/"", "group size"))
      ->capture_default_str();
  CLI::Option *penalty =
      cmd->add_option("--spike-penalty", c.options.spikePenalty,
                      "Minimize MSE / MSE_0 + LAMBDA x spikes per neuron-step "
                      "in each block (0: the block MSE alone)")
          ->type_name("LAMBDA")
          ->check(nonNegativeNumber())
          ->capture_default_str();
  cmd->add_option("--spike-budget", c.spikeBudget,
                  "Pick the least spike penalty (0, 0.1, 0.3, 1, 3, 10; a "
                  "calibration each) whose plan spends at most N spikes per "
                  "token on the calibration samples")
      ->type_name("N")
      ->check(positiveNumber())
      ->excludes(penalty);
  cmd->add_option("--learn", c.learn,
                  "What to learn: the IS neurons' thresholds and initial "
                  "membranes (the paper's method), the quantized linear "
                  "weights on their grid (its Table 4 baseline), or both")
      ->type_name("WHAT")
      ->check(CLI::IsMember({"thresholds", "weights", "weights,thresholds",
                             "thresholds,weights"}))
      ->capture_default_str();
  cmd->add_option("--weight-lr", c.options.weightLr,
                  "AdamW's learning rate of the weights, in weight codes")
      ->type_name("X")
      ->check(positiveNumber())
      ->capture_default_str();
  cmd->add_option("--end-to-end", c.options.endToEndEpochs,
                  "After the block-wise pass, E epochs over every site's "
                  "theta and v0 at once minimizing KL(teacher || student) "
                  "on the logits (0: none, the paper's method)")
      ->type_name("E")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--end-to-end-lr", c.options.endToEndLr,
                  "AdamW's learning rate of the end-to-end pass")
      ->type_name("X")
      ->check(positiveNumber())
      ->capture_default_str();
  cmd->add_flag("--v0-per-group", c.options.v0PerGroup,
                "One initial membrane per group instead of per site");
  cmd->add_option("--seed", c.seed, "Seed of the sampled data and the order")
      ->type_name("N")
      ->transform(nonNegativeInteger())
      ->capture_default_str();
  cmd->add_option("--report", c.reportPrefix,
                  "The per-block MSE report, PREFIX.csv and PREFIX.png; "
                  "default CALIB.layers")
      ->type_name("PREFIX");
  cmd->footer(
      R"(Block by block, learns the IS neurons' thresholds (per group of G
channels) and initial membranes (per site, or per group) so that the
T-summed block output matches the teacher's, each fed by its own output
chain. AdamW, cosine schedule to lr/10, straight-through floor, hard
clamp. Samples: N chunks of S tokens spread over F, or (--data-free) N
sequences of S tokens that the FP teacher (else the plan) samples from
its BOS token (top-k 50). Writes the per-block MSE of ANN vs QANN and of
ANN vs SNN before and after, like the paper's Figures 3 and 4. With
--end-to-end E, E more epochs learn every site's thresholds and initial
membranes at once against the teacher's next-token distributions (KL),
from the block-wise values, or with --epochs 0 from the plan's.)");
  return {cmd, [args] { return runCalibrate(*args); }};
}

} // namespace spike::run
