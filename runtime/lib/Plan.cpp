//===- Plan.cpp - Load a spikec plan --------------------------------------===//

#include "spike/runtime/Plan.h"
#include "spike/core/Formats/Formats.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/runtime/PlanBlocks.h"
#include "spike/runtime/TensorIO.h"

#include <ATen/Context.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

namespace spike::runtime {

namespace {
using json = nlohmann::json;

const std::map<std::string, OpKind> kKinds = {
    {"embedding", OpKind::Embedding},
    {"rmsnorm", OpKind::RMSNorm},
    {"linear", OpKind::Linear},
    {"rope", OpKind::RoPE},
    {"split_heads", OpKind::SplitHeads},
    {"merge_heads", OpKind::MergeHeads},
    {"matmul", OpKind::Matmul},
    {"softmax", OpKind::Softmax},
    {"silu", OpKind::SiLU},
    {"mul", OpKind::Mul},
    {"add", OpKind::Add},
    {"quantize", OpKind::Quantize},
    {"encode", OpKind::Encode},
    {"decode", OpKind::Decode},
    {"is_neuron", OpKind::ISNeuron},
    {"if_neuron", OpKind::IFNeuron},
    {"if_collect", OpKind::IFCollect},
    {"accum_map", OpKind::AccumMap},
    {"aa_matmul", OpKind::AAMatmul},
    {"aa_mul", OpKind::AAMul},
    {"observe", OpKind::Observe}};

std::vector<float> floats(const json &array) {
  std::vector<float> out;
  for (const auto &v : array)
    out.push_back(v.get<float>());
  return out;
}

/// A quantized linear's weight (tensor `name` of `file`, [N, K]) as its
/// n-bit integer codes and row scales: stored codes (a weight file written
/// by spike-store-weight-codes) are copied as they are, after a check that
/// they lie on the grid, with the row scales `scales` they were made with;
/// a float weight is put on its grid one row at a time as it is read, so
/// that only the codes are allocated (without `scales`, each row by the
/// absmax rule). Each row's scale goes to `rowScales` (what a chip's
/// integer codes are read against), the codes to `codes` (codeType(bits)).
core::Status quantizeWeights(const core::SafetensorsFile &file,
                             const std::string &name, const at::Tensor *scales,
                             int bits, at::Tensor &rowScales,
                             at::Tensor &codes) {
  const core::TensorInfo &info = *file.find(name); // the validator checked
  at::Tensor s = scales ? scales->to(at::kFloat).contiguous() : at::Tensor();
  codes = at::empty({info.shape[0], info.shape[1]}, codeType(bits));
  bool stored = core::isCodeDType(info.dtype); // with scales: validated
  if (stored) // one per row, whatever shape the scale tensor has
    rowScales = s.reshape({info.shape[0]}).clone();
  else
    rowScales = at::empty({info.shape[0]}, at::kFloat);
  return core::withCodeType(bits, [&](auto code) {
    auto *k = codes.data_ptr<decltype(code)>(); // codeType(bits)
    if (stored)
      return core::readCodes(file, name, info, bits, k);
    core::quantizeRows(file, info, scales ? s.data_ptr<float>() : nullptr, bits,
                       rowScales.data_ptr<float>(), k);
    return core::Status::ok();
  });
}
} // namespace

at::ScalarType codeType(int bits) {
  return bits <= 8 ? at::kChar : bits <= 16 ? at::kShort : at::kInt;
}

at::Tensor codeTensor(const at::Tensor &codes, int bits) {
  at::ScalarType type = codeType(bits);
  return codes.scalar_type() == type ? codes : codes.to(type);
}

at::Tensor linearWeight(const PlanOp &op) {
  if (auto w = op.params.find("weight"); w != op.params.end())
    return w->second.to(at::kFloat); // a bf16 matrix widens exactly
  // quantizeWeight's float(k) * scale: one f32 rounding, as here.
  return op.params.at("weight_codes").to(at::kFloat) *
         op.params.at("weight_row_scale").to(at::kFloat).unsqueeze(1);
}

at::IntArrayRef linearWeightShape(const PlanOp &op) {
  if (auto w = op.params.find("weight"); w != op.params.end())
    return w->second.sizes();
  return op.params.at("weight_codes").sizes();
}

namespace {
/// An op's kind, site, value slots, parameter names and attributes from
/// its plan entry `o`; no tensor is read.
PlanOp parseOp(const json &o,
               const std::function<int(const std::string &)> &slot) {
  PlanOp op;
  op.name = o["op"];
  op.kind = kKinds.at(op.name); // the validator checked the op set
  op.site = o.value("site", "");
  for (const auto &in : o["inputs"])
    op.inputs.push_back(slot(in));
  op.output = slot(o["outputs"][0]);
  json params = o.value("params", json::object());
  for (auto it = params.begin(); it != params.end(); ++it)
    op.paramNames[it.key()] = it.value().get<std::string>();
  json attrs = o.value("attrs", json::object());
  op.eps = attrs.value("eps", 0.0);
  op.causal = attrs.value("causal", false);
  op.transposeRhs = attrs.value("transpose_rhs", false);
  op.isSigned = attrs.value("signed", true);
  op.heads = attrs.value("heads", int64_t(0));
  op.bits = attrs.value("bits", int64_t(0));
  op.fn = attrs.value("fn", "");
  if (attrs.contains("base")) {
    op.rope.base = attrs["base"];
    op.rope.scaling = attrs.value("scaling", "");
    op.rope.factor = attrs.value("factor", 1.0);
    op.rope.lowFreqFactor = attrs.value("low_freq_factor", 1.0);
    op.rope.highFreqFactor = attrs.value("high_freq_factor", 4.0);
    op.rope.originalMaxPosition =
        attrs.value("original_max_position", int64_t(8192));
    if (attrs.contains("freq_factors"))
      op.rope.freqFactors = attrs["freq_factors"].get<std::vector<double>>();
  }
  if (attrs.contains("scale"))
    op.scale = floats(attrs["scale"]);
  if (attrs.contains("threshold"))
    op.threshold = floats(attrs["threshold"]);
  if (attrs.contains("v0"))
    op.v0 = floats(attrs["v0"]);
  neuron::SpikeCoding coding = neuron::SpikeCoding::Offset;
  if (attrs.contains("coding")) // validated: offset or signed
    neuron::parseCoding(attrs["coding"].get<std::string>(), coding);
  op.neuron = neuron::neuronParams(
      attrs.value("levels", int64_t(0)), attrs.value("alpha", 0.0),
      attrs.value("budget", int64_t(0)), attrs.value("bidirectional", false),
      coding, int(attrs.value("bits", int64_t(0))),
      attrs.value("unsigned", false));
  if (attrs.contains("schedule"))
    neuron::parseSchedule(attrs["schedule"].get<std::string>().c_str(),
                          op.schedule);
  if (op.kind == OpKind::Linear && attrs.contains("weight_bits"))
    op.bits = attrs["weight_bits"].get<int>();
  return op;
}

/// Reads op `op`'s parameters (plan entry `o`) from the plan's files; a
/// tensor two ops name is read once (`loaded`).
core::Status loadParams(PlanOp &op, const json &o, const Plan &plan,
                        std::map<std::string, at::Tensor> &loaded) {
  json attrs = o.value("attrs", json::object());
  // A quantized linear's weight is read into its codes below, not loaded.
  bool quantized = op.kind == OpKind::Linear && attrs.contains("weight_bits");
  for (const auto &[role, tensor] : op.paramNames) {
    if (quantized && role == "weight")
      continue;
    if (!loaded.count(tensor)) {
      auto t = loadTensor(*plan.tensors.fileOf(tensor), tensor); // checked
      if (!t)
        return t.status();
      // Matrices stored in bf16 or f16 stay so (half the memory of f32;
      // widened exactly where used: linearWeight, the embedding); the
      // rest is f32.
      bool matrix = (op.kind == OpKind::Linear && role == "weight") ||
                    op.kind == OpKind::Embedding;
      bool half =
          t->scalar_type() == at::kBFloat16 || t->scalar_type() == at::kHalf;
      loaded[tensor] = matrix && half ? *t : t->to(at::kFloat);
    }
    op.params[role] = loaded[tensor];
  }
  // A spiking linear adds b / T at each step (spike.linear); T is a power
  // of two at the spiking levels, so the division is exact.
  if (op.kind == OpKind::Linear && attrs.contains("bias_steps"))
    op.params["bias"] =
        op.params["bias"] / double(attrs["bias_steps"].get<int64_t>());
  if (quantized) {
    auto scales = op.params.find("weight_scale");
    const std::string &name = op.paramNames.at("weight");
    if (auto st = quantizeWeights(
            *plan.tensors.fileOf(name), name,
            scales == op.params.end() ? nullptr : &scales->second, int(op.bits),
            op.params["weight_row_scale"], op.params["weight_codes"]);
        !st)
      return st;
  }
  return core::Status::ok();
}
} // namespace

core::Result<Plan> loadPlan(const std::string &path,
                            const PlanLoadOptions &options) {
  auto document = core::loadDocument(path, core::DocumentKind::Plan);
  if (!document)
    return document.status();
  const json &doc = *document;
  auto files = core::PlanTensors::open(doc, path);
  if (!files)
    return core::Status::error(path + ": " + files.message());

  Plan plan;
  plan.path = path;
  plan.tensors = files.take();
  plan.level = doc["level"];
  plan.timesteps = doc["time"]["timesteps"];
  plan.substeps = doc["time"]["substeps"];
  if (doc.contains("model") && doc["model"].contains("tokenizer"))
    plan.tokenizer = doc["model"]["tokenizer"];
  if (doc.contains("prefix_tokens"))
    plan.prefixTokens = doc["prefix_tokens"].get<std::vector<int64_t>>();

  std::map<std::string, int> slots;
  auto slot = [&](const std::string &name) {
    auto [it, inserted] = slots.emplace(name, int(slots.size()));
    return it->second;
  };
  plan.tokens = slot(doc["inputs"][0]);
  for (const json &o : doc["ops"])
    plan.ops.push_back(parseOp(o, slot));
  for (const auto &out : doc["outputs"])
    plan.outputs.push_back(slot(out));
  plan.numValues = int(slots.size());

  std::optional<size_t> through = options.throughOp;
  if (options.throughCut) {
    auto cuts = residualCuts(plan);
    if (!cuts)
      return cuts.status();
    if (*options.throughCut >= cuts->size())
      return core::Status::error(path + ": " + std::to_string(cuts->size()) +
                                 " residual cuts, none at index " +
                                 std::to_string(*options.throughCut) +
                                 ": not the same model");
    through = (*cuts)[*options.throughCut].afterOp;
  }
  if (through) {
    size_t last = *through;
    if (last >= plan.ops.size())
      return core::Status::error(path + ": no op " + std::to_string(last) +
                                 " to load through (the plan has " +
                                 std::to_string(plan.ops.size()) + ")");
    plan.ops.resize(last + 1);
    plan.outputs = {plan.ops.back().output};
  }
  if (!options.params)
    return plan;
  std::map<std::string, at::Tensor> loaded;
  for (size_t i = 0; i < plan.ops.size(); ++i)
    if (core::Status st = loadParams(plan.ops[i], doc["ops"][i], plan, loaded);
        !st)
      return st;
  if (core::Status st = checkSynapseBounds(plan); !st)
    return st;
  return plan;
}

core::Result<at::Device> parseDevice(const std::string &name) {
  if (name == "cpu")
    return at::Device(at::kCPU);
  if (name != "cuda" && name.rfind("cuda:", 0) != 0)
    return core::Status::error("--device: '" + name +
                               "' is not cpu, cuda or cuda:N");
#ifndef SPIKE_HAVE_ATEN_CUDA
  return core::Status::error("--device " + name +
                             ": this spike-run was built against a CPU-only "
                             "libtorch (rebuild runtime/ with a CUDA-enabled "
                             "libtorch and nvcc)");
#else
  if (!at::hasCUDA())
    return core::Status::error("--device " + name +
                               ": no CUDA device is available");
  at::Device device(at::kCPU);
  try {
    device = at::Device(name);
  } catch (const std::exception &) {
    return core::Status::error("--device: '" + name + "' is not a device");
  }
  if (device.has_index() && device.index() >= int(at::getNumGPUs()))
    return core::Status::error("--device " + name + ": this machine has " +
                               std::to_string(at::getNumGPUs()) +
                               " CUDA device(s)");
  return device;
#endif
}

void moveToDevice(Plan &plan, at::Device device) {
  // Ops share tensors (tied embeddings): move each one once.
  std::map<const void *, at::Tensor> moved;
  for (PlanOp &op : plan.ops)
    for (auto &[role, t] : op.params) {
      at::Tensor &m = moved[t.unsafeGetTensorImpl()];
      if (!m.defined())
        m = t.to(device);
      t = m;
    }
  plan.device = device;
}

} // namespace spike::runtime
