//===- MapToChip.cpp - Partition, place and route on a chip ---------------===//
//
// Reduces the spiking graph to the mapper's input (sites, synapse groups,
// glue units), runs spike::core::mapToChip, annotates each linear with its
// cores and writes the mapping and energy report.
//
//===----------------------------------------------------------------------===//

#include "spike/Analysis/ChipGraph.h"
#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/ShapeRules.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/Chip/ChipMapping.h"
#include "spike/core/Chip/ChipPlacement.h"
#include "spike/core/Chip/RunModes.h"
#include "spike/core/Plot/LinePlot.h"
#include "spike/core/Plot/MeshPlot.h"
#include "spike/core/Support/FileIO.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

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

/// What the report's rates count: graded chips pay per event (a graded
/// spike is one message and one synaptic op), binary chips per spike.
std::string rateWords(const core::MappingResult &r) {
  return r.rateIsEvents
             ? "Graded spikes: energy scales with events, the rates to match "
               "the references below are events per neuron and step."
             : "Binary spikes: energy scales with spikes, the rates to match "
               "the references below are spikes per neuron and step.";
}

std::string breakEvenWords(const core::BreakEven &b) {
  switch (b.kind) {
  case core::BreakEven::None:
    return "none";
  case core::BreakEven::Any:
    return "any";
  case core::BreakEven::At:
    break;
  }
  return llvm::formatv("{0:f4}", b.rate).str();
}

llvm::json::Value breakEvenJson(const core::BreakEven &b) {
  if (b.kind == core::BreakEven::At)
    return b.rate;
  return b.kind == core::BreakEven::Any ? "any" : "none";
}

/// The spike rate at which this SNN's SOP-convention energy equals the
/// ANN's (0 without spikes).
double sopBreakEven(const core::MappingInput &in,
                    const core::MappingResult &r) {
  double snn = core::sopSnnPj(r);
  return snn > 0 ? r.meanSpikeRate * core::denseMacs(in) * core::kSopMacPj / snn
                 : 0;
}

/// Everything the energy report says beyond the mapping's counts.
struct EnergyView {
  core::RunModes modes;
  std::vector<core::Reference> refs;
  /// The three run modes in report order.
  std::vector<const core::RunMode *> all() const {
    return {&modes.decode, &modes.batched, &modes.prefill};
  }
};

EnergyView energyView(const core::ChipDescription &chip,
                      const core::MappingInput &in,
                      const core::MappingResult &r, int64_t batch,
                      int64_t prompt) {
  return {core::runModes(r, chip, batch, prompt), core::references(in, chip)};
}

/// Glue energy by op class, in the report's words.
const char *glueKindName(core::OpClass c) {
  switch (c) {
  case core::OpClass::AccumDiff:
    return "glue: accumulate-difference maps and residual adds";
  case core::OpClass::AAProduct:
    return "glue: activation products and K/V state";
  case core::OpClass::Nonlinear:
    return "glue: nonlinear maps";
  default:
    return core::opClassName(c);
  }
}

std::string rate(double v) { return llvm::formatv("{0:f4}", v).str(); }

/// The readable report: resources, traffic, energy per token by kind, the
/// three ways to run, the references and where the SNN would match them,
/// the costliest layers.
std::string renderMarkdown(const core::ChipDescription &chip,
                           const core::MappingInput &in,
                           const core::MappingResult &r, const EnergyView &e,
                           const std::string &rates) {
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
     << " message-hops, " << llvm::formatv("{0:f0}", r.glueOps)
     << " glue ops; per neuron and time step " << rate(r.meanSpikeRate)
     << " spikes and " << rate(r.meanEventRate) << " events. " << rateWords(r)
     << "\n\n";
  md << "| energy per token (decode, batch 1) | uJ |\n|---|---|\n";
  md << "| synaptic ops | " << uj(r.synapticPj) << " |\n";
  md << "| neuron updates | " << uj(r.neuronPj) << " |\n";
  md << "| spikes within cores | " << uj(r.spikePj) << " |\n";
  md << "| interconnect (hops) | " << uj(r.hopPj) << " |\n";
  for (int c = 0; c < core::kOpClasses; ++c)
    if (in.glueOpsByClass[c] > 0)
      md << "| " << glueKindName(core::OpClass(c)) << " | "
         << (r.gluePricedByClass[c] ? uj(r.gluePjByClass[c])
                                    : std::string("not priced"))
         << " |\n";
  if (r.hostOps > 0)
    md << "| host: embedding, codec and output head | "
       << (chip.hostOpPj >= 0 ? uj(r.hostPj) : std::string("not priced"))
       << " |\n";
  md << "| static (chips in use: " << r.chipsUsed << ") | " << uj(r.staticPj)
     << " |\n";
  md << "| **total** | **" << uj(r.totalPj()) << "** |\n\n";
  if (r.unpricedGlueOps > 0)
    md << "Not priced: " << llvm::formatv("{0:f0}", r.unpricedGlueOps)
       << " glue ops per token on core types (or the host) whose op energy "
          "the chip file does not give.\n\n";

  md << "| way to run | sequences | latency ms | tokens/s | static uJ/token "
        "| total uJ/token |\n|---|---|---|---|---|---|\n";
  for (const core::RunMode *m : e.all())
    md << "| " << m->name << " | " << m->batch << " | "
       << llvm::formatv("{0:f3}", m->latencyNs / 1e6) << " | "
       << spike::formatNumber(m->tokensPerSecond, 4) << " | " << uj(m->staticPj)
       << " | " << uj(m->totalPj()) << " |\n";
  md << "\nTiming: " << e.modes.pipelineDepth
     << " neuron layers in a pipeline, each T x its sub-steps x ("
     << spike::formatNumber(chip.timestepNs) << " ns step + "
     << spike::formatNumber(chip.barrierNs)
     << " ns barrier) per token; the glue ops are assumed to keep pace (their "
        "compute time is not in the latency). Static power "
     << spike::formatNumber(chip.staticMw) << " mW x the " << r.chipsUsed
     << " of " << chip.chips
     << " chips the mapping occupies (the others powered down). ";
  if (r.kvBitsPerSequence <= 0)
    md << "No K/V state.\n\n";
  else if (r.kvOnHost)
    md << "The K/V state lives on the host, whose memory this report does "
          "not bound.\n\n";
  else
    md << "The K/V state of one " << in.context << "-token sequence needs "
       << llvm::formatv("{0:f2}", r.kvBitsPerSequence / 8e6)
       << " MB; the cores that keep it hold "
       << llvm::formatv("{0:f2}", r.kvMemoryBits / 8e6) << " MB, room for "
       << e.modes.maxBatchByMemory << " sequence(s)"
       << (e.modes.kvFits ? ""
                          : "; the rest of the batch would keep its K/V "
                            "state off chip, neither timed nor priced here")
       << ".\n\n";

  md << "| reference | kind | uJ/token | tokens/s | rate to match it "
        "(decode, batch 1 / batched / prefill) |\n|---|---|---|---|---|\n";
  for (const core::Reference &ref : e.refs) {
    md << "| " << ref.name << " | " << ref.kind << " | " << uj(ref.pjPerToken)
       << " | "
       << (ref.tokensPerSecond > 0 ? spike::formatNumber(ref.tokensPerSecond, 4)
                                   : std::string("-"))
       << " | ";
    const char *sep = "";
    for (const core::RunMode *m : e.all()) {
      md << sep << breakEvenWords(core::breakEven(r, *m, ref.pjPerToken));
      sep = " / ";
    }
    md << " |\n";
  }
  double sopAnn = core::denseMacs(in) * core::kSopMacPj;
  double sopSnn = core::sopSnnPj(r);
  md << "\nIn the SOP convention of the spiking-LLM papers this SNN costs "
     << uj(sopSnn) << " uJ per token (spikes x synapses x "
     << spike::formatNumber(core::kSopAccumulatePj) << " pJ) against "
     << uj(sopAnn) << " uJ for the ANN (MACs x "
     << spike::formatNumber(core::kSopMacPj)
     << " pJ); it would match at a spike rate of " << rate(sopBreakEven(in, r))
     << " per neuron and step. \"none\": the rate-independent energy "
        "(neuron updates, glue, messages sent every step, static) alone "
        "exceeds the reference, so no rate wins; \"any\": nothing scales "
        "with the rate and the rest is below it.\n\n";
  for (const core::Reference &ref : e.refs)
    md << "- " << ref.name << " (" << ref.source << "): " << ref.note << "\n";
  md << "\n";

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
  return text;
}

/// A measured point of another mapping report on the same chip.
struct MeasuredPoint {
  std::string label;
  double rate = 0, decodePj = 0;
};

/// Reads the points of `compare` (spikec.chip-mapping version 2 reports
/// for `chip`); an error names the file and what is wrong.
core::Result<std::vector<MeasuredPoint>>
readComparedPoints(llvm::ArrayRef<std::string> files,
                   const core::ChipDescription &chip) {
  std::vector<MeasuredPoint> points;
  for (const std::string &file : files) {
    auto bad = [&](const std::string &what) {
      return core::Status::error("compare: " + file + ": " + what);
    };
    auto text = core::readFileText(file);
    if (!text)
      return core::Status::error("compare: " + text.message());
    auto doc = llvm::json::parse(*text);
    if (!doc)
      return bad("not JSON: " + llvm::toString(doc.takeError()));
    const llvm::json::Object *o = doc->getAsObject();
    if (!o || o->getString("format") != "spikec.chip-mapping" ||
        o->getInteger("version") != 2)
      return bad("not a spikec.chip-mapping version 2 report");
    if (o->getString("chip") != chip.name)
      return bad("maps onto " + o->getString("chip").value_or("?").str() +
                 ", not " + chip.name);
    const llvm::json::Object *perToken = o->getObject("per_token");
    const llvm::json::Array *modes = o->getArray("run_modes");
    std::optional<double> rate, decode;
    // The rate the chip's energy scales with: events on graded chips.
    if (perToken)
      rate = perToken->getNumber(perToken->getString("rate_counts") == "events"
                                     ? "mean_event_rate"
                                     : "mean_spike_rate");
    if (modes && !modes->empty() && (*modes)[0].getAsObject())
      decode = (*modes)[0].getAsObject()->getNumber("total_pj_per_token");
    if (!rate || !decode)
      return bad("no mean rate or decode energy");
    points.push_back(
        {o->getString("code").value_or("?").str() +
             ", T = " + std::to_string(o->getInteger("timesteps").value_or(0)),
         *rate, *decode});
  }
  return points;
}

/// Energy per token against the mean rate (events on graded chips, spikes
/// on binary ones): each way to run is a
/// line through the measured point (the rate-dependent energy scales with
/// the rate), each reference a flat line; the measured points (decode,
/// batch 1) of this mapping and of `others` are marked.
std::string renderEnergyPlot(const core::ChipDescription &chip,
                             const core::MappingInput &in,
                             const core::MappingResult &r, const EnergyView &e,
                             const std::vector<MeasuredPoint> &others) {
  core::LinePlot plot;
  plot.title = "energy per token on " + chip.name;
  plot.xLabel = r.rateIsEvents ? "events per neuron and time step"
                               : "spikes per neuron and time step";
  plot.yLabel = "uJ per token";
  plot.logY = true;
  plot.legendBelow = true;
  double rho = r.rate() > 0 ? r.rate() : 1, xMax = 2 * rho;
  for (const MeasuredPoint &p : others)
    xMax = std::max(xMax, 1.2 * p.rate);
  const uint32_t modeColours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c};
  const uint32_t refColours[] = {0x7f7f7f, 0x9467bd, 0x8c564b};
  const uint32_t pointColours[] = {0xd62728, 0xe377c2, 0x17becf, 0xbcbd22};
  std::string own = in.code + ", T = " + std::to_string(in.timesteps);
  int i = 0;
  for (const core::RunMode *m : e.all()) {
    core::LinePlot::Series s{m->name, {}, modeColours[i++ % 3], false};
    double fixed = m->totalPj() - r.rateDependentPj();
    // Straight in the rate, so curved on the log axis: 64 segments.
    for (int k = 0; k <= 64; ++k) {
      double x = xMax * k / 64;
      s.points.push_back({x, (fixed + r.rateDependentPj() * x / rho) / 1e6});
    }
    plot.series.push_back(std::move(s));
  }
  i = 0;
  for (const core::Reference &ref : e.refs)
    plot.series.push_back(
        {ref.name + " (" + ref.kind + ")",
         {{0.0, ref.pjPerToken / 1e6}, {xMax, ref.pjPerToken / 1e6}},
         refColours[i++ % 3],
         false});
  plot.series.push_back({"measured: " + own,
                         {{r.rate(), e.modes.decode.totalPj() / 1e6}},
                         pointColours[0]});
  i = 1;
  for (const MeasuredPoint &p : others)
    plot.series.push_back({"measured: " + p.label,
                           {{p.rate, p.decodePj / 1e6}},
                           pointColours[i++ % 4]});
  return core::renderPng(plot);
}

/// The mesh, cores coloured by synaptic energy, with the 24 busiest routes.
std::string renderMeshPlot(const core::ChipDescription &chip,
                           const core::MappingResult &r) {
  core::MeshPlot plot;
  plot.title = chip.name + ": synaptic energy per core and busiest routes";
  plot.valueLabel = "uJ per token";
  int64_t lastChip = 0;
  for (auto [core, ops] : r.coreSynapticOps) {
    auto [x, y] = core::meshPosition(chip, core);
    plot.cells.push_back({x, y, ops * r.synopPj / 1e6});
    lastChip = std::max<int64_t>(lastChip, core / chip.coresPerChip);
  }
  plot.columns = (lastChip + 1) * chip.meshX;
  plot.rows = chip.meshY;
  plot.chipColumns = chip.meshX;
  for (size_t i = 0; i < std::min<size_t>(24, r.routeLoads.size()); ++i) {
    auto [x0, y0] = core::meshPosition(chip, r.routeLoads[i].from);
    auto [x1, y1] = core::meshPosition(chip, r.routeLoads[i].to);
    plot.routes.push_back({x0, y0, x1, y1, r.routeLoads[i].messages});
  }
  return core::renderPng(plot);
}

llvm::json::Object runModeJson(const core::RunMode &m,
                               const core::MappingResult &r,
                               const std::vector<core::Reference> &refs) {
  llvm::json::Object breakEven;
  for (const core::Reference &ref : refs)
    breakEven[ref.name] = breakEvenJson(core::breakEven(r, m, ref.pjPerToken));
  return llvm::json::Object{{"name", m.name},
                            {"sequences", m.batch},
                            {"prompt_tokens", m.prompt},
                            {"latency_ns", m.latencyNs},
                            {"tokens_per_second", m.tokensPerSecond},
                            {"static_pj_per_token", m.staticPj},
                            {"dynamic_pj_per_token", m.dynamicPj},
                            {"total_pj_per_token", m.totalPj()},
                            {"break_even_rate", std::move(breakEven)}};
}

/// The mapping report (spikec.chip-mapping JSON).
std::string renderJson(const core::ChipDescription &desc,
                       const core::MappingInput &in,
                       const core::MappingResult &r, const EnergyView &e,
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
  llvm::json::Object glue;
  for (int c = 0; c < core::kOpClasses; ++c)
    if (in.glueOpsByClass[c] > 0)
      glue[core::opClassName(core::OpClass(c))] =
          llvm::json::Object{{"ops", in.glueOpsByClass[c]},
                             {"pj", r.gluePjByClass[c]},
                             {"priced", r.gluePricedByClass[c]}};
  llvm::json::Array modes, refs;
  for (const core::RunMode *m : e.all())
    modes.push_back(runModeJson(*m, r, e.refs));
  for (const core::Reference &ref : e.refs)
    refs.push_back(
        llvm::json::Object{{"name", ref.name},
                           {"kind", ref.kind},
                           {"source", ref.source},
                           {"pj_per_token", ref.pjPerToken},
                           {"tokens_per_second", ref.tokensPerSecond},
                           {"note", ref.note}});
  double macs = core::denseMacs(in);
  llvm::json::Object doc{
      {"format", "spikec.chip-mapping"},
      {"version", 2},
      {"chip", desc.name},
      {"chips", desc.chips},
      {"placement", placement},
      {"rates", in.ratesMeasured ? "measured: " + rates
                                 : "uniform fallback (one event per neuron "
                                   "and step) where not measured"},
      {"timesteps", in.timesteps},
      {"code", in.code},
      {"context", in.context},
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
                          {"max_routing_entries", r.maxRoutingEntries},
                          {"kv_bits_per_sequence", r.kvBitsPerSequence},
                          {"kv_memory_bits", r.kvMemoryBits},
                          {"kv_on_host", r.kvOnHost},
                          {"chips_used", r.chipsUsed}}},
      {"per_token",
       llvm::json::Object{{"messages", r.messages},
                          {"inter_core_messages", r.interCoreMessages},
                          {"message_hops", r.trafficHops},
                          {"host_messages", r.hostMessages},
                          {"synaptic_ops", r.synapticOps},
                          {"spike_synaptic_ops", r.spikeSynapticOps},
                          {"neuron_updates", r.neuronUpdates},
                          {"glue_ops", r.glueOps},
                          {"unpriced_glue_ops", r.unpricedGlueOps},
                          {"mean_spike_rate", r.meanSpikeRate},
                          {"mean_event_rate", r.meanEventRate},
                          {"rate_counts", r.rateIsEvents ? "events" : "spikes"},
                          {"host_ops", r.hostOps},
                          {"latency_ns", r.latencyNs}}},
      {"energy_pj_per_token",
       llvm::json::Object{{"synaptic", r.synapticPj},
                          {"neuron", r.neuronPj},
                          {"spike_local", r.spikePj},
                          {"interconnect_hops", r.hopPj},
                          {"glue", r.gluePj},
                          {"glue_by_class", std::move(glue)},
                          {"host", r.hostPj},
                          {"static", r.staticPj},
                          {"total", r.totalPj()}}},
      {"run_modes", std::move(modes)},
      {"pipeline_depth", e.modes.pipelineDepth},
      {"max_batch_by_memory", e.modes.maxBatchByMemory},
      {"batch_kv_fits", e.modes.kvFits},
      {"references", std::move(refs)},
      {"dense_int8_reference",
       llvm::json::Object{{"macs", macs},
                          {"compute_pj", macs * desc.denseInt8MacPj},
                          {"weight_memory_pj", macs * desc.denseSramBytePj},
                          {"total_pj", denseLayerPj(desc, macs)},
                          {"source", "energy.dense_* of the chip file"}}},
      {"sop_convention",
       llvm::json::Object{{"snn_pj", core::sopSnnPj(r)},
                          {"ann_pj", macs * core::kSopMacPj},
                          {"break_even_spike_rate", sopBreakEven(in, r)},
                          {"accumulate_pj", core::kSopAccumulatePj},
                          {"mac_pj", core::kSopMacPj}}},
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
  if (!compare.empty() && energyPlot.empty())
    return fail("compare= marks points on the energy plot: give "
                "energy-plot=FILE too");
  if (batch < 0)
    return fail("batch must be >= 0 (0: the pipeline depth), got " +
                std::to_string(batch));
  if (prompt < 1)
    return fail("prompt must be >= 1, got " + std::to_string(prompt));
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
  EnergyView energy = energyView(*desc, in, r, batch, prompt);
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
  if (!energyPlot.empty()) {
    auto others = readComparedPoints(compare, *desc);
    if (!others)
      return fail(others.message());
    if (auto st = outputs.write(
            energyPlot, renderEnergyPlot(*desc, in, r, energy, *others));
        !st)
      return fail(st.message());
  }
  if (!meshPlot.empty())
    if (auto st = outputs.write(meshPlot, renderMeshPlot(*desc, r)); !st)
      return fail(st.message());
  if (!reportMd.empty()) {
    if (auto st = outputs.write(reportMd,
                                renderMarkdown(*desc, in, r, energy, rates));
        !st)
      return fail(st.message());
  }
  if (report.empty()) {
    if (auto st = outputs.commit(); !st)
      return fail(st.message());
    return;
  }
  std::string text =
      renderJson(*desc, in, r, energy, coresOf, placement, rates);
  if (auto st = outputs.write(report, text); !st)
    return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
}

} // namespace
