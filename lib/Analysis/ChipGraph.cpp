//===- ChipGraph.cpp - The spiking graph as a chip sees it ----------------===//

#include "spike/Analysis/ChipGraph.h"

#include "spike/Support/ValidatedJson.h"

#include "spike/Dialect/QNN/QNNOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <map>

using namespace mlir;
namespace core = spike::core;

namespace spike {

namespace {

/// Elements per token of a [.., tokens, ..] shape: the first dynamic
/// dimension is the tokens; later dynamic ones (attention keys) count as
/// `context`.
int64_t elementsPerToken(ArrayRef<int64_t> shape, int64_t context) {
  int64_t n = 1;
  bool tokens = false;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d)) {
      n *= tokens ? context : 1;
      tokens = true;
    } else {
      n *= d;
    }
  }
  return n;
}

/// Neurons per token of a train.
int64_t neuronsPerToken(Value train, int64_t context) {
  auto t = cast<spike::spk::TrainType>(train.getType());
  return elementsPerToken(t.getTensor().getShape(), context);
}

/// Element operations of one op per token, and the op class that runs it
/// (the unit the chip file's op_energy_pj prices); nothing for neurons,
/// synapses and pure data movement. Spiking ops run every time step: a
/// causal activation product costs three multiply-accumulates per output
/// and contraction element (S_A B + A S_B - A B, eq. 32), an
/// accumulate-difference map three per element (accumulate, map,
/// difference), RoPE three (two products, a sum), an add one.
std::optional<std::pair<core::OpClass, double>>
glueOpsPerToken(Operation *op, int64_t timesteps, int64_t context) {
  auto elements = [&](Value v) -> double {
    return isa<spike::spk::TrainType>(v.getType())
               ? double(neuronsPerToken(v, context))
               : 0;
  };
  double T = double(timesteps);
  if (auto mm = dyn_cast<spike::spk::AAMatmulOp>(op)) {
    auto lhs = cast<spike::spk::TrainType>(mm.getLhs().getType());
    int64_t k = lhs.getTensor().getShape().back();
    double kk = ShapedType::isDynamic(k) ? double(context) : double(k);
    return std::pair{core::OpClass::AAProduct,
                     3 * T * elements(mm.getResult()) * kk};
  }
  if (isa<spike::spk::AAMulOp>(op))
    return std::pair{core::OpClass::AAProduct,
                     3 * T * elements(op->getResult(0))};
  if (isa<spike::spk::AccumMapOp, spike::spk::RoPEOp>(op))
    return std::pair{core::OpClass::AccumDiff,
                     3 * T * elements(op->getResult(0))};
  if (isa<spike::spk::AddOp>(op))
    return std::pair{core::OpClass::AccumDiff, T * elements(op->getResult(0))};
  return std::nullopt;
}

/// The graph's spike code and level, in the report's words.
std::string codeLabel(ArrayRef<Operation *> sites) {
  bool signedCode = false, correction = false, binary = false;
  for (Operation *op : sites) {
    if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
      signedCode |= n.getSpikeCoding() == spike::neuron::SpikeCoding::Signed;
      correction |= n.getBidirectional();
    } else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
      signedCode |= n.getSpikeCoding() == spike::neuron::SpikeCoding::Signed;
      binary = true;
    }
  }
  std::string code = signedCode   ? "signed code"
                     : correction ? "offset code + correction spikes"
                                  : "offset code";
  return code + (binary ? ", IF level" : ", IS level");
}

/// Element operations per token of a dense op at the model's ends, which
/// the host runs once per token: the output head's MACs, the embedding's,
/// encoder's and decoder's elements; 0 for anything else.
double hostOpsPerToken(Operation *op, int64_t context) {
  auto perToken = [&](Value v) -> double {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t ? double(elementsPerToken(t.getShape(), context)) : 0;
  };
  if (auto l = dyn_cast<spike::qnn::LinearOp>(op)) {
    auto w = cast<RankedTensorType>(l.getWeight().getType());
    return perToken(l.getResult()) * double(w.getDimSize(1));
  }
  if (isa<spike::qnn::EmbeddingOp, spike::spk::DecodeOp>(op))
    return perToken(op->getResult(0));
  if (auto e = dyn_cast<spike::spk::EncodeOp>(op))
    return perToken(e.getInput());
  return 0;
}

std::string weightName(spike::spk::LinearOp l) {
  if (auto op = l.getWeight().getDefiningOp<spike::qnn::WeightOp>())
    if (auto p = dyn_cast<spike::qnn::ParamAttr>(op.getValue()))
      return p.getName().str();
  return "linear";
}

} // namespace

Operation *sourceNeuron(Value v) {
  Operation *def = v.getDefiningOp();
  if (auto c = dyn_cast_or_null<spike::spk::IFCollectOp>(def))
    def = c.getInput().getDefiningOp();
  if (isa_and_nonnull<spike::spk::ISNeuronOp, spike::spk::IFNeuronOp>(def))
    return def;
  return nullptr;
}

int64_t synapseRowsPerInput(Value input, const core::CoreType &core) {
  auto n = dyn_cast_or_null<spike::spk::IFNeuronOp>(sourceNeuron(input));
  return core.axonsPerInput(n && n.sendsNegativeSpikes());
}

std::optional<ChipGraph> buildChipGraph(ModuleOp module,
                                        const std::string &rates,
                                        int64_t context, std::string &error) {
  FailureOr<int64_t> timesteps = spike::spk::getModelTimesteps(module);
  if (failed(timesteps)) {
    error = "the model's trains disagree on T";
    return std::nullopt;
  }
  // Measured rates, by site.
  std::map<std::string, std::pair<double, double>> measured; // events, spikes
  int64_t measuredSubsteps = 1;
  if (!rates.empty()) {
    auto doc = readValidatedJson(rates, core::DocumentKind::FiringRates, error);
    if (!doc)
      return std::nullopt;
    const llvm::json::Object &root = *doc->getAsObject();
    measuredSubsteps = *root.getInteger("substeps");
    int64_t steps = *root.getInteger("timesteps") * measuredSubsteps;
    int64_t tokens = *root.getInteger("tokens");
    for (const auto &[site, v] : *root.getObject("sites")) {
      const llvm::json::Object &s = *v.getAsObject();
      double slots =
          double(*s.getInteger("neurons")) * double(tokens) * double(steps);
      double spikes = *s.getNumber("rate");
      double events = s.getInteger("events")
                          ? double(*s.getInteger("events")) / slots
                          : std::min(1.0, spikes);
      measured[site.str()] = {events, spikes};
    }
  }

  ChipGraph graph;
  core::MappingInput &in = graph.input;
  in.timesteps = *timesteps;
  in.context = context;
  module.walk([&](Operation *op) {
    if (auto ops = glueOpsPerToken(op, in.timesteps, context))
      in.glueOpsByClass[int(ops->first)] += ops->second;
    in.hostOpsPerToken += hostOpsPerToken(op, context);
    // The K/V state: each causal matmul keeps its right operand's running
    // sum for every context position.
    if (auto mm = dyn_cast<spike::spk::AAMatmulOp>(op))
      in.kvElementsPerPosition += neuronsPerToken(mm.getRhs(), 1);
  });
  llvm::DenseMap<Operation *, int> siteIndex;
  bool allMeasured = true;
  module.walk([&](Operation *op) {
    StringRef site;
    int64_t substeps = 1, levels = 1;
    bool negative = false;
    if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
      site = n.getSite();
      levels = n.getLevels();
      negative = n.sendsNegativeSpikes();
    } else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
      site = n.getSite();
      levels = n.getLevels();
      substeps = n.getLevels();
      negative = n.sendsNegativeSpikes();
    } else {
      return;
    }
    core::MappedSite s;
    s.name = site.str();
    s.neurons = neuronsPerToken(op->getResult(0), context);
    s.substeps = substeps;
    s.negativeSpikes = negative;
    auto it = measured.find(s.name);
    if (it != measured.end() && substeps == measuredSubsteps) {
      s.eventsPerNeuronStep = it->second.first;
      s.spikesPerNeuronStep = it->second.second;
    } else if (it != measured.end()) {
      // IS rates for IF neurons: a step's spikes spread over its sub-steps.
      double perSubstep =
          it->second.second * double(measuredSubsteps) / double(substeps);
      s.spikesPerNeuronStep = perSubstep;
      s.eventsPerNeuronStep = std::min(1.0, perSubstep);
    } else {
      // Uniform fallback: an event every step, half the levels (an IS
      // neuron's zero sits at alpha = L/2 spikes), or one IF spike in two.
      allMeasured = false;
      s.eventsPerNeuronStep = substeps > 1 ? 0.5 : 1.0;
      s.spikesPerNeuronStep = substeps > 1 ? 0.5 : double(levels) / 2;
    }
    siteIndex[op] = int(in.sites.size());
    in.sites.push_back(s);
    graph.siteOps.push_back(op);
  });
  in.ratesMeasured = !rates.empty() && allMeasured;
  in.code = codeLabel(graph.siteOps);

  // Glue: what lies between a linear and the next neurons, keyed by the
  // sites it feeds; its class is the most specific op class on the way.
  std::map<std::vector<int>, int> glueOf;
  SmallVector<spike::spk::LinearOp> &linears = graph.linears;
  module.walk([&](spike::spk::LinearOp l) { linears.push_back(l); });
  for (spike::spk::LinearOp l : linears) {
    core::MappedSynapses syn;
    syn.name = weightName(l);
    auto w = cast<RankedTensorType>(l.getWeight().getType());
    syn.outputs = w.getDimSize(0);
    syn.fanIn = w.getDimSize(1);
    if (Operation *n = sourceNeuron(l.getInput()))
      syn.site = siteIndex.lookup(n);
    llvm::SetVector<Operation *> seen;
    SmallVector<Value> frontier = {l.getResult()};
    std::vector<int> feeds;
    core::OpClass cls = core::OpClass::AccumDiff;
    bool toHost = true;
    while (!frontier.empty()) {
      Value v = frontier.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (!seen.insert(user))
          continue;
        if (siteIndex.count(user)) {
          feeds.push_back(siteIndex.lookup(user));
          toHost = false;
          continue;
        }
        if (isa<spike::spk::LinearOp>(user))
          continue;
        if (isa<spike::spk::AAMatmulOp, spike::spk::AAMulOp>(user))
          cls = core::OpClass::AAProduct;
        for (Value r : user->getResults())
          frontier.push_back(r);
      }
    }
    std::sort(feeds.begin(), feeds.end());
    feeds.erase(std::unique(feeds.begin(), feeds.end()), feeds.end());
    if (toHost)
      cls = core::OpClass::Nonlinear; // the head's logits go to the host
    auto [it, inserted] = glueOf.try_emplace(feeds, int(in.glue.size()));
    if (inserted) {
      core::MappedGlue g;
      g.name = feeds.empty() ? "output" : "to " + in.sites[feeds[0]].name;
      g.opClass = cls;
      g.feeds = feeds;
      in.glue.push_back(g);
    } else if (cls == core::OpClass::AAProduct) {
      in.glue[it->second].opClass = cls;
    }
    syn.glue = it->second;
    in.synapses.push_back(syn);
  }

  return graph;
}

} // namespace spike
