//===- DefinedMaps.cpp - Nonlinear maps with one defined arithmetic -------===//

#include "spike/runtime/DefinedMaps.h"

#include "IsaClones.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace spike::runtime {

namespace {

/// 1/k! for k = 0 .. 13, folded at compile time.
constexpr double kInverseFactorial[14] = {1.0,
                                          1.0,
                                          1.0 / 2.0,
                                          1.0 / 6.0,
                                          1.0 / 24.0,
                                          1.0 / 120.0,
                                          1.0 / 720.0,
                                          1.0 / 5040.0,
                                          1.0 / 40320.0,
                                          1.0 / 362880.0,
                                          1.0 / 3628800.0,
                                          1.0 / 39916800.0,
                                          1.0 / 479001600.0,
                                          1.0 / 6227020800.0};

/// Runs f(row) for each of `rows` rows of width d on ATen's threads; a row
/// is one thread's, so the order within it is fixed.
template <typename F> void forRows(int64_t rows, int64_t d, F f) {
  constexpr int64_t kGrain = 4096; // elements per chunk, at least
  at::parallel_for(0, rows,
                   std::max<int64_t>(1, kGrain / std::max<int64_t>(d, 1)),
                   [&](int64_t begin, int64_t end) {
                     for (int64_t r = begin; r < end; ++r)
                       f(r);
                   });
}

/// definedExp without its NaN test: straight-line code that vectorizes.
/// n = round(x log2 e) by the 1.5 * 2^52 shift (its low mantissa bits hold
/// n), r = x - n ln 2 in two parts, e^r by Horner's scheme on 1/k!, and
/// 2^n from n's bits.
inline __attribute__((always_inline)) double expCore(double x) {
  constexpr double kLog2e = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01; // n kLn2Hi exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShift = 6755399441055744.0; // 1.5 * 2^52
  double xc = std::min(std::max(x, -708.0), 709.0);
  double t = xc * kLog2e + kShift;
  double n = t - kShift;
  double r = (xc - n * kLn2Hi) - n * kLn2Lo;
  double p = kInverseFactorial[13];
  for (int k = 12; k >= 0; --k)
    p = p * r + kInverseFactorial[k];
  int64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  int64_t scaleBits = (bits - int64_t(0x4338000000000000) + 1023) << 52;
  double scale;
  std::memcpy(&scale, &scaleBits, sizeof scale);
  double y = p * scale;
  y = x < -708.0 ? 0.0 : y;
  return x > 709.0 ? std::numeric_limits<double>::infinity() : y;
}

/// v[i] = e^v[i] for i < n.
SPIKE_ISA_CLONES void expInPlace(double *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    v[i] = expCore(v[i]);
}

} // namespace

double definedExp(double x) { return std::isnan(x) ? x : expCore(x); }

at::Tensor definedRmsnorm(const at::Tensor &x, const at::Tensor &w,
                          double eps) {
  at::Tensor in = x.contiguous(), weight = w.contiguous();
  at::Tensor out = at::empty_like(in);
  int64_t d = in.size(-1);
  TORCH_CHECK(weight.numel() == d, "rmsnorm: a weight of ", weight.numel(),
              " for ", d, " features");
  if (in.numel() == 0)
    return out;
  const float *src = in.data_ptr<float>(), *g = weight.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  forRows(in.numel() / d, d, [&](int64_t r) {
    const float *v = src + r * d;
    double squares = 0;
    for (int64_t i = 0; i < d; ++i)
      squares += double(v[i]) * double(v[i]);
    double inv = 1.0 / std::sqrt(squares / double(d) + eps);
    for (int64_t i = 0; i < d; ++i)
      dst[r * d + i] = float(double(g[i]) * (double(v[i]) * inv));
  });
  return out;
}

at::Tensor definedSoftmax(const at::Tensor &x, bool causal) {
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  int64_t n = in.size(-1), m = in.dim() >= 2 ? in.size(-2) : 1;
  if (in.numel() == 0)
    return out;
  const float *src = in.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  forRows(in.numel() / n, n, [&](int64_t r) {
    const float *v = src + r * n;
    float *o = dst + r * n;
    // Query i of its [M, N] block sees keys up to N - M + i.
    int64_t seen = causal ? std::min(n, n - m + (r % m) + 1) : n;
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < seen; ++j)
      top = std::max(top, double(v[j]));
    thread_local std::vector<double> e; // one buffer per thread, not per row
    e.resize(size_t(std::max<int64_t>(seen, 0)));
    for (int64_t j = 0; j < seen; ++j)
      e[j] = double(v[j]) - top;
    expInPlace(e.data(), seen);
    double sum = 0;
    for (int64_t j = 0; j < seen; ++j)
      sum += e[j];
    for (int64_t j = 0; j < n; ++j)
      o[j] = j < seen ? float(e[j] / sum) : 0.0f;
  });
  return out;
}

at::Tensor definedSilu(const at::Tensor &x) {
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const float *src = in.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  at::parallel_for(0, in.numel(), 4096, [&](int64_t begin, int64_t end) {
    constexpr int64_t kBlock = 1024;
    double e[kBlock];
    for (int64_t b = begin; b < end; b += kBlock) {
      int64_t len = std::min(kBlock, end - b);
      for (int64_t i = 0; i < len; ++i)
        e[i] = -double(src[b + i]);
      expInPlace(e, len);
      for (int64_t i = 0; i < len; ++i)
        dst[b + i] = float(double(src[b + i]) / (1.0 + e[i]));
    }
  });
  return out;
}

} // namespace spike::runtime
