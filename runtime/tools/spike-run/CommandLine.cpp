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

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace spike::run {

int usageError(const std::string &what) {
  std::fprintf(stderr, "spike-run: error: %s (see spike-run --help)\n",
               what.c_str());
  return 2;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "spike-run: error: %s\n", message.c_str());
  return 1;
}

bool parseDouble(const std::string &text, double &out) {
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v))
    return false;
  out = v;
  return true;
}

bool parseInt(const std::string &text, int64_t &out) {
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0)
    return false;
  out = v;
  return true;
}

int parseTextRunOption(const std::string &command,
                       const std::vector<std::string> &args, size_t &i,
                       TextRun &run) {
  const std::string &a = args[i];
  bool hasValue = i + 1 < args.size();
  if (a == "--plan" && hasValue)
    run.plan = args[++i];
  else if (a == "--text" && hasValue)
    run.text = args[++i];
  else if (a == "--tokenizer" && hasValue)
    run.tokenizer = args[++i];
  else if (a == "--bos")
    run.bos = true;
  else if (a == "--device" && hasValue)
    run.device = args[++i];
  else if ((a == "--tokens" || a == "--seq-len" || a == "--batch") &&
           hasValue) {
    int64_t v;
    if (!parseInt(args[++i], v) || (a != "--tokens" && v < 1)) {
      usageError(command + ": " + a + " needs a positive integer, got '" +
                 args[i] + "'");
      return -1;
    }
    (a == "--tokens"    ? run.options.maxTokens
     : a == "--seq-len" ? run.options.seqLen
                        : run.options.batch) = v;
  } else {
    return 0;
  }
  return 1;
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
loadPlanOn(const std::string &path, const std::string &device) {
  auto where = spike::runtime::parseDevice(device);
  if (!where)
    return where.status();
  auto plan = spike::runtime::loadPlan(path);
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

spike::core::Result<LoadedRun> loadRun(const std::string &command, TextRun &run,
                                       const std::string &planPath) {
  auto plan = loadPlanOn(planPath, run.device);
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
    spike::core::DType dtype =
        c.scalar_type() == at::kLong   ? spike::core::DType::I64
        : c.scalar_type() == at::kByte ? spike::core::DType::U8
                                       : spike::core::DType::F32;
    if (dtype == spike::core::DType::F32)
      c = c.to(at::kFloat);
    std::vector<int64_t> shape(c.sizes().begin(), c.sizes().end());
    if (auto st = w.add(name, dtype, shape, c.data_ptr(),
                        size_t(c.numel()) * c.element_size());
        !st)
      return st;
  }
  return outputs.write(path, w.serialize());
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
