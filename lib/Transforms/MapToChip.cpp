//===- MapToChip.cpp - Partition, place and route on a chip ---------------===//
//
// Reduces the spiking graph to the mapper's input (sites, synapse groups,
// glue units), runs spike::core::mapToChip, annotates each linear with its
// cores and writes the mapping and energy report.
//
//===----------------------------------------------------------------------===//

#include "ValidatedJson.h"

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/ChipMapping.h"
#include "spike/core/FileIO.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>

namespace spike {
#define GEN_PASS_DEF_SPIKEMAPTOCHIP
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace core = spike::core;

namespace {

/// Neurons per token of a train: the first dynamic dimension is the
/// tokens; later dynamic ones (attention keys) count as `context`.
int64_t neuronsPerToken(Value train, int64_t context) {
  auto t = cast<spike::spk::TrainType>(train.getType());
  int64_t n = 1;
  bool tokens = false;
  for (int64_t d : t.getTensor().getShape()) {
    if (ShapedType::isDynamic(d)) {
      n *= tokens ? context : 1;
      tokens = true;
    } else {
      n *= d;
    }
  }
  return n;
}

std::string weightName(spike::spk::LinearOp l) {
  if (auto op = l.getWeight().getDefiningOp<spike::qnn::WeightOp>())
    if (auto p = dyn_cast<spike::qnn::ParamAttr>(op.getValue()))
      return p.getName().str();
  return "linear";
}

/// The neuron op whose spikes a value carries (through if_collect).
Operation *neuronOf(Value v) {
  Operation *def = v.getDefiningOp();
  if (auto c = dyn_cast_or_null<spike::spk::IFCollectOp>(def))
    def = c.getInput().getDefiningOp();
  if (isa_and_nonnull<spike::spk::ISNeuronOp, spike::spk::IFNeuronOp>(def))
    return def;
  return nullptr;
}

struct MapToChipPass : public spike::impl::SpikeMapToChipBase<MapToChipPass> {
  using SpikeMapToChipBase::SpikeMapToChipBase;

  void runOnOperation() override;
};

void MapToChipPass::runOnOperation() {
  ModuleOp module = getOperation();
  auto fail = [&](const Twine &what) {
    mlir::emitError(module.getLoc(), "spike-map-to-chip: ") << what;
    signalPassFailure();
  };
  if (chip.empty())
    return fail("chip=FILE is required");
  if (placement != "optimized" && placement != "round-robin")
    return fail("placement must be optimized or round-robin, got '" +
                placement + "'");
  auto desc = core::loadChipDescription(chip);
  if (!desc)
    return fail(desc.message());

  // Measured rates, by site.
  std::map<std::string, std::pair<double, double>> measured; // events, spikes
  int64_t measuredSubsteps = 1;
  if (!rates.empty()) {
    std::string error;
    auto doc =
        spike::readValidatedJson(rates, core::DocumentKind::FiringRates, error);
    if (!doc)
      return fail(error);
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

  core::MappingInput in;
  llvm::DenseMap<Operation *, int> siteIndex;
  bool allMeasured = true;
  module.walk([&](Operation *op) {
    StringRef site;
    int64_t substeps = 1, levels = 1;
    if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
      site = n.getSite();
      levels = n.getLevels();
      in.timesteps = cast<spike::spk::TrainType>(n.getType()).getTimesteps();
    } else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
      site = n.getSite();
      levels = n.getLevels();
      substeps = n.getLevels();
      in.timesteps =
          cast<spike::spk::TrainType>(n.getInput().getType()).getTimesteps();
    } else {
      return;
    }
    core::MappedSite s;
    s.name = site.str();
    s.neurons = neuronsPerToken(op->getResult(0), context);
    s.substeps = substeps;
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
  });
  in.ratesMeasured = !rates.empty() && allMeasured;

  // Glue: what lies between a linear and the next neurons, keyed by the
  // sites it feeds; its class is the most specific op class on the way.
  std::map<std::vector<int>, int> glueOf;
  SmallVector<spike::spk::LinearOp> linears;
  module.walk([&](spike::spk::LinearOp l) { linears.push_back(l); });
  for (spike::spk::LinearOp l : linears) {
    core::MappedSynapses syn;
    syn.name = weightName(l);
    auto w = cast<RankedTensorType>(l.getWeight().getType());
    syn.outputs = w.getDimSize(0);
    syn.fanIn = w.getDimSize(1);
    if (Operation *n = neuronOf(l.getInput()))
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
    in.glue[it->second].opsPerToken += syn.outputs;
    syn.glue = it->second;
    in.synapses.push_back(syn);
  }

  auto result =
      core::mapToChip(in, *desc,
                      placement == "round-robin" ? core::Placement::RoundRobin
                                                 : core::Placement::Optimized);
  if (!result)
    return fail(desc->name + ": " + result.message());

  // Annotate the linears with their cores.
  std::vector<SmallVector<int64_t>> coresOf(in.synapses.size());
  for (const core::Piece &p : result->pieces)
    if (p.kind == core::Piece::SynapseTile)
      coresOf[p.owner].push_back(p.core);
  Builder b(module.getContext());
  for (size_t g = 0; g < linears.size(); ++g)
    linears[g]->setAttr("spike.cores", b.getDenseI64ArrayAttr(coresOf[g]));

  const core::MappingResult &r = *result;
  // The int8 dense accelerator: one MAC per weight per token, each weight
  // byte read once from SRAM.
  double macs = 0;
  for (const core::MappedSynapses &s : in.synapses)
    macs += double(s.outputs) * double(s.fanIn);
  double denseComputePj = macs * desc->denseInt8MacPj;
  double denseMemoryPj = macs * desc->denseSramBytePj;
  double densePj = denseComputePj + denseMemoryPj;
  // The SNN's rate-dependent part scales with the spike rate; the SNN stops
  // winning at this multiple of the measured (or assumed) rate.
  double variable = r.synapticPj + r.spikePj + r.hopPj;
  double fixed = r.neuronPj + r.staticPj;
  // 0: the fixed costs alone exceed the dense reference.
  double breakEven =
      variable > 0 && densePj > fixed ? (densePj - fixed) / variable : 0;
  double breakEvenSynaptic = r.synapticPj > 0 ? densePj / r.synapticPj : 0;

  auto g4 = [](double v) { return llvm::formatv("{0:g}", v).str(); };
  mlir::emitRemark(module.getLoc())
      << "spike-map-to-chip: " << desc->name << ": " << r.neuronCores
      << " neuron cores (lower bound " << r.lowerBoundCores << "), "
      << r.relayPieces << " relays; per token " << g4(r.interCoreMessages)
      << " messages between cores, " << g4(r.trafficHops) << " message-hops, "
      << g4(r.latencyNs / 1e6) << " ms, " << g4(r.totalPj() / 1e6) << " uJ";

  if (report.empty())
    return;
  llvm::json::Array layers;
  for (size_t g = 0; g < in.synapses.size(); ++g) {
    const core::MappedSynapses &s = in.synapses[g];
    double dense = double(s.outputs) * double(s.fanIn);
    layers.push_back(llvm::json::Object{
        {"name", s.name},
        {"site", s.site >= 0 ? in.sites[s.site].name : "host"},
        {"outputs", s.outputs},
        {"fan_in", s.fanIn},
        {"tiles", int64_t(coresOf[g].size())},
        {"synaptic_ops", r.groupSynapticOps[g]},
        {"dense_macs", dense},
        {"sops_per_mac", r.groupSynapticOps[g] / dense}});
  }
  llvm::json::Object doc{
      {"format", "spikec.chip-mapping"},
      {"version", 1},
      {"chip", desc->name},
      {"chips", desc->chips},
      {"placement", placement},
      {"rates", in.ratesMeasured ? "measured: " + rates
                                 : "uniform fallback (one event per neuron "
                                   "and step) where not measured"},
      {"timesteps", in.timesteps},
      {"resources",
       llvm::json::Object{
           {"neuron_cores", r.neuronCores},
           {"lower_bound_cores", r.lowerBoundCores},
           {"available_cores", desc->chips *
                                   [&] {
                                     for (const auto &c : desc->coreTypes)
                                       if (c.runs(core::OpClass::Synaptic))
                                         return c.count;
                                     return int64_t(0);
                                   }()},
           {"relay_pieces", r.relayPieces},
           {"glue_units", int64_t(in.glue.size())},
           {"glue_on_host", r.hostGlue},
           {"programmable_cores", r.programmableCores},
           {"max_routing_entries", r.maxRoutingEntries}}},
      {"per_token",
       llvm::json::Object{{"messages", r.messages},
                          {"inter_core_messages", r.interCoreMessages},
                          {"message_hops", r.trafficHops},
                          {"host_messages", r.hostMessages},
                          {"synaptic_ops", r.synapticOps},
                          {"neuron_updates", r.neuronUpdates},
                          {"glue_ops", r.glueOps},
                          {"latency_ns", r.latencyNs}}},
      {"energy_pj_per_token",
       llvm::json::Object{
           {"synaptic", r.synapticPj},
           {"neuron", r.neuronPj},
           {"spike_local", r.spikePj},
           {"interconnect_hops", r.hopPj},
           {"static", r.staticPj},
           {"total", r.totalPj()},
           {"glue_not_counted", "the chip file gives no energy for glue ops"}}},
      {"dense_int8_reference",
       llvm::json::Object{{"macs", macs},
                          {"compute_pj", denseComputePj},
                          {"weight_memory_pj", denseMemoryPj},
                          {"total_pj", densePj},
                          {"source", "energy.dense_* of the chip file"}}},
      {"break_even_rate_multiple", breakEven},
      {"break_even_synaptic_only_multiple", breakEvenSynaptic},
      {"layers", std::move(layers)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:1}", llvm::json::Value(std::move(doc))) << "\n";
  if (auto st = core::writeFileAtomic(report, text); !st)
    return fail(st.message());
}

} // namespace
