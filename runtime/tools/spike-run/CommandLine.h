//===- CommandLine.h - Helpers shared by spike-run commands -----*- C++ -*-===//

#ifndef SPIKE_RUN_COMMANDLINE_H
#define SPIKE_RUN_COMMANDLINE_H

#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/Tokenizer.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/Plan.h"

#include "../common/Validators.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

/// Prints "spike-run: error: COMMAND: WHAT (see spike-run COMMAND --help)";
/// returns 2, the exit code of a command line the command cannot run.
int usageError(const std::string &command, const std::string &what);
/// Prints "spike-run: error: MESSAGE"; returns 1.
int fail(const std::string &message);

// The option validators every command uses.
using spike::tools::integerAtLeast;
using spike::tools::nonNegativeInteger;
using spike::tools::nonNegativeNumber;
using spike::tools::numberIn;
using spike::tools::positiveInteger;
using spike::tools::positiveNumber;

/// Options shared by the commands that run a plan over a text.
struct TextRun {
  std::string plan, text, tokenizer;
  spike::runtime::EvalOptions options;
  bool bos = false;
  std::string device = "cpu"; ///< --device cpu|cuda[:N]
};

/// Which text-run options a command takes, beyond --plan and --device.
enum TextRunOption : unsigned {
  kText = 1u << 0,      ///< --text F
  kTokenizer = 1u << 1, ///< --tokenizer T
  kBos = 1u << 2,       ///< --bos
  kMaxTokens = 1u << 3, ///< --tokens N
  kSeqLen = 1u << 4,    ///< --seq-len S
  kBatch = 1u << 5,     ///< --batch B
  kAllTextRunOptions = (1u << 6) - 1,
};

/// Adds --plan P (required) and --device D to `command`, and the text-run
/// options that `which` names; `textRequired` makes --text required.
void addTextRunOptions(CLI::App &command, TextRun &run, unsigned which,
                       bool textRequired);

/// Adds --device D (cpu, cuda or cuda:N; default cpu).
CLI::Option *addDeviceOption(CLI::App &command, std::string &device);
/// Adds --plan P, required.
CLI::Option *addPlanOption(CLI::App &command, std::string &plan);
/// Adds --tokenizer T, which overrides the plan's tokenizer.
CLI::Option *addTokenizerOption(CLI::App &command, std::string &tokenizer);
/// Adds --json OUT, where the command writes its results as JSON.
CLI::Option *addJsonOption(CLI::App &command, std::string &out);

/// A list of non-negative token ids given as one argument ("3 1 4");
/// an error names the word that is not one.
spike::core::Result<std::vector<int64_t>>
parseTokenIds(const std::string &text);
/// The validator of such a list.
const CLI::Validator &tokenIdList();

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

/// Loads the plan (or the part `options` names) onto run.device and
/// tokenizes run.text.
spike::core::Result<LoadedRun>
loadRun(const std::string &command, TextRun &run, const std::string &planPath,
        const spike::runtime::PlanLoadOptions &options = {});

/// Loads a plan, or the part `options` names, onto a device ("cpu",
/// "cuda", "cuda:N").
spike::core::Result<spike::runtime::Plan>
loadPlanOn(const std::string &path, const std::string &device,
           const spike::runtime::PlanLoadOptions &options = {});

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

/// A spike-run command: its subcommand, whose options are bound to the
/// command's own arguments, and what runs once they parsed (the exit code).
struct Command {
  CLI::App *app = nullptr;
  std::function<int()> run;
};

/// The commands, one file each (UtilityCommands.cpp holds tokenize, gguf
/// and diff; ValidateCommand.cpp validate and inspect). Each adds its
/// subcommand, with its help, to spike-run's app.
Command addValidateCommand(CLI::App &app);
Command addInspectCommand(CLI::App &app);
Command addExecCommand(CLI::App &app);
Command addGenerateCommand(CLI::App &app);
Command addEvalCommand(CLI::App &app);
Command addStatsCommand(CLI::App &app);
Command addCalibrateCommand(CLI::App &app);
Command addZeroShotCommand(CLI::App &app);
Command addAgreeCommand(CLI::App &app);
Command addSampleCommand(CLI::App &app);
Command addGateCommand(CLI::App &app);
Command addRooflineCommand(CLI::App &app);
Command addTokenizeCommand(CLI::App &app);
Command addGgufCommand(CLI::App &app);
Command addDiffCommand(CLI::App &app);

} // namespace spike::run

#endif // SPIKE_RUN_COMMANDLINE_H
