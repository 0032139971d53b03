//===- EmitChipProgram.cpp - A spike-event program for a chip -------------===//
//
// `spike-translate --emit-chip-program`: the spiking graph (binary IF
// neurons, or IS neurons with graded spikes on graded chips), mapped onto a
// chip description (spike::core::mapToChip), becomes per-core images in the
// chip's integer formats plus a JSON manifest (docs/ChipProgram.md):
//   - neuron table: (site, channel, v0) with v0 and the threshold in the
//     membrane's fixed point (spike::neuron::chipFracBits);
//   - synapse blocks: per tile, the weight codes of the linear's n-bit grid
//     ([axons, accumulators] at the chip's weight width; the row scales
//     stay on the host);
//   - routing table: (neuron, destination core, destination axon).
// The host sends each IF neuron its fixed-point charge per time step and
// reads the accumulators after the step: a tile's, or, for a split fan-in,
// the relay's that its partial sums were sent to. spike-chipsim runs it.
//
//===----------------------------------------------------------------------===//

#include "spike/Target/ChipProgram.h"

#include "spike/Analysis/ChipGraph.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Pipeline/Lowering.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/core/Chip/ChipDescription.h"
#include "spike/core/Chip/ChipPlacement.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstring>
#include <map>
#include <optional>

using namespace mlir;
namespace core = spike::core;
namespace spk = spike::spk;
namespace neuron = spike::neuron;
using spike::buildChipGraph;
using spike::openModuleWeights;
using spike::readLinearWeights;

namespace {

/// One core's image while it is being filled.
struct CoreImage {
  std::vector<int64_t> neurons; ///< (site, channel, v0) triples
  /// Synapse blocks: tile j's weight codes, [in, out] row-major, for axons
  /// axonBase.. and accumulators accBase.. of this core.
  struct Block {
    int64_t axonBase, accBase, in, out;
    std::vector<int64_t> codes;
    /// Binary negative spikes (SignCarriage::NegatedRow): rows [in/2, in)
    /// hold rows [0, in/2) negated.
    bool negatedRows = false;
  };
  std::vector<Block> blocks;
  std::vector<int32_t> routes; ///< (neuron, core, axon) triples
  /// Copy routes: (input axon, core, axon) triples. Copy neurons on this
  /// core listen on an input axon and re-send its spikes, each to at most
  /// max_fan_out cores.
  std::vector<int32_t> copies;
  int64_t copyNeurons = 0;
  int64_t axons = 0, accumulators = 0;
};

/// What the program needs of a neuron site, IS or IF.
struct SiteInfo {
  std::string name;
  bool graded = false; ///< IS: one graded spike (the count) per step
  spike::neuron::ISParams params;
  int bits = 0; ///< the grid's bits (the signed code names its grid)
  ArrayRef<double> threshold, v0;
  int64_t channels = 0; ///< the last dimension; dynamic: context-wide
};

SiteInfo siteInfo(Operation *op) {
  SiteInfo info;
  auto fill = [&](auto n) {
    info.name = n.getSite().str();
    info.params = spike::neuron::neuronParams(
        n.getLevels(), n.getAlpha().convertToDouble(),
        n.getBudget().value_or(0), /*bidirectional=*/false, n.getSpikeCoding(),
        int(n.getBits().value_or(0)), n.getIsUnsigned());
    info.bits = int(n.getBits().value_or(0));
    info.threshold = n.getThreshold();
    info.v0 = n.getV0();
    info.channels =
        cast<spk::TrainType>(n.getType()).getTensor().getShape().back();
  };
  if (auto n = dyn_cast<spk::ISNeuronOp>(op)) {
    fill(n);
    info.graded = true;
    info.params.bidirectional = n.getBidirectional();
  } else {
    fill(cast<spk::IFNeuronOp>(op));
  }
  return info;
}

/// The chip program of a module, built in steps over the mapper's result:
/// the site and core layout, the synapse tables, the routes, the per-core
/// images and the manifest.
class ProgramBuilder {
public:
  ProgramBuilder(ModuleOp module, const spike::ChipProgramOptions &options)
      : module(module), options(options) {}

  /// Loads the chip, maps the graph on it, opens the weights and decides
  /// which sites run on the chip (fixed width, a membrane that holds them).
  LogicalResult prepare();
  /// Neurons, synapse tiles and relays of each core, as the mapper placed
  /// them.
  /// The mapping: the placement file's, or mapped here without one.
  LogicalResult placePieces();
  /// Fails when a placement's tile cannot hold its negated rows (a
  /// placement mapped for another code).
  LogicalResult layOutPieces();
  /// The synapse blocks from the weight codes (rescaled to the chip's
  /// weight width where they are wider).
  LogicalResult writeSynapses();
  /// Every neuron's routes to the tiles that read it, through copy neurons
  /// where its fan-out exceeds the limit.
  LogicalResult writeRoutes();
  /// One tensor per table and core, in the program's safetensors file.
  LogicalResult writeImages();
  /// The JSON manifest.
  LogicalResult writeManifest(llvm::raw_ostream &os);

private:
  struct TileRef {
    int core;
    int64_t outFirst, outCount, inFirst, inCount, axonBase, accBase;
    size_t block;     ///< index in the core's blocks
    bool negatedRows; ///< the block's second half: negated rows
  };
  struct RelayRef {
    int core;
    int64_t outFirst, outCount, accBase;
  };

  ModuleOp module;
  const spike::ChipProgramOptions &options;
  std::optional<core::ChipDescription> chip;
  const core::CoreType *neuronCore = nullptr;
  std::optional<spike::ChipGraph> graph;
  std::optional<core::MappingResult> mapped;
  std::optional<core::SafetensorsFile> weights;
  std::vector<SiteInfo> info;
  std::vector<bool> onChip;
  std::vector<int> fracOf;
  std::map<int, CoreImage> cores;
  std::vector<std::vector<TileRef>> tilesOf;
  std::vector<std::vector<RelayRef>> relaysOf;
  /// Per site: (piece index, neuron base).
  std::vector<std::vector<std::pair<int, int64_t>>> sitePieces;
  llvm::json::Array linears, hostLinears, rescaled, hostSites, siteJson,
      coreJson;
  core::SafetensorsWriter tensors;

  InFlightDiagnostic fail(const Twine &what) {
    return mlir::emitError(module.getLoc(), "emit-chip-program: ") << what;
  }
};

LogicalResult ProgramBuilder::prepare() {
  if (options.chip.empty())
    return fail("--chip CHIP.yaml is required");
  if (options.tensorsPath.empty())
    return fail("--program-tensors FILE is required");
  auto loaded = core::loadChipDescription(options.chip);
  if (!loaded)
    return fail(loaded.message());
  chip = loaded.take();
  neuronCore = chip->neuronCore();
  if (!neuronCore)
    return fail(chip->name + ": no core type runs synaptic ops");
  bool anyIS = false;
  module.walk([&](spk::ISNeuronOp) { anyIS = true; });
  if (anyIS && neuronCore->spikePayloadBits == 0)
    return fail("IS neurons send graded spikes, and core type " +
                neuronCore->name + " of " + chip->name +
                " has binary spikes: run spike-lower-is-to-if first");
  // Negative spikes need a chip that carries a sign (spike-check-chip says
  // the same).
  std::string negative;
  auto note = [&](auto n) {
    if (n.sendsNegativeSpikes() && negative.empty())
      negative = n.getSite().str();
  };
  module.walk([&](spk::ISNeuronOp n) { note(n); });
  module.walk([&](spk::IFNeuronOp n) { note(n); });
  if (!negative.empty() && !neuronCore->carriesSign())
    return fail("site \"" + negative + "\" sends negative spikes; core type " +
                neuronCore->name + " of " + chip->name +
                " has 'sign: none', so a sign cannot travel on it");

  if (failed(placePieces()))
    return failure();
  auto opened = openModuleWeights(module, "", "emit-chip-program");
  if (failed(opened))
    return failure();
  weights = std::move(*opened);

  const auto &in = graph->input;
  // Sites on the chip: IF neurons of a fixed width; the rest (attention
  // scores, as wide as the context) stay with the host.
  onChip.assign(in.sites.size(), false);
  fracOf.assign(in.sites.size(), 0);
  for (Operation *op : graph->siteOps)
    info.push_back(siteInfo(op));
  for (size_t s = 0; s < in.sites.size(); ++s) {
    if (ShapedType::isDynamic(info[s].channels)) {
      hostSites.push_back(info[s].name);
      continue;
    }
    const neuron::ISParams &p = info[s].params;
    // spike-check-chip refuses this first, before calibration.
    if (!neuron::chipHoldsNeuron(neuronCore->stateBits,
                                 neuronCore->thresholdBits, p))
      return fail("site \"" + info[s].name + "\": a " +
                  std::to_string(neuronCore->stateBits) + "-bit membrane and " +
                  std::to_string(neuronCore->thresholdBits) +
                  "-bit threshold of core type " + neuronCore->name +
                  " cannot hold " + std::to_string(p.levels) + " levels");
    onChip[s] = true;
    fracOf[s] = neuron::chipFracBits(neuronCore->stateBits, p);
  }

  return success();
}

LogicalResult ProgramBuilder::placePieces() {
  std::string error;
  if (options.placement.empty()) {
    // No placement given: map as spike-map-to-chip does by default.
    graph = buildChipGraph(module, options.rates,
                           spike::pipeline::kDefaultContext, error);
    if (!graph)
      return fail(error);
    auto result = core::mapToChip(graph->input, *chip);
    if (!result)
      return fail(chip->name + ": " + result.message());
    mapped = result.take();
    return success();
  }
  // The mapping's own decisions, for the graph and chip it was made for.
  auto placement = core::loadChipPlacement(options.placement);
  if (!placement)
    return fail(placement.message());
  graph = buildChipGraph(module, options.rates, placement->context, error);
  if (!graph)
    return fail(error);
  if (auto st =
          core::checkPlacementFits(*placement, graph->input, chip->name,
                                   chip->systemCount(*neuronCore), chip->chips);
      !st)
    return fail(options.placement + ": " + st.message());
  mapped = std::move(placement->mapping);
  return success();
}

LogicalResult ProgramBuilder::layOutPieces() {
  const auto &in = graph->input;
  tilesOf.assign(in.synapses.size(), {});
  relaysOf.assign(in.synapses.size(), {});
  sitePieces.assign(in.sites.size(), {});
  for (size_t i = 0; i < mapped->pieces.size(); ++i) {
    const core::Piece &p = mapped->pieces[i];
    if (p.kind == core::Piece::SiteNeurons && onChip[p.owner]) {
      CoreImage &img = cores[p.core];
      int64_t base = int64_t(img.neurons.size() / 3);
      sitePieces[p.owner].push_back({int(i), base});
      ArrayRef<double> theta = info[p.owner].threshold;
      ArrayRef<double> v0 = info[p.owner].v0;
      // Channels (the last dimension); heads and positions are rows that
      // reuse the same neurons one after another.
      int64_t width = info[p.owner].channels;
      for (int64_t c = p.first; c < std::min(p.first + p.count, width); ++c) {
        double th = theta[neuron::groupOf(c, width, int64_t(theta.size()))];
        double v = v0[neuron::groupOf(c, width, int64_t(v0.size()))];
        // The plan (and so the runtime) holds thresholds as floats.
        int64_t raw = neuron::chipInit(float(v), float(th), fracOf[p.owner]).u;
        img.neurons.insert(img.neurons.end(), {int64_t(p.owner), c, raw});
      }
    }
    if (p.kind == core::Piece::SynapseTile) {
      int site = in.synapses[p.owner].site;
      if (site < 0 || !onChip[site])
        continue;
      CoreImage &img = cores[p.core];
      // Binary negative spikes land on a second row per input, which holds
      // the negated weights.
      int64_t rows = neuronCore->axonsPerInput(in.sites[site].negativeSpikes);
      bool negated = rows == 2;
      if (rows * p.inCount > neuronCore->maxFanInAxons)
        return fail("linear \"" + in.synapses[p.owner].name + "\": a tile of " +
                    std::to_string(p.inCount) + " inputs needs " +
                    std::to_string(rows * p.inCount) +
                    " axons with negated rows; max is " +
                    std::to_string(neuronCore->maxFanInAxons) +
                    " (a placement mapped for another code? map again)");
      tilesOf[p.owner].push_back({p.core, p.first, p.count, p.inFirst,
                                  p.inCount, img.axons, img.accumulators,
                                  img.blocks.size(), negated});
      img.blocks.push_back({img.axons,
                            img.accumulators,
                            rows * p.inCount,
                            p.count,
                            {},
                            negated});
      img.axons += rows * p.inCount;
      img.accumulators += p.count;
    }
    // A split fan-in's partial sums meet in relay accumulators.
    if (p.kind == core::Piece::Relay) {
      int site = in.synapses[p.owner].site;
      if (site < 0 || !onChip[site])
        continue;
      CoreImage &img = cores[p.core];
      relaysOf[p.owner].push_back({p.core, p.first, p.count, img.accumulators});
      img.accumulators += p.count;
    }
  }
  return success();
}

LogicalResult ProgramBuilder::writeSynapses() {
  const auto &in = graph->input;
  // Synapse tables from the weight codes.
  int64_t topCode = (int64_t(1) << (neuronCore->weightBits - 1)) - 1;
  for (size_t g = 0; g < in.synapses.size(); ++g) {
    spk::LinearOp l = graph->linears[g];
    if (tilesOf[g].empty()) {
      hostLinears.push_back(in.synapses[g].name);
      continue;
    }
    if (!l.getWeightBits())
      return l.emitError("emit-chip-program: linear \"")
             << in.synapses[g].name
             << "\" has float weights; quantize them first";
    auto w =
        readLinearWeights(l, l.getWeight(), l.getWeightScale(),
                          l.getWeightBits(), *weights, "emit-chip-program");
    if (failed(w))
      return failure();
    // Weights wider than the chip's: codes move to its grid (the row
    // scales, on the host, grow to match); the error is measured per layer.
    if (w->bits > neuronCore->weightBits) {
      double err = 0, norm = 0;
      double grow = double(int64_t(1) << (w->bits - neuronCore->weightBits));
      for (int64_t r = 0; r < w->rows; ++r)
        for (int64_t c = 0; c < w->cols; ++c) {
          int64_t &k = w->codes[r * w->cols + c];
          int64_t moved =
              neuron::rescaleCode(k, w->bits, neuronCore->weightBits);
          double before = double(k) * w->scales[r];
          double after = double(moved) * grow * w->scales[r];
          err += (after - before) * (after - before);
          norm += before * before;
          k = moved;
        }
      double relative = norm > 0 ? std::sqrt(err / norm) : 0;
      l.emitRemark("emit-chip-program: linear \"")
          << in.synapses[g].name << "\": " << w->bits << "-bit weights on "
          << neuronCore->weightBits << "-bit synapses of core type "
          << neuronCore->name << ": relative error "
          << llvm::formatv("{0:e3}", relative).str();
      rescaled.push_back(llvm::json::Object{{"name", in.synapses[g].name},
                                            {"from_bits", w->bits},
                                            {"to_bits", neuronCore->weightBits},
                                            {"relative_error", relative}});
    }
    llvm::json::Array tiles, relays;
    for (const RelayRef &r : relaysOf[g])
      relays.push_back(llvm::json::Object{{"core", r.core},
                                          {"out_first", r.outFirst},
                                          {"out_count", r.outCount},
                                          {"accumulator_base", r.accBase}});
    for (const TileRef &t : tilesOf[g]) {
      std::vector<int64_t> &block = cores[t.core].blocks[t.block].codes;
      int64_t half = t.inCount * t.outCount;
      block.resize(size_t(t.negatedRows ? 2 * half : half));
      for (int64_t c = t.inFirst; c < t.inFirst + t.inCount; ++c)
        for (int64_t r = t.outFirst; r < t.outFirst + t.outCount; ++r) {
          int64_t code = w->codes[r * w->cols + c];
          if (code > topCode || code < -topCode)
            return l.emitError("emit-chip-program: weight code out of range");
          int64_t at = (c - t.inFirst) * t.outCount + r - t.outFirst;
          block[size_t(at)] = code;
          if (t.negatedRows)
            block[size_t(half + at)] = -code;
        }
      // The relay that sums this tile's outputs with the other input
      // ranges' (split fan-in), if any.
      int64_t relay = -1;
      for (size_t k = 0; k < relaysOf[g].size(); ++k)
        if (relaysOf[g][k].outFirst == t.outFirst)
          relay = int64_t(k);
      tiles.push_back(llvm::json::Object{{"core", t.core},
                                         {"relay", relay},
                                         {"block", int64_t(t.block)},
                                         {"out_first", t.outFirst},
                                         {"out_count", t.outCount},
                                         {"in_first", t.inFirst},
                                         {"in_count", t.inCount},
                                         {"axon_base", t.axonBase},
                                         {"accumulator_base", t.accBase}});
    }
    linears.push_back(
        llvm::json::Object{{"name", in.synapses[g].name},
                           {"relays", std::move(relays)},
                           {"site", in.sites[in.synapses[g].site].name},
                           {"rows", w->rows},
                           {"cols", w->cols},
                           {"weight_bits", w->bits},
                           {"tiles", std::move(tiles)}});
  }

  return success();
}

LogicalResult ProgramBuilder::writeRoutes() {
  const auto &in = graph->input;
  // Copy neurons where a neuron's fan-out exceeds the limit: placed by the
  // mapper, keyed by (site piece, channel).
  std::map<std::pair<int, int64_t>, const core::CopyGroup *> copyGroupOf;
  for (const core::CopyGroup &g : mapped->copyGroups)
    copyGroupOf[{g.sitePiece, g.channel}] = &g;

  // Routes: every neuron to each tile that reads its channel.
  for (size_t s = 0; s < in.sites.size(); ++s) {
    if (!onChip[s])
      continue;
    const SiteInfo &n = info[s];
    llvm::json::Array pieces;
    for (auto [pi, base] : sitePieces[s]) {
      const core::Piece &p = mapped->pieces[pi];
      CoreImage &img = cores[p.core];
      // Per neuron: the (core, axon) pairs of the tiles reading its channel.
      std::map<int64_t, std::vector<std::pair<int32_t, int32_t>>> targets;
      for (size_t g = 0; g < in.synapses.size(); ++g) {
        if (in.synapses[g].site != int(s))
          continue;
        for (const TileRef &t : tilesOf[g])
          for (int64_t c = std::max(p.first, t.inFirst);
               c < std::min(p.first + p.count, t.inFirst + t.inCount); ++c)
            targets[base + c - p.first].push_back(
                {int32_t(t.core), int32_t(t.axonBase + c - t.inFirst)});
      }
      for (auto &[local, list] : targets) {
        std::map<int32_t, std::vector<int32_t>> byCore;
        for (auto [core, axon] : list)
          byCore[core].push_back(axon);
        if (int64_t(byCore.size()) <= neuronCore->maxFanOut) {
          for (auto [core, axon] : list)
            img.routes.insert(img.routes.end(), {int32_t(local), core, axon});
          continue;
        }
        // Fan-out above the limit: the spike goes to the input axon of the
        // copy core the mapper chose, whose crossbar feeds one copy neuron
        // per group of at most max_fan_out destination cores.
        auto copy = copyGroupOf.find({pi, local - base + p.first});
        if (copy == copyGroupOf.end())
          return fail("site \"" + n.name + "\": channel " +
                      std::to_string(local - base + p.first) + " reaches " +
                      std::to_string(byCore.size()) +
                      " cores, and the mapping gave it no copy neurons");
        int64_t copiesNeeded = copy->second->copies;
        int copyId = copy->second->core;
        int64_t copyAxon = copy->second->axon;
        // Negated rows: the copy core's twin axon takes the -1 spikes.
        int64_t twin = neuronCore->axonsPerInput(in.sites[s].negativeSpikes);
        cores[copyId].axons = std::max(cores[copyId].axons, copyAxon + twin);
        img.routes.insert(img.routes.end(),
                          {int32_t(local), int32_t(copyId), int32_t(copyAxon)});
        CoreImage &copyImg = cores[copyId];
        copyImg.copyNeurons += copiesNeeded;
        for (auto &[core, axons] : byCore)
          for (int32_t axon : axons)
            copyImg.copies.insert(copyImg.copies.end(),
                                  {int32_t(copyAxon), core, axon});
      }
      // The neurons written for the piece: channels below the width (the
      // mapper's piece may also count rows that reuse them).
      int64_t count = std::min(p.first + p.count, n.channels) - p.first;
      if (count > 0)
        pieces.push_back(llvm::json::Object{{"core", p.core},
                                            {"first", p.first},
                                            {"count", count},
                                            {"neuron_base", base}});
    }
    llvm::json::Object site{{"name", n.name},
                            {"kind", n.graded ? "is" : "if"},
                            {"bidirectional", n.params.bidirectional},
                            {"index", int64_t(s)},
                            {"width", n.channels},
                            {"levels", n.params.levels},
                            {"alpha", n.params.alpha},
                            {"budget", n.params.budget},
                            {"frac_bits", fracOf[s]},
                            {"threshold_raw", int64_t(1) << fracOf[s]},
                            {"pieces", std::move(pieces)}};
    if (n.params.coding == spike::neuron::SpikeCoding::Signed) {
      site["coding"] = "signed";
      site["bits"] = n.bits;
      site["unsigned"] = !spike::neuron::isSignedGrid(n.params);
    }
    siteJson.push_back(std::move(site));
  }

  return success();
}

LogicalResult ProgramBuilder::writeImages() {
  // The images: one tensor per table and core.
  for (auto &[id, img] : cores) {
    std::string base = "core" + std::to_string(id) + ".";
    auto add = [&](const char *table, core::DType type, const void *data,
                   size_t count, size_t elem) {
      if (count == 0)
        return core::Status::ok();
      return tensors.add(base + table, type, {int64_t(count / 3), 3}, data,
                         count * elem);
    };
    if (auto st = add("neurons", core::DType::I64, img.neurons.data(),
                      img.neurons.size(), 8);
        !st)
      return fail(st.message());
    // Weight blocks at the chip's weight width.
    core::DType wType = neuronCore->weightBits <= 8    ? core::DType::I8
                        : neuronCore->weightBits <= 16 ? core::DType::I16
                                                       : core::DType::I32;
    size_t wBytes = core::dtypeSize(wType);
    int64_t synapses = 0;
    llvm::json::Array blocks;
    for (size_t j = 0; j < img.blocks.size(); ++j) {
      const CoreImage::Block &b = img.blocks[j];
      std::vector<uint8_t> bytes(b.codes.size() * wBytes);
      for (size_t i = 0; i < b.codes.size(); ++i) {
        int64_t v = b.codes[i];
        synapses += v != 0;
        int16_t v16 = int16_t(v);
        int32_t v32 = int32_t(v);
        if (wType == core::DType::I8)
          bytes[i] = uint8_t(int8_t(v));
        else if (wType == core::DType::I16)
          std::memcpy(&bytes[2 * i], &v16, 2);
        else
          std::memcpy(&bytes[4 * i], &v32, 4);
      }
      if (auto st = tensors.add(base + "block" + std::to_string(j), wType,
                                {b.in, b.out}, bytes.data(), bytes.size());
          !st)
        return fail(st.message());
      llvm::json::Object block{{"axon_base", b.axonBase},
                               {"accumulator_base", b.accBase},
                               {"in", b.in},
                               {"out", b.out}};
      if (b.negatedRows)
        block["negated_rows"] = true;
      blocks.push_back(std::move(block));
    }
    if (auto st = add("routes", core::DType::I32, img.routes.data(),
                      img.routes.size(), 4);
        !st)
      return fail(st.message());
    if (auto st = add("copies", core::DType::I32, img.copies.data(),
                      img.copies.size(), 4);
        !st)
      return fail(st.message());
    coreJson.push_back(
        llvm::json::Object{{"id", id},
                           {"neurons", int64_t(img.neurons.size() / 3)},
                           {"axons", img.axons},
                           {"accumulators", img.accumulators},
                           {"synapses", synapses},
                           {"blocks", std::move(blocks)},
                           {"routes", int64_t(img.routes.size() / 3)},
                           {"copy_neurons", img.copyNeurons},
                           {"copy_routes", int64_t(img.copies.size() / 3)}});
  }
  tensors.setMetadata("format", "spikec.chip-program");
  if (auto st = tensors.write(options.tensorsPath); !st)
    return fail(st.message());

  return success();
}

LogicalResult ProgramBuilder::writeManifest(llvm::raw_ostream &os) {
  FailureOr<int64_t> timesteps = spk::getModelTimesteps(module);
  if (failed(timesteps))
    return failure();
  llvm::json::Object manifest{
      {"format", "spikec.chip-program"},
      {"version", 1},
      {"chip", chip->name},
      {"timesteps", *timesteps},
      {"copy_neurons_total", mapped->copyNeurons},
      {"copy_cores", mapped->copyCores},
      {"tensors", llvm::sys::path::filename(options.tensorsPath).str()},
      {"numerics",
       llvm::json::Object{{"state_bits", neuronCore->stateBits},
                          {"threshold_bits", neuronCore->thresholdBits},
                          {"weight_bits", neuronCore->weightBits},
                          {"spike_payload_bits", neuronCore->spikePayloadBits},
                          {"sign", core::signCarriageName(neuronCore->sign)},
                          {"reset", "subtract"},
                          {"if_schedule", "integrate-then-fire"}}},
      {"cores", std::move(coreJson)},
      {"sites", std::move(siteJson)},
      {"linears", std::move(linears)},
      {"rescaled_weights", std::move(rescaled)},
      {"host", llvm::json::Object{{"sites", std::move(hostSites)},
                                  {"linears", std::move(hostLinears)}}}};
  os << llvm::formatv("{0:1}", llvm::json::Value(std::move(manifest))) << "\n";
  return success();
}

} // namespace

LogicalResult spike::emitChipProgram(ModuleOp module, llvm::raw_ostream &os,
                                     const ChipProgramOptions &options) {
  ProgramBuilder program(module, options);
  if (failed(program.prepare()))
    return failure();
  if (failed(program.layOutPieces()) || failed(program.writeSynapses()) ||
      failed(program.writeRoutes()) || failed(program.writeImages()))
    return failure();
  return program.writeManifest(os);
}

void spike::registerChipProgramTranslation() {
  static llvm::cl::opt<std::string> chip(
      "chip", llvm::cl::desc("--emit-chip-program: the chip description"));
  static llvm::cl::opt<std::string> tensors(
      "program-tensors",
      llvm::cl::desc("--emit-chip-program: the per-core images to write "
                     "(safetensors, beside the manifest)"));
  static llvm::cl::opt<std::string> rates(
      "program-rates",
      llvm::cl::desc("--emit-chip-program: firing rates for placement"));
  static llvm::cl::opt<std::string> placement(
      "program-placement",
      llvm::cl::desc("--emit-chip-program: build the program from "
                     "spike-map-to-chip's placement-out file instead of "
                     "mapping again"));
  static TranslateFromMLIRRegistration registration(
      "emit-chip-program",
      "Emit a chip program: per-core neuron, synapse and routing tables",
      [](ModuleOp module, llvm::raw_ostream &os) {
        ChipProgramOptions options;
        options.chip = chip;
        options.tensorsPath = tensors;
        options.rates = rates;
        options.placement = placement;
        return emitChipProgram(module, os, options);
      },
      [](DialectRegistry &registry) { spike::registerAllDialects(registry); });
}
