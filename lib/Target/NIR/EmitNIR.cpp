//===- EmitNIR.cpp - Export the NIR-expressible parts of a spiking graph --===//
//
// NIR v1.0 (HDF5) has Input, Output, IF, Affine/Linear and friends, but no
// softmax, normalization, activation products or graded spikes. So each
// maximal expressible subgraph becomes its own NIR file, and a manifest
// says what runs between them:
//   - IF level: per IF neuron site, Input -> IF -> Affine (each linear that
//     reads the site) -> Output. The consumer's window sum (if_collect) is
//     linear, so it moves behind the Affine: weight W diag(theta), bias
//     -W (alpha theta) / L per sub-step, summed over a window by whatever
//     reads the Output.
//   - IS level: IS neurons send graded spikes, which NIR cannot carry, so
//     only the linears export (Input -> Linear -> Output).
// What NIR cannot say goes into each file's metadata and the manifest:
// subtractive reset, graded spikes, discrete time (sub-steps), the initial
// membrane v0 and the alpha offset of the input current.
//
//===----------------------------------------------------------------------===//

#include "spike/Target/NIR.h"

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/core/ModelIO/Hdf5Writer.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <map>

using namespace mlir;
namespace spk = spike::spk;

namespace {

constexpr const char *kNirVersion = "1.0";

/// A weight operand's values, [out, in], on its quantization grid.
FailureOr<std::vector<float>>
effectiveWeight(spk::LinearOp l,
                const std::optional<spike::core::SafetensorsFile> &file) {
  auto w = spike::readLinearWeights(l, l.getWeight(), l.getWeightScale(),
                                    l.getWeightBits(), file, "emit-nir");
  if (failed(w))
    return failure();
  return std::move(w->values);
}

std::string weightName(spk::LinearOp l) {
  if (auto op = l.getWeight().getDefiningOp<spike::qnn::WeightOp>())
    if (auto p = dyn_cast<spike::qnn::ParamAttr>(op.getValue()))
      return p.getName().str();
  return "linear";
}

/// NIR node names: letters, digits and underscores.
std::string nodeName(StringRef s) {
  std::string out;
  for (char c : s)
    out += std::isalnum((unsigned char)c) ? c : '_';
  return out;
}

/// One NIR graph being built.
struct Graph {
  std::string site;
  llvm::json::Object neuron;      ///< the manifest's values of an IF graph
  std::vector<std::string> order; ///< node names in writing order
  std::map<std::string, std::string> types;
  std::map<std::string, std::map<std::string, std::pair<std::vector<float>,
                                                        std::vector<uint64_t>>>>
      arrays;
  std::vector<std::array<std::string, 2>> edges;
  llvm::json::Array outputs;

  void node(const std::string &name, const std::string &type) {
    order.push_back(name);
    types[name] = type;
  }
  void array(const std::string &node, const std::string &key,
             std::vector<float> data, std::vector<uint64_t> dims) {
    arrays[node][key] = {std::move(data), std::move(dims)};
  }
};

spike::core::Status writeGraph(const Graph &g, const std::string &path,
                               const std::map<std::string, std::string> &meta,
                               std::unique_ptr<spike::core::Hdf5Writer> &out) {
  auto w = spike::core::Hdf5Writer::create(path);
  if (!w)
    return w.status();
  out = w.take();
  spike::core::Hdf5Writer &f = *out;
#define SPIKE_H5(x)                                                            \
  if (auto st = (x); !st)                                                      \
    return st;
  SPIKE_H5(f.string("/version", kNirVersion));
  SPIKE_H5(f.group("/node"));
  SPIKE_H5(f.string("/node/type", "NIRGraph"));
  SPIKE_H5(f.stringPairs("/node/edges", g.edges));
  SPIKE_H5(f.group("/node/metadata"));
  for (const auto &[k, v] : meta)
    SPIKE_H5(f.string("/node/metadata/" + k, v));
  SPIKE_H5(f.group("/node/nodes"));
  for (const std::string &n : g.order) {
    std::string base = "/node/nodes/" + n;
    SPIKE_H5(f.group(base));
    SPIKE_H5(f.string(base + "/type", g.types.at(n)));
    auto it = g.arrays.find(n);
    if (it == g.arrays.end())
      continue;
    for (const auto &[key, a] : it->second) {
      if (key == "shape") {
        std::vector<int64_t> ints(a.first.begin(), a.first.end());
        SPIKE_H5(f.ints(base + "/" + key, ints, a.second));
      } else {
        SPIKE_H5(f.floats(base + "/" + key, a.first, a.second));
      }
    }
  }
#undef SPIKE_H5
  return spike::core::Status::ok();
}

/// Whether an IF site is as wide as the context (attention scores), which
/// NIR cannot size.
bool isContextWide(spk::IFNeuronOp n) {
  auto t = cast<spk::TrainType>(n.getType()).getTensor();
  return ShapedType::isDynamic(t.getShape().back());
}

/// Whether a signed-code IF site, whose -1 spikes NIR's IF cannot emit.
bool isSignedCode(spk::IFNeuronOp n) {
  return n.getSpikeCoding() == spike::neuron::SpikeCoding::Signed;
}

/// Whether an IF site becomes a NIR graph.
bool inNIR(spk::IFNeuronOp n) { return !isContextWide(n) && !isSignedCode(n); }

/// The IF site whose spikes `v` collects, if any and NIR carries it.
spk::IFNeuronOp nirSiteOf(spk::IFCollectOp c) {
  auto n = dyn_cast_or_null<spk::IFNeuronOp>(c.getInput().getDefiningOp());
  return n && inNIR(n) ? n : spk::IFNeuronOp();
}

/// What NIR cannot express, by op name, with counts.
std::map<std::string, int64_t> opsOutsideNIR(ModuleOp module) {
  std::map<std::string, int64_t> outside;
  module.walk([&](Operation *op) {
    if (auto n = dyn_cast<spk::IFNeuronOp>(op); n && !inNIR(n)) {
      // The signed code's -1 spikes: NIR's IF fires no negative spikes.
      ++outside[isContextWide(n) ? "spike.if_neuron (context-wide)"
                                 : "spike.if_neuron (signed code)"];
      return;
    }
    if (isa<spk::IFNeuronOp, spk::LinearOp, func::FuncOp, func::ReturnOp,
            ModuleOp, spike::qnn::WeightOp>(op))
      return;
    // A collect that only feeds linears folds into their Affine nodes.
    if (auto c = dyn_cast<spk::IFCollectOp>(op))
      if (nirSiteOf(c) && llvm::all_of(c->getUsers(), [](Operation *u) {
            return isa<spk::LinearOp>(u);
          }))
        return;
    ++outside[op->getName().getStringRef().str()];
  });
  return outside;
}

/// The NIR metadata every file carries: what its IF and Affine nodes mean
/// beyond NIR's own definitions.
std::map<std::string, std::string> fileMetadata() {
  return {
      {"producer", "spikec emit-nir"},
      {"spikec_reset",
       "subtractive: after a spike the membrane loses v_threshold; NIR's IF "
       "resets to v_reset (0), which differs when the membrane exceeds "
       "2 v_threshold"},
      {"spikec_time",
       "discrete: one NIR step is one binary sub-step; L sub-steps make a "
       "time step, and a step's input current arrives on its first "
       "sub-step (integrate-then-fire)"},
      {"spikec_input",
       "the IF input current carries the offset alpha * v_threshold once "
       "per time step; the membrane starts at v0; both, the schedule and "
       "the budget are in the manifest's 'neuron' of this graph "
       "(spikec.nir-manifest version 2)"},
      {"spikec_affine",
       "Affine outputs are per sub-step; their consumer sums them over the "
       "L sub-steps of a time step"}};
}

/// The manifest (nir-manifest.schema.json) over the written `files`.
llvm::json::Object manifestOf(llvm::json::Array files,
                              const std::map<std::string, int64_t> &outside) {
  llvm::json::Object between;
  for (const auto &[name, n] : outside)
    between[name] = n;
  return llvm::json::Object{
      {"format", "spikec.nir-manifest"},
      {"version", 2},
      {"producer",
       std::string("spike-translate --emit-nir ") + spike::versionString()},
      {"nir_version", kNirVersion},
      {"graphs", std::move(files)},
      {"between_graphs",
       llvm::json::Object{
           {"ops", std::move(between)},
           {"note", "these ops run between the NIR graphs (on the host or "
                    "the chip's programmable cores): they are outside NIR"}}},
      {"not_expressible",
       llvm::json::Array{"subtractive reset (NIR IF resets to v_reset)",
                         "graded spikes (IS neurons)",
                         "discrete time steps and sub-steps (NIR is "
                         "continuous-time)",
                         "initial membrane v0, the alpha input offset, the "
                         "sub-step schedule and the spike budget (these are "
                         "in each IF graph's 'neuron')"}}};
}

/// Builds the NIR graphs of a module: one per IF site (with the linears
/// that read it), then one per linear that reads no IF site.
class GraphCollector {
public:
  explicit GraphCollector(const std::optional<spike::core::SafetensorsFile> &w)
      : weights(w) {}

  /// The graphs, or failure after a diagnostic (a weight not readable).
  FailureOr<std::vector<Graph>> collect(ModuleOp module) {
    module.walk([&](spk::IFNeuronOp n) {
      if (inNIR(n))
        graphs.push_back(ifGraph(n));
    });
    // Linears that read no IF neuron NIR carries (the IS level, the
    // signed code, or the host).
    module.walk([&](spk::LinearOp l) {
      Operation *def = l.getInput().getDefiningOp();
      if (auto c = dyn_cast_or_null<spk::IFCollectOp>(def))
        if (nirSiteOf(c))
          return;
      graphs.push_back(linearGraph(l));
    });
    if (failedAny)
      return failure();
    return std::move(graphs);
  }

private:
  const std::optional<spike::core::SafetensorsFile> &weights;
  std::vector<Graph> graphs;
  bool failedAny = false;

  Graph ifGraph(spk::IFNeuronOp n);
  Graph linearGraph(spk::LinearOp l);
  void addLinear(Graph &g, spk::LinearOp l, const std::string &from,
                 const std::vector<float> *theta, double alpha, int64_t levels);
};

Graph GraphCollector::ifGraph(spk::IFNeuronOp n) {
  auto t = cast<spk::TrainType>(n.getType()).getTensor();
  Graph g;
  g.site = n.getSite().str();
  uint64_t width = uint64_t(t.getShape().back());
  std::vector<float> theta(width), ones(width, 1.0f), zeros(width, 0.0f);
  ArrayRef<double> th = n.getThreshold();
  for (uint64_t c = 0; c < width; ++c)
    theta[c] = float(th[spike::neuron::groupOf(int64_t(c), int64_t(width),
                                               int64_t(th.size()))]);
  std::string site = nodeName(g.site);
  g.node("input", "Input");
  g.array("input", "shape", {float(width)}, {1});
  // What NIR's IF lacks, for the manifest (nir-manifest.schema.json).
  g.neuron = llvm::json::Object{
      {"channels", int64_t(width)},
      {"timesteps", n.getInput().getType().getTimesteps()},
      {"levels", n.getLevels()},
      {"alpha", n.getAlpha().convertToDouble()},
      {"threshold", llvm::json::Array(th)},
      {"v0", llvm::json::Array(n.getV0())},
      {"schedule", spk::stringifyIFSchedule(n.getSchedule()).str()}};
  if (n.getBudget())
    g.neuron["budget"] = int64_t(*n.getBudget());
  g.node(site, "IF");
  g.array(site, "r", ones, {width});
  g.array(site, "v_threshold", theta, {width});
  g.array(site, "v_reset", zeros, {width});
  g.edges.push_back({"input", site});
  bool spikesLeave = false;
  for (Operation *user : n->getUsers()) {
    auto c = dyn_cast<spk::IFCollectOp>(user);
    if (!c) {
      spikesLeave = true;
      continue;
    }
    for (Operation *u : c->getUsers()) {
      if (auto l = dyn_cast<spk::LinearOp>(u))
        addLinear(g, l, site, &theta, n.getAlpha().convertToDouble(),
                  n.getLevels());
      else
        spikesLeave = true;
    }
  }
  if (spikesLeave) {
    g.node("spikes", "Output");
    g.array("spikes", "shape", {float(width)}, {1});
    g.edges.push_back({site, "spikes"});
    g.outputs.push_back(llvm::json::Object{
        {"node", "spikes"}, {"spikes_of", g.site}, {"features", width}});
  }
  return g;
}

Graph GraphCollector::linearGraph(spk::LinearOp l) {
  Graph g;
  g.site = "";
  uint64_t cols = cast<RankedTensorType>(l.getWeight().getType()).getShape()[1];
  g.node("input", "Input");
  g.array("input", "shape", {float(cols)}, {1});
  addLinear(g, l, "input", nullptr, 0, 1);
  return g;
}

/// Appends `l` (reading node `from`) and its Output to `g`. Behind an IF
/// site (`theta` given) the consumer's window sum moves behind the Affine:
/// weight W diag(theta), bias (b / T - W (alpha theta)) / L per sub-step.
void GraphCollector::addLinear(Graph &g, spk::LinearOp l,
                               const std::string &from,
                               const std::vector<float> *theta, double alpha,
                               int64_t levels) {
  auto w = effectiveWeight(l, weights);
  if (failed(w)) {
    failedAny = true;
    return;
  }
  auto shape = cast<RankedTensorType>(l.getWeight().getType()).getShape();
  uint64_t rows = shape[0], cols = shape[1];
  std::string name = nodeName(weightName(l));
  std::string out = name + "_out";
  // The layer's own bias arrives as b / T per step (spike.linear), so as
  // b / (T L) per sub-step on the IF level.
  std::vector<double> own(rows, 0.0);
  if (l.getBias()) {
    auto b = spike::readParamValues(l, l.getBias(), weights, "emit-nir");
    if (failed(b)) {
      failedAny = true;
      return;
    }
    double steps = double(l.getInput().getType().getTimesteps());
    for (uint64_t r = 0; r < rows; ++r)
      own[r] = double((*b)[r]) / steps;
  }
  if (theta) {
    std::vector<float> bias(rows, 0.0f);
    for (uint64_t r = 0; r < rows; ++r) {
      double b = own[r];
      for (uint64_t c = 0; c < cols; ++c) {
        float &x = (*w)[r * cols + c];
        b -= double(x) * alpha * (*theta)[c];
        x *= (*theta)[c];
      }
      bias[r] = float(b / double(levels));
    }
    g.node(name, "Affine");
    g.array(name, "weight", std::move(*w), {rows, cols});
    g.array(name, "bias", std::move(bias), {rows});
  } else if (l.getBias()) {
    g.node(name, "Affine");
    g.array(name, "weight", std::move(*w), {rows, cols});
    g.array(name, "bias", std::vector<float>(own.begin(), own.end()), {rows});
  } else {
    g.node(name, "Linear");
    g.array(name, "weight", std::move(*w), {rows, cols});
  }
  g.node(out, "Output");
  g.array(out, "shape", {float(rows)}, {1});
  g.edges.push_back({from, name});
  g.edges.push_back({name, out});
  g.outputs.push_back(llvm::json::Object{
      {"node", out}, {"linear", weightName(l)}, {"features", rows}});
}

/// Writes PREFIX.<k>.nir for each graph, every file or none, and removes
/// the files of an earlier export with more graphs; returns the manifest's
/// entries.
FailureOr<llvm::json::Array> writeGraphs(ModuleOp module,
                                         std::vector<Graph> &graphs,
                                         const std::string &prefix) {
  std::map<std::string, std::string> meta = fileMetadata();
  llvm::json::Array files;
  std::vector<std::unique_ptr<spike::core::Hdf5Writer>> writers(graphs.size());
  for (size_t i = 0; i < graphs.size(); ++i) {
    std::string path = prefix + "." + std::to_string(i) + ".nir";
    if (auto st = writeGraph(graphs[i], path, meta, writers[i]); !st)
      return mlir::emitError(module.getLoc(), "emit-nir: ") << st.message();
    llvm::json::Object entry{{"file", llvm::sys::path::filename(path).str()},
                             {"outputs", std::move(graphs[i].outputs)}};
    if (!graphs[i].site.empty()) {
      entry["if_site"] = graphs[i].site;
      entry["neuron"] = std::move(graphs[i].neuron);
    }
    files.push_back(std::move(entry));
  }
  for (auto &w : writers)
    if (auto st = w->commit(); !st)
      return mlir::emitError(module.getLoc(), "emit-nir: ") << st.message();
  // Files of an earlier export with more graphs would look like part of
  // this one.
  for (size_t k = graphs.size();; ++k) {
    std::string stale = prefix + "." + std::to_string(k) + ".nir";
    if (!llvm::sys::fs::exists(stale) || llvm::sys::fs::remove(stale))
      break;
  }
  return files;
}

} // namespace

LogicalResult spike::emitNIR(ModuleOp module, llvm::raw_ostream &os,
                             const NIREmitOptions &options) {
  std::map<std::string, int64_t> outside = opsOutsideNIR(module);
  if (options.strict && !outside.empty()) {
    auto diag = mlir::emitError(module.getLoc(),
                                "emit-nir: --nir-strict: ops outside NIR:");
    for (const auto &[name, n] : outside)
      diag << " " << name << " x" << n;
    return failure();
  }
  auto weights = openModuleWeights(module, "", "emit-nir");
  if (failed(weights))
    return failure();
  auto graphs = GraphCollector(*weights).collect(module);
  if (failed(graphs))
    return failure();
  auto files = writeGraphs(module, *graphs, options.prefix);
  if (failed(files))
    return failure();
  os << llvm::formatv("{0:1}",
                      llvm::json::Value(manifestOf(std::move(*files), outside)))
     << "\n";
  return success();
}

void spike::registerNIRTranslation() {
  static llvm::cl::opt<std::string> prefix(
      "nir-prefix",
      llvm::cl::desc("--emit-nir: NIR files are PREFIX.<k>.nir "
                     "(default: nir)"),
      llvm::cl::init("nir"));
  static llvm::cl::opt<bool> strict(
      "nir-strict",
      llvm::cl::desc("--emit-nir: fail, listing them, when ops are outside "
                     "NIR"));
  static TranslateFromMLIRRegistration registration(
      "emit-nir",
      "Export the NIR-expressible subgraphs (NIR v1.0 HDF5) and a manifest",
      [](ModuleOp module, llvm::raw_ostream &os) {
        NIREmitOptions options;
        options.prefix = prefix;
        options.strict = strict;
        return emitNIR(module, os, options);
      },
      [](DialectRegistry &registry) { spike::registerAllDialects(registry); });
}
