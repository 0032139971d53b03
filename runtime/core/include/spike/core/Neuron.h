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

#ifndef SPIKE_CORE_NEURON_H
#define SPIKE_CORE_NEURON_H

#include <algorithm>
#include <cmath>
#include <cstdint>

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
inline F quantizeLevel(F x, F scale, const QuantGrid &g) {
  F y = x / scale;
  y = y + F(0.5);
  y = y + F(g.offset);
  F k = std::floor(y);
  return std::min(std::max(k, F(0)), F(g.maxCode));
}

/// The static activation quantizer of the QANN: scale * clip(round_half_up(
/// x / scale), -2^(n-1), 2^(n-1) - 1) for signed grids, [0, 2^n - 1] else.
template <typename F> inline F quantize(F x, F scale, const QuantGrid &g) {
  return (quantizeLevel(x, scale, g) - F(g.offset)) * scale;
}

/// Parameters of an IS neuron (eqs 8-10).
struct ISParams {
  int64_t levels = 0; ///< L: most spikes per step
  double alpha = 0;   ///< per-step offset in threshold units
  int64_t budget = 0; ///< most spikes over the window; 0 means no budget
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

/// State of one IS neuron: membrane in threshold units and spikes emitted.
template <typename F> struct ISState {
  F u;           ///< v / theta
  int64_t spent; ///< spikes emitted so far in this window
};

/// Initial state from v0 and theta (absolute units).
template <typename F> inline ISState<F> isInit(F v0, F theta) {
  return {v0 / theta, 0};
}

/// One step of the IS neuron with input current `current` (absolute units).
/// m = u + I/theta + alpha; s = clip(floor(m), 0, min(L, budget - spent));
/// u = m - s. Returns the spike count s(t); the real output is
/// (s(t) - alpha) * theta (eq 10).
template <typename F>
inline int64_t isStep(ISState<F> &st, F current, F theta,
                      const ISParams &p) {
  F m = st.u + current / theta;
  m = m + F(p.alpha);
  int64_t cap = p.levels;
  if (p.budget > 0)
    cap = std::min<int64_t>(cap, p.budget - st.spent);
  F k = std::floor(m);
  int64_t s = k <= F(0) ? 0 : (k >= F(cap) ? cap : int64_t(k));
  st.u = m - F(s);
  st.spent += s;
  return s;
}

/// The real-valued output of a step: (s - alpha) * theta (eq 10).
template <typename F>
inline F isOutput(int64_t spikes, F theta, const ISParams &p) {
  return (F(spikes) - F(p.alpha)) * theta;
}

} // namespace spike::neuron

#endif // SPIKE_CORE_NEURON_H
