//===- Neuron.h - Spiking neuron math, the one source of truth --*- C++ -*-===//
//
// The activation quantizer, the Integer-Spiking (IS) neuron (paper eqs 8-10)
// and its Theorem-2 / Remark-1 parameterization. The MLIR verifiers and
// folders, the unit tests and the runtime kernels all call these functions;
// nothing else may re-derive them.
//
// Header-only, exception-free and MLIR-free, so that code built with
// -fno-exceptions can include it.
//
// Numerics: the neuron works in threshold units (membrane u = v / theta). The
// quantizer is written as the T = 1 neuron's expression, ((x / s) + 1/2) +
// offset, so that the QANN and the T = 1 spiking model agree bit for bit
// rather than to a tolerance. Rounding is half-up everywhere (the paper's
// eq. 7 floor is a typo for round; std::nearbyint would round half to even).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_NEURON_NEURON_H
#define SPIKE_CORE_NEURON_NEURON_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>

// The CUDA kernels (runtime/cuda) call the same functions on the device.
#if defined(__CUDACC__)
#define SPIKE_HOST_DEVICE __host__ __device__
#else
#define SPIKE_HOST_DEVICE
#endif

namespace spike::neuron {

/// Bits supported by quantizers and IS neurons.
inline constexpr int kMinBits = 2;
inline constexpr int kMaxBits = 8;

inline constexpr bool isPowerOfTwo(int64_t v) {
  return v > 0 && (v & (v - 1)) == 0;
}

/// Integer code range of an n-bit quantizer, as [0, 2^n - 1] shifted down by
/// `offset` (2^(n-1) when signed, 0 when unsigned).
struct QuantGrid {
  int64_t maxCode; ///< 2^n - 1
  int64_t offset;  ///< 2^(n-1) if signed, else 0
  int64_t lo() const { return -offset; }
  int64_t hi() const { return maxCode - offset; }
};

inline constexpr QuantGrid quantGrid(int bits, bool isSigned) {
  return {(int64_t(1) << bits) - 1, isSigned ? (int64_t(1) << (bits - 1)) : 0};
}

/// Clamped integer level k in [0, 2^n - 1] of x on a grid of step `scale`:
/// floor(((x / scale) + 1/2) + offset). The parenthesization is part of the
/// contract (see the file comment).
template <typename F>
SPIKE_HOST_DEVICE inline F quantizeLevel(F x, F scale, const QuantGrid &g) {
  F y = x / scale;
  y = y + F(0.5);
  y = y + F(g.offset);
  F k = std::floor(y);
  // std::min(std::max(k, 0), maxCode), written without the references those
  // return, so that compilers vectorize loops over it.
  k = k < F(0) ? F(0) : k;
  return F(g.maxCode) < k ? F(g.maxCode) : k;
}

/// The static activation quantizer of the QANN: scale * clip(round_half_up(
/// x / scale), -2^(n-1), 2^(n-1) - 1) for signed grids, [0, 2^n - 1] else.
template <typename F>
SPIKE_HOST_DEVICE inline F quantize(F x, F scale, const QuantGrid &g) {
  return (quantizeLevel(x, scale, g) - F(g.offset)) * scale;
}

/// The parameter group of channel `c` of `d` when `groups` values cover the
/// channels in equal contiguous runs (1: per tensor; d: per channel).
SPIKE_HOST_DEVICE inline int64_t groupOf(int64_t c, int64_t d, int64_t groups) {
  return c / (d / groups);
}

/// A weight on the symmetric per-channel n-bit grid of `qnn.linear`:
/// scale * clip(round_half_up(w / scale), -(2^(n-1) - 1), 2^(n-1) - 1).
template <typename F> inline int64_t weightCode(F w, F scale, int bits);
template <typename F> inline F quantizeWeight(F w, F scale, int bits) {
  return F(weightCode(w, scale, bits)) * scale;
}

/// The default per-channel weight scale of an n-bit symmetric grid:
/// max|w| / (2^(n-1) - 1) over the channel (1 for an all-zero channel).
template <typename F> inline F weightScale(const F *row, int64_t n, int bits) {
  F amax = 0;
  for (int64_t i = 0; i < n; ++i)
    amax = std::max(amax, std::fabs(row[i]));
  return amax > F(0) ? amax / F((int64_t(1) << (bits - 1)) - 1) : F(1);
}

/// How an IS neuron carries a signed value in spikes.
enum class SpikeCoding {
  /// The paper's (Theorem 2): alpha = 2^(n-1) / T spikes per step stand for
  /// zero, and spikes are non-negative, so a zero costs alpha spikes.
  Offset,
  /// Ours: zero is silence. Spikes carry a sign (+1 or -1), the membrane
  /// starts at u0 = 1/2, and the window's count stays on the quantizer's
  /// n-bit grid, signed or unsigned (signedCodeParams, isStepOn). On an
  /// unsigned grid the negative spikes are corrections, as SpikeZIP-TF's.
  Signed,
};

inline const char *codingName(SpikeCoding c) {
  return c == SpikeCoding::Signed ? "signed" : "offset";
}

/// Parses "offset" / "signed"; false if unknown.
inline bool parseCoding(const std::string &name, SpikeCoding &out) {
  if (name == "offset")
    out = SpikeCoding::Offset;
  else if (name == "signed")
    out = SpikeCoding::Signed;
  else
    return false;
  return true;
}

/// Parameters of an IS neuron (eqs 8-10, or the signed code).
struct ISParams {
  int64_t levels = 0; ///< L: most spikes per step (of either sign)
  double alpha = 0;   ///< per-step offset in threshold units (offset code)
  int64_t budget = 0; ///< most spikes over the window; 0 means no budget
  /// Correction spikes (SpikeZIP-TF style): a step may emit negative spikes,
  /// down to cancelling those already emitted in the window, so the
  /// window's count follows floor(u0 + total charge) however the charge is
  /// spread over the steps.
  bool bidirectional = false;
  SpikeCoding coding = SpikeCoding::Offset;
  /// Signed code: the window's count stays in [lo, hi], the n-bit grid
  /// [-2^(n-1), 2^(n-1) - 1]; -lo is the grid's integer offset.
  int64_t lo = 0, hi = 0;
};

/// Theorem 2 / Remark 1: L = ceil((2^n - 1) / T), alpha = 2^(n-1) / T for a
/// signed grid (0 for unsigned), and the cumulative budget 2^n - 1. T must be a
/// power of two with T <= 2^(n-1) so that alpha is an integer. Returns nullptr
/// on success and a static diagnostic string otherwise.
inline const char *theorem2Params(int bits, int64_t timesteps, bool isSigned,
                                  bool withBudget, ISParams &out) {
  if (bits < kMinBits || bits > kMaxBits)
    return "bits must be in [2, 8]";
  if (!isPowerOfTwo(timesteps))
    return "T must be a power of two";
  if (timesteps > (int64_t(1) << (bits - 1)))
    return "T must be at most 2^(bits-1)";
  QuantGrid g = quantGrid(bits, isSigned);
  out.levels = (g.maxCode + timesteps - 1) / timesteps;
  out.alpha = double(g.offset) / double(timesteps);
  out.budget = withBudget ? g.maxCode : 0;
  return nullptr;
}

/// The signed code's parameters for an n-bit grid and T steps: on a signed
/// grid [-2^(n-1), 2^(n-1) - 1], L = ceil(2^(n-1) / T), so that T * L >=
/// 2^(n-1) and a uniform input on the grid never meets the per-step cap;
/// on an unsigned grid [0, 2^n - 1] (`unsignedGrid`), L = ceil((2^n - 1) /
/// T) for the same reason. Alpha 0 and no budget (the window count is
/// clipped to [lo, hi] instead). Any T from 1 to kMaxSignedSteps. Returns
/// nullptr on success and a static diagnostic string otherwise.
inline constexpr int64_t kMaxSignedSteps = 1024;
inline const char *signedCodeParams(int bits, int64_t timesteps, ISParams &out,
                                    bool unsignedGrid = false) {
  if (bits < kMinBits || bits > kMaxBits)
    return "bits must be in [2, 8]";
  if (timesteps < 1 || timesteps > kMaxSignedSteps)
    return "T must be in [1, 1024]";
  QuantGrid g = quantGrid(bits, !unsignedGrid);
  int64_t reach = unsignedGrid ? g.hi() : -g.lo(); // largest |value|
  out = ISParams();
  out.coding = SpikeCoding::Signed;
  out.levels = (reach + timesteps - 1) / timesteps;
  out.lo = g.lo();
  out.hi = g.hi();
  return nullptr;
}

/// The largest per-step cap L of the signed code for n bits: 2^n - 1, the
/// grid's whole width, which no step can exceed (the window count stays in
/// [lo, hi]); with it the cap never binds. signedCodeParams' L is the
/// smallest cap; any L between them is allowed (a larger L costs payload
/// bits of a graded spike, or binary sub-steps, not spikes). The same for
/// either grid.
inline constexpr int64_t signedMaxLevels(int bits) {
  return (int64_t(1) << bits) - 1;
}

/// Whether an IS neuron's grid is signed: signed sites carry the offset
/// alpha = 2^(n-1) / T of Theorem 2, unsigned ones (the softmax output)
/// have alpha 0. The one rule for the verifiers, the validators,
/// calibration and the runtime.
inline bool isSignedGrid(double alpha) { return alpha != 0; }

/// The same for a neuron's parameters: the signed code names its grid
/// (lo < 0 when signed); the offset code's follows from alpha.
inline bool isSignedGrid(const ISParams &p) {
  return p.coding == SpikeCoding::Signed ? p.lo < 0 : isSignedGrid(p.alpha);
}

/// The result of checkISParams: `field` names the parameter that is wrong
/// ("levels", "alpha", "bits", "budget", "bidirectional", "coding" or
/// "unsigned"), `message` says how; both empty when the parameters are
/// valid.
struct ParamError {
  std::string field, message;
  explicit operator bool() const { return !message.empty(); }
};

/// An IS neuron's levels L and offset alpha (eqs 8-10: L >= 1, alpha in
/// [0, L]) and, when `bits` > 0, their Theorem-2 values for T steps; for
/// the signed code, alpha 0, no budget, no correction spikes, `bits` given
/// and L from signedCodeParams' up to signedMaxLevels, on the signed grid
/// or, with `unsignedGrid`, the unsigned one (which only the signed code
/// names: the offset code's grid follows from alpha). One rule for the IR
/// verifier (SpikeOps.cpp) and the plan and NIR-manifest validators
/// (Formats.cpp), which print the same message.
inline ParamError
checkISParams(int64_t levels, double alpha, int bits, int64_t timesteps,
              SpikeCoding coding = SpikeCoding::Offset, bool hasBudget = false,
              bool bidirectional = false, bool unsignedGrid = false) {
  auto number = [](double v) {
    char buf[32];
    if (v == std::floor(v) && std::fabs(v) < 1e15)
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    else
      std::snprintf(buf, sizeof buf, "%.9g", v);
    return std::string(buf);
  };
  if (levels < 1)
    return {"levels", "levels L must be >= 1, got " + std::to_string(levels)};
  if (!(alpha >= 0 && alpha <= double(levels)))
    return {"alpha", "alpha must be in [0, L] = [0, " + std::to_string(levels) +
                         "], got " + number(alpha)};
  std::string with =
      std::to_string(bits) + " bits and T=" + std::to_string(timesteps);
  if (coding == SpikeCoding::Signed) {
    if (alpha != 0)
      return {"alpha", "the signed code has no offset: alpha must be 0, got " +
                           number(alpha)};
    if (hasBudget)
      return {"budget", "the signed code has no spike budget: its window "
                        "count is clipped to the n-bit grid"};
    if (bidirectional)
      return {"bidirectional", "the signed code has negative spikes of its "
                               "own; correction spikes do not apply"};
    if (bits <= 0)
      return {"bits", "the signed code needs bits (its grid)"};
    ISParams p;
    if (const char *err = signedCodeParams(bits, timesteps, p, unsignedGrid))
      return {"bits", "signed code with " + with + ": " + err};
    int64_t top = signedMaxLevels(bits);
    if (levels < p.levels || levels > top)
      return {"levels", "the signed code with " + with +
                            (unsignedGrid ? " (unsigned grid)" : "") +
                            " requires levels in [" + std::to_string(p.levels) +
                            ", " + std::to_string(top) + "]"};
    return {};
  }
  if (unsignedGrid)
    return {"unsigned", "only the signed code names its grid's sign; the "
                        "offset code's follows from alpha (Theorem 2)"};
  if (bits <= 0)
    return {};
  ISParams p;
  if (const char *err =
          theorem2Params(bits, timesteps, isSignedGrid(alpha), true, p))
    return {"bits", "Theorem-2 parameterization with " + with + ": " + err};
  if (p.levels != levels || p.alpha != alpha)
    return {"levels", "Theorem 2 with " + with + " requires levels " +
                          std::to_string(p.levels) + " and alpha " +
                          number(p.alpha) + " (or 0 for an unsigned grid)"};
  return {};
}

/// The parameters of an IS neuron as the kernels take them: the code's
/// grid from `bits` and `unsignedGrid` for the signed code (checkISParams
/// has accepted them).
inline ISParams neuronParams(int64_t levels, double alpha, int64_t budget,
                             bool bidirectional, SpikeCoding coding, int bits,
                             bool unsignedGrid = false) {
  ISParams p;
  if (coding == SpikeCoding::Signed && bits > 0) {
    QuantGrid g = quantGrid(bits, !unsignedGrid);
    p.lo = g.lo();
    p.hi = g.hi();
  }
  p.levels = levels;
  p.alpha = alpha;
  p.budget = budget;
  p.bidirectional = bidirectional;
  p.coding = coding;
  return p;
}

/// State of one IS neuron: membrane in threshold units and spikes emitted.
template <typename F> struct ISState {
  F u;           ///< v / theta
  int64_t spent; ///< spikes emitted so far in this window
};

/// Initial state from v0 and theta (absolute units).
template <typename F>
SPIKE_HOST_DEVICE inline ISState<F> isInit(F v0, F theta) {
  return {v0 / theta, 0};
}

/// Whether a signed-code neuron stays silent on a zero input: its starting
/// membrane v0 / theta (in the kernels' f32, as isInit computes it) lies
/// in [0, 1). The rule the verifiers apply and calibration keeps.
inline bool signedV0Silent(double v0, double theta) {
  float u = isInit(float(v0), float(theta)).u;
  return u >= 0.0f && u < 1.0f;
}

/// One step of the IS neuron with input current `current` (absolute units).
/// Offset code (eqs 8-10): m = u + I/theta + alpha; s = clip(floor(m), lo,
/// min(L, budget - spent)) with lo = 0, or -spent with correction spikes;
/// u = m - s. Signed code: m = u + I/theta; s = clip(floor(m), max(-L,
/// lo - spent), min(L, hi - spent)); u = m - s. Returns the spike count
/// s(t) (negative for correction spikes and the signed code's negative
/// spikes); the real output is (s(t) - alpha) * theta (eq 10; alpha is 0 in
/// the signed code).
/// floor(m / one): std::floor for floating point, floor division for the
/// integer registers of chip numerics.
template <typename F> SPIKE_HOST_DEVICE inline F floorIn(F m, F one) {
  if constexpr (std::is_integral_v<F>) {
    F q = m / one;
    return (m % one != 0 && m < 0) ? q - 1 : q;
  } else {
    return std::floor(m / one);
  }
}

/// `one` is the threshold in F's units, as for ifSubstep: 1, or 2^f for a
/// chip's fixed-point membrane (F = int64_t, current = the chipCharge,
/// theta = 1).
/// The step on a membrane `u` and window count `spent` of count type C:
/// int64_t, or for float membranes also F itself, since every count is a
/// small integer that F holds exactly (|count| < 2^24), and then the step
/// uses no integer arithmetic, so that loops over neurons vectorize. Both
/// give the same bits.
/// The offset code's step (eqs 8-10), as isStepOn.
template <typename F, typename C>
SPIKE_HOST_DEVICE inline C offsetStepOn(F &u, C &spent, F current, F theta,
                                        const ISParams &p, F one = F(1)) {
  F m = u + current / theta;
  m = m + F(p.alpha) * one;
  C cap = C(p.levels);
  if (p.budget > 0) {
    C left = C(p.budget) - spent;
    cap = left < cap ? left : cap;
  }
  C lo = p.bidirectional ? C(-spent) : C(0);
  F k = floorIn(m, one);
  C s = k <= F(lo) ? lo : (k >= F(cap) ? cap : C(k));
  u = m - F(s) * one;
  spent = spent + s;
  return s;
}

/// The signed code's level of a membrane, floor(u), by the quantizer's own
/// expression (quantizeLevel): add the grid's integer offset, take the
/// floor, take the offset off again. At T = 1 (u0 = 1/2) this makes the
/// step the QANN bit for bit; floor(u) alone differs from it in f32 when u
/// is within rounding of an integer. The one rule for the IS step and the
/// IF window.
template <typename F>
SPIKE_HOST_DEVICE inline F signedLevel(F u, const ISParams &p, F one) {
  F offset = F(-p.lo);
  return floorIn(u + offset * one, one) - offset;
}

/// The signed code's step, as isStepOn.
template <typename F, typename C>
SPIKE_HOST_DEVICE inline C signedStepOn(F &u, C &spent, F current, F theta,
                                        const ISParams &p, F one = F(1)) {
  F m = u + current / theta;
  F k = signedLevel(m, p, one);
  C cap = C(p.levels);
  C lo = C(p.lo) - spent, hi = C(p.hi) - spent;
  lo = lo < -cap ? -cap : lo;
  hi = hi > cap ? cap : hi;
  C s = k <= F(lo) ? lo : (k >= F(hi) ? hi : C(k));
  u = m - F(s) * one;
  spent = spent + s;
  return s;
}

/// Whether the signed code's per-step cap L held back spikes in a step
/// that emitted `s`, leaving the membrane `u` and the window count
/// `spent`: |s| = L while the membrane is still a level or more beyond 0 in
/// the same direction and the window count has not reached the grid's end
/// (which would stop it anyway). Statistics only.
template <typename F, typename C>
SPIKE_HOST_DEVICE inline bool signedCapBound(F u, C spent, C s,
                                             const ISParams &p, F one = F(1)) {
  // Bitwise, not short-circuit: no branch, so row loops vectorize.
  F k = signedLevel(u, p, one);
  bool up = (s == C(p.levels)) & (spent < C(p.hi)) & (k >= F(1));
  bool down = (s == -C(p.levels)) & (spent > C(p.lo)) & (k <= F(-1));
  return up | down;
}

/// The step of either code. Loops over many neurons should pick
/// offsetStepOn or signedStepOn once, outside the loop: the branch on the
/// code inside keeps compilers from vectorizing it.
template <typename F, typename C>
SPIKE_HOST_DEVICE inline C isStepOn(F &u, C &spent, F current, F theta,
                                    const ISParams &p, F one = F(1)) {
  return p.coding == SpikeCoding::Signed
             ? signedStepOn(u, spent, current, theta, p, one)
             : offsetStepOn(u, spent, current, theta, p, one);
}

template <typename F>
SPIKE_HOST_DEVICE inline int64_t isStep(ISState<F> &st, F current, F theta,
                                        const ISParams &p, F one = F(1)) {
  return isStepOn<F, int64_t>(st.u, st.spent, current, theta, p, one);
}

/// The real-valued output of a step: (s - alpha) * theta (eq 10). At the IF
/// level the consumer computes the same expression from the window's binary
/// spike count, with -alpha * theta as its bias.
template <typename F, typename C = int64_t>
SPIKE_HOST_DEVICE inline F isOutput(C spikes, F theta, const ISParams &p) {
  return (F(spikes) - F(p.alpha)) * theta;
}

/// The largest |s - alpha| of one step's output (eq 10), in threshold
/// units: s in [-L, L] under the signed code; in [0, L] under the offset
/// code, down to -(T - 1) L with correction spikes (a step may cancel the
/// earlier steps' spikes). The exact synaptic products (the runtime's
/// ExactProduct.h) bound their integer sums with it.
inline double maxStepOutput(const ISParams &p, int64_t timesteps) {
  double l = double(p.levels);
  double lowest = p.coding == SpikeCoding::Signed ? -l
                  : p.bidirectional               ? -double(timesteps - 1) * l
                                                  : 0.0;
  return std::max(std::fabs(l - p.alpha), std::fabs(lowest - p.alpha));
}

/// The largest |S(t)| of the running sum of a window's outputs, S(t) =
/// sum over steps up to t of (s - alpha), t <= T: the signed code keeps the
/// window's count in [lo, hi]; otherwise T steps of maxStepOutput.
inline double maxWindowOutput(const ISParams &p, int64_t timesteps) {
  double steps = double(timesteps) * maxStepOutput(p, timesteps);
  if (p.coding != SpikeCoding::Signed)
    return steps;
  return std::min(steps, double(std::max(-p.lo, p.hi)));
}

//===----------------------------------------------------------------------===//
// Binary IF neurons and the IS -> IF schedules (Lemma 2, Appendix F)
//===----------------------------------------------------------------------===//

/// How one IS step of charge q = I(t)/theta + alpha reaches the L binary
/// sub-steps of the IF neuron that replaces it.
enum class IFSchedule {
  /// Ours, exact for every input: the whole charge is integrated before the
  /// first sub-step, then the neuron fires at most once per sub-step with
  /// subtractive reset. (Hardware: integrate window t while firing t-1.)
  IntegrateThenFire,
  /// The paper's Lemma 2: q / L on each sub-step. Equals the IS neuron only
  /// while every step's current stays in [-alpha*theta, (L-alpha)*theta).
  Uniform,
};

inline const char *scheduleName(IFSchedule s) {
  return s == IFSchedule::Uniform ? "uniform" : "integrate-then-fire";
}

/// Parses "integrate-then-fire" / "uniform"; false if unknown.
inline bool parseSchedule(const char *name, IFSchedule &out) {
  auto eq = [](const char *a, const char *b) {
    while (*a && *a == *b)
      ++a, ++b;
    return *a == *b;
  };
  if (eq(name, "integrate-then-fire")) {
    out = IFSchedule::IntegrateThenFire;
    return true;
  }
  if (eq(name, "uniform")) {
    out = IFSchedule::Uniform;
    return true;
  }
  return false;
}

/// One binary IF sub-step: integrate `charge` (threshold units), fire once
/// if u >= 1 and the budget allows, subtract the threshold on a spike.
/// `one` is the threshold in F's units: 1 in threshold units, 2^f for a
/// chip's fixed-point membrane (F = int64_t; see chipCharge). The count
/// type C as for offsetStepOn (float counts let row loops vectorize).
template <typename F, typename C>
SPIKE_HOST_DEVICE inline C ifSubstepOn(F &u, C &spent, F charge, int64_t budget,
                                       F one = F(1)) {
  u = u + charge;
  bool fire = (u >= one) & ((budget <= 0) | (spent < C(budget)));
  C s = fire ? C(1) : C(0);
  u = fire ? u - one : u;
  spent = spent + s;
  return s;
}

template <typename F>
SPIKE_HOST_DEVICE inline int ifSubstep(ISState<F> &st, F charge, int64_t budget,
                                       F one = F(1)) {
  return int(ifSubstepOn(st.u, st.spent, charge, budget, one));
}

/// How an IS step's charge q = current / theta reaches the L sub-steps of
/// its IF window: integrate-then-fire adds q to the membrane `u` at once
/// and then alpha at sub-step 0 and nothing after; uniform (Lemma 2) adds
/// (q + alpha) / L at every sub-step. Sets the charges of sub-step 0
/// (`first`) and of the others (`rest`), in F's units (`one` as for
/// ifSubstepOn).
template <typename F>
SPIKE_HOST_DEVICE inline void ifWindowCharges(F &u, F q, const ISParams &p,
                                              IFSchedule schedule, F one,
                                              F &first, F &rest) {
  if (schedule == IFSchedule::IntegrateThenFire) {
    u = u + q;
    first = F(p.alpha) * one;
    rest = F(0);
    return;
  }
  first = rest = (q + F(p.alpha) * one) / F(p.levels);
}

/// One IS step (window) carried out by a binary IF neuron over p.levels
/// sub-steps with the given schedule. Writes the sub-step spikes (0/1) to
/// `spikes` when non-null and returns their count, which integrate-then-fire
/// makes equal to isStep's s(t) for every input. With F = int64_t and
/// one = 2^f it is the chip's fixed-point neuron (current: the charge from
/// chipCharge, theta: 1).
template <typename F>
SPIKE_HOST_DEVICE inline int64_t
ifWindow(ISState<F> &st, F current, F theta, const ISParams &p,
         IFSchedule schedule, uint8_t *spikes = nullptr, F one = F(1)) {
  // The same expression as isStep, so the charge is bit-identical.
  F first, rest;
  ifWindowCharges(st.u, current / theta, p, schedule, one, first, rest);
  int64_t count = 0;
  for (int64_t j = 0; j < p.levels; ++j) {
    int s = ifSubstep(st, j == 0 ? first : rest, p.budget, one);
    count += s;
    if (spikes)
      spikes[j] = uint8_t(s);
  }
  return count;
}

/// The direction a signed IF window fires in, from its integrated membrane
/// `u`: +1 at level >= 1, -1 at level <= -1, else 0 (signedLevel).
template <typename F>
SPIKE_HOST_DEVICE inline F signedIfDirection(F u, const ISParams &p, F one) {
  F k = signedLevel(u, p, one);
  return k >= F(1) ? F(1) : (k <= F(-1) ? F(-1) : F(0));
}

/// One sub-step of a signed IF window firing in direction `dir` (+1, -1 or
/// 0): fires while the level stays beyond 0 that way and the window count
/// `spent` stays on the grid, then resets by one threshold. Returns the
/// sub-step's spike (dir or 0). Branch-free, so row loops vectorize; C as
/// for signedStepOn.
template <typename F, typename C>
SPIKE_HOST_DEVICE inline C signedIfSubstep(F &u, C &spent, C dir,
                                           const ISParams &p, F one) {
  F k = signedLevel(u, p, one);
  bool up = (dir > C(0)) & (spent < C(p.hi)) & (k >= F(1));
  bool down = (dir < C(0)) & (spent > C(p.lo)) & (k <= F(-1));
  C s = (up | down) ? dir : C(0);
  u = (up | down) ? u - F(dir) * one : u;
  spent = spent + s;
  return s;
}

/// One step (window) of a signed-code IS neuron carried out by a binary IF
/// neuron over p.levels sub-steps, integrate-then-fire: the step's whole
/// charge arrives first; the direction of firing is fixed from the
/// integrated membrane (+1 at level >= 1, -1 at level <= -1, by
/// signedLevel); then each sub-step fires at most once in that direction,
/// while the level stays beyond 0 and the window's count on the grid, with
/// subtractive (for -1: additive) reset. Writes the sub-step spikes (+1,
/// -1 or 0) to `spikes` when non-null and returns their sum, which equals
/// isStepOn's s(t), membrane included, for every input: each reset moves
/// the membrane by exactly one threshold, and the level is read with the
/// same expression. `one` as for ifWindow.
template <typename F>
SPIKE_HOST_DEVICE inline int64_t
signedIfWindow(ISState<F> &st, F current, F theta, const ISParams &p,
               int8_t *spikes = nullptr, F one = F(1)) {
  st.u = st.u + current / theta;
  int64_t dir = int64_t(signedIfDirection(st.u, p, one));
  int64_t count = 0;
  for (int64_t j = 0; j < p.levels; ++j) {
    int64_t s = signedIfSubstep(st.u, st.spent, dir, p, one);
    count += s;
    if (spikes)
      spikes[j] = int8_t(s);
  }
  return count;
}

//===----------------------------------------------------------------------===//
// Chip numerics: integer formats of a neuromorphic core
//===----------------------------------------------------------------------===//

/// Round half up to the fixed point with `frac` fractional bits.
inline int64_t toFixed(double x, int frac) {
  return int64_t(std::floor(std::ldexp(x, frac) + 0.5));
}

/// Fractional bits of a chip's membrane register of `stateBits` (signed)
/// for an IF neuron in threshold units: the integer part must hold the
/// largest membrane, below L + alpha + 1 after a window's charge, plus a
/// margin of 2^2 for large currents (saturated beyond).
inline int chipFracBits(int stateBits, const ISParams &p) {
  int64_t top = p.levels + int64_t(std::ceil(p.alpha)) + 1;
  int intBits = 1; // sign
  while ((int64_t(1) << (intBits - 1)) < top)
    ++intBits;
  return stateBits - intBits - 2;
}

/// Whether a chip neuron with a `stateBits` membrane and a `thresholdBits`
/// threshold holds an IS/IF neuron of L = p.levels and alpha = p.alpha: at
/// least one fraction bit, and the threshold 2^frac inside the threshold
/// field. It does not depend on theta, so it is checked before
/// calibration. The one rule for spike-check-chip and the chip emitter.
inline bool chipHoldsNeuron(int stateBits, int thresholdBits,
                            const ISParams &p) {
  int frac = chipFracBits(stateBits, p);
  int64_t maxThreshold = (int64_t(1) << std::min(62, thresholdBits - 1)) - 1;
  return frac >= 1 && frac < 63 && (int64_t(1) << frac) <= maxThreshold;
}

/// The fixed-point charge the host sends a chip's IF neuron for an input
/// current: I / theta in the IR's precision, then rounded to `frac` bits.
template <typename F> inline int64_t chipCharge(F current, F theta, int frac) {
  return toFixed(double(current / theta), frac);
}

/// A chip neuron's starting state: v0 / theta in the IR's precision, in the
/// membrane's fixed point.
template <typename F>
inline ISState<int64_t> chipInit(F v0, F theta, int frac) {
  return {toFixed(double(v0 / theta), frac), 0};
}

/// A membrane register of `stateBits` saturates rather than wraps.
inline int64_t saturate(int64_t u, int stateBits) {
  int64_t top = (int64_t(1) << (stateBits - 1)) - 1;
  return u > top ? top : (u < -top - 1 ? -top - 1 : u);
}

/// The integer code of a weight on the symmetric n-bit grid: the k of
/// quantizeWeight's scale * k.
template <typename F> inline int64_t weightCode(F w, F scale, int bits) {
  F top = F((int64_t(1) << (bits - 1)) - 1);
  F k = std::floor(w / scale + F(0.5));
  return int64_t(std::min(std::max(k, -top), top));
}

/// A weight code of `from` bits moved to a narrower `to`-bit grid (the
/// chip's weight format): divided by 2^(from - to), rounded half up and
/// clipped, while the row's scale grows by 2^(from - to). The emitter
/// reports the error this costs per layer; the runtime's chip numerics
/// apply the same codes.
inline int64_t rescaleCode(int64_t k, int from, int to) {
  if (to >= from)
    return k;
  int64_t step = int64_t(1) << (from - to);
  int64_t top = (int64_t(1) << (to - 1)) - 1;
  int64_t q = floorIn<int64_t>(k + step / 2, step);
  return q > top ? top : (q < -top ? -top : q);
}

} // namespace spike::neuron

#endif // SPIKE_CORE_NEURON_NEURON_H
