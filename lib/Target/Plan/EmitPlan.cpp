//===- EmitPlan.cpp - Emit spikec execution plans from IR -----------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Target/Plan.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/ModelIO/WeightCodes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <optional>

using namespace mlir;
namespace qnn = spike::qnn;
namespace spk = spike::spk;
namespace json = llvm::json;

namespace {

json::Array toJson(ArrayRef<double> values) {
  json::Array out;
  for (double v : values)
    out.push_back(v);
  return out;
}

/// `path` made absolute, with symbolic links and dots resolved where it
/// exists: a ".." taken lexically after a link is not the filesystem's.
SmallString<256> resolvedPath(StringRef path) {
  SmallString<256> out;
  if (!llvm::sys::fs::real_path(path, out))
    return out;
  out = path;
  llvm::sys::fs::make_absolute(out);
  llvm::sys::path::remove_dots(out, /*remove_dot_dot=*/true);
  return out;
}

/// `path` relative to the directory `dir` (both resolved), so that a plan
/// and the weight file it names can move together.
std::string relativePath(StringRef path, StringRef dir) {
  SmallString<256> p = resolvedPath(path),
                   d = resolvedPath(dir.empty() ? StringRef(".") : dir);
  auto pi = llvm::sys::path::begin(p), pe = llvm::sys::path::end(p);
  auto di = llvm::sys::path::begin(d), de = llvm::sys::path::end(d);
  for (; pi != pe && di != de && *pi == *di; ++pi, ++di)
    ;
  SmallString<256> out;
  for (; di != de; ++di)
    llvm::sys::path::append(out, "..");
  for (; pi != pe; ++pi)
    llvm::sys::path::append(out, *pi);
  return out.str().str();
}

class PlanWriter {
public:
  PlanWriter(ModuleOp module, const spike::PlanEmitOptions &options)
      : module(module), options(options) {}

  LogicalResult write(llvm::raw_ostream &os);

private:
  ModuleOp module;
  const spike::PlanEmitOptions &options;
  std::optional<spike::core::SafetensorsFile> weights;
  spike::core::SafetensorsWriter tensors;
  llvm::DenseMap<Value, std::string> names;
  llvm::StringSet<> written;
  json::Array ops;
  int64_t timesteps = 1, substeps = 1, constants = 0;
  bool storedCodes = false; ///< a weight is stored as integer codes

  /// One op of the plan before it is written: its kind, operands,
  /// attributes, weights by role and site.
  struct PlanEntry {
    std::string kind, site;
    SmallVector<Value> inputs;
    json::Object attrs, params;
  };

  LogicalResult openWeights();
  std::string level();
  FailureOr<std::string> param(Operation *user, Value weight);
  LogicalResult addParam(PlanEntry &e, Operation *user, StringRef role,
                         Value weight);
  template <typename RoPE> void ropeAttrs(PlanEntry &e, RoPE r);
  template <typename Linear> LogicalResult linearParams(PlanEntry &e, Linear l);
  template <typename Neuron> void neuronAttrs(PlanEntry &e, Neuron n);
  /// The entry of a tensor op (embedding, norms, linears, attention,
  /// elementwise), or nothing when `op` is not one.
  std::optional<LogicalResult> describeTensorOp(Operation *op, PlanEntry &e);
  /// The entry of a quantizer, observer, encoder or neuron op, or nothing.
  std::optional<LogicalResult> describeSiteOp(Operation *op, PlanEntry &e);
  /// Appends `op` to the plan.
  LogicalResult emitOp(Operation *op);
  std::string name(Value v) { return names.lookup(v); }
};

LogicalResult PlanWriter::openWeights() {
  auto file =
      spike::openModuleWeights(module, options.weightsPath, "emit-plan");
  if (failed(file))
    return failure();
  weights = std::move(*file);
  return success();
}

std::string PlanWriter::level() {
  bool spiking = false, binary = false, quantized = false;
  module.walk([&](Operation *op) {
    if (auto n = dyn_cast<spk::IFNeuronOp>(op)) {
      binary = true;
      substeps = std::max<int64_t>(substeps, n.getLevels());
    }
    if (isa<spk::SpikeDialect>(op->getDialect()))
      spiking = true;
    if (isa<qnn::QuantizeOp>(op))
      quantized = true;
    if (auto l = dyn_cast<qnn::LinearOp>(op))
      quantized |= l.getWeightBits().has_value();
  });
  return binary ? "if" : spiking ? "is" : quantized ? "qann" : "fp";
}

/// The plan name of a weight operand; declares its copy in the plan's
/// tensor file on first use.
FailureOr<std::string> PlanWriter::param(Operation *user, Value weight) {
  auto op = weight.getDefiningOp<qnn::WeightOp>();
  if (!op)
    return user->emitError("emit-plan: weight operand must come from "
                           "qnn.weight"),
           failure();
  auto type = cast<RankedTensorType>(op.getType());
  SmallVector<int64_t> shape(type.getShape());
  if (auto p = dyn_cast<qnn::ParamAttr>(op.getValue())) {
    std::string tensor = p.getTensorName().str();
    if (written.contains(tensor))
      return tensor;
    if (!weights)
      return op.emitError("emit-plan: #qnn.param \"")
                 << tensor
                 << "\" needs a weight file (module attribute qnn.weights "
                    "or --weights)",
             failure();
    const spike::core::TensorInfo *info = weights->find(tensor);
    if (!info)
      return op.emitError("emit-plan: ")
                 << weights->path() << ": missing tensor '" << tensor << "'",
             failure();
    if (ArrayRef<int64_t>(info->shape) != ArrayRef<int64_t>(shape))
      return op.emitError("emit-plan: ")
                 << weights->path() << ": tensor '" << tensor << "' has shape ["
                 << llvm::join(llvm::map_range(
                                   info->shape,
                                   [](int64_t d) { return std::to_string(d); }),
                               ", ")
                 << "], the IR expects " << type,
             failure();
    written.insert(tensor);
    // Integer codes (spike-store-weight-codes) need plan version 4.
    bool stored = spike::core::isCodeDType(info->dtype);
    storedCodes |= stored;
    if (!options.copyWeights)
      return tensor; // read from the shared weight file
    if (stored) {
      if (auto st = spike::copyStoredTensor(tensors, *weights, tensor); !st)
        return op.emitError("emit-plan: ") << st.message(), failure();
      return tensor;
    }
    // Copied when the tensor file is written, one tensor at a time (the
    // file shares the memory map).
    spike::core::SafetensorsFile file = *weights;
    if (auto st = tensors.addDeferredF32(
            tensor, {shape.begin(), shape.end()},
            [file, tensor] { return file.readF32(tensor); });
        !st)
      return op.emitError("emit-plan: ") << st.message(), failure();
    return tensor;
  }
  auto dense = dyn_cast<DenseFPElementsAttr>(op.getValue());
  if (!dense)
    return op.emitError("emit-plan: unsupported constant"), failure();
  std::string tensor = "const." + std::to_string(constants++);
  std::vector<float> values;
  for (APFloat v : dense.getValues<APFloat>())
    values.push_back(v.convertToFloat());
  if (auto st = tensors.addF32(tensor, {shape.begin(), shape.end()}, values);
      !st)
    return op.emitError("emit-plan: ") << st.message(), failure();
  written.insert(tensor);
  return tensor;
}

LogicalResult PlanWriter::addParam(PlanEntry &e, Operation *user,
                                   StringRef role, Value weight) {
  FailureOr<std::string> name = param(user, weight);
  if (failed(name))
    return failure();
  e.params[role] = *name;
  return success();
}

template <typename RoPE> void PlanWriter::ropeAttrs(PlanEntry &e, RoPE r) {
  e.attrs["base"] = r.getBase().convertToDouble();
  if (auto s = r.getScaling())
    e.attrs["scaling"] = s->str();
  if (auto f = r.getFactor())
    e.attrs["factor"] = f->convertToDouble();
  if (auto f = r.getLowFreqFactor())
    e.attrs["low_freq_factor"] = f->convertToDouble();
  if (auto f = r.getHighFreqFactor())
    e.attrs["high_freq_factor"] = f->convertToDouble();
  if (auto p = r.getOriginalMaxPosition())
    e.attrs["original_max_position"] = int64_t(*p);
  if (auto f = r.getFreqFactors())
    e.attrs["freq_factors"] = toJson(*f);
}

template <typename Linear>
LogicalResult PlanWriter::linearParams(PlanEntry &e, Linear l) {
  Operation *op = l.getOperation();
  if (failed(addParam(e, op, "weight", l.getWeight())))
    return failure();
  if (l.getWeightScale() &&
      failed(addParam(e, op, "weight_scale", l.getWeightScale())))
    return failure();
  if (auto bits = l.getWeightBits())
    e.attrs["weight_bits"] = int64_t(*bits);
  if (l.getBias()) {
    if (failed(addParam(e, op, "bias", l.getBias())))
      return failure();
    // A spiking linear adds b / T at each of its T steps.
    if constexpr (std::is_same_v<Linear, spk::LinearOp>)
      e.attrs["bias_steps"] = l.getInput().getType().getTimesteps();
  }
  return success();
}

/// What IS and IF neurons share.
template <typename Neuron>
void PlanWriter::neuronAttrs(PlanEntry &e, Neuron n) {
  e.inputs = {n.getInput()};
  e.site = n.getSite().str();
  e.attrs["levels"] = n.getLevels();
  e.attrs["alpha"] = n.getAlpha().convertToDouble();
  e.attrs["threshold"] = toJson(n.getThreshold());
  e.attrs["v0"] = toJson(n.getV0());
  if (auto b = n.getBudget())
    e.attrs["budget"] = int64_t(*b);
  if (auto b = n.getBits())
    e.attrs["bits"] = int64_t(*b);
  if (n.getSpikeCoding() == spike::neuron::SpikeCoding::Signed)
    e.attrs["coding"] = "signed";
  if (n.getIsUnsigned())
    e.attrs["unsigned"] = true;
}

/// The heads of a [heads, ...] tensor or train.
static int64_t headsOf(Type t) {
  if (auto train = dyn_cast<spk::TrainType>(t))
    t = train.getTensor();
  return cast<RankedTensorType>(t).getDimSize(0);
}

std::optional<LogicalResult> PlanWriter::describeTensorOp(Operation *op,
                                                          PlanEntry &e) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case<qnn::EmbeddingOp>([&](auto m) {
        e.kind = "embedding";
        e.inputs = {m.getTokens()};
        return addParam(e, op, "table", m.getTable());
      })
      .Case<qnn::RMSNormOp>([&](auto n) {
        e.kind = "rmsnorm";
        e.inputs = {n.getInput()};
        e.attrs["eps"] = n.getEps().convertToDouble();
        return addParam(e, op, "weight", n.getWeight());
      })
      .Case<qnn::LinearOp, spk::LinearOp>([&](auto l) {
        e.kind = "linear";
        e.inputs = {l.getInput()};
        return linearParams(e, l);
      })
      .Case<qnn::RoPEOp, spk::RoPEOp>([&](auto r) {
        e.kind = "rope";
        e.inputs = {r.getInput()};
        ropeAttrs(e, r);
        return success();
      })
      .Case<qnn::SplitHeadsOp, spk::SplitHeadsOp>([&](auto s) {
        e.kind = "split_heads";
        e.inputs = {s.getInput()};
        e.attrs["heads"] = headsOf(s.getType());
        return success();
      })
      .Case<qnn::MergeHeadsOp, spk::MergeHeadsOp>([&](auto m) {
        e.kind = "merge_heads";
        e.inputs = {m.getInput()};
        return success();
      })
      .Case<qnn::MatmulOp, spk::AAMatmulOp>([&](auto m) {
        e.kind = isa<spk::AAMatmulOp>(op) ? "aa_matmul" : "matmul";
        e.inputs = {m.getLhs(), m.getRhs()};
        e.attrs["transpose_rhs"] = bool(m.getTransposeRhs());
        return success();
      })
      .Case<qnn::SoftmaxOp>([&](auto s) {
        e.kind = "softmax";
        e.inputs = {s.getInput()};
        e.attrs["causal"] = bool(s.getCausal());
        return success();
      })
      .Case<qnn::SiLUOp>([&](auto s) {
        e.kind = "silu";
        e.inputs = {s.getInput()};
        return success();
      })
      .Case<qnn::MulOp, spk::AAMulOp>([&](auto m) {
        e.kind = isa<spk::AAMulOp>(op) ? "aa_mul" : "mul";
        e.inputs = {m.getLhs(), m.getRhs()};
        return success();
      })
      .Case<qnn::AddOp, spk::AddOp>([&](auto a) {
        e.kind = "add";
        e.inputs = {a.getLhs(), a.getRhs()};
        return success();
      })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<LogicalResult> PlanWriter::describeSiteOp(Operation *op,
                                                        PlanEntry &e) {
  return llvm::TypeSwitch<Operation *, std::optional<LogicalResult>>(op)
      .Case<qnn::QuantizeOp>([&](auto q) {
        e.kind = "quantize";
        e.inputs = {q.getInput()};
        e.site = q.getSite().str();
        e.attrs["scale"] = toJson(q.getScale());
        e.attrs["bits"] = int64_t(q.getBits());
        e.attrs["signed"] = !q.getIsUnsigned();
        return success();
      })
      .Case<qnn::ObserveOp>([&](auto o) {
        e.kind = "observe";
        e.inputs = {o.getInput()};
        e.site = o.getSite().str();
        return success();
      })
      .Case<spk::EncodeOp>([&](auto c) {
        e.kind = "encode";
        e.inputs = {c.getInput()};
        return success();
      })
      .Case<spk::DecodeOp>([&](auto d) {
        e.kind = "decode";
        e.inputs = {d.getInput()};
        return success();
      })
      .Case<spk::ISNeuronOp>([&](auto n) {
        e.kind = "is_neuron";
        neuronAttrs(e, n);
        if (n.getBidirectional())
          e.attrs["bidirectional"] = true;
        return success();
      })
      .Case<spk::IFNeuronOp>([&](auto n) {
        e.kind = "if_neuron";
        neuronAttrs(e, n);
        e.attrs["schedule"] = spk::stringifyIFSchedule(n.getSchedule()).str();
        return success();
      })
      .Case<spk::IFCollectOp>([&](auto c) {
        e.kind = "if_collect";
        e.inputs = {c.getInput()};
        e.attrs["levels"] = c.getLevels();
        e.attrs["alpha"] = c.getAlpha().convertToDouble();
        e.attrs["threshold"] = toJson(c.getThreshold());
        return success();
      })
      .Case<spk::AccumMapOp>([&](auto a) -> LogicalResult {
        e.kind = "accum_map";
        e.inputs = {a.getInput()};
        e.attrs["fn"] = spk::stringifyAccumFn(a.getFn()).str();
        if (a.getCausal())
          e.attrs["causal"] = true;
        if (auto eps = a.getEps())
          e.attrs["eps"] = eps->convertToDouble();
        if (a.getWeight())
          return addParam(e, op, "weight", a.getWeight());
        return success();
      })
      .Default([](Operation *) { return std::nullopt; });
}

LogicalResult PlanWriter::emitOp(Operation *op) {
  if (isa<qnn::WeightOp>(op))
    return success();
  PlanEntry e;
  std::optional<LogicalResult> described = describeTensorOp(op, e);
  if (!described)
    described = describeSiteOp(op, e);
  if (!described)
    return op->emitOpError("cannot be emitted in a spikec plan");
  if (failed(*described))
    return failure();

  json::Array in;
  for (Value v : e.inputs) {
    if (!names.count(v))
      return op->emitOpError("emit-plan: operand is not a plan value");
    in.push_back(name(v));
  }
  std::string out = "v" + std::to_string(names.size());
  names[op->getResult(0)] = out;
  json::Object entry;
  entry["op"] = e.kind;
  entry["inputs"] = std::move(in);
  entry["outputs"] = json::Array{out};
  if (!e.params.empty())
    entry["params"] = std::move(e.params);
  if (!e.attrs.empty())
    entry["attrs"] = std::move(e.attrs);
  if (!e.site.empty())
    entry["site"] = e.site;
  ops.push_back(std::move(entry));
  return success();
}

LogicalResult PlanWriter::write(llvm::raw_ostream &os) {
  if (options.tensorsPath.empty())
    return mlir::emitError(module.getLoc(),
                           "emit-plan: --plan-tensors=FILE is required "
                           "(the plan's tensor file, written beside it)");
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal()) {
      if (func)
        return mlir::emitError(module.getLoc(),
                               "emit-plan: expected one function with a "
                               "body, found several");
      func = f;
    }
  if (!func || !func.getBody().hasOneBlock())
    return mlir::emitError(module.getLoc(),
                           "emit-plan: expected one single-block function");
  if (failed(openWeights()))
    return failure();
  // A plan whose tensor file is the weight file itself reads its weights
  // from there, and writes nothing.
  bool ownFileIsWeights =
      weights && !options.copyWeights &&
      llvm::sys::fs::equivalent(options.tensorsPath, weights->path());
  std::string lvl = level();
  FailureOr<int64_t> t = spk::getModelTimesteps(module);
  if (failed(t))
    return failure();
  timesteps = *t;

  json::Array inputs;
  for (BlockArgument arg : func.getArguments()) {
    auto t = dyn_cast<RankedTensorType>(arg.getType());
    if (!t || !t.getElementType().isInteger() || t.getRank() != 1 ||
        names.size() != 0)
      return mlir::emitError(func.getLoc(),
                             "emit-plan: the function must take exactly one "
                             "input, the token ids tensor<?xi64>");
    names[arg] = "tokens";
    inputs.push_back("tokens");
  }
  json::Array outputs;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands()) {
        if (!names.count(v))
          return ret.emitOpError("emit-plan: returns a value that is not "
                                 "computed by the plan");
        outputs.push_back(name(v));
      }
      continue;
    }
    if (op.getNumResults() != 1 && !isa<qnn::WeightOp>(op))
      return op.emitOpError("cannot be emitted in a spikec plan");
    if (failed(emitOp(&op)))
      return failure();
  }
  if (outputs.empty())
    return mlir::emitError(func.getLoc(),
                           "emit-plan: the function returns nothing");

  json::Object plan{
      {"format", "spikec.plan"},
      {"version", storedCodes ? 4 : 3},
      {"producer", spike::versionString()},
      {"level", lvl},
      {"time", json::Object{{"timesteps", timesteps}, {"substeps", substeps}}},
      {"tensors", llvm::sys::path::filename(options.tensorsPath).str()},
      {"inputs", std::move(inputs)},
      {"outputs", std::move(outputs)},
      {"ops", std::move(ops)}};
  if (weights && !options.copyWeights && !ownFileIsWeights)
    plan["weights"] = relativePath(
        weights->path(), llvm::sys::path::parent_path(options.tensorsPath));
  if (auto prefix =
          module->getAttrOfType<DenseI64ArrayAttr>("qnn.prefix_tokens")) {
    json::Array ids;
    for (int64_t id : prefix.asArrayRef())
      ids.push_back(id);
    plan["prefix_tokens"] = std::move(ids);
  }
  json::Object model;
  if (auto name = module->getAttrOfType<StringAttr>("qnn.model"))
    model["name"] = name.str();
  if (!options.tokenizer.empty())
    model["tokenizer"] = options.tokenizer;
  if (!model.empty())
    plan["model"] = std::move(model);

  if (ownFileIsWeights && constants > 0)
    return mlir::emitError(module.getLoc(), "emit-plan: --plan-tensors=")
           << options.tensorsPath
           << " is the model's weight file, and the plan has constants to "
              "write: name another file";
  if (!ownFileIsWeights)
    if (auto st = tensors.write(options.tensorsPath); !st)
      return mlir::emitError(module.getLoc(), "emit-plan: ") << st.message();
  os << llvm::formatv("{0:1}", json::Value(std::move(plan))) << "\n";
  return success();
}

} // namespace

LogicalResult spike::emitPlan(ModuleOp module, llvm::raw_ostream &os,
                              const PlanEmitOptions &options) {
  return PlanWriter(module, options).write(os);
}

void spike::registerPlanTranslation() {
  static llvm::cl::opt<std::string> tensors(
      "plan-tensors",
      llvm::cl::desc("--emit-plan: tensor file to write (beside the plan)"));
  static llvm::cl::opt<std::string> weightsFile(
      "weights", llvm::cl::desc("--emit-plan: the model's weight file "
                                "(default: the module's qnn.weights)"));
  static llvm::cl::opt<bool> copyWeights(
      "plan-copy-weights",
      llvm::cl::desc("--emit-plan: copy the weights into the plan's tensor "
                     "file instead of naming the model's weight file"));
  static llvm::cl::opt<std::string> tokenizer(
      "tokenizer",
      llvm::cl::desc("--emit-plan: tokenizer file recorded in the plan"));
  static TranslateFromMLIRRegistration registration(
      "emit-plan", "Emit a spikec execution plan (JSON) and its tensors",
      [](ModuleOp module, llvm::raw_ostream &os) {
        PlanEmitOptions options;
        options.tensorsPath = tensors;
        options.weightsPath = weightsFile;
        options.copyWeights = copyWeights;
        options.tokenizer = tokenizer;
        return emitPlan(module, os, options);
      },
      [](DialectRegistry &registry) { spike::registerAllDialects(registry); });
}
