//===- CommandLine.cpp - Helpers shared by spike-run commands -------------===//

#include "CommandLine.h"

#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
#include "spike/core/Chip/ChipDescription.h"
#endif

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/Tokenizer.h"
#include "spike/runtime/Gemm.h"
#include "spike/runtime/Generate.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace spike::run {

int usageError(const std::string &command, const std::string &what) {
  std::fprintf(stderr, "spike-run: error: %s: %s (see spike-run %s --help)\n",
               command.c_str(), what.c_str(), command.c_str());
  return 2;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "spike-run: error: %s\n", message.c_str());
  return 1;
}

CLI::Option *addDeviceOption(CLI::App &command, std::string &device) {
  return command
      .add_option("--device", device,
                  "Where the plan runs: cpu, cuda or cuda:N")
      ->type_name("D")
      ->capture_default_str();
}

CLI::Option *addPlanOption(CLI::App &command, std::string &plan) {
  return command.add_option("--plan", plan, "The plan (PLAN.plan.json)")
      ->type_name("P")
      ->required();
}

CLI::Option *addTokenizerOption(CLI::App &command, std::string &tokenizer) {
  return command
      .add_option("--tokenizer", tokenizer,
                  "Tokenizer (.gguf, tokenizer.json, tokenizer.model or a "
                  "model directory); default: the plan's")
      ->type_name("T");
}

CLI::Option *addJsonOption(CLI::App &command, std::string &out) {
  return command.add_option("--json", out, "Write the results as JSON")
      ->type_name("OUT");
}

void addTextRunOptions(CLI::App &command, TextRun &run, unsigned which,
                       bool textRequired) {
  addPlanOption(command, run.plan);
  addDeviceOption(command, run.device);
  // The options every text-running command shares, under one heading.
  constexpr const char *kGroup = "Text run";
  if (which & kText) {
    CLI::Option *text =
        command
            .add_option("--text", run.text, "The text file the plan runs over")
            ->type_name("F")
            ->group(kGroup);
    if (textRequired)
      text->required();
  }
  if (which & kTokenizer)
    addTokenizerOption(command, run.tokenizer)->group(kGroup);
  if (which & kBos)
    command
        .add_flag("--bos", run.bos,
                  "Start each chunk with the tokenizer's BOS token")
        ->group(kGroup);
  if (which & kMaxTokens)
    command
        .add_option("--tokens", run.options.maxTokens,
                    "Use at most N tokens of the text (0: all)")
        ->type_name("N")
        ->transform(nonNegativeInteger())
        ->group(kGroup);
  // A default of 0 means "the command decides" (calibrate's presets).
  auto withDefault = [](CLI::Option *option, int64_t value) {
    if (value > 0)
      option->default_str(std::to_string(value));
  };
  if (which & kSeqLen)
    withDefault(
        command
            .add_option("--seq-len", run.options.seqLen, "Tokens per sequence")
            ->type_name("S")
            ->transform(positiveInteger())
            ->group(kGroup),
        run.options.seqLen);
  if (which & kBatch)
    withDefault(command
                    .add_option("--batch", run.options.batch,
                                "Sequences per forward pass")
                    ->type_name("B")
                    ->transform(positiveInteger())
                    ->group(kGroup),
                run.options.batch);
}

spike::core::Result<std::vector<int64_t>>
parseTokenIds(const std::string &text) {
  std::vector<int64_t> ids;
  std::istringstream in(text);
  for (std::string word; in >> word;) {
    int64_t id;
    if (!spike::tools::parseInteger(word, 0, id))
      return spike::core::Status::error("'" + word +
                                        "' is not a non-negative token id");
    ids.push_back(id);
  }
  return ids;
}

const CLI::Validator &tokenIdList() {
  static const CLI::Validator v(
      [](std::string &text) {
        auto ids = parseTokenIds(text);
        return ids ? std::string() : ids.message();
      },
      /*validator_desc=*/"", "token ids");
  return v;
}

std::string tokenizerPathFor(const spike::runtime::Plan &plan,
                             const std::string &override) {
  return override.empty() ? plan.tokenizer : override;
}

spike::core::Result<std::unique_ptr<spike::core::Tokenizer>>
loadPlanTokenizer(const std::string &command, const spike::runtime::Plan &plan,
                  const std::string &override) {
  std::string path = tokenizerPathFor(plan, override);
  if (path.empty())
    return spike::core::Status::error(command + ": " + plan.path +
                                      " names no tokenizer; pass --tokenizer");
  return spike::core::loadTokenizer(path);
}

spike::core::Result<std::vector<int32_t>>
tokenizeText(const std::string &command, TextRun &run,
             const spike::runtime::Plan &plan) {
  auto tok = loadPlanTokenizer(command, plan, run.tokenizer);
  if (!tok)
    return tok.status();
  auto text = spike::core::readFileText(run.text);
  if (!text)
    return text.status();
  if (run.bos) {
    if ((*tok)->bos() < 0)
      return spike::core::Status::error(command + ": " +
                                        tokenizerPathFor(plan, run.tokenizer) +
                                        ": the tokenizer has no BOS token");
    run.options.bos = (*tok)->bos();
  }
  if (auto st = (*tok)->encodable(*text); !st)
    return spike::core::Status::error(run.text + ": " + st.message());
  return (*tok)->encode(*text);
}

spike::core::Result<DataFreeStart>
dataFreeStart(const std::string &command, const spike::runtime::Plan &writer,
              const std::string &tokenizer) {
  auto tok = loadPlanTokenizer(command, writer, tokenizer);
  if (!tok)
    return tok.status();
  DataFreeStart start;
  start.token = spike::runtime::generationStart(**tok);
  start.tokenizer = std::move(*tok);
  if (start.token < 0) {
    std::fprintf(stderr,
                 "spike-run: note: %s has neither BOS nor EOS; generation "
                 "starts from token 0\n",
                 tokenizerPathFor(writer, tokenizer).c_str());
    start.token = 0;
  }
  return start;
}

spike::core::Result<spike::runtime::Plan>
loadPlanOn(const std::string &path, const std::string &device,
           const spike::runtime::PlanLoadOptions &options) {
  auto where = spike::runtime::parseDevice(device);
  if (!where)
    return where.status();
  auto plan = spike::runtime::loadPlan(path, options);
  if (!plan)
    return plan.status();
  if (!where->is_cpu()) {
    spike::runtime::moveToDevice(*plan, *where);
  } else {
    // Which kernels run the products, once per run (docs/Runtime.md).
    static bool told = false;
    if (!told)
      std::fprintf(stderr, "spike-run: kernels: %s\n",
                   spike::runtime::kernelSummary().c_str());
    told = true;
  }
  return plan;
}

spike::core::Result<LoadedRun>
loadRun(const std::string &command, TextRun &run, const std::string &planPath,
        const spike::runtime::PlanLoadOptions &options) {
  auto plan = loadPlanOn(planPath, run.device, options);
  if (!plan)
    return plan.status();
  auto ids = tokenizeText(command, run, *plan);
  if (!ids)
    return ids.status();
  return LoadedRun{plan.take(), ids.take()};
}

spike::core::Result<spike::runtime::ChipNumerics>
chipNumerics(const std::string &chipPath, const spike::runtime::Plan &plan) {
#ifdef SPIKE_HAVE_CHIP_DESCRIPTIONS
  auto chip = spike::core::loadChipDescription(chipPath);
  if (!chip)
    return chip.status();
  if (plan.level != "if" && plan.level != "is")
    return spike::core::Status::error(
        "--chip-numerics: " + plan.path + " is at the " + plan.level +
        " level; chip numerics model IS and IF neurons");
  for (const auto &op : plan.ops)
    if (op.kind == spike::runtime::OpKind::IFNeuron &&
        op.schedule != spike::neuron::IFSchedule::IntegrateThenFire)
      return spike::core::Status::error(
          "--chip-numerics: site '" + op.site +
          "' uses the uniform schedule; chips run integrate-then-fire");
  // The same core type the mapper and the program emitter use.
  if (const spike::core::CoreType *c = chip->neuronCore())
    return spike::runtime::ChipNumerics{c->stateBits, c->weightBits};
  return spike::core::Status::error(chipPath +
                                    ": no core type runs synaptic ops");
#else
  (void)plan;
  return spike::core::Status::error(
      "--chip-numerics " + chipPath +
      ": this spike-run was built without chip descriptions (yaml-cpp)");
#endif
}

spike::core::Status
writeTensors(spike::core::OutputSet &outputs, const std::string &path,
             const std::map<std::string, at::Tensor> &tensors) {
  spike::core::SafetensorsWriter w;
  for (const auto &[name, t] : tensors) {
    at::Tensor c = t.to(at::kCPU).contiguous();
    // Integer spike trains keep their type (the signed code's IF spikes are
    // int8, IS spikes int16); everything else is f32.
    spike::core::DType dtype =
        c.scalar_type() == at::kLong    ? spike::core::DType::I64
        : c.scalar_type() == at::kShort ? spike::core::DType::I16
        : c.scalar_type() == at::kByte  ? spike::core::DType::U8
        : c.scalar_type() == at::kChar  ? spike::core::DType::I8
                                        : spike::core::DType::F32;
    if (dtype == spike::core::DType::F32)
      c = c.to(at::kFloat);
    std::vector<int64_t> shape(c.sizes().begin(), c.sizes().end());
    if (auto st = w.add(name, dtype, shape, c.data_ptr(),
                        size_t(c.numel()) * c.element_size());
        !st)
      return st;
  }
  return w.write(outputs, path);
}

Progress::Progress(std::string label, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)),
      live_(isatty(fileno(stderr))) {}

void Progress::update(int64_t done, int64_t total, const std::string &detail) {
  total = std::max<int64_t>(total, 1);
  bool last = done >= total;
  std::string tail = detail.empty() ? "" : " " + detail;
  if (live_) {
    int width = 30, filled = int(width * done / total);
    if (filled == lastFilled_ && !last && detail.empty())
      return;
    lastFilled_ = filled;
    std::fprintf(stderr, "\r%s [%s%s] %lld/%lld %s%s ", label_.c_str(),
                 std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), (long long)done,
                 (long long)total, unit_.c_str(), tail.c_str());
    if (last)
      std::fprintf(stderr, "\n");
    return;
  }
  int tenth = int(10 * done / total);
  if ((tenth == lastTenth_ && !last) || (last && lastTenth_ == 11))
    return;
  lastTenth_ = last ? 11 : tenth;
  std::fprintf(stderr, "%s: %lld/%lld %s (%d%%)%s\n", label_.c_str(),
               (long long)done, (long long)total, unit_.c_str(),
               int(100 * done / total), tail.c_str());
}

std::function<void(int64_t, int64_t)> progressOf(const std::string &label,
                                                 const std::string &unit) {
  return [p = Progress(label, unit)](int64_t done, int64_t total) mutable {
    p.update(done, total);
  };
}

} // namespace spike::run
