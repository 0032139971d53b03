//===- CompileJob.cpp - `spikec compile`: a checkpoint to a chip ----------===//
//
// import -> static quantization -> conversion -> legality on the chip ->
// calibration -> IS->IF lowering where the chip has binary spikes ->
// evaluation -> report. Every stage is one run of spike-translate,
// spike-opt or spike-run, so each step can be reproduced by hand from the
// commands in OUT/logs and report.json.
//
//===----------------------------------------------------------------------===//

#include "CompileJob.h"
#include "Report.h"
#include "StageRunner.h"

#include "spike/core/Chip/ChipDescription.h"
#include "spike/core/Text/Tokenizer.h"

#include "llvm/Support/FileSystem.h"

#include <cstdio>
#include <iomanip>
#include <optional>
#include <sstream>
#include <thread>

namespace spikec {

namespace {

/// The calibrated graph's weight codes (spike-store-weight-codes).
constexpr const char *kWeightCodes = "ir/is-calibrated.codes.safetensors";

/// PrefixQuant's outlier tokens for a model: its start token and "\n",
/// where "\n" is one token (SmolLM2: 0 198).
std::string autoPrefix(const spike::core::Tokenizer &tok) {
  std::string ids;
  int32_t start = tok.bos() >= 0 ? tok.bos() : tok.eos();
  if (start >= 0)
    ids = std::to_string(start);
  std::vector<int32_t> newline = tok.encode("\n");
  if (newline.size() == 1)
    ids += (ids.empty() ? "" : " ") + std::to_string(newline[0]);
  return ids;
}

bool fileExists(const std::string &path, const std::string &what) {
  if (llvm::sys::fs::exists(path))
    return true;
  std::fprintf(stderr, "spikec: error: %s '%s' does not exist\n", what.c_str(),
               path.c_str());
  return false;
}

/// Prints "spikec: error: MESSAGE"; nothing, for prepareJob to return.
std::nullopt_t refuse(const std::string &message) {
  std::fprintf(stderr, "spikec: error: %s\n", message.c_str());
  return std::nullopt;
}

/// The job's decisions taken from the options and the chip.
struct JobSetup {
  std::string chipName;
  bool binary = false;     ///< the chip has binary spikes: IF lowering
  bool correction = false; ///< correction spikes (graded chips)
  std::string coding;      ///< offset | signed
  std::string prefix;      ///< PrefixQuant prefix ids, "" for none
};

/// What the job settles before any stage runs. Prints one error line and
/// returns nothing on bad input: missing files, a chip without neuron
/// cores, options a binary chip cannot carry, an unreadable tokenizer.
std::optional<JobSetup> prepareJob(CompileOptions &o) {
  if (!fileExists(o.model, "model") || !fileExists(o.chip, "chip description"))
    return std::nullopt;
  if (!o.calibText.empty() && !fileExists(o.calibText, "calibration text"))
    return std::nullopt;
  if (!o.evalText.empty() && !fileExists(o.evalText, "evaluation text"))
    return std::nullopt;
  auto chip = spike::core::loadChipDescription(o.chip);
  if (!chip)
    return refuse(chip.message());
  const spike::core::CoreType *neuronCore = chip->neuronCore();
  if (!neuronCore)
    return refuse(o.chip + ": no core type runs synaptic ops");
  // Binary-spike chips run the IF lowering, which carries no correction
  // spikes.
  bool binary = neuronCore->spikePayloadBits == 0;
  // The signed code wherever a spike can carry a sign (numerics.sign): it
  // meets the fidelity targets at the fewest spikes (docs/results.md).
  bool sign = neuronCore->carriesSign();
  std::string coding =
      o.coding == "auto" ? (sign ? "signed" : "offset") : o.coding;
  if (coding == "signed" && !sign)
    return refuse("--coding signed: " + o.chip + " has " +
                  (binary ? "binary" : "graded") +
                  " spikes with 'sign: none', so a negative spike cannot "
                  "travel on it");
  if (coding == "signed" && o.correctionSpikes == "on")
    return refuse("--correction-spikes on: the signed code has negative "
                  "spikes of its own; correction spikes apply to the offset "
                  "code");
  bool correction =
      coding == "offset" && (o.correctionSpikes == "on" ||
                             (o.correctionSpikes == "auto" && !binary && sign));
  if (binary && correction)
    return refuse("--correction-spikes on: " + o.chip +
                  " has binary spikes, and correction spikes do not lower to "
                  "binary IF neurons");
  if (correction && !sign)
    return refuse("--correction-spikes on: " + o.chip +
                  " has 'sign: none', so a negative spike cannot travel on "
                  "it");
  auto tok = spike::core::loadTokenizer(o.model);
  if (!tok)
    return refuse(tok.message());
  // The prefix's keys and values are constants of the attention state at
  // every level (Executor::prefixState), binary IF included.
  std::string prefix = o.prefix;
  if (prefix == "auto")
    prefix = autoPrefix(**tok);
  if (prefix == "none")
    prefix.clear();
  if (o.threads == 0)
    o.threads = std::max(1u, std::thread::hardware_concurrency());
  for (const char *dir :
       {"ir", "plans", "data", "calib", "eval", "chip", "nir"})
    if (std::error_code ec =
            llvm::sys::fs::create_directories(o.out + "/" + dir))
      return refuse(o.out + "/" + dir + ": cannot create: " + ec.message());
  // A report from an earlier run must not outlive this one's failure: its
  // presence says every stage of the job it describes succeeded.
  for (const char *name : {"report.json", "report.md"})
    llvm::sys::fs::remove(o.out + "/" + name);

  return JobSetup{chip->name, binary, correction, coding, prefix};
}

/// The stages of a job, in order, built in four named steps.
class JobBuilder {
public:
  JobBuilder(CompileOptions &o, const JobSetup &setup) : o(o), setup(setup) {
    dataFree = o.calibText.empty();
    if (o.statsTokens < 0)
      o.statsTokens = dataFree ? o.dataFreeSamples * o.dataFreeSeqLen : 8192;
    calibText = dataFree ? at("data/calib.data-free.txt") : o.calibText;
    heldOut = at("data/heldout.data-free.txt");
  }

  /// Import, data-free samples, statistics, quantization, conversion and
  /// the first legality check (before the long stages).
  void addFrontEnd();
  /// Calibration, applied; the IF lowering on binary chips; legality of
  /// the final graph.
  void addCalibration();
  /// Perplexity, agreement with FP, spike statistics and firing rates.
  void addEvaluation();
  /// Mapping with the measured rates, the chip program and NIR.
  void addBackEnd();

  std::vector<Stage> stages;
  bool dataFree = false;
  std::string finalGraph;

private:
  CompileOptions &o;
  const JobSetup &setup;
  std::string calibText, heldOut, chipGraph = "is";
  const std::string bits = std::to_string(o.bits);

  std::string at(const std::string &rel) const { return o.out + "/" + rel; }
  void plan(const std::string &name) {
    stages.push_back(
        {"plan " + name,
         "spike-translate",
         {"--emit-plan", at("ir/" + name + ".mlir"), "--plan-tensors",
          at("plans/" + name + ".plan.safetensors"), "--tokenizer", o.model,
          "-o", at("plans/" + name + ".plan.json")},
         {"plans/" + name + ".plan.json",
          "plans/" + name + ".plan.safetensors"},
         {o.model}});
  }
  /// The lowering's options for the job's compiler stages: the shared
  /// stage list (spike/Pipeline/Lowering.h) without the canonicalizer,
  /// which would reorder the weights of the job's plans.
  spike::pipeline::LoweringOptions lowering() const {
    spike::pipeline::LoweringOptions l;
    l.timesteps = o.timesteps;
    l.correctionSpikes = setup.correction;
    l.coding = setup.coding;
    l.signedCap = o.signedCap;
    l.calibration = at("calib/calibration.json");
    if (o.learnsWeights())
      l.calibrationWeightsOut = at("ir/is-calibrated.safetensors");
    l.weightCodesOut = at(kWeightCodes);
    l.cleanup = false;
    return l;
  }
  /// Stages of the lowering, as one spike-opt --pass-pipeline.
  void lowering(const std::string &name,
                const std::vector<spike::pipeline::LoweringStage> &passes,
                const std::string &from, const std::string &to,
                std::vector<std::string> extraOutputs = {}) {
    std::vector<std::string> outputs = {"ir/" + to + ".mlir"};
    outputs.insert(outputs.end(), extraOutputs.begin(), extraOutputs.end());
    stages.push_back(
        {name,
         "spike-opt",
         {at("ir/" + from + ".mlir"),
          spike::pipeline::stagePassPipelineArg(passes, lowering()), "-o",
          at("ir/" + to + ".mlir")},
         outputs});
  }
  /// The chip sees the graph it will run: IF neurons on binary chips.
  void lowerToIF(const std::string &from, const std::string &to) {
    lowering("lower " + to, {spike::pipeline::LoweringStage::LowerToIF}, from,
             to);
  }
  /// The chip's legality check of a graph; its diagnostics are the log.
  void checkChip(const std::string &name, const std::string &graph,
                 const std::string &output) {
    stages.push_back({name,
                      "spike-opt",
                      {at("ir/" + graph + ".mlir"),
                       "--spike-check-chip=chip=" + o.chip, "-o", at(output)},
                      {output},
                      {o.chip},
                      /*captureStderr=*/true});
  }
};

void JobBuilder::addFrontEnd() {
  stages.push_back({"import",
                    "spike-translate",
                    {"--import-llama", o.model, "--rotate", o.rotate, "-o",
                     at("ir/fp.mlir")},
                    {"ir/fp.mlir"},
                    {o.model}});
  plan("fp");
  if (dataFree)
    stages.push_back({"sample calibration",
                      "spike-run",
                      {"sample", "--plan", at("plans/fp.plan.json"),
                       "--samples", std::to_string(o.dataFreeSamples),
                       "--seq-len", std::to_string(o.dataFreeSeqLen), "--seed",
                       std::to_string(o.seed), "-o", calibText},
                      {"data/calib.data-free.txt"}});
  // Held-out sequences for agreement: another seed than calibration's.
  stages.push_back({"sample held-out",
                    "spike-run",
                    {"sample", "--plan", at("plans/fp.plan.json"), "--samples",
                     std::to_string(o.agreeSamples), "--seq-len",
                     std::to_string(o.agreeSeqLen), "--seed",
                     std::to_string(o.seed + 1000003), "-o", heldOut},
                    {"data/heldout.data-free.txt"}});
  stages.push_back({"observers",
                    "spike-opt",
                    {at("ir/fp.mlir"), "--spike-insert-observers", "-o",
                     at("ir/observed.mlir")},
                    {"ir/observed.mlir"}});
  plan("observed");
  std::vector<std::string> statsArgs = {"stats",
                                        "--plan",
                                        at("plans/observed.plan.json"),
                                        "--text",
                                        calibText,
                                        "--tokens",
                                        std::to_string(o.statsTokens),
                                        "--seq-len",
                                        std::to_string(o.statsSeqLen),
                                        "-o",
                                        at("calib/activation-stats.json")};
  if (!setup.prefix.empty()) {
    statsArgs.push_back("--prefix");
    statsArgs.push_back(setup.prefix);
  }
  stages.push_back({"statistics",
                    "spike-run",
                    statsArgs,
                    {"calib/activation-stats.json"},
                    {calibText}});
  stages.push_back(
      {"quantize",
       "spike-opt",
       {at("ir/observed.mlir"),
        "--spike-quantize=stats=" + at("calib/activation-stats.json") +
            " wbits=" + bits + " abits=" + bits + " mse=true",
        "-o", at("ir/qann.mlir")},
       {"ir/qann.mlir"}});
  plan("qann");
  lowering("convert", {spike::pipeline::LoweringStage::Convert}, "qann", "is");
  if (setup.binary) {
    lowerToIF("is", "if-uncalibrated");
    chipGraph = "if-uncalibrated";
  }
  // Legality before the long stages: an infeasible chip fails here.
  checkChip("chip legality", chipGraph, "chip/checked.mlir");
}

void JobBuilder::addCalibration() {
  plan("is");
  std::vector<std::string> calArgs = {"calibrate",
                                      "--plan",
                                      at("plans/is.plan.json"),
                                      "--teacher-plan",
                                      at("plans/fp.plan.json"),
                                      "--text",
                                      calibText,
                                      "--preset",
                                      o.preset,
                                      "--seed",
                                      std::to_string(o.seed),
                                      "-o",
                                      at("calib/calibration.json")};
  for (auto [flag, v] : {std::pair{"--samples", o.calibSamples},
                         {"--seq-len", o.calibSeqLen},
                         {"--epochs", o.calibEpochs},
                         {"--end-to-end", o.calibEndToEnd}})
    if (v > 0) {
      calArgs.push_back(flag);
      calArgs.push_back(std::to_string(v));
    }
  // Every digit, so that a resumed job sees the same command.
  for (auto [flag, v] : {std::pair{"--spike-penalty", o.spikePenalty},
                         {"--spike-budget", o.spikeBudget}})
    if (v > 0) {
      std::ostringstream text;
      text << std::setprecision(17) << v;
      calArgs.push_back(flag);
      calArgs.push_back(text.str());
    }
  std::vector<std::string> calOutputs = {"calib/calibration.json",
                                         "calib/calibration.layers.csv",
                                         "calib/calibration.layers.png"};
  // The calibrated graph's weights are final: from here on the plans, the
  // chip program and NIR read them as int8 codes (an overlay over the
  // float file, which the FP, QANN and IS plans still read).
  std::vector<std::string> weightFiles = {kWeightCodes};
  if (o.learnsWeights()) {
    calArgs.push_back("--learn");
    calArgs.push_back(o.calibLearn);
    calOutputs.push_back("calib/calibration.weights.safetensors");
    weightFiles.push_back("ir/is-calibrated.safetensors");
  }
  stages.push_back(
      {"calibrate", "spike-run", calArgs, calOutputs, {calibText}});
  lowering("apply calibration",
           {spike::pipeline::LoweringStage::ApplyCalibration,
            spike::pipeline::LoweringStage::StoreWeightCodes},
           "is", "is-calibrated", weightFiles);
  plan("is-calibrated");
  finalGraph = "is-calibrated";
  if (setup.binary) {
    lowerToIF("is-calibrated", "if");
    plan("if");
    finalGraph = "if";
  }
  checkChip("chip legality (final)", finalGraph, "chip/final.mlir");
}

void JobBuilder::addEvaluation() {
  // Evaluation at every level. IF equals IS exactly (integrate-then-fire),
  // so the IS plans stand for it and the slow sub-step model is not re-run.
  const std::vector<std::string> levels = {"fp", "qann", "is", "is-calibrated"};
  if (!o.evalText.empty())
    for (const std::string &l : levels)
      stages.push_back(
          {"perplexity " + l,
           "spike-run",
           {"eval", "--plan", at("plans/" + l + ".plan.json"), "--text",
            o.evalText, "--tokens", std::to_string(o.evalTokens), "--seq-len",
            std::to_string(o.evalSeqLen), "--json",
            at("eval/perplexity-" + l + ".json")},
           {"eval/perplexity-" + l + ".json"},
           {o.evalText}});
  for (const std::string l : {"qann", "is", "is-calibrated"})
    stages.push_back({"agreement " + l,
                      "spike-run",
                      {"agree", "--plan", at("plans/" + l + ".plan.json"),
                       "--reference", at("plans/fp.plan.json"), "--text",
                       heldOut, "--samples", std::to_string(o.agreeSamples),
                       "--seq-len", std::to_string(o.agreeSeqLen), "--json",
                       at("eval/agreement-" + l + ".json")},
                      {"eval/agreement-" + l + ".json"}});
  // Spike statistics and the firing rates the chip mapper reads.
  std::string rateText = o.evalText.empty() ? heldOut : o.evalText;
  stages.push_back(
      {"spike statistics",
       "spike-run",
       {"eval", "--plan", at("plans/is-calibrated.plan.json"), "--text",
        rateText, "--tokens",
        std::to_string(o.evalText.empty()
                           ? o.agreeSamples * o.agreeSeqLen
                           : std::min<int64_t>(o.evalTokens, 2048)),
        "--seq-len",
        std::to_string(o.evalText.empty() ? o.agreeSeqLen : o.evalSeqLen),
        "--json", at("eval/spikes.json"), "--firing-rates",
        at("chip/firing-rates.json")},
       {"eval/spikes.json", "chip/firing-rates.json"},
       {rateText}});
}

void JobBuilder::addBackEnd() {
  // Mapping, with the measured rates.
  stages.push_back(
      {"map to chip",
       "spike-opt",
       {at("ir/" + finalGraph + ".mlir"),
        "--spike-map-to-chip=chip=" + o.chip +
            " rates=" + at("chip/firing-rates.json") + " report=" +
            at("chip/mapping.json") + " report-md=" + at("chip/mapping.md") +
            " energy-plot=" + at("chip/energy.png") + " mesh-plot=" +
            at("chip/mesh.png") + " placement-out=" + at("chip/placement.json"),
        "-o", at("ir/mapped.mlir")},
       {"ir/mapped.mlir", "chip/mapping.json", "chip/mapping.md",
        "chip/energy.png", "chip/mesh.png", "chip/placement.json"},
       {o.chip},
       /*captureStderr=*/true});

  // The chip program: IF neurons on binary chips, IS neurons (graded
  // spikes) on graded ones, where the mapping placed them.
  stages.push_back(
      {"emit chip program",
       "spike-translate",
       {"--emit-chip-program", at("ir/" + finalGraph + ".mlir"), "--chip",
        o.chip, "--program-rates", at("chip/firing-rates.json"),
        "--program-placement", at("chip/placement.json"), "--program-tensors",
        at("chip/program.safetensors"), "-o", at("chip/program.json")},
       {"chip/program.json", "chip/program.safetensors"},
       {o.chip},
       /*captureStderr=*/true});

  // NIR: the expressible subgraphs, and a manifest of the rest.
  stages.push_back(
      {"export NIR",
       "spike-translate",
       {"--emit-nir", at("ir/" + finalGraph + ".mlir"), "--nir-prefix",
        at("nir/model"), "-o", at("nir/manifest.json")},
       {"nir/manifest.json", "nir/model.0.nir"}});
}

} // namespace

int runCompile(CompileOptions o, const std::string &toolDir) {
  std::optional<JobSetup> setup = prepareJob(o);
  if (!setup)
    return 1;
  JobBuilder job(o, *setup);
  job.addFrontEnd();
  job.addCalibration();
  job.addEvaluation();
  job.addBackEnd();
  const std::vector<Stage> &stages = job.stages;
  const std::string &finalGraph = job.finalGraph;
  bool dataFree = job.dataFree, binary = setup->binary,
       correction = setup->correction;
  const std::string &prefix = setup->prefix;
  std::string code =
      setup->coding == "signed"
          ? "signed code, " + o.signedCap + " cap"
          : std::string("offset code, ") +
                (correction ? "correction spikes" : "no correction spikes");
  std::printf("spikec: compiling %s for %s (%s spikes), T = %lld, W%lldA%lld, "
              "%s, %lld threads -> %s\n",
              o.model.c_str(), setup->chipName.c_str(),
              binary ? "binary" : "graded", (long long)o.timesteps,
              (long long)o.bits, (long long)o.bits, code.c_str(),
              (long long)o.threads, o.out.c_str());
  StageRunner runner(toolDir, o.out, o.threads, int64_t(stages.size()),
                     o.fresh);
  for (const Stage &s : stages)
    if (!runner.run(s)) {
      if (s.captureStderr)
        printDiagnostics(runner.logPath(s));
      return 1;
    }

  JobFacts facts;
  facts.options = o;
  facts.chipName = setup->chipName;
  facts.binary = binary;
  facts.correctionSpikes = correction;
  facts.coding = setup->coding;
  facts.prefix = prefix;
  facts.dataFree = dataFree;
  facts.finalGraph = finalGraph;
  facts.stages = runner.stages();
  return writeReport(facts) ? 0 : 1;
}

} // namespace spikec
