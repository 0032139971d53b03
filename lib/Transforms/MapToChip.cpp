//===- MapToChip.cpp - Partition, place and route on a chip ---------------===//
//
// Reduces the spiking graph to the mapper's input (sites, synapse groups,
// glue units), runs spike::core::mapToChip, annotates each linear with its
// cores and writes the mapping and energy report.
//
//===----------------------------------------------------------------------===//

#include "spike/Analysis/ChipGraph.h"
#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/Chip/ChipMapping.h"
#include "spike/core/Chip/ChipPlacement.h"
#include "spike/core/Support/FileIO.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <map>

namespace spike {
#define GEN_PASS_DEF_SPIKEMAPTOCHIP
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace core = spike::core;

namespace {

std::string uj(double pj) { return llvm::formatv("{0:f3}", pj / 1e6).str(); }

/// The int8 dense reference for `macs` weights: one MAC and one SRAM byte
/// read each.
double denseLayerPj(const core::ChipDescription &chip, double macs) {
  return macs * (chip.denseInt8MacPj + chip.denseSramBytePj);
}

/// The readable report: resources, traffic, energy per token by kind
/// against the int8 dense reference, the costliest layers, break-even.
std::string renderMarkdown(const core::ChipDescription &chip,
                           const core::MappingInput &in,
                           const core::MappingResult &r, double denseComputePj,
                           double denseMemoryPj, double breakEven,
                           double breakEvenSynaptic, const std::string &rates) {
  std::string text;
  llvm::raw_string_ostream md(text);
  md << "Mapping on " << chip.name
     << " (rates: " << (rates.empty() ? std::string("uniform fallback") : rates)
     << "): " << r.neuronCores << " neuron cores of " << r.availableCores
     << " (capacity lower bound " << r.lowerBoundCores << "), " << r.relayPieces
     << " relay tiles, " << r.copyNeurons << " copy neurons on " << r.copyCores
     << " more cores, " << in.glue.size() << " glue units (" << r.hostGlue
     << " on the host). Per token: "
     << llvm::formatv("{0:f0}", r.interCoreMessages)
     << " messages between cores, " << llvm::formatv("{0:f0}", r.trafficHops)
     << " message-hops, latency " << llvm::formatv("{0:f3}", r.latencyNs / 1e6)
     << " ms.\n\n";
  md << "| energy per token | uJ |\n|---|---|\n";
  md << "| synaptic ops | " << uj(r.synapticPj) << " |\n";
  md << "| neuron updates | " << uj(r.neuronPj) << " |\n";
  md << "| spikes within cores | " << uj(r.spikePj) << " |\n";
  md << "| interconnect (hops) | " << uj(r.hopPj) << " |\n";
  md << "| static | " << uj(r.staticPj) << " |\n";
  md << "| **total** | **" << uj(r.totalPj()) << "** |\n";
  md << "| int8 dense reference: compute | " << uj(denseComputePj) << " |\n";
  md << "| int8 dense reference: weight memory | " << uj(denseMemoryPj)
     << " |\n\n";
  // The layers that cost the most synaptic energy.
  std::vector<size_t> order(in.synapses.size());
  for (size_t g = 0; g < order.size(); ++g)
    order[g] = g;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return r.groupSynapticOps[a] > r.groupSynapticOps[b];
  });
  size_t top = std::min<size_t>(8, order.size());
  md << "| layer (top " << top
     << " by synaptic energy) | SOPs / MACs | synaptic uJ | int8 dense uJ "
        "|\n|---|---|---|---|\n";
  for (size_t i = 0; i < top; ++i) {
    const core::MappedSynapses &l = in.synapses[order[i]];
    double macs = double(l.outputs) * double(l.fanIn);
    md << "| " << l.name << " | "
       << llvm::formatv("{0:f3}", r.groupSynapticOps[order[i]] / macs) << " | "
       << uj(r.groupSynapticOps[order[i]] * r.synopPj) << " | "
       << uj(denseLayerPj(chip, macs)) << " |\n";
  }
  md << "\n";
  if (breakEven > 0)
    md << "The SNN uses less energy than the dense reference up to "
       << llvm::formatv("{0:f3}", breakEven) << " x the spike rate.\n";
  else
    md << "The SNN does not beat the dense reference at any spike rate on "
          "this chip: its fixed costs (static power, neuron updates) alone "
          "exceed it. Its synaptic ops alone would match the dense energy "
          "at "
       << llvm::formatv("{0:f3}", breakEvenSynaptic) << " x the spike rate.\n";
  return text;
}

/// The int8 dense accelerator the SNN is compared with: one MAC per weight
/// per token, each weight byte read once from SRAM; and the spike-rate
/// multiples at which the SNN stops winning.
struct DenseReference {
  double macs = 0, computePj = 0, memoryPj = 0, totalPj = 0;
  /// Multiple of the measured rate where the SNN's total equals the dense
  /// one; 0 when its fixed costs alone exceed it.
  double breakEven = 0;
  double breakEvenSynaptic = 0; ///< the same for the synaptic energy alone
};

DenseReference denseReference(const core::ChipDescription &desc,
                              const core::MappingInput &in,
                              const core::MappingResult &r) {
  DenseReference d;
  for (const core::MappedSynapses &s : in.synapses)
    d.macs += double(s.outputs) * double(s.fanIn);
  d.computePj = d.macs * desc.denseInt8MacPj;
  d.memoryPj = d.macs * desc.denseSramBytePj;
  d.totalPj = d.computePj + d.memoryPj;
  // The SNN's rate-dependent part scales with the spike rate.
  double variable = r.synapticPj + r.spikePj + r.hopPj;
  double fixed = r.neuronPj + r.staticPj;
  d.breakEven =
      variable > 0 && d.totalPj > fixed ? (d.totalPj - fixed) / variable : 0;
  d.breakEvenSynaptic = r.synapticPj > 0 ? d.totalPj / r.synapticPj : 0;
  return d;
}

/// The mapping report (spikec.chip-mapping JSON).
std::string renderJson(const core::ChipDescription &desc,
                       const core::MappingInput &in,
                       const core::MappingResult &r,
                       const DenseReference &dense,
                       const std::vector<SmallVector<int64_t>> &coresOf,
                       const std::string &placement, const std::string &rates) {
  llvm::json::Array layers;
  for (size_t g = 0; g < in.synapses.size(); ++g) {
    const core::MappedSynapses &s = in.synapses[g];
    double macs = double(s.outputs) * double(s.fanIn);
    layers.push_back(llvm::json::Object{
        {"name", s.name},
        {"site", s.site >= 0 ? in.sites[s.site].name : "host"},
        {"outputs", s.outputs},
        {"fan_in", s.fanIn},
        {"tiles", int64_t(coresOf[g].size())},
        {"synaptic_ops", r.groupSynapticOps[g]},
        {"dense_macs", macs},
        {"sops_per_mac", r.groupSynapticOps[g] / macs},
        // Per layer: its synaptic ops against the dense MACs and weight
        // reads of the same layer (hops and static power are per token).
        {"synaptic_pj", r.groupSynapticOps[g] * r.synopPj},
        {"dense_int8_pj", denseLayerPj(desc, macs)}});
  }
  llvm::json::Object doc{
      {"format", "spikec.chip-mapping"},
      {"version", 1},
      {"chip", desc.name},
      {"chips", desc.chips},
      {"placement", placement},
      {"rates", in.ratesMeasured ? "measured: " + rates
                                 : "uniform fallback (one event per neuron "
                                   "and step) where not measured"},
      {"timesteps", in.timesteps},
      {"resources",
       llvm::json::Object{{"neuron_cores", r.neuronCores},
                          {"lower_bound_cores", r.lowerBoundCores},
                          {"available_cores", r.availableCores},
                          {"relay_pieces", r.relayPieces},
                          {"copy_neurons", r.copyNeurons},
                          {"copy_cores", r.copyCores},
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
       llvm::json::Object{{"macs", dense.macs},
                          {"compute_pj", dense.computePj},
                          {"weight_memory_pj", dense.memoryPj},
                          {"total_pj", dense.totalPj},
                          {"source", "energy.dense_* of the chip file"}}},
      {"break_even_rate_multiple", dense.breakEven},
      {"break_even_synaptic_only_multiple", dense.breakEvenSynaptic},
      {"layers", std::move(layers)}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::formatv("{0:1}", llvm::json::Value(std::move(doc))) << "\n";
  return text;
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

  std::string error;
  auto graph = spike::buildChipGraph(module, rates, context, error);
  if (!graph)
    return fail(error);
  core::MappingInput &in = graph->input;
  SmallVector<spike::spk::LinearOp> &linears = graph->linears;

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
  DenseReference dense = denseReference(*desc, in, r);
  auto g4 = [](double v) { return llvm::formatv("{0:g}", v).str(); };
  mlir::emitRemark(module.getLoc())
      << "spike-map-to-chip: " << desc->name << ": " << r.neuronCores
      << " neuron cores (lower bound " << r.lowerBoundCores << "), "
      << r.relayPieces << " relays, " << r.copyNeurons
      << " copy neurons; per token " << g4(r.interCoreMessages)
      << " messages between cores, " << g4(r.trafficHops) << " message-hops, "
      << g4(r.latencyNs / 1e6) << " ms, " << g4(r.totalPj() / 1e6) << " uJ";

  // The placement and the markdown first and the JSON last, so that the
  // set is complete together.
  core::OutputSet outputs;
  if (!placementOut.empty())
    if (auto st = outputs.write(placementOut,
                                core::renderChipPlacement(in, r, desc->name,
                                                          placement, context,
                                                          "spike-map-to-chip"));
        !st)
      return fail(st.message());
  if (!reportMd.empty()) {
    if (auto st = outputs.write(reportMd,
                                renderMarkdown(*desc, in, r, dense.computePj,
                                               dense.memoryPj, dense.breakEven,
                                               dense.breakEvenSynaptic, rates));
        !st)
      return fail(st.message());
  }
  if (report.empty()) {
    if (auto st = outputs.commit(); !st)
      return fail(st.message());
    return;
  }
  std::string text = renderJson(*desc, in, r, dense, coresOf, placement, rates);
  if (auto st = outputs.write(report, text); !st)
    return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
}

} // namespace
