//===- RunModes.h - Ways to run a mapped model, and what they cost -*- C++ -*-//
//
// A mapped model's neuron layers form a pipeline: layer l works on one
// token while layer l+1 works on the one before. The mapping's counts
// (spike/core/Chip/ChipMapping.h) give the dynamic energy of a token; how
// many tokens are in flight decides its share of the static power. Three
// ways to run, as a user would (issue #17):
//   - decode, batch 1: one token crosses every layer alone;
//   - decode, batch B: B independent sequences in flight, one token each;
//   - prefill: a P-token prompt streams through the pipeline.
// And the references a reader knows, each labelled as what it is, with
// the spike rate at which the SNN would match each one.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_CHIP_RUNMODES_H
#define SPIKE_CORE_CHIP_RUNMODES_H

#include "spike/core/Chip/ChipMapping.h"

#include <string>
#include <vector>

namespace spike::core {

/// One way to run: its timing and energy per token.
struct RunMode {
  std::string name;
  int64_t batch = 1;  ///< sequences in flight
  int64_t prompt = 0; ///< prefill: prompt tokens; 0 for decode
  /// Decode: a token's time through every layer (for one sequence);
  /// prefill: the whole prompt's.
  double latencyNs = 0;
  double tokensPerSecond = 0;
  double staticPj = 0;  ///< per token: static power x time / tokens
  double dynamicPj = 0; ///< per token: everything the token does
  double totalPj() const { return staticPj + dynamicPj; }
};

struct RunModes {
  RunMode decode, batched, prefill;
  int64_t pipelineDepth = 0; ///< neuron layers on a token's path
  /// Sequences whose K/V state fits the memory of the cores that run the
  /// activation products (0: not one); -1: not bounded here (no K/V state,
  /// or it lives on the host).
  int64_t maxBatchByMemory = -1;
  /// Whether the batched mode's K/V state fits; when not, the rest would
  /// live off chip, and neither its time nor its energy is counted.
  bool kvFits = true;
};

/// `batch` sequences for batched decode (0: the pipeline depth, capped by
/// memory where bounded, at least 1); `prompt` tokens for prefill (>= 1).
/// Time per token: decode batch 1, r.latencyNs (the stages' sum); batch
/// B, max(latency, B x slowest stage) per B tokens; prefill, latency +
/// (P - 1) x slowest stage per P tokens. Static energy is the chip
/// system's static power over that time.
RunModes runModes(const MappingResult &r, const ChipDescription &chip,
                  int64_t batch, int64_t prompt);

/// A reference point a reader can set the SNN beside.
struct Reference {
  std::string name;
  std::string kind;   ///< "computed" (from our counts) or "published"
  std::string source; ///< citation or chip-file source id
  double pjPerToken = 0;
  double tokensPerSecond = 0; ///< 0 where it does not apply
  std::string note;           ///< what differs from the SNN's setting
};

/// The SOP convention of the spiking-LLM papers (Horowitz, ISSCC 2014,
/// 45 nm, 32-bit float): an accumulate 0.9 pJ, a multiply-accumulate 4.6 pJ
/// (3.7 + 0.9).
constexpr double kSopAccumulatePj = 0.9, kSopMacPj = 4.6;

/// The dense references: the chip file's int8 dense accelerator (when
/// given); the SOP convention's ANN, MACs x 4.6 pJ from our counts; a
/// published edge-GPU measurement of a small LLM.
std::vector<Reference> references(const MappingInput &in,
                                  const ChipDescription &chip);

/// Where `mode` would match a reference's energy per token: at some rate
/// (r.rate(): events per neuron and step on graded chips, spikes on binary
/// ones), at any rate (the SNN's rate-independent part is below it and
/// nothing scales with the rate), or at none (the rate-independent part,
/// neuron updates, glue, per-step messages and static, alone exceeds it).
struct BreakEven {
  enum Kind { None, Any, At } kind = None;
  double rate = 0; ///< for At
};
BreakEven breakEven(const MappingResult &r, const RunMode &mode, double pj);

/// This SNN in the SOP convention: one accumulate (0.9 pJ) per spike and
/// synapse, a graded spike of k counting k as the papers' integer spikes
/// do; no neuron, traffic or static energy, as those papers count.
inline double sopSnnPj(const MappingResult &r) {
  return r.spikeSynapticOps * kSopAccumulatePj;
}

/// MACs of the linear layers per token (the dense reference's work).
double denseMacs(const MappingInput &in);

} // namespace spike::core

#endif // SPIKE_CORE_CHIP_RUNMODES_H
