//===- ChipMapping.cpp - Partition, place and route on a chip -------------===//

#include "spike/core/Chip/ChipMapping.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace spike::core {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Resources one piece takes on a core.
struct Load {
  int64_t neurons = 0, synapseBits = 0, stateBits = 0;
};

/// A core being filled: its load and whether more fits.
struct Bin {
  Load load;
  std::vector<int> pieces;
};

} // namespace

int64_t meshHops(const ChipDescription &chip, int a, int b) {
  int64_t perChip = chip.coresPerChip;
  // The host enters at chip 0's corner; programmable cores of chip c sit at
  // its corner.
  auto position = [&](int c) {
    return c == kHost ? 0 : c < 0 ? int((-c - 2) * perChip) : c;
  };
  auto [ax, ay] = meshPosition(chip, position(a));
  auto [bx, by] = meshPosition(chip, position(b));
  return std::llabs(ax - bx) + std::llabs(ay - by);
}

std::pair<int64_t, int64_t> meshPosition(const ChipDescription &chip,
                                         int core) {
  int64_t chipIndex = core / chip.coresPerChip,
          local = core % chip.coresPerChip;
  return {chipIndex * chip.meshX + local % chip.meshX, local / chip.meshX};
}

namespace {

/// mapToChip's state through its steps: the pieces, their packing into
/// bins (one per neuron core), the traffic between pieces, the placement
/// and the routes.
class Mapper {
public:
  Mapper(const MappingInput &in, const ChipDescription &chip,
         Placement placement, const CoreType *core, int64_t neuronCap)
      : in(in), chip(chip), placement(placement), core(core),
        graded(core->spikePayloadBits > 0),
        stateBits(std::max(1, core->stateBits)),
        weightBits(std::max(1, core->weightBits)), neuronCap(neuronCap),
        T(double(in.timesteps)) {}

  /// 1. Cuts sites into neuron pieces and linears into synapse tiles (and
  /// relays where the fan-in is split).
  Status cut();
  /// 2. Packs neuron pieces into cores in dataflow order.
  Status pack();
  /// 3. The traffic between pieces, per token.
  void traffic();
  /// 4. Places bins on cores (snake or round-robin, then swaps) and glue.
  void place();
  /// 4b. Copy neurons for fan-out above the core's limit.
  Status addCopyNeurons();
  /// 5. Routes, counts and the energy and latency totals.
  Status routeAndCount();
  /// 5b. Glue ops and their energy by op class, on the core type (or host)
  /// that runs each unit; the K/V state's memory.
  void countGlue();

  MappingResult r;

private:
  struct Edge {
    int from, to;
    double messages;
    bool spikes = false; ///< site spikes (scale with the rate), else per step
  };
  const MappingInput &in;
  const ChipDescription &chip;
  Placement placement;
  const CoreType *core;
  const bool graded;
  const int64_t stateBits, weightBits, neuronCap;
  const double T;
  std::vector<Bin> bins;
  std::vector<Edge> edges;
  std::vector<std::vector<int>> tilesOf, sitePieces;
  std::vector<int> relayOf, gluePiece, binOf, coreOfBin, glueCore;
  std::vector<double> copyMessages;     ///< per copy group: to its copy core
  std::vector<double> pieceSynapticOps; ///< per piece (synapse tiles)

  int64_t roundUp(int64_t bits) const {
    int64_t g = std::max<int64_t>(1, core->memoryRoundingBits);
    return ceilDiv(bits, g) * g;
  }
  Load loadOf(const Piece &p) const;
  int coreOfPiece(int p) const {
    const Piece &pc = r.pieces[p];
    if (pc.kind == Piece::Glue)
      return glueCore[pc.owner];
    return coreOfBin[binOf[p]];
  }
};

Load Mapper::loadOf(const Piece &p) const {
  Load l;
  switch (p.kind) {
  case Piece::SiteNeurons:
  case Piece::Relay:
    l.neurons = p.count;
    l.stateBits = p.count * stateBits;
    break;
  case Piece::SynapseTile:
    l.neurons = p.count;
    l.stateBits = p.count * stateBits;
    l.synapseBits = roundUp(p.count * p.inCount * p.axonsPerInput * weightBits);
    break;
  case Piece::Glue:
    break;
  }
  return l;
}

Status Mapper::cut() {
  // 1. Cut into pieces.
  for (size_t s = 0; s < in.sites.size(); ++s) {
    const MappedSite &site = in.sites[s];
    int64_t parts = ceilDiv(site.neurons, neuronCap);
    int64_t size = ceilDiv(site.neurons, parts);
    for (int64_t first = 0; first < site.neurons; first += size)
      r.pieces.push_back({Piece::SiteNeurons, int(s), first,
                          std::min(size, site.neurons - first), 0, 0, 1, -1});
  }
  for (const MappedSite &site : in.sites)
    if (site.negativeSpikes && !core->carriesSign())
      return Status::error("site \"" + site.name +
                           "\" sends negative spikes; core type " + core->name +
                           " has 'sign: none', so a sign cannot travel on it");
  for (size_t g = 0; g < in.synapses.size(); ++g) {
    const MappedSynapses &syn = in.synapses[g];
    // Binary negative spikes arrive on a second axon per input, whose
    // synapse row holds the negated weights (SignCarriage::NegatedRow).
    int64_t rows =
        core->axonsPerInput(syn.site >= 0 && in.sites[syn.site].negativeSpikes);
    int64_t perTile = core->maxFanInAxons / rows;
    int64_t inParts = perTile > 0 ? ceilDiv(syn.fanIn, perTile) : syn.fanIn + 1;
    if ((inParts > 1 && !graded) || perTile < 1)
      return Status::error(
          "linear \"" + syn.name + "\" needs fan-in " +
          std::to_string(syn.fanIn) +
          (rows > 1 ? " (two axons per input: negated rows)" : "") +
          "; max is " + std::to_string(core->maxFanInAxons) + " on core type " +
          core->name +
          "; graded spikes unavailable, so no relay split is "
          "possible");
    int64_t inSize = ceilDiv(syn.fanIn, inParts);
    // Outputs per tile: accumulator neurons and synapse memory.
    int64_t outCap = neuronCap;
    if (core->synapseMemoryBits > 0)
      outCap = std::min(outCap, core->synapseMemoryBits /
                                    std::max<int64_t>(1, roundUp(inSize * rows *
                                                                 weightBits)));
    if (outCap < 1)
      return Status::error("linear \"" + syn.name + "\": one output's " +
                           std::to_string(inSize * rows) +
                           " synapses exceed the " +
                           std::to_string(core->synapseMemoryBits) +
                           " synapse bits of core type " + core->name);
    int64_t outParts = ceilDiv(syn.outputs, outCap);
    int64_t outSize = ceilDiv(syn.outputs, outParts);
    for (int64_t o = 0; o < syn.outputs; o += outSize) {
      int64_t count = std::min(outSize, syn.outputs - o);
      for (int64_t i = 0; i < syn.fanIn; i += inSize)
        r.pieces.push_back({Piece::SynapseTile, int(g), o, count, i,
                            std::min(inSize, syn.fanIn - i), rows, -1});
      if (inParts > 1) {
        r.pieces.push_back({Piece::Relay, int(g), o, count, 0, inParts, 1, -1});
        ++r.relayPieces;
      }
    }
  }
  for (size_t u = 0; u < in.glue.size(); ++u)
    r.pieces.push_back({Piece::Glue, int(u), 0, 0, 0, 0, 1, -1});

  return Status::ok();
}

Status Mapper::pack() {
  // 2. Pack neuron pieces into cores in dataflow order (next fit), so
  // pieces that talk share a core or sit on neighbouring ones.
  Load total;
  for (size_t p = 0; p < r.pieces.size(); ++p) {
    if (r.pieces[p].kind == Piece::Glue)
      continue;
    Load l = loadOf(r.pieces[p]);
    total.neurons += l.neurons;
    total.synapseBits += l.synapseBits;
    total.stateBits += l.stateBits;
    bool fits = !bins.empty();
    if (fits) {
      const Load &b = bins.back().load;
      fits = b.neurons + l.neurons <= core->maxNeurons &&
             (core->synapseMemoryBits == 0 ||
              b.synapseBits + l.synapseBits <= core->synapseMemoryBits) &&
             (core->stateMemoryBits == 0 ||
              b.stateBits + l.stateBits <= core->stateMemoryBits);
    }
    if (!fits)
      bins.push_back({});
    bins.back().load.neurons += l.neurons;
    bins.back().load.synapseBits += l.synapseBits;
    bins.back().load.stateBits += l.stateBits;
    bins.back().pieces.push_back(int(p));
  }
  r.neuronCores = int64_t(bins.size());
  int64_t lb = ceilDiv(total.neurons, core->maxNeurons);
  if (core->synapseMemoryBits > 0)
    lb = std::max(lb, ceilDiv(total.synapseBits, core->synapseMemoryBits));
  if (core->stateMemoryBits > 0)
    lb = std::max(lb, ceilDiv(total.stateBits, core->stateMemoryBits));
  r.lowerBoundCores = lb;
  int64_t available = chip.systemCount(*core);
  r.availableCores = available;
  if (r.neuronCores > available)
    return Status::error("the graph needs " + std::to_string(r.neuronCores) +
                         " cores of type " + core->name + " (lower bound " +
                         std::to_string(lb) + "); " + chip.name + " has " +
                         std::to_string(available) + " (" +
                         std::to_string(chip.chips) + " chips x " +
                         std::to_string(core->count) + "): it needs at least " +
                         std::to_string(ceilDiv(r.neuronCores, core->count)) +
                         " chips (topology.chips)");

  return Status::ok();
}

void Mapper::traffic() {
  tilesOf.assign(in.synapses.size(), {});
  sitePieces.assign(in.sites.size(), {});
  relayOf.assign(r.pieces.size(), -1);
  gluePiece.assign(in.glue.size(), 0);
  for (size_t p = 0; p < r.pieces.size(); ++p) {
    const Piece &pc = r.pieces[p];
    if (pc.kind == Piece::SynapseTile)
      tilesOf[pc.owner].push_back(int(p));
    if (pc.kind == Piece::SiteNeurons)
      sitePieces[pc.owner].push_back(int(p));
    if (pc.kind == Piece::Glue)
      gluePiece[pc.owner] = int(p);
  }
  for (size_t p = 0; p < r.pieces.size(); ++p)
    if (r.pieces[p].kind == Piece::Relay)
      for (int t : tilesOf[r.pieces[p].owner])
        if (r.pieces[t].first == r.pieces[p].first)
          relayOf[t] = int(p);
  r.groupSynapticOps.assign(in.synapses.size(), 0.0);
  pieceSynapticOps.assign(r.pieces.size(), 0.0);
  for (size_t g = 0; g < in.synapses.size(); ++g) {
    const MappedSynapses &syn = in.synapses[g];
    for (int t : tilesOf[g]) {
      const Piece &tile = r.pieces[t];
      if (syn.site >= 0) {
        const MappedSite &site = in.sites[syn.site];
        double perNeuron =
            (graded ? site.eventsPerNeuronStep : site.spikesPerNeuronStep) * T *
            double(site.substeps);
        for (int sp : sitePieces[syn.site]) {
          const Piece &src = r.pieces[sp];
          int64_t lo = std::max(src.first, tile.inFirst);
          int64_t hi =
              std::min(src.first + src.count, tile.inFirst + tile.inCount);
          if (hi > lo) {
            edges.push_back({sp, t, perNeuron * double(hi - lo), true});
            double ops = perNeuron * double(hi - lo) * double(tile.count);
            r.synapticOps += ops;
            r.groupSynapticOps[g] += ops;
            pieceSynapticOps[t] += ops;
            r.spikeSynapticOps += site.spikesPerNeuronStep * T *
                                  double(site.substeps) * double(hi - lo) *
                                  double(tile.count);
          }
        }
      }
      // Graded partial sums (or membrane outputs) once per step.
      int next = relayOf[t] >= 0 ? relayOf[t]
                 : syn.glue >= 0 ? gluePiece[syn.glue]
                                 : -1;
      if (next >= 0)
        edges.push_back({t, next, T * double(tile.count)});
    }
  }
  for (size_t p = 0; p < r.pieces.size(); ++p) {
    const Piece &pc = r.pieces[p];
    if (pc.kind == Piece::Relay && in.synapses[pc.owner].glue >= 0)
      edges.push_back({int(p), gluePiece[in.synapses[pc.owner].glue],
                       T * double(pc.count)});
  }
  for (size_t u = 0; u < in.glue.size(); ++u)
    for (int s : in.glue[u].feeds)
      for (int sp : sitePieces[s])
        edges.push_back({gluePiece[u], sp, T * double(r.pieces[sp].count)});
}

void Mapper::place() {
  binOf.assign(r.pieces.size(), -1);
  for (size_t b = 0; b < bins.size(); ++b)
    for (int p : bins[b].pieces)
      binOf[p] = int(b);
  coreOfBin.assign(bins.size(), 0);
  // Cores in snake order: consecutive bins are mesh neighbours.
  // Only as many as there are bins: the work follows the model, not the
  // size of the machine.
  std::vector<int> snake;
  for (int64_t c = 0; c < chip.chips && snake.size() < bins.size(); ++c)
    for (int64_t y = 0; y < chip.meshY; ++y)
      for (int64_t i = 0; i < chip.meshX; ++i) {
        int64_t x = (y % 2 == 0) ? i : chip.meshX - 1 - i;
        int64_t local = y * chip.meshX + x;
        if (local < core->count)
          snake.push_back(int(c * chip.coresPerChip + local));
      }
  if (placement == Placement::RoundRobin) {
    // The naive baseline: bins dealt across the chips' cores in turn.
    int64_t all = chip.chips * core->count;
    int64_t stride =
        std::max<int64_t>(1, all / std::max<int64_t>(1, int64_t(bins.size())));
    for (size_t b = 0; b < bins.size(); ++b) {
      int64_t k = int64_t(b) * stride % all;
      coreOfBin[b] = int(k / core->count * chip.coresPerChip + k % core->count);
    }
  } else {
    for (size_t b = 0; b < bins.size(); ++b)
      coreOfBin[b] = snake[b];
  }
  // Glue: the core type that runs its class; the host if none does.
  for (size_t u = 0; u < in.glue.size(); ++u) {
    bool onChip = false;
    for (const CoreType &c : chip.coreTypes)
      onChip = onChip || c.runs(in.glue[u].opClass);
    if (!onChip)
      ++r.hostGlue;
  }
  for (const CoreType &c : chip.coreTypes)
    if (&c != core && !c.runs(OpClass::Synaptic))
      r.programmableCores += chip.systemCount(c);
  // Glue sits next to the tiles it reads: on their median core where the
  // neuron cores run it, else on the programmable cores of that core's
  // chip, else on the host.
  glueCore.assign(in.glue.size(), kHost);
  {
    std::vector<std::vector<int>> readers(in.glue.size());
    for (const Edge &e : edges)
      if (r.pieces[e.to].kind == Piece::Glue && binOf[e.from] >= 0)
        readers[r.pieces[e.to].owner].push_back(coreOfBin[binOf[e.from]]);
    for (size_t u = 0; u < in.glue.size(); ++u) {
      OpClass cls = in.glue[u].opClass;
      bool programmable = false;
      for (const CoreType &c : chip.coreTypes)
        programmable = programmable || (&c != core && c.runs(cls));
      int median = 0;
      if (!readers[u].empty()) {
        std::sort(readers[u].begin(), readers[u].end());
        median = readers[u][readers[u].size() / 2];
      }
      if (core->runs(cls))
        glueCore[u] = median;
      else if (programmable)
        glueCore[u] = programmableCoreOf(int(median / chip.coresPerChip));
    }
  }
  // Bin-level traffic, for the placement search.
  std::map<std::pair<int, int>, double> binTraffic;
  for (const Edge &e : edges) {
    int a = binOf[e.from], b = binOf[e.to];
    if (a >= 0 && b >= 0 && a != b)
      binTraffic[{std::min(a, b), std::max(a, b)}] += e.messages;
  }
  if (placement == Placement::Optimized && bins.size() > 1) {
    // Pairwise swaps that lower traffic x hops, over the snake's free
    // cores too; deterministic, a fixed number of sweeps.
    std::vector<std::vector<std::pair<int, double>>> adj(bins.size());
    for (auto &[k, m] : binTraffic) {
      adj[k.first].push_back({k.second, m});
      adj[k.second].push_back({k.first, m});
    }
    auto costOf = [&](int b, int at) {
      double c = 0;
      for (auto [o, m] : adj[b])
        c += m * double(meshHops(chip, at, coreOfBin[o]));
      return c;
    };
    size_t n = bins.size();
    for (int sweep = 0; sweep < 4; ++sweep) {
      bool improved = false;
      for (size_t a = 0; a < n; ++a)
        for (size_t b = a + 1; b < std::min(n, a + 64); ++b) {
          int ca = coreOfBin[a], cb = coreOfBin[b];
          double before = costOf(int(a), ca) + costOf(int(b), cb);
          coreOfBin[a] = cb;
          coreOfBin[b] = ca;
          double after = costOf(int(a), cb) + costOf(int(b), ca);
          if (after + 1e-9 < before) {
            improved = true;
          } else {
            coreOfBin[a] = ca;
            coreOfBin[b] = cb;
          }
        }
      if (!improved)
        break;
    }
  }
  for (size_t p = 0; p < r.pieces.size(); ++p)
    r.pieces[p].core = coreOfPiece(int(p));
}

Status Mapper::addCopyNeurons() {
  // 4b. Fan-out above the limit: the neuron's spikes go to one input axon of
  // a free core, whose copy neurons re-send them. Copy cores fill up to
  // their neuron and axon limits, in site, piece and channel order.
  std::set<int> usedCores;
  for (const Piece &p : r.pieces)
    if (p.core >= 0)
      usedCores.insert(p.core);
  const int systemCores = int(chip.chips * chip.coresPerChip);
  int copyCore = -1;
  int64_t copyCoreNeurons = 0, copyCoreAxons = 0;
  for (size_t s = 0; s < in.sites.size(); ++s) {
    std::vector<int> readers;
    for (size_t g = 0; g < in.synapses.size(); ++g)
      if (in.synapses[g].site == int(s))
        readers.insert(readers.end(), tilesOf[g].begin(), tilesOf[g].end());
    if (int64_t(readers.size()) <= core->maxFanOut)
      continue; // no neuron can reach more cores than there are tiles
    const MappedSite &site = in.sites[s];
    double perNeuron =
        (graded ? site.eventsPerNeuronStep : site.spikesPerNeuronStep) * T *
        double(site.substeps);
    // Negative binary spikes arrive on a twin axon and leave through twin
    // copy neurons (SignCarriage::NegatedRow).
    int64_t twin = core->axonsPerInput(site.negativeSpikes);
    for (int sp : sitePieces[s]) {
      const Piece &src = r.pieces[sp];
      for (int64_t c = src.first; c < src.first + src.count; ++c) {
        std::set<int> destinations;
        for (int t : readers) {
          const Piece &tile = r.pieces[t];
          if (c >= tile.inFirst && c < tile.inFirst + tile.inCount)
            destinations.insert(tile.core);
        }
        if (int64_t(destinations.size()) <= core->maxFanOut)
          continue;
        int64_t copies =
            twin * ceilDiv(int64_t(destinations.size()), core->maxFanOut);
        if (copyCore < 0 || copyCoreNeurons + copies > core->maxNeurons ||
            copyCoreAxons + twin > core->maxFanInAxons) {
          int next = copyCore + 1;
          while (next < systemCores &&
                 (usedCores.count(next) ||
                  next % chip.coresPerChip >= core->count))
            ++next;
          if (next >= systemCores || copies > core->maxNeurons)
            return Status::error(
                "site \"" + site.name + "\": a neuron reaches " +
                std::to_string(destinations.size()) +
                " cores; max fan-out is " + std::to_string(core->maxFanOut) +
                " on core type " + core->name + ", and " + chip.name +
                " has no free core for its " + std::to_string(copies) +
                " copy neurons");
          copyCore = next;
          usedCores.insert(next);
          copyCoreNeurons = copyCoreAxons = 0;
          ++r.copyCores;
        }
        r.copyGroups.push_back({sp, c, copyCore, copyCoreAxons, copies});
        copyCoreAxons += twin;
        copyCoreNeurons += copies;
        r.copyNeurons += copies;
        copyMessages.push_back(perNeuron);
      }
    }
  }

  return Status::ok();
}

Status Mapper::routeAndCount() {
  // 5. Route (XY) and count, per token.
  std::map<int, std::map<int, bool>> routes;   // source core -> destinations
  std::map<std::pair<int, int>, double> loads; // between neuron cores
  for (const Edge &e : edges) {
    int a = coreOfPiece(e.from), b = coreOfPiece(e.to);
    double hops = double(meshHops(chip, a, b));
    r.messages += e.messages;
    if (a != b) {
      r.interCoreMessages += e.messages;
      routes[a][b] = true;
      if (a >= 0 && b >= 0)
        loads[{a, b}] += e.messages;
    }
    r.trafficHops += e.messages * hops;
    if (e.spikes) {
      r.spikeMessages += e.messages;
      r.spikeMessageHops += e.messages * hops;
    }
    if (a == kHost || b == kHost)
      r.hostMessages += e.messages;
  }
  // A copied neuron's spikes take one more message, to its copy core; the
  // copies' messages onwards are counted as the neuron's own above.
  for (size_t i = 0; i < r.copyGroups.size(); ++i) {
    const CopyGroup &g = r.copyGroups[i];
    int a = coreOfPiece(g.sitePiece), b = g.core;
    double hops = double(meshHops(chip, a, b));
    r.messages += copyMessages[i];
    r.interCoreMessages += copyMessages[i];
    r.trafficHops += copyMessages[i] * hops;
    r.spikeMessages += copyMessages[i];
    r.spikeMessageHops += copyMessages[i] * hops;
    routes[a][b] = true;
  }
  for (auto &[ab, m] : loads)
    r.routeLoads.push_back({ab.first, ab.second, m});
  std::stable_sort(
      r.routeLoads.begin(), r.routeLoads.end(),
      [](const auto &x, const auto &y) { return x.messages > y.messages; });
  std::map<int, double> coreOps;
  for (size_t p = 0; p < r.pieces.size(); ++p)
    if (pieceSynapticOps[p] > 0)
      coreOps[coreOfPiece(int(p))] += pieceSynapticOps[p];
  r.coreSynapticOps.assign(coreOps.begin(), coreOps.end());
  for (auto &[src, dst] : routes)
    r.maxRoutingEntries =
        std::max<int64_t>(r.maxRoutingEntries, int64_t(dst.size()));
  if (chip.routingTableEntries > 0 &&
      r.maxRoutingEntries > chip.routingTableEntries)
    return Status::error(
        "a core sends to " + std::to_string(r.maxRoutingEntries) +
        " destination cores; the routing table of " + chip.name + " has " +
        std::to_string(chip.routingTableEntries) + " entries");
  double neurons = 0, spikes = 0, events = 0;
  for (const MappedSite &s : in.sites) {
    r.neuronUpdates += double(s.neurons) * T * double(s.substeps);
    neurons += double(s.neurons);
    spikes += double(s.neurons) * s.spikesPerNeuronStep * double(s.substeps);
    events += double(s.neurons) * s.eventsPerNeuronStep * double(s.substeps);
  }
  r.meanSpikeRate = neurons > 0 ? spikes / neurons : 0;
  r.meanEventRate = neurons > 0 ? events / neurons : 0;
  r.rateIsEvents = graded;
  for (const Piece &p : r.pieces)
    if (p.kind == Piece::SynapseTile || p.kind == Piece::Relay)
      r.neuronUpdates += double(p.count) * T;
  for (const CopyGroup &g : r.copyGroups)
    r.neuronUpdates += double(g.copies) * T *
                       double(in.sites[r.pieces[g.sitePiece].owner].substeps);
  // The chips the mapping occupies (neuron, copy and relay cores): the
  // others are assumed powered down, their static power and memory unused.
  int lastCore = 0;
  for (size_t p = 0; p < r.pieces.size(); ++p)
    if (r.pieces[p].kind != Piece::Glue)
      lastCore = std::max(lastCore, coreOfPiece(int(p)));
  for (const CopyGroup &g : r.copyGroups)
    lastCore = std::max(lastCore, g.core);
  r.chipsUsed = std::min<int64_t>(chip.chips, lastCore / chip.coresPerChip + 1);
  countGlue();
  // One algorithmic step per neuron layer on the path and sub-step, T
  // times per token; a layer whose spikes pass through copy neurons takes
  // one more.
  std::set<int> copiedSites;
  for (const CopyGroup &g : r.copyGroups)
    copiedSites.insert(r.pieces[g.sitePiece].owner);
  double stepNs = chip.timestepNs + chip.barrierNs;
  for (size_t s = 0; s < in.sites.size(); ++s) {
    double ns = T * double(in.sites[s].substeps) * stepNs;
    r.stageNs.push_back(copiedSites.count(int(s)) ? 2 * ns : ns);
    r.latencyNs += r.stageNs.back();
  }
  r.synopPj = graded ? chip.synopGradedPj : chip.synopBinaryPj;
  r.synapticPj = r.synapticOps * r.synopPj;
  r.neuronPj = r.neuronUpdates * chip.neuronUpdatePj;
  r.spikePj = r.messages * chip.spikeLocalPj;
  r.hopPj = r.trafficHops * chip.hopPj;
  r.spikeTrafficPj =
      r.spikeMessages * chip.spikeLocalPj + r.spikeMessageHops * chip.hopPj;
  r.staticPj = chip.staticMw * double(r.chipsUsed) * r.latencyNs; // mW x ns
  return Status::ok();
}

} // namespace

void Mapper::countGlue() {
  r.gluePricedByClass.fill(true);
  const CoreType *kvCore = nullptr;
  for (int cls = 0; cls < kOpClasses; ++cls) {
    double ops = in.glueOpsByClass[cls];
    // The neuron cores where they run the class, else the first other
    // core type that does, else the host.
    const CoreType *runner = core->runs(OpClass(cls)) ? core : nullptr;
    for (const CoreType &c : chip.coreTypes)
      if (!runner && c.runs(OpClass(cls)))
        runner = &c;
    if (OpClass(cls) == OpClass::AAProduct)
      kvCore = runner; // the running sums stay with the products
    if (ops <= 0)
      continue;
    double pj = runner ? runner->opEnergyPj : chip.hostOpPj;
    r.glueOps += ops;
    if (pj < 0) {
      r.unpricedGlueOps += ops;
      r.gluePricedByClass[cls] = false;
      continue;
    }
    r.gluePjByClass[cls] = ops * pj;
    r.gluePj += ops * pj;
  }
  // The dense ends (embedding, codec, output head) run on the host.
  if (in.hostOpsPerToken > 0) {
    r.hostOps = in.hostOpsPerToken;
    if (chip.hostOpPj < 0)
      r.unpricedGlueOps += r.hostOps;
    else
      r.hostPj = r.hostOps * chip.hostOpPj;
  }
  // The K/V running sums live with the activation products, in the state
  // memory of the cores of that type on the chips in use.
  r.kvBitsPerSequence = double(in.kvElementsPerPosition) * double(in.context) *
                        double(kvCore ? kvCore->stateBits : 32);
  r.kvOnHost = !kvCore;
  if (!kvCore)
    return;
  r.kvMemoryBits = double(kvCore->stateMemoryBits) * double(kvCore->count) *
                   double(r.chipsUsed);
  if (kvCore == core) // less what the neurons hold there
    for (const Piece &p : r.pieces)
      r.kvMemoryBits -= double(loadOf(p).stateBits);
  r.kvMemoryBits = std::max(0.0, r.kvMemoryBits);
}

Result<MappingResult> mapToChip(const MappingInput &in,
                                const ChipDescription &chip,
                                Placement placement) {
  const CoreType *core = chip.neuronCore();
  if (!core)
    return Status::error(chip.path + ": no core type runs synaptic ops");
  // Neurons one core holds, by state memory and neuron slots.
  int64_t neuronCap = core->maxNeurons;
  if (core->stateMemoryBits > 0)
    neuronCap = std::min(neuronCap,
                         core->stateMemoryBits / std::max(1, core->stateBits));
  if (neuronCap < 1)
    return Status::error(chip.path + ": core type " + core->name +
                         " holds no neuron state");
  Mapper m(in, chip, placement, core, neuronCap);
  if (auto st = m.cut(); !st)
    return st;
  if (auto st = m.pack(); !st)
    return st;
  m.traffic();
  m.place();
  if (auto st = m.addCopyNeurons(); !st)
    return st;
  if (auto st = m.routeAndCount(); !st)
    return st;
  return std::move(m.r);
}

} // namespace spike::core
