//===- CompileOptions.cpp - The command line of `spikec compile` ----------===//
//
// llvm::cl options in a `compile` subcommand and four categories, each value
// checked when the command line is read (choices and the prefix as parsed,
// integer ranges right after), so that a bad argument is refused before any
// stage runs. Only these options appear in --help.
//
//===----------------------------------------------------------------------===//

#include "CompileJob.h"

#include "spike/Pipeline/Lowering.h"
#include "spike/core/Neuron/Neuron.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace cl = llvm::cl;

namespace spikec {

namespace {

/// auto, none, or token ids ("ID ID ..."), checked as parsed.
class PrefixParser : public cl::parser<std::string> {
public:
  using cl::parser<std::string>::parser;
  bool parse(cl::Option &o, llvm::StringRef, llvm::StringRef arg,
             std::string &value) {
    value = arg.str();
    if (arg == "auto" || arg == "none")
      return false;
    llvm::SmallVector<llvm::StringRef> ids;
    arg.split(ids, ' ', -1, /*KeepEmpty=*/false);
    uint64_t id = 0;
    for (llvm::StringRef s : ids)
      if (s.getAsInteger(10, id))
        return o.error("is auto, none or token ids (\"ID ID ...\"), got '" +
                       arg + "'");
    if (ids.empty())
      return o.error("needs token ids, auto or none");
    return false;
  }
};

enum class Preset { Cpu, Paper };
enum class Correction { On, Off, Auto };
enum class Coding { Offset, Signed, Auto };
enum class SignedCap { Even, Full };
enum class Rotate { None, Residual, ResidualDown };
enum class Learn { Thresholds, Weights, Both };

cl::SubCommand compile("compile",
                       "A LLaMA-family checkpoint to a calibrated spiking "
                       "model and a program for a chip");

cl::OptionCategory jobCat("Job");
cl::OptionCategory conversionCat("Conversion");
cl::OptionCategory dataCat("Data");
cl::OptionCategory runCat("Run");

// Job.
cl::opt<std::string> model(cl::Positional, cl::Required, cl::sub(compile),
                           cl::desc("<model: a Hugging Face LLaMA directory "
                                    "or a GGUF file>"),
                           cl::cat(jobCat));
cl::opt<std::string> chip("chip", cl::Required, cl::sub(compile),
                          cl::value_desc("chip.yaml"),
                          cl::desc("A chip description (chips/*.yaml, "
                                   "docs/ChipFormat.md)"),
                          cl::cat(jobCat));
cl::opt<std::string> out("o", cl::Required, cl::sub(compile),
                         cl::value_desc("folder"),
                         cl::desc("The output folder; a re-run resumes its "
                                  "finished stages"),
                         cl::cat(jobCat));

// Conversion.
const std::string kTimestepsHelp =
    "Time steps of the IS neurons (default " +
    std::to_string(spike::pipeline::kDefaultTimesteps) + ")";
cl::opt<int64_t> timesteps("T", cl::sub(compile),
                           cl::init(spike::pipeline::kDefaultTimesteps),
                           cl::value_desc("N"),
                           cl::desc(kTimestepsHelp.c_str()),
                           cl::cat(conversionCat));
cl::opt<int64_t>
    bits("bits", cl::sub(compile), cl::init(6), cl::value_desc("N"),
         cl::desc("Weight and activation bits of the QANN, 2 to 8 (default 6)"),
         cl::cat(conversionCat));
cl::opt<Correction> correction(
    "correction-spikes", cl::sub(compile), cl::init(Correction::Auto),
    cl::desc("SpikeZIP-TF-style negative spikes"),
    cl::values(clEnumValN(Correction::On, "on", "always"),
               clEnumValN(Correction::Off, "off", "never"),
               clEnumValN(Correction::Auto, "auto",
                          "on for graded-spike chips with the offset code, "
                          "off otherwise")),
    cl::cat(conversionCat));
cl::opt<Coding> coding(
    "coding", cl::sub(compile), cl::init(Coding::Auto),
    cl::desc("How activations carry their sign in spikes"),
    cl::values(
        clEnumValN(Coding::Offset, "offset",
                   "the paper's: alpha spikes per step stand for zero"),
        clEnumValN(Coding::Signed, "signed",
                   "zero is silence, spikes of either sign (chips that "
                   "carry a sign)"),
        clEnumValN(Coding::Auto, "auto",
                   "signed where the chip carries a sign (numerics.sign), "
                   "offset elsewhere")),
    cl::cat(conversionCat));
cl::opt<SignedCap> signedCap(
    "signed-cap", cl::sub(compile), cl::init(SignedCap::Full),
    cl::desc("Per-step spike cap L of the signed code"),
    cl::values(clEnumValN(SignedCap::Even, "even",
                          "ceil(grid / T): the smallest an even input needs"),
               clEnumValN(SignedCap::Full, "full",
                          "2^n - 1: no input meets it (more payload bits)")),
    cl::cat(conversionCat));
cl::opt<std::string, false, PrefixParser>
    prefix("prefix", cl::sub(compile), cl::init("auto"),
           cl::value_desc("auto|none|\"ID ...\""),
           cl::desc("PrefixQuant prefix tokens (auto: the start token and "
                    "\"\\n\")"),
           cl::cat(conversionCat));
cl::opt<Rotate>
    rotate("rotate", cl::sub(compile), cl::init(Rotate::ResidualDown),
           cl::desc("Rotation folded in at import"),
           cl::values(clEnumValN(Rotate::None, "none", "no rotation"),
                      clEnumValN(Rotate::Residual, "residual",
                                 "randomized Hadamard on the residual stream"),
                      clEnumValN(Rotate::ResidualDown, "residual-down",
                                 "also rotate the down_proj input online")),
           cl::cat(conversionCat));

// Data.
cl::opt<std::string> calibText("calib-text", cl::sub(compile),
                               cl::value_desc("file"),
                               cl::desc("Statistics and calibration text; "
                                        "without it the FP model samples "
                                        "its own (data-free) sequences"),
                               cl::cat(dataCat));
cl::opt<std::string> evalText("eval-text", cl::sub(compile),
                              cl::value_desc("file"),
                              cl::desc("Perplexity text"), cl::cat(dataCat));
cl::opt<int64_t> evalTokens(
    "eval-tokens", cl::sub(compile), cl::value_desc("N"), cl::init(4096),
    cl::desc("Tokens of the perplexity text (default 4096)"), cl::cat(dataCat));
cl::opt<int64_t> evalSeqLen("eval-seq-len", cl::sub(compile),
                            cl::value_desc("N"), cl::init(512),
                            cl::desc("Perplexity chunk length (default 512)"),
                            cl::cat(dataCat));
cl::opt<Preset> preset(
    "preset", cl::sub(compile), cl::init(Preset::Cpu),
    cl::desc("Calibration preset"),
    cl::values(clEnumValN(Preset::Cpu, "cpu", "16 x 256 tokens, 2 epochs"),
               clEnumValN(Preset::Paper, "paper", "the paper's")),
    cl::cat(dataCat));
cl::opt<int64_t> calibSamples(
    "calib-samples", cl::sub(compile), cl::value_desc("N"), cl::init(-1),
    cl::desc("Calibration samples (overrides the preset)"), cl::cat(dataCat));
cl::opt<int64_t>
    calibSeqLen("calib-seq-len", cl::sub(compile), cl::value_desc("N"),
                cl::init(-1),
                cl::desc("Calibration sample length (overrides the preset)"),
                cl::cat(dataCat));
cl::opt<int64_t> calibEpochs(
    "calib-epochs", cl::sub(compile), cl::value_desc("N"), cl::init(-1),
    cl::desc("Calibration epochs (overrides the preset)"), cl::cat(dataCat));
cl::opt<Learn> calibLearn(
    "calib-learn", cl::sub(compile), cl::init(Learn::Thresholds),
    cl::desc("What calibration learns"),
    cl::values(
        clEnumValN(Learn::Thresholds, "thresholds",
                   "the IS neurons' theta and v0 (the paper's method)"),
        clEnumValN(Learn::Weights, "weights",
                   "the quantized linear weights (its Table 4 baseline)"),
        clEnumValN(Learn::Both, "weights,thresholds", "both")),
    cl::cat(dataCat));
cl::opt<int64_t> calibEndToEnd(
    "calib-end-to-end", cl::sub(compile), cl::value_desc("E"), cl::init(0),
    cl::desc("After the block-wise calibration, E epochs over every site's "
             "theta and v0 against the teacher's next-token distributions "
             "(KL; default 0: none)"),
    cl::cat(dataCat));
cl::opt<double> spikePenalty(
    "spike-penalty", cl::sub(compile), cl::value_desc("LAMBDA"), cl::init(0),
    cl::desc("Calibrate to MSE / MSE_0 + LAMBDA x spikes per neuron-step "
             "in each block: fewer spikes for fidelity (default 0)"),
    cl::cat(dataCat));
cl::opt<double> spikeBudget(
    "spike-budget", cl::sub(compile), cl::value_desc("N"), cl::init(0),
    cl::desc("Calibrate with the least spike penalty (0, 0.1, 0.3, 1, 3, 10) "
             "that spends at most N spikes per token on the calibration "
             "samples (a calibration per penalty tried)"),
    cl::cat(dataCat));
cl::opt<int64_t>
    statsTokens("stats-tokens", cl::sub(compile), cl::value_desc("N"),
                cl::init(-1),
                cl::desc("Activation-statistics tokens (default 8192 of the "
                         "calibration text, or all data-free tokens)"),
                cl::cat(dataCat));
cl::opt<int64_t>
    statsSeqLen("stats-seq-len", cl::sub(compile), cl::value_desc("N"),
                cl::init(512),
                cl::desc("Activation-statistics sequence length (default 512)"),
                cl::cat(dataCat));
cl::opt<int64_t> dataFreeSamples(
    "data-free-samples", cl::sub(compile), cl::value_desc("N"), cl::init(16),
    cl::desc("Data-free calibration sequences (default 16)"), cl::cat(dataCat));
cl::opt<int64_t> dataFreeSeqLen(
    "data-free-seq-len", cl::sub(compile), cl::value_desc("N"), cl::init(256),
    cl::desc("Data-free calibration sequence length (default 256)"),
    cl::cat(dataCat));
cl::opt<int64_t> agreeSamples(
    "agree-samples", cl::sub(compile), cl::value_desc("N"), cl::init(8),
    cl::desc("Held-out sequences for agreement (default 8)"), cl::cat(dataCat));
cl::opt<int64_t> agreeSeqLen("agree-seq-len", cl::sub(compile),
                             cl::value_desc("N"), cl::init(128),
                             cl::desc("Held-out sequence length (default 128)"),
                             cl::cat(dataCat));

// Run.
cl::opt<int64_t> seed("seed", cl::sub(compile), cl::value_desc("N"),
                      cl::init(0),
                      cl::desc("Seed of sampling and calibration (default 0)"),
                      cl::cat(runCat));
cl::opt<int64_t>
    threads("threads", cl::sub(compile), cl::value_desc("N"), cl::init(0),
            cl::desc("Threads of every stage (default: all cores); a fixed "
                     "seed and thread count give identical files"),
            cl::cat(runCat));
cl::opt<bool> fresh("fresh", cl::sub(compile),
                    cl::desc("Ignore earlier runs in the output folder"),
                    cl::cat(runCat));

cl::extrahelp outputs(R"(
OUT holds ir/ (every level), plans/, calib/ (statistics, calibrated
parameters, per-block error CSV and plot), eval/, chip/ (legality, firing
rates, mapping, chip program), nir/, logs/ (each stage's command and
output), report.json and report.md. See docs/Driver.md.
)");

/// The range of each integer option, checked once parsing is done and
/// before any stage runs.
struct Range {
  cl::opt<int64_t> *option;
  int64_t lo, hi;
};
const Range kRanges[] = {
    {&timesteps, 1, 1 << 20},
    // The quantizer's range (Neuron.h; spike-quantize refuses others).
    {&bits, spike::neuron::kMinBits, spike::neuron::kMaxBits},
    {&evalTokens, 1, INT64_MAX},
    {&evalSeqLen, 2, INT64_MAX},
    {&calibSamples, 1, INT64_MAX},
    {&calibSeqLen, 2, INT64_MAX},
    {&calibEpochs, 1, INT64_MAX},
    {&calibEndToEnd, 0, INT64_MAX},
    {&statsTokens, 1, INT64_MAX},
    {&statsSeqLen, 2, INT64_MAX},
    {&dataFreeSamples, 1, INT64_MAX},
    {&dataFreeSeqLen, 2, INT64_MAX},
    {&agreeSamples, 1, INT64_MAX},
    {&agreeSeqLen, 2, INT64_MAX},
    {&seed, 0, INT64_MAX},
    {&threads, 1, 4096},
};

const char *name(Preset p) { return p == Preset::Cpu ? "cpu" : "paper"; }
const char *name(Correction c) {
  return c == Correction::On ? "on" : c == Correction::Off ? "off" : "auto";
}
const char *name(Coding c) {
  return c == Coding::Offset   ? "offset"
         : c == Coding::Signed ? "signed"
                               : "auto";
}
const char *name(SignedCap c) { return c == SignedCap::Even ? "even" : "full"; }
const char *name(Learn l) {
  return l == Learn::Thresholds ? "thresholds"
         : l == Learn::Weights  ? "weights"
                                : "weights,thresholds";
}
const char *name(Rotate r) {
  return r == Rotate::None       ? "none"
         : r == Rotate::Residual ? "residual"
                                 : "residual-down";
}

} // namespace

bool parseCommandLine(int argc, char **argv, CompileOptions &o) {
  cl::HideUnrelatedOptions({&jobCat, &conversionCat, &dataCat, &runCat},
                           compile);
  cl::HideUnrelatedOptions({&jobCat, &conversionCat, &dataCat, &runCat});
  cl::SetVersionPrinter(
      [](llvm::raw_ostream &os) { os << "spikec " SPIKEC_VERSION "\n"; });
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "spikec - quantized LLaMA models to spiking networks for chips\n\n"
          "  spikec compile MODEL --chip CHIP -o OUT [options]\n",
          &llvm::errs()))
    return false;
  if (!compile) {
    llvm::errs() << "spikec: error: no command (see spikec --help)\n";
    return false;
  }
  bool ok = true;
  for (const Range &r : kRanges) {
    int64_t v = *r.option;
    if (r.option->getNumOccurrences() && (v < r.lo || v > r.hi))
      ok = !r.option->error(
          "must be " +
          (r.hi == INT64_MAX
               ? ">= " + llvm::Twine(r.lo)
               : "in [" + llvm::Twine(r.lo) + ", " + llvm::Twine(r.hi) + "]") +
          ", got " + llvm::Twine(v));
  }
  if (spikePenalty.getNumOccurrences() &&
      !(spikePenalty >= 0 && std::isfinite(spikePenalty)))
    ok = !spikePenalty.error("must be >= 0, got " +
                             std::to_string(double(spikePenalty)));
  if (spikeBudget.getNumOccurrences() &&
      !(spikeBudget > 0 && std::isfinite(spikeBudget)))
    ok = !spikeBudget.error("must be > 0, got " +
                            std::to_string(double(spikeBudget)));
  if (spikeBudget.getNumOccurrences() && spikePenalty.getNumOccurrences())
    ok = !spikeBudget.error("chooses the spike penalty: drop --spike-penalty");
  if (calibEndToEnd > 0 && calibLearn == Learn::Weights)
    ok = !calibEndToEnd.error("learns theta and v0: it needs --calib-learn "
                              "thresholds or weights,thresholds");
  if (!ok)
    return false;
  o.model = model;
  o.chip = chip;
  o.out = out;
  o.timesteps = timesteps;
  o.bits = bits;
  o.correctionSpikes = name(correction);
  o.coding = name(coding);
  o.signedCap = name(signedCap);
  o.prefix = prefix;
  o.rotate = name(rotate);
  o.calibText = calibText;
  o.evalText = evalText;
  o.evalTokens = evalTokens;
  o.evalSeqLen = evalSeqLen;
  o.preset = name(preset);
  o.calibSamples = calibSamples;
  o.calibSeqLen = calibSeqLen;
  o.calibEpochs = calibEpochs;
  o.calibEndToEnd = calibEndToEnd;
  o.spikePenalty = spikePenalty;
  o.calibLearn = name(calibLearn);
  o.spikeBudget = spikeBudget;
  o.statsTokens = statsTokens;
  o.statsSeqLen = statsSeqLen;
  o.dataFreeSamples = dataFreeSamples;
  o.dataFreeSeqLen = dataFreeSeqLen;
  o.agreeSamples = agreeSamples;
  o.agreeSeqLen = agreeSeqLen;
  o.seed = seed;
  o.threads = threads;
  o.fresh = fresh;
  return true;
}

} // namespace spikec
