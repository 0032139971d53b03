//===- ChipMapping.h - Partition, place and route on a chip -----*- C++ -*-===//
//
// The MLIR-free mapper behind `spike-map-to-chip`. Its input is the spiking
// graph reduced to what a chip sees:
//   - neuron sites (IS/IF neurons of one feature vector per token), with
//     their measured (or assumed) events and spikes per neuron and step;
//   - synapse groups (linear layers): a [outputs x fanIn] weight reading one
//     site, whose outputs go to a "glue" unit;
//   - glue units: the non-neuron ops of a block (accumulate-difference maps,
//     activation products, K/V state, residual adds), which run on a
//     programmable core type or on the host, and feed the next sites.
// The mapper cuts sites and synapse groups into per-core pieces within the
// core type's capacities (neurons, fan-in, synapse and state memory; a
// fan-in above the limit splits into partial-sum tiles and relay neurons on
// graded chips), places the pieces on the mesh to reduce traffic x hops,
// gives neurons whose fan-out exceeds the limit copy neurons on free cores,
// routes XY, and counts per-token traffic, operations, latency and energy.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_CHIPMAPPING_H
#define SPIKE_CORE_CHIP_CHIPMAPPING_H

#include "spike/core/Chip/ChipDescription.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spike::core {

struct MappedSite {
  std::string name;
  int64_t neurons = 0;            ///< per token position
  double eventsPerNeuronStep = 1; ///< messages: neuron-steps with spikes
  double spikesPerNeuronStep = 1; ///< spike count (graded payload sum)
  int64_t substeps = 1;           ///< IF sub-steps per time step
  /// Sends negative spikes (the signed code, correction spikes): they need
  /// a core type that carries a sign (CoreType::sign); on binary cores
  /// (negated_row) each reader holds two synapse rows per input.
  bool negativeSpikes = false;
};

struct MappedSynapses {
  std::string name;
  int site = -1; ///< index into sites; -1: reads the host
  int glue = -1; ///< index into glue units receiving the outputs
  int64_t outputs = 0, fanIn = 0;
};

struct MappedGlue {
  std::string name;
  OpClass opClass = OpClass::AccumDiff; ///< the class that picks its core
  std::vector<int> feeds;               ///< sites it drives
};

struct MappingInput {
  std::vector<MappedSite> sites;
  std::vector<MappedSynapses> synapses;
  std::vector<MappedGlue> glue;
  int64_t timesteps = 1;
  /// The spike code and level, for reports: "signed code, IF level",
  /// "offset code + correction spikes, IS level", ...
  std::string code;
  /// Context length the context-wide sizes assume (attention keys), tokens.
  int64_t context = 1;
  /// K/V state one sequence keeps per context position (the activation
  /// products' running sums over keys), elements; the batched run mode
  /// sizes B from it.
  int64_t kvElementsPerPosition = 0;
  /// Element ops per token of everything between the neurons and the
  /// synapses (maps, products, adds), by the op class that runs them
  /// (index: OpClass).
  std::array<double, kOpClasses> glueOpsByClass{};
  /// Element ops per token of the dense ends that run on the host: the
  /// embedding, the encoder and decoder, the output head's MACs.
  double hostOpsPerToken = 0;
  bool ratesMeasured = false; ///< else every rate is the uniform fallback
};

/// One placed piece on one core.
struct Piece {
  enum Kind { SiteNeurons, SynapseTile, Relay, Glue } kind;
  int owner = 0;       ///< site, synapse group or glue index
  int64_t first = 0;   ///< first neuron / output of the piece
  int64_t count = 0;   ///< neurons / outputs
  int64_t inFirst = 0; ///< synapse tiles: first input
  int64_t inCount = 0; ///< synapse tiles: inputs
  /// synapse tiles: input axons (synapse rows) per input: 2 where a binary
  /// core's negated rows carry the negative spikes, else 1
  int64_t axonsPerInput = 1;
  int core = -1; ///< global core index, kHost, or programmableCoreOf(chip)
};

/// A neuron whose spikes reach more than max_fan_out cores: they go to one
/// input axon of a free core, where `copies` copy neurons re-send them, each
/// to at most max_fan_out of the destination cores.
struct CopyGroup {
  int sitePiece = 0;   ///< the SiteNeurons piece holding the neuron
  int64_t channel = 0; ///< the neuron's channel in its site
  int core = 0;        ///< the copy core
  int64_t axon = 0;    ///< the input axon there
  int64_t copies = 0;  ///< copy neurons: ceil(destination cores / fan-out)
};

/// Core indices off the neuron mesh.
constexpr int kHost = -1;
inline int programmableCoreOf(int chip) { return -2 - chip; }

struct MappingResult {
  std::vector<Piece> pieces;
  int64_t neuronCores = 0;           ///< cores holding neurons or synapses
  int64_t lowerBoundCores = 0;       ///< from total memory and neurons
  int64_t relayPieces = 0;           ///< partial-sum relays (fan-in splits)
  std::vector<CopyGroup> copyGroups; ///< fan-out splits, in emission order
  int64_t copyNeurons = 0, copyCores = 0;
  int64_t programmableCores = 0, hostGlue = 0;
  // Per token.
  double messages = 0, trafficHops = 0; ///< trafficHops: messages x hops
  /// The part of messages and message-hops that carries site spikes (and
  /// scales with the rate); the rest goes once per step (partial sums,
  /// glue outputs).
  double spikeMessages = 0, spikeMessageHops = 0;
  double interCoreMessages = 0;
  double synapticOps = 0, neuronUpdates = 0, glueOps = 0, hostMessages = 0;
  /// Synaptic ops counted per spike (a graded spike of k counts k), as
  /// binary hardware and the SOP convention count them; equal to
  /// synapticOps on binary chips.
  double spikeSynapticOps = 0;
  std::vector<double> groupSynapticOps; ///< per synapse group
  /// Synaptic ops per token on each neuron core that does any (global
  /// core index, ops), in core order; for the mapping's picture.
  std::vector<std::pair<int, double>> coreSynapticOps;
  /// Messages per token between two neuron cores, heaviest first.
  struct RouteLoad {
    int from = 0, to = 0;
    double messages = 0;
  };
  std::vector<RouteLoad> routeLoads;
  double latencyNs = 0;
  /// Per neuron layer on the token's path, in site order: its time per
  /// token, T x its sub-steps x (time step + barrier), twice that where
  /// its spikes pass through copy neurons. latencyNs is their sum.
  std::vector<double> stageNs;
  /// Mean spikes, and events (neuron-steps with a spike: messages on a
  /// graded chip), per neuron and time step over every site (an IF site's
  /// sub-steps summed over the step), weighted by neurons.
  double meanSpikeRate = 0, meanEventRate = 0;
  /// Graded chips pay per event, binary chips per spike: the rate the
  /// rate-dependent energy scales with (rate()).
  bool rateIsEvents = false;
  double rate() const { return rateIsEvents ? meanEventRate : meanSpikeRate; }
  /// Chips the mapping occupies; static power is billed for these.
  int64_t chipsUsed = 1;
  int64_t maxRoutingEntries = 0;
  // Energy per token, pJ, by kind (static: batch-1 decode, latencyNs).
  double synapticPj = 0, neuronPj = 0, spikePj = 0, hopPj = 0, staticPj = 0;
  /// Glue energy per token by op class (index: OpClass), on the core type
  /// (or host) that runs the class.
  std::array<double, kOpClasses> gluePjByClass{};
  /// false: its runner gives no price
  std::array<bool, kOpClasses> gluePricedByClass{};
  double gluePj = 0;
  /// The host's dense ends: ops and energy per token (host_op_pj).
  double hostOps = 0, hostPj = 0;
  /// Glue ops on a core type (or host) whose op energy the chip file does
  /// not give: counted, not priced.
  double unpricedGlueOps = 0;
  /// K/V state bits one sequence needs at the input's context, and what
  /// the cores running the activation products hold.
  double kvBitsPerSequence = 0, kvMemoryBits = 0;
  /// The products run on the host, whose memory the chip file does not
  /// bound.
  bool kvOnHost = false;
  double synopPj = 0;         ///< one synaptic op (graded or binary)
  int64_t availableCores = 0; ///< neuron cores of the whole system
  /// The part of spikePj and hopPj spent on the messages that carry site
  /// spikes.
  double spikeTrafficPj = 0;
  /// Energy that scales with the rate(): synaptic ops and the messages
  /// (and hops) that carry site spikes.
  double rateDependentPj() const { return synapticPj + spikeTrafficPj; }
  double dynamicPj() const {
    return synapticPj + neuronPj + spikePj + hopPj + gluePj + hostPj;
  }
  double totalPj() const { return dynamicPj() + staticPj; }
};

enum class Placement { Optimized, RoundRobin };

/// Maps the graph onto the chip; errors name what does not fit and where.
Result<MappingResult> mapToChip(const MappingInput &input,
                                const ChipDescription &chip,
                                Placement placement = Placement::Optimized);

/// XY-routing hops between two global core indices (cores of one chip lie
/// row-major on its mesh; chips sit side by side in x).
int64_t meshHops(const ChipDescription &chip, int a, int b);

/// A neuron core's (x, y) on the system's mesh: chip c's core k sits at
/// (c x meshX + k mod meshX, k div meshX).
std::pair<int64_t, int64_t> meshPosition(const ChipDescription &chip, int core);

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_CHIPMAPPING_H
