//===- Executor.h - Runs a plan on token ids --------------------*- C++ -*-===//
//
// Batched-T execution: every activation of a spiking plan carries its T
// steps in a leading dimension, and each op processes all steps at once;
// neuron dynamics are fused loops over t (Kernels.h). FP and QANN plans run
// the same kernels without the time dimension.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_EXECUTOR_H
#define SPIKE_RUNTIME_EXECUTOR_H

#include "spike/runtime/Kernels.h"
#include "spike/runtime/Plan.h"
#include "spike/runtime/TrainableNeuron.h"
#include "spike/runtime/TrainableWeight.h"

namespace spike::runtime {

/// Spikes emitted per site during the runs of an executor (NeuronCounts:
/// spikes, events, their negative shares, cap hits).
struct SpikeCounts : NeuronCounts {
  int64_t neurons = 0; ///< elements of one step (all tokens) in the last run
  int64_t slots = 0;   ///< neuron-steps (x sub-steps) simulated
  /// Synaptic operations of the linear layers that read this site: events
  /// times their fan-out; and the MACs the dense QANN spends on them.
  int64_t synapticOps = 0, denseMacs = 0;
  /// The counts since `earlier`, a snapshot of the same site (`neurons`
  /// is kept: it describes the last run).
  void subtract(const SpikeCounts &earlier) {
    NeuronCounts::subtract(earlier);
    slots -= earlier.slots;
    synapticOps -= earlier.synapticOps;
    denseMacs -= earlier.denseMacs;
  }
};

/// Activation statistics of an observe site (PrefixQuant-style: the max of
/// |x| per batch, with an exponential moving average over batches).
struct SiteStats {
  double absmax = 0, emaAbsmax = 0;
  int64_t batches = 0;
  std::vector<float> channelAbsmax;
  std::vector<float> sample; ///< a uniform sample of the values seen
  int64_t seen = 0;          ///< values offered to the sample
  /// For bits 2..8: the clipping ratio of emaAbsmax with the least
  /// quantization MSE on `sample` (filled by searchClipping).
  std::map<int, double> mseClip;
};

/// PrefixQuant's grid search: 8 ratios in [0.25, 0.95] and 1.0, then 10
/// around the best, per bit width 2..8; signed grids except for unsigned
/// sites (the softmax output).
void searchClipping(SiteStats &stats, bool isUnsigned);

/// What incremental decoding keeps between calls: the positions already
/// processed and, per attention product, the key-side operand of those
/// positions: K and V at the FP and QANN levels; at the spiking levels the
/// running sums S_K(t) and S_V(t) of their trains for t = 1..T, which is
/// all the products P(t) = S_Q(t) S_K(t) need (so T times the QANN's
/// cache). Decoding with the cache gives the full pass's logits up to the
/// rounding of reductions over a different length (the full pass's softmax
/// rows also hold the masked future keys).
struct DecodeCache {
  int64_t positions = 0; ///< prefix included
  /// By op index: [..., P, Dh], or [T, ..., P, Dh] running sums.
  std::map<size_t, at::Tensor> keys;
  int64_t bytes() const;
};

class Executor {
public:
  explicit Executor(const Plan &plan);

  /// PrefixQuant's prefix: prepended to every sequence, passed through
  /// quantizers and neurons at full precision, excluded from statistics and
  /// from the returned logits. Defaults to the plan's.
  void setPrefix(std::vector<int64_t> tokens) {
    prefix_ = std::move(tokens);
    prefixState_ = DecodeCache();
  }

  /// Runs the plan on `tokens` ([B, S] int64) and returns its first output
  /// (the logits, [B, S, V]). With a cache, `tokens` continue the positions
  /// the cache holds and the cache is extended. The prefix's positions are
  /// the same for every sequence, so their keys and values are constants of
  /// the attention state: the first call of a sequence starts from them
  /// (prefixState), at every level, the IF level included, where binary
  /// neurons could not carry the prefix's full-precision values.
  core::Result<at::Tensor> forward(const at::Tensor &tokens,
                                   DecodeCache *cache = nullptr);

  /// Runs one op of the plan on `values` (indexed by value slot) and
  /// returns its result, batched over all time steps.
  at::Tensor run(const PlanOp &op, const std::vector<at::Tensor> &values);

  /// Spike counts per site. On a CUDA device the kernels count on the
  /// device; this reads those counters (one host sync) and adds them in.
  const std::map<std::string, SpikeCounts> &spikeCounts() const {
    settleDeviceCounts();
    return counts_;
  }
  const std::map<std::string, SiteStats> &siteStats() const { return stats_; }
  std::map<std::string, SiteStats> &siteStats() { return stats_; }
  /// EMA factor for the statistics (PrefixQuant: 0.99).
  void setEma(double ema) { ema_ = ema; }

  /// While set, the IS neurons of these sites run the differentiable form
  /// with the given parameters (calibration); others run the kernels.
  void setTrainable(const TrainableSites *sites) { trainable_ = sites; }
  /// While set (with trainable sites), their neurons add their spikes to
  /// `tape` (calibration's spike penalty).
  void setSpikeTape(SpikeTape *tape) { tape_ = tape; }
  /// While set, the linears whose weights these name run with the learnt
  /// weights on their grid (weight calibration); others use the plan's.
  void setTrainableWeights(const TrainableWeights *weights) {
    trainableWeights_ = weights;
  }

  /// Chip numerics: IF neurons run in the chip's integer membrane format
  /// (ChipNumerics); the rest of the model is unchanged.
  void setChipNumerics(ChipNumerics chip) {
    chip_ = chip;
    prefixState_ = DecodeCache(); // its weights may differ
    chipWeights_.clear();
    exactWeights_.clear();
  }
  /// Chip numerics run IS neurons the same way (graded spike counts).
  /// While set (with chip numerics), each forward records what crosses a
  /// chip's neuron cores, as [steps, rows, width] tensors: per neuron site
  /// "<site>.charge" (int64 fixed-point charges in) and "<site>.spikes"
  /// (IF: uint8, steps x L sub-steps; IS: int64 counts per step); per
  /// linear reading a site "<weight>.accum" (int64: its integer weight
  /// codes times each step's spike counts). Prefix positions, which run on
  /// the host, are left out.
  void setChipTrace(std::map<std::string, at::Tensor> *trace) {
    trace_ = trace;
  }

  /// While set, each forward records every neuron site's input and output
  /// in the runtime's own numerics, as [steps, rows, width] tensors:
  /// "<site>.current" (f32, each step's input current) and "<site>.spikes"
  /// (IF: uint8, steps x L sub-steps; IS: int16 graded spikes s(t), steps
  /// T). With the neuron's parameters that is everything a re-simulation
  /// needs (test/Target/NIR re-simulates the NIR export from it). Prefix
  /// positions are left out. Rows flatten all but the last dimension.
  void setNeuronTrace(std::map<std::string, at::Tensor> *trace) {
    neuronTrace_ = trace;
  }

  /// While set, forward() adds each op's wall time (seconds) to
  /// `(*seconds)[op.name]`, "accum_map(fn)" for accumulate-difference maps
  /// (spike-run eval --profile). Timing a CUDA op
  /// measures its launch, not its run.
  void setProfile(std::map<std::string, double> *seconds) {
    profile_ = seconds;
  }

  /// The attention state of the prefix alone (batch 1): every position
  /// passes its quantizers and neurons at full precision, as on the host.
  /// Computed on first use and kept. Empty without a prefix.
  const DecodeCache &prefixState();

  /// `tokens` ([B, S]) with the prefix prepended.
  at::Tensor withPrefix(const at::Tensor &tokens) const;
  int64_t prefixLength() const { return int64_t(prefix_.size()); }
  /// Token positions run by forward() so far (batch x length, prefix
  /// included).
  int64_t tokensRun() const { return tokensRun_; }

private:
  const Plan &plan_;
  std::vector<int64_t> prefix_;
  mutable std::map<std::string, SpikeCounts> counts_;
  /// Per neuron op (by index) run on a CUDA device: int64 [2] counters
  /// (spikes, events) not yet added to counts_.
  mutable std::map<size_t, at::Tensor> deviceCounts_;
  void settleDeviceCounts() const;
  std::map<std::string, SiteStats> stats_;
  /// Per op: the site of the neuron whose spikes a linear op reads (through
  /// if_collect), or "".
  std::vector<std::string> linearSite_;
  /// Per neuron op: the summed out-features of the linear ops reading it.
  std::vector<int64_t> fanOut_;
  double ema_ = 0.99;
  uint64_t sampleState_ = 1;
  const TrainableSites *trainable_ = nullptr;
  SpikeTape *tape_ = nullptr;
  const TrainableWeights *trainableWeights_ = nullptr;
  ChipNumerics chip_;
  /// Per linear op: its weight in the chip's format, when narrower.
  std::map<size_t, at::Tensor> chipWeights_;
  std::map<std::string, at::Tensor> *trace_ = nullptr;
  std::map<std::string, at::Tensor> *neuronTrace_ = nullptr;
  std::map<std::string, double> *profile_ = nullptr;
  DecodeCache *cache_ = nullptr; ///< during a cached forward
  DecodeCache prefixState_;      ///< see prefixState()
  bool prefixPass_ = false;      ///< computing prefixState_
  int64_t offset_ = 0;           ///< position of the first row being run
  int64_t tokensRun_ = 0;

  /// Rows at the start of the running positions that are prefix positions.
  int64_t bypassRows() const {
    return std::max<int64_t>(0, int64_t(prefix_.size()) - offset_);
  }
  /// Runs a neuron kernel (called with the SpikeTally to fill, or null)
  /// on `x` and adds its counts to op's site; the prefix's pass counts
  /// nothing (it runs on the host). `index`: op's index in the plan.
  template <typename Kernel>
  at::Tensor countSpikes(const PlanOp &op, const at::Tensor &x, size_t index,
                         Kernel kernel);
  /// forward() without the prefix's state: `ids` continue `cache`.
  core::Result<at::Tensor> forwardPositions(const at::Tensor &ids,
                                            DecodeCache *cache);
  /// The key-side operand extended by the cached positions of op `index`.
  at::Tensor withCachedKeys(size_t index, const at::Tensor &rhs);

  void observe(const std::string &site, const at::Tensor &x);
  /// [steps, ..., S, width] -> [steps, rows, width] on the CPU, without
  /// the first `bypass` positions along S.
  static at::Tensor asSteps(const at::Tensor &x, int64_t bypass = 0);
  /// A linear's f32 weight as the chip holds it (chip numerics), else as
  /// the plan does (linearWeight: made from the codes on each call).
  at::Tensor chipWeight(const PlanOp &op, size_t index);
  /// The defined arithmetic of the products (docs/Runtime.md) at the QANN
  /// and spiking levels: integers where the operands lie on grids
  /// (ExactProduct.h), the fixed order elsewhere (OrderedProduct.h). FP
  /// plans and calibration (trainable sites or weights, operands under
  /// autograd) keep the BLAS products.
  bool definedArithmetic(const at::Tensor &x) const {
    return plan_.quantized() && !trainable_ && !trainableWeights_ &&
           !x.requires_grad();
  }
  /// A linear op on its input x: the product, its bias, and its counts.
  at::Tensor runLinear(const PlanOp &op, size_t index, const at::Tensor &x);
  /// A linear op's product x · wᵀ (without its bias); `learnt`: the weight
  /// calibration is learning, if any.
  at::Tensor linearProduct(const PlanOp &op, size_t index, const at::Tensor &x,
                           const at::Tensor &learnt);
  /// Attention's lhs · op(rhs); `steps`: how many steps the operands'
  /// running sums span (1 for values of one step).
  at::Tensor attentionProduct(const PlanOp &op, const at::Tensor &lhs,
                              const at::Tensor &rhs, int64_t steps);
  /// Per quantized linear op reading a grid: its integer codes (those of
  /// the chip's format under chip numerics) and its output scales, the
  /// input scale times each row's weight scale (kept while the scale and
  /// the plan's codes are the same: calibration changes both in place).
  struct ExactWeight {
    at::Tensor codes, outScale;
    float inScale = 0;
    const void *source = nullptr; ///< the plan's codes they came from
  };
  std::map<size_t, ExactWeight> exactWeights_;
  const ExactWeight &exactWeight(const PlanOp &op, size_t index, float inScale);
  std::vector<GridSource> gridSources_; ///< per value slot
  /// The grid of an op's input `i`, or none (ops built outside the plan).
  ValueGrid inputGrid(const PlanOp &op, size_t i) const;
  /// Records "<weight>.accum" for a linear reading an IF site.
  void traceAccumulation(const PlanOp &op, const std::string &site,
                         const at::Tensor &input);
};

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_EXECUTOR_H
