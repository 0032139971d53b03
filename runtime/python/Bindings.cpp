//===- Bindings.cpp - spikec._runtime: the runtime as a Python module -----===//
//
// pybind11 bindings over the runtime library (Plan, Executor, Evaluate,
// Generate, ZeroShot). Tensors cross as torch.Tensor through PyTorch's own
// caster, so the module shares the process's libtorch with `import torch`.
// Every call that runs a plan releases the GIL; a plan runs one call at a
// time (its executor keeps state), so each holds the plan's lock. Errors
// raise spikec.Error with the message the command-line tools print.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Text/Tokenizer.h"
#include "spike/core/Text/ZeroShotTasks.h"
#include "spike/runtime/Evaluate.h"
#include "spike/runtime/Executor.h"
#include "spike/runtime/Gemm.h"
#include "spike/runtime/Generate.h"
#include "spike/runtime/Plan.h"
#include "spike/runtime/ZeroShot.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <torch/csrc/utils/pybind.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace py = pybind11;
using namespace spike;

namespace {

/// A runtime error whose message is the tools' one-line message.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename T> T take(core::Result<T> r) {
  if (!r)
    throw Error(r.message());
  return r.take();
}

void check(const core::Status &st) {
  if (!st)
    throw Error(st.message());
}

/// Runs `f`, turning ATen's errors (multi-line, with a C++ backtrace) into
/// an Error with their first line.
template <typename F> auto guarded(F &&f) -> decltype(f()) {
  try {
    return f();
  } catch (const c10::Error &e) {
    std::string what = e.what_without_backtrace();
    throw Error(what.substr(0, what.find('\n')));
  }
}

/// A tokenizer file (tokenizer.json, tokenizer.model or a GGUF).
class PyTokenizer {
public:
  explicit PyTokenizer(const std::string &path)
      : path_(path), tok_(take(core::loadTokenizer(path))) {}

  std::vector<int32_t> encode(const std::string &text) const {
    check(tok_->encodable(text));
    return tok_->encode(text);
  }
  std::string decode(const std::vector<int32_t> &ids) const {
    for (int32_t id : ids)
      if (id < 0 || id >= tok_->vocabSize())
        throw Error(path_ + ": token id " + std::to_string(id) +
                    " is outside the vocabulary [0, " +
                    std::to_string(tok_->vocabSize()) + ")");
    return tok_->decode(ids);
  }
  /// The harness's split of one (context, continuation) request.
  std::pair<std::vector<int64_t>, std::vector<int64_t>>
  request(const std::string &context, const std::string &continuation,
          int32_t bos) const {
    check(tok_->encodable(context + continuation));
    runtime::LoglikRequest r =
        runtime::tokenizeChoice(*tok_, {context, continuation}, bos);
    return {r.context, r.continuation};
  }
  const core::Tokenizer &get() const { return *tok_; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::unique_ptr<core::Tokenizer> tok_;
};

/// One site's counters as a record.
py::dict countsRecord(const std::string &site, const runtime::SpikeCounts &c) {
  py::dict d;
  d["site"] = site;
  d["spikes"] = c.spikes;
  d["events"] = c.events;
  d["negative_spikes"] = c.negativeSpikes;
  d["negative_events"] = c.negativeEvents;
  d["cap_bound"] = c.capBound;
  d["neurons"] = c.neurons;
  d["neuron_steps"] = c.slots;
  d["synaptic_ops"] = c.synapticOps;
  d["dense_macs"] = c.denseMacs;
  d["spikes_per_neuron_step"] =
      c.slots ? double(c.spikes) / double(c.slots) : 0.0;
  return d;
}

py::list
countsRecords(const std::map<std::string, runtime::SpikeCounts> &counts) {
  py::list out;
  for (const auto &[site, c] : counts)
    out.append(countsRecord(site, c));
  return out;
}

/// A loaded plan and the executor that runs it.
class PyPlan {
public:
  PyPlan(const std::string &path, const std::string &device) {
    at::Device where = take(runtime::parseDevice(device));
    plan_ = take(runtime::loadPlan(path));
    if (!where.is_cpu())
      runtime::moveToDevice(plan_, where);
    exec_ = std::make_unique<runtime::Executor>(plan_);
  }

  /// What forward() returns: logits [B, S, V] f32 (or [S, V] for [S]
  /// tokens), with `trains` each neuron site's input currents and spikes
  /// (Executor::setNeuronTrace) and this call's counters per site.
  struct ForwardResult {
    at::Tensor logits;
    std::map<std::string, at::Tensor> trace;
    std::map<std::string, runtime::SpikeCounts> counts;
  };

  ForwardResult forward(at::Tensor tokens, bool trains) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool flat = tokens.dim() == 1;
    if (flat)
      tokens = tokens.unsqueeze(0);
    if (tokens.dim() != 2)
      throw Error("forward: tokens must be [S] or [B, S], not " +
                  std::to_string(tokens.dim()) + "-D");
    tokens = tokens.to(at::kCPU, at::kLong).contiguous();
    checkIds(tokens);
    ForwardResult r;
    std::map<std::string, runtime::SpikeCounts> before;
    if (trains)
      before = exec_->spikeCounts();
    exec_->setNeuronTrace(trains ? &r.trace : nullptr);
    auto logits = guarded([&] { return exec_->forward(tokens); });
    exec_->setNeuronTrace(nullptr);
    r.logits = take(std::move(logits));
    if (flat)
      r.logits = r.logits.squeeze(0);
    if (trains)
      for (const auto &[site, after] : exec_->spikeCounts()) {
        runtime::SpikeCounts c = after;
        if (auto it = before.find(site); it != before.end())
          c.subtract(it->second);
        r.counts[site] = c;
      }
    return r;
  }

  /// The prompt continued by up to `maxNew` tokens (KV cache), stopping
  /// after `stop` when >= 0, or when `done(new tokens)` says so (called
  /// with the GIL held); returns the new tokens.
  std::vector<int64_t> generate(std::vector<int64_t> prompt, int64_t maxNew,
                                int64_t topK, double temperature, int64_t seed,
                                int64_t stop, const py::object &done) {
    if (prompt.empty())
      throw Error("generate: the prompt has no tokens");
    if (topK < 0 || topK > vocabSize())
      throw Error("generate: top_k must be in [0, " +
                  std::to_string(vocabSize()) + "], not " +
                  std::to_string(topK));
    if (topK != 1 && !(temperature > 0))
      throw Error("generate: sampling needs a temperature above 0");
    if (maxNew < 0)
      throw Error("generate: max_new_tokens must be >= 0");
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    checkIds(at::tensor(prompt, at::kLong));
    runtime::DecodeCache cache;
    std::mt19937_64 rng{uint64_t(seed)};
    std::vector<int64_t> next(prompt), out;
    for (int64_t n = 0; n < maxNew; ++n) {
      at::Tensor ids =
          at::tensor(next, at::kLong).reshape({1, int64_t(next.size())});
      at::Tensor logits =
          take(guarded([&] { return exec_->forward(ids, &cache); }));
      int64_t token = guarded([&] {
        return runtime::sampleToken(logits[0][-1], {topK, temperature}, rng);
      });
      out.push_back(token);
      if (token == stop)
        break;
      if (!done.is_none()) {
        py::gil_scoped_acquire acquire;
        if (done(out).cast<bool>())
          break;
      }
      next.assign(1, token);
    }
    return out;
  }

  py::dict perplexity(const std::vector<int32_t> &ids, int64_t seqLen,
                      int64_t maxTokens, int64_t batch, int32_t bos) {
    runtime::EvalResult r;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      checkIds(at::tensor(std::vector<int64_t>(ids.begin(), ids.end())));
      runtime::EvalOptions o;
      o.seqLen = seqLen, o.maxTokens = maxTokens, o.batch = batch, o.bos = bos;
      r = take(
          guarded([&] { return runtime::evaluatePerplexity(*exec_, ids, o); }));
    }
    py::dict d;
    d["perplexity"] = r.perplexity;
    d["nll"] = r.nll;
    d["predicted"] = r.predicted;
    d["chunks"] = r.chunks;
    d["seconds"] = r.seconds;
    return d;
  }

  /// (log P(continuation | context), is_greedy) per request, `batch`
  /// requests per forward pass.
  std::vector<std::pair<double, bool>> loglikelihoods(
      const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>>
          &requests,
      int64_t batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<runtime::LoglikRequest> rs;
    for (const auto &[context, continuation] : requests) {
      if (context.empty() || continuation.empty())
        throw Error("loglikelihood: the context and the continuation must "
                    "each hold a token");
      std::vector<int64_t> all(context);
      all.insert(all.end(), continuation.begin(), continuation.end());
      checkIds(at::tensor(all, at::kLong));
      rs.push_back({context, continuation});
    }
    std::vector<bool> greedy;
    std::vector<double> ll = take(guarded([&] {
      return runtime::logLikelihoods(*exec_, rs, batch, {}, &greedy);
    }));
    std::vector<std::pair<double, bool>> out;
    for (size_t i = 0; i < ll.size(); ++i)
      out.emplace_back(ll[i], greedy[i]);
    return out;
  }

  py::dict scoreTask(const PyTokenizer &tok, const std::string &name,
                     const std::string &dataDir, int64_t limit, int64_t batch,
                     int32_t bos) {
    runtime::TaskScore s;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      core::ZeroShotTask task =
          take(core::loadZeroShotTask(name, dataDir, limit));
      for (size_t i = 0; i < task.items.size(); ++i)
        for (const core::Choice &c : task.items[i].choices)
          if (auto st = tok.get().encodable(c.context + c.continuation); !st)
            throw Error(name + ": item " + std::to_string(i) + ": " +
                        st.message());
      s = take(guarded([&] {
        return runtime::scoreTask(*exec_, tok.get(), task, batch, bos);
      }));
    }
    py::dict d;
    d["task"] = s.name;
    d["n"] = s.n;
    d["acc"] = s.acc;
    d["acc_stderr"] = s.accStderr;
    d["acc_norm"] = s.accNorm;
    d["acc_norm_stderr"] = s.accNormStderr;
    d["reported"] = s.reportsNorm ? "acc_norm" : "acc";
    py::list items;
    for (const runtime::ItemScore &item : s.items) {
      py::dict r;
      r["gold"] = item.gold;
      r["pred"] = item.pred;
      r["pred_norm"] = item.predNorm;
      r["logliks"] = item.logliks;
      items.append(r);
    }
    d["items"] = items;
    return d;
  }

  std::map<std::string, runtime::SpikeCounts> spikeCounts() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return exec_->spikeCounts();
  }

  void resetCounts() {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    exec_ = std::make_unique<runtime::Executor>(plan_);
  }

  /// The neuron sites in plan order: site, kind, levels, alpha, code.
  py::list sites() const {
    py::list out;
    for (const runtime::PlanOp &op : plan_.ops) {
      if (op.kind != runtime::OpKind::ISNeuron &&
          op.kind != runtime::OpKind::IFNeuron)
        continue;
      py::dict d;
      d["site"] = op.site;
      d["kind"] = op.kind == runtime::OpKind::ISNeuron ? "is" : "if";
      d["levels"] = op.neuron.levels;
      d["alpha"] = op.neuron.alpha;
      d["code"] =
          op.neuron.coding == neuron::SpikeCoding::Signed ? "signed" : "offset";
      d["groups"] = op.threshold.size();
      out.append(d);
    }
    return out;
  }

  const runtime::Plan &plan() const { return plan_; }
  int64_t vocabSize() const {
    for (const runtime::PlanOp &op : plan_.ops)
      if (op.kind == runtime::OpKind::Embedding)
        return op.params.at("table").size(0);
    return 0;
  }

private:
  runtime::Plan plan_;
  std::unique_ptr<runtime::Executor> exec_;
  std::mutex mutex_;

  void checkIds(const at::Tensor &ids) const {
    int64_t vocab = vocabSize();
    if (ids.numel() == 0)
      throw Error("no tokens");
    int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
    if (lo < 0 || (vocab && hi >= vocab))
      throw Error(
          plan_.path + ": token id " + std::to_string(lo < 0 ? lo : hi) +
          " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
  }
};

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "spikec's simulation runtime (libtorch, no MLIR)";
  py::register_exception<Error>(m, "Error", PyExc_RuntimeError);
  // As spike-run: every core this process may use (same kernels, same
  // thread count, same rounding), unless OMP_NUM_THREADS is set.
  runtime::useAllCores();
  m.def("kernel_summary", &runtime::kernelSummary,
        "Which kernels run the linear layers on the CPU");

  py::class_<PyTokenizer>(m, "Tokenizer")
      .def(py::init<const std::string &>(), py::arg("path"))
      .def("encode", &PyTokenizer::encode, py::arg("text"))
      .def("decode", &PyTokenizer::decode, py::arg("ids"))
      .def("request", &PyTokenizer::request, py::arg("context"),
           py::arg("continuation"), py::arg("bos") = -1)
      .def_property_readonly("path", &PyTokenizer::path)
      .def_property_readonly("bos",
                             [](const PyTokenizer &t) { return t.get().bos(); })
      .def_property_readonly("eos",
                             [](const PyTokenizer &t) { return t.get().eos(); })
      .def_property_readonly("vocab_size", [](const PyTokenizer &t) {
        return t.get().vocabSize();
      });

  py::class_<PyPlan>(m, "Plan")
      .def(py::init<const std::string &, const std::string &>(),
           py::arg("path"), py::arg("device") = "cpu",
           py::call_guard<py::gil_scoped_release>())
      .def(
          "forward",
          [](PyPlan &p, const at::Tensor &tokens, bool trains) {
            PyPlan::ForwardResult r;
            {
              py::gil_scoped_release release;
              r = p.forward(tokens, trains);
            }
            return py::make_tuple(r.logits, r.trace, countsRecords(r.counts));
          },
          py::arg("tokens"), py::arg("trains") = false)
      .def("generate", &PyPlan::generate, py::arg("prompt"),
           py::arg("max_new_tokens"), py::arg("top_k") = 1,
           py::arg("temperature") = 1.0, py::arg("seed") = 0,
           py::arg("stop") = -1, py::arg("done") = py::none())
      .def("perplexity", &PyPlan::perplexity, py::arg("ids"),
           py::arg("seq_len") = 512, py::arg("max_tokens") = 0,
           py::arg("batch") = 1, py::arg("bos") = -1)
      .def("loglikelihoods", &PyPlan::loglikelihoods, py::arg("requests"),
           py::arg("batch") = 1, py::call_guard<py::gil_scoped_release>())
      .def("score_task", &PyPlan::scoreTask, py::arg("tokenizer"),
           py::arg("task"), py::arg("data_dir"), py::arg("limit") = 0,
           py::arg("batch") = 1, py::arg("bos") = -1)
      .def("spike_counts",
           [](PyPlan &p) { return countsRecords(p.spikeCounts()); })
      .def("reset_counts", &PyPlan::resetCounts)
      .def_property_readonly("sites", &PyPlan::sites)
      .def_property_readonly("path",
                             [](const PyPlan &p) { return p.plan().path; })
      .def_property_readonly("level",
                             [](const PyPlan &p) { return p.plan().level; })
      .def_property_readonly("timesteps",
                             [](const PyPlan &p) { return p.plan().timesteps; })
      .def_property_readonly("substeps",
                             [](const PyPlan &p) { return p.plan().substeps; })
      .def_property_readonly("tokenizer_path",
                             [](const PyPlan &p) { return p.plan().tokenizer; })
      .def_property_readonly(
          "prefix_tokens",
          [](const PyPlan &p) { return p.plan().prefixTokens; })
      .def_property_readonly(
          "device", [](const PyPlan &p) { return p.plan().device.str(); })
      .def_property_readonly("vocab_size", &PyPlan::vocabSize);
}
