//===- EmitPlan.cpp - Emit spikec execution plans from IR -----------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Target/Plan.h"
#include "spike/core/Safetensors.h"

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

  LogicalResult openWeights();
  std::string level();
  FailureOr<std::string> param(Operation *user, Value weight);
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

/// The plan name of a weight operand; copies its data into the plan's
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
    std::string tensor = p.getName().str();
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
    auto values = weights->readF32(tensor);
    if (!values)
      return op.emitError("emit-plan: ") << values.message(), failure();
    if (auto st = tensors.addF32(tensor, {shape.begin(), shape.end()}, *values);
        !st)
      return op.emitError("emit-plan: ") << st.message(), failure();
    written.insert(tensor);
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

LogicalResult PlanWriter::emitOp(Operation *op) {
  if (isa<qnn::WeightOp>(op))
    return success();
  json::Object entry;
  json::Object attrs, params;
  std::string site;
  SmallVector<Value> inputs;
  auto addParam = [&](StringRef role, Value w) -> LogicalResult {
    FailureOr<std::string> name = param(op, w);
    if (failed(name))
      return failure();
    params[role] = *name;
    return success();
  };
  auto ropeAttrs = [&](auto r) {
    attrs["base"] = r.getBase().convertToDouble();
    if (auto s = r.getScaling())
      attrs["scaling"] = s->str();
    if (auto f = r.getFactor())
      attrs["factor"] = f->convertToDouble();
    if (auto f = r.getLowFreqFactor())
      attrs["low_freq_factor"] = f->convertToDouble();
    if (auto f = r.getHighFreqFactor())
      attrs["high_freq_factor"] = f->convertToDouble();
    if (auto p = r.getOriginalMaxPosition())
      attrs["original_max_position"] = int64_t(*p);
    if (auto f = r.getFreqFactors())
      attrs["freq_factors"] = toJson(*f);
  };
  auto linearParams = [&](auto l) -> LogicalResult {
    if (failed(addParam("weight", l.getWeight())))
      return failure();
    if (l.getWeightScale() &&
        failed(addParam("weight_scale", l.getWeightScale())))
      return failure();
    if (auto bits = l.getWeightBits())
      attrs["weight_bits"] = int64_t(*bits);
    if (l.getBias()) {
      if (failed(addParam("bias", l.getBias())))
        return failure();
      // A spiking linear adds b / T at each of its T steps.
      if constexpr (std::is_same_v<decltype(l), spk::LinearOp>)
        attrs["bias_steps"] = l.getInput().getType().getTimesteps();
    }
    return success();
  };
  // What IS and IF neurons share.
  auto neuronAttrs = [&](auto n) {
    inputs = {n.getInput()};
    site = n.getSite().str();
    attrs["levels"] = n.getLevels();
    attrs["alpha"] = n.getAlpha().convertToDouble();
    attrs["threshold"] = toJson(n.getThreshold());
    attrs["v0"] = toJson(n.getV0());
    if (auto b = n.getBudget())
      attrs["budget"] = int64_t(*b);
  };
  auto heads = [](Type t) {
    if (auto train = dyn_cast<spk::TrainType>(t))
      t = train.getTensor();
    return cast<RankedTensorType>(t).getDimSize(0);
  };

  std::string kind;
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case<qnn::EmbeddingOp>([&](auto e) {
            kind = "embedding";
            inputs = {e.getTokens()};
            return addParam("table", e.getTable());
          })
          .Case<qnn::RMSNormOp>([&](auto n) {
            kind = "rmsnorm";
            inputs = {n.getInput()};
            attrs["eps"] = n.getEps().convertToDouble();
            return addParam("weight", n.getWeight());
          })
          .Case<qnn::LinearOp, spk::LinearOp>([&](auto l) {
            kind = "linear";
            inputs = {l.getInput()};
            return linearParams(l);
          })
          .Case<qnn::RoPEOp, spk::RoPEOp>([&](auto r) {
            kind = "rope";
            inputs = {r.getInput()};
            ropeAttrs(r);
            return success();
          })
          .Case<qnn::SplitHeadsOp, spk::SplitHeadsOp>([&](auto s) {
            kind = "split_heads";
            inputs = {s.getInput()};
            attrs["heads"] = heads(s.getType());
            return success();
          })
          .Case<qnn::MergeHeadsOp, spk::MergeHeadsOp>([&](auto m) {
            kind = "merge_heads";
            inputs = {m.getInput()};
            return success();
          })
          .Case<qnn::MatmulOp, spk::AAMatmulOp>([&](auto m) {
            kind = isa<spk::AAMatmulOp>(op) ? "aa_matmul" : "matmul";
            inputs = {m.getLhs(), m.getRhs()};
            attrs["transpose_rhs"] = bool(m.getTransposeRhs());
            return success();
          })
          .Case<qnn::SoftmaxOp>([&](auto s) {
            kind = "softmax";
            inputs = {s.getInput()};
            attrs["causal"] = bool(s.getCausal());
            return success();
          })
          .Case<qnn::SiLUOp>([&](auto s) {
            kind = "silu";
            inputs = {s.getInput()};
            return success();
          })
          .Case<qnn::MulOp, spk::AAMulOp>([&](auto m) {
            kind = isa<spk::AAMulOp>(op) ? "aa_mul" : "mul";
            inputs = {m.getLhs(), m.getRhs()};
            return success();
          })
          .Case<qnn::AddOp, spk::AddOp>([&](auto a) {
            kind = "add";
            inputs = {a.getLhs(), a.getRhs()};
            return success();
          })
          .Case<qnn::QuantizeOp>([&](auto q) {
            kind = "quantize";
            inputs = {q.getInput()};
            site = q.getSite().str();
            attrs["scale"] = toJson(q.getScale());
            attrs["bits"] = int64_t(q.getBits());
            attrs["signed"] = !q.getIsUnsigned();
            return success();
          })
          .Case<qnn::ObserveOp>([&](auto o) {
            kind = "observe";
            inputs = {o.getInput()};
            site = o.getSite().str();
            return success();
          })
          .Case<spk::EncodeOp>([&](auto e) {
            kind = "encode";
            inputs = {e.getInput()};
            return success();
          })
          .Case<spk::DecodeOp>([&](auto d) {
            kind = "decode";
            inputs = {d.getInput()};
            return success();
          })
          .Case<spk::ISNeuronOp>([&](auto n) {
            kind = "is_neuron";
            neuronAttrs(n);
            if (auto b = n.getBits())
              attrs["bits"] = int64_t(*b);
            if (n.getBidirectional())
              attrs["bidirectional"] = true;
            return success();
          })
          .Case<spk::IFNeuronOp>([&](auto n) {
            kind = "if_neuron";
            neuronAttrs(n);
            attrs["schedule"] = spk::stringifyIFSchedule(n.getSchedule()).str();
            return success();
          })
          .Case<spk::IFCollectOp>([&](auto c) {
            kind = "if_collect";
            inputs = {c.getInput()};
            attrs["levels"] = c.getLevels();
            attrs["alpha"] = c.getAlpha().convertToDouble();
            attrs["threshold"] = toJson(c.getThreshold());
            return success();
          })
          .Case<spk::AccumMapOp>([&](auto a) -> LogicalResult {
            kind = "accum_map";
            inputs = {a.getInput()};
            attrs["fn"] = spk::stringifyAccumFn(a.getFn()).str();
            if (a.getCausal())
              attrs["causal"] = true;
            if (auto eps = a.getEps())
              attrs["eps"] = eps->convertToDouble();
            if (a.getWeight())
              return addParam("weight", a.getWeight());
            return success();
          })
          .Default([&](Operation *other) {
            return other->emitOpError("cannot be emitted in a spikec plan");
          });
  if (failed(result))
    return failure();

  json::Array in;
  for (Value v : inputs) {
    if (!names.count(v))
      return op->emitOpError("emit-plan: operand is not a plan value");
    in.push_back(name(v));
  }
  std::string out = "v" + std::to_string(names.size());
  names[op->getResult(0)] = out;
  entry["op"] = kind;
  entry["inputs"] = std::move(in);
  entry["outputs"] = json::Array{out};
  if (!params.empty())
    entry["params"] = std::move(params);
  if (!attrs.empty())
    entry["attrs"] = std::move(attrs);
  if (!site.empty())
    entry["site"] = site;
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
      {"version", 1},
      {"producer", spike::versionString()},
      {"level", lvl},
      {"time", json::Object{{"timesteps", timesteps}, {"substeps", substeps}}},
      {"tensors", llvm::sys::path::filename(options.tensorsPath).str()},
      {"inputs", std::move(inputs)},
      {"outputs", std::move(outputs)},
      {"ops", std::move(ops)}};
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
  static llvm::cl::opt<std::string> tokenizer(
      "tokenizer",
      llvm::cl::desc("--emit-plan: tokenizer file recorded in the plan"));
  static TranslateFromMLIRRegistration registration(
      "emit-plan", "Emit a spikec execution plan (JSON) and its tensors",
      [](ModuleOp module, llvm::raw_ostream &os) {
        PlanEmitOptions options;
        options.tensorsPath = tensors;
        options.weightsPath = weightsFile;
        options.tokenizer = tokenizer;
        return emitPlan(module, os, options);
      },
      [](DialectRegistry &registry) { spike::registerAllDialects(registry); });
}
