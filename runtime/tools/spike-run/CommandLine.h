//===- CommandLine.h - Helpers shared by spike-run commands -----*- C++ -*-===//

#ifndef SPIKE_RUN_COMMANDLINE_H
#define SPIKE_RUN_COMMANDLINE_H

#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/Tokenizer.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/Plan.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

/// Prints "spike-run: error: WHAT (see spike-run --help)"; returns 2.
int usageError(const std::string &what);
/// Prints "spike-run: error: MESSAGE"; returns 1.
int fail(const std::string &message);
/// A non-negative decimal integer, the whole text.
bool parseInt(const std::string &text, int64_t &out);
/// A finite number, the whole text.
bool parseDouble(const std::string &text, double &out);

/// Options shared by the commands that run a plan over a text.
struct TextRun {
  std::string plan, text, tokenizer;
  spike::runtime::EvalOptions options;
  bool bos = false;
  std::string device = "cpu"; ///< --device cpu|cuda[:N]
};

/// Consumes args[i] (and its value) if it is a text-run option. Returns 0 if
/// not one, 1 if consumed, -1 after printing a usage error.
int parseTextRunOption(const std::string &command,
                       const std::vector<std::string> &args, size_t &i,
                       TextRun &run);

/// The tokenizer path `override` names, else the plan's (may be empty).
std::string tokenizerPathFor(const spike::runtime::Plan &plan,
                             const std::string &override);

/// The tokenizer `override` names, else the plan's; a plan that names none
/// is the error "COMMAND: PLAN names no tokenizer; pass --tokenizer".
spike::core::Result<std::unique_ptr<spike::core::Tokenizer>>
loadPlanTokenizer(const std::string &command, const spike::runtime::Plan &plan,
                  const std::string &override);

/// Loads the tokenizer (the plan's unless given) and tokenizes the text.
spike::core::Result<std::vector<int32_t>>
tokenizeText(const std::string &command, TextRun &run,
             const spike::runtime::Plan &plan);

/// Where data-free sequences written by a plan start: its tokenizer (or
/// --tokenizer) and that tokenizer's BOS, else EOS. One rule for sample,
/// agree and calibrate: a plan without a tokenizer is an error; a tokenizer
/// with neither token starts from 0, with a note.
struct DataFreeStart {
  std::unique_ptr<spike::core::Tokenizer> tokenizer;
  int64_t token = 0;
};
spike::core::Result<DataFreeStart>
dataFreeStart(const std::string &command, const spike::runtime::Plan &writer,
              const std::string &tokenizer);

/// A plan loaded and its text tokenized, for eval, stats and gate.
struct LoadedRun {
  spike::runtime::Plan plan;
  std::vector<int32_t> ids;
};

/// Loads the plan onto run.device and tokenizes run.text.
spike::core::Result<LoadedRun> loadRun(const std::string &command, TextRun &run,
                                       const std::string &planPath);

/// Loads a plan onto a device ("cpu", "cuda", "cuda:N").
spike::core::Result<spike::runtime::Plan> loadPlanOn(const std::string &path,
                                                     const std::string &device);

/// The chip numerics of a chip description's neuron cores, for a plan at
/// the IF level with the integrate-then-fire schedule.
spike::core::Result<spike::runtime::ChipNumerics>
chipNumerics(const std::string &chipPath, const spike::runtime::Plan &plan);

/// Writes tensors (float32, int64 or uint8) to a safetensors file, staged in
/// `outputs` (moved into place by its commit).
spike::core::Status writeTensors(spike::core::OutputSet &outputs,
                                 const std::string &path,
                                 const std::map<std::string, at::Tensor> &t);

/// Progress of one long step on stderr. On a terminal, a bar redrawn in
/// place ("label [#####.....] done/total unit"); otherwise (a log file, a
/// pipe) one whole line at each tenth of the work and at the end, so that a
/// log holds at most 11 lines per step instead of thousands of fragments.
class Progress {
public:
  Progress(std::string label, std::string unit);
  /// Reports `done` of `total`; `detail` is appended (e.g. "loss 0.12").
  void update(int64_t done, int64_t total, const std::string &detail = "");

private:
  std::string label_, unit_;
  bool live_;
  int lastTenth_ = -1;
  int lastFilled_ = -1;
};

/// A progress callback counting `unit`s under `label`, as Progress does.
std::function<void(int64_t, int64_t)> progressOf(const std::string &label,
                                                 const std::string &unit);

/// The commands, one file each (UtilityCommands.cpp holds tokenize, gguf
/// and diff; ValidateCommand.cpp validate and inspect).
int runValidate(const std::vector<std::string> &args);
int runRoofline(const std::vector<std::string> &args);
int runInspect(const std::vector<std::string> &args);
int runExec(const std::vector<std::string> &args);
int runGenerate(const std::vector<std::string> &args);
int runEval(const std::vector<std::string> &args);
int runStats(const std::vector<std::string> &args);
int runGate(const std::vector<std::string> &args);
int runTokenize(const std::vector<std::string> &args);
int runGguf(const std::vector<std::string> &args);
int runDiff(const std::vector<std::string> &args);
int runCalibrate(const std::vector<std::string> &args);
int runZeroShot(const std::vector<std::string> &args);
int runAgree(const std::vector<std::string> &args);
int runSample(const std::vector<std::string> &args);

} // namespace spike::run

#endif // SPIKE_RUN_COMMANDLINE_H
