//===- OrderedProduct.cpp - Matrix products with one fixed order ----------===//

#include "spike/runtime/OrderedProduct.h"
#include "spike/runtime/Gemm.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace spike::runtime {

namespace {

/// Outputs per packed panel: 16 independent f32 sums, one AVX-512 register
/// or two AVX2 registers; the lanes never mix.
constexpr int64_t kPanel = 16;

// Three builds of one panel product. Each computes every output as
// acc = fma(a[r, k], p[k, j], acc) from k = 0 and acc = +0: FMA rounds once
// (IEEE 754), so they agree bit for bit, and the vector ones are chosen by
// the CPU at run time.

/// c[i, j] for i < m, j < cols: the m rows of a [m, k] (row stride lda)
/// times one packed panel p [k, 16]; c has row stride ldc.
void panelProductScalar(const float *a, int64_t m, int64_t lda, const float *p,
                        int64_t k, float *c, int64_t ldc, int64_t cols) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float acc = 0.0f;
      for (int64_t kk = 0; kk < k; ++kk)
        acc = std::fma(a[i * lda + kk], p[kk * kPanel + j], acc);
      c[i * ldc + j] = acc;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
/// The first `cols` of a panel's 16 sums into c.
inline void storePanel(const float *sums, float *c, int64_t cols) {
  std::memcpy(c, sums, size_t(cols) * sizeof(float));
}

template <int R>
__attribute__((target("avx512f"), always_inline)) inline void
rowsAvx512(const float *a, int64_t lda, const float *p, int64_t k, float *c,
           int64_t ldc, int64_t cols) {
  __m512 acc[R];
  for (int r = 0; r < R; ++r)
    acc[r] = _mm512_setzero_ps();
  for (int64_t kk = 0; kk < k; ++kk) {
    __m512 w = _mm512_loadu_ps(p + kk * kPanel);
    for (int r = 0; r < R; ++r)
      acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * lda + kk]), w, acc[r]);
  }
  alignas(64) float sums[kPanel];
  for (int r = 0; r < R; ++r) {
    _mm512_store_ps(sums, acc[r]);
    storePanel(sums, c + r * ldc, cols);
  }
}

/// Eight rows at a time: eight independent FMA chains hide the latency.
__attribute__((target("avx512f"))) void
panelProductAvx512(const float *a, int64_t m, int64_t lda, const float *p,
                   int64_t k, float *c, int64_t ldc, int64_t cols) {
  int64_t i = 0;
  for (; i + 8 <= m; i += 8)
    rowsAvx512<8>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
  for (; i < m; ++i)
    rowsAvx512<1>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
}

template <int R>
__attribute__((target("avx2,fma"), always_inline)) inline void
rowsAvx2(const float *a, int64_t lda, const float *p, int64_t k, float *c,
         int64_t ldc, int64_t cols) {
  __m256 lo[R], hi[R];
  for (int r = 0; r < R; ++r)
    lo[r] = _mm256_setzero_ps(), hi[r] = _mm256_setzero_ps();
  for (int64_t kk = 0; kk < k; ++kk) {
    __m256 wlo = _mm256_loadu_ps(p + kk * kPanel);
    __m256 whi = _mm256_loadu_ps(p + kk * kPanel + 8);
    for (int r = 0; r < R; ++r) {
      __m256 x = _mm256_set1_ps(a[r * lda + kk]);
      lo[r] = _mm256_fmadd_ps(x, wlo, lo[r]);
      hi[r] = _mm256_fmadd_ps(x, whi, hi[r]);
    }
  }
  alignas(32) float sums[kPanel];
  for (int r = 0; r < R; ++r) {
    _mm256_store_ps(sums, lo[r]);
    _mm256_store_ps(sums + 8, hi[r]);
    storePanel(sums, c + r * ldc, cols);
  }
}

/// Four rows at a time: eight chains in two registers each.
__attribute__((target("avx2,fma"))) void
panelProductAvx2(const float *a, int64_t m, int64_t lda, const float *p,
                 int64_t k, float *c, int64_t ldc, int64_t cols) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4)
    rowsAvx2<4>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
  for (; i < m; ++i)
    rowsAvx2<1>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
}
#endif

using PanelFn = void (*)(const float *, int64_t, int64_t, const float *,
                         int64_t, float *, int64_t, int64_t);

struct Variant {
  const char *name;
  PanelFn fn;
  bool supported;
};

/// The builds, preferred first: AVX2 measured 15% faster than AVX-512
/// on the development machine (the loads, not the FMAs, bound both).
std::vector<Variant> variants() {
  std::vector<Variant> v;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  v.push_back(
      {"avx2", panelProductAvx2,
       __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")});
  v.push_back(
      {"avx512", panelProductAvx512, bool(__builtin_cpu_supports("avx512f"))});
#endif
  v.push_back({"scalar", panelProductScalar, true});
  return v;
}

const std::vector<Variant> &allVariants() {
  static const std::vector<Variant> all = variants();
  return all;
}

std::atomic<const Variant *> chosen{nullptr};

const Variant &currentVariant() {
  const Variant *v = chosen.load();
  if (!v) {
    for (const Variant &c : allVariants())
      if (c.supported) {
        v = &c;
        break;
      }
    chosen = v;
  }
  return *v;
}

void panelProduct(const float *a, int64_t m, int64_t lda, const float *p,
                  int64_t k, float *c, int64_t ldc, int64_t cols) {
  currentVariant().fn(a, m, lda, p, k, c, ldc, cols);
}

/// Columns n0 .. n0 + cols of op(b), element (k, n) at b[n * sn + k * sk],
/// as a [k, 16] panel padded with zeros.
void packPanel(const float *b, int64_t n0, int64_t cols, int64_t k, int64_t sn,
               int64_t sk, float *p) {
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < kPanel; ++j)
      p[kk * kPanel + j] = j < cols ? b[(n0 + j) * sn + kk * sk] : 0.0f;
}

/// Output columns of panels [begin, end) of c [m, n] = a [m, k] · op(b),
/// op(b)[k, n] = b[n * sn + k * sk]; serial. Packs a group of panels once
/// and runs row blocks of a over it, so that both stay in cache; the order
/// of each sum is unchanged.
void orderedPanels(const float *a, int64_t m, int64_t k, const float *b,
                   int64_t n, int64_t sn, int64_t sk, float *c, int64_t begin,
                   int64_t end, std::vector<float> &packed) {
  int64_t group = std::max<int64_t>(1, (256 << 10) / (k * kPanel * 4));
  constexpr int64_t kRowBlock = 64;
  for (int64_t g0 = begin; g0 < end; g0 += group) {
    int64_t g1 = std::min(end, g0 + group);
    packed.resize(size_t((g1 - g0) * k * kPanel));
    for (int64_t p = g0; p < g1; ++p)
      packPanel(b, p * kPanel, std::min(kPanel, n - p * kPanel), k, sn, sk,
                packed.data() + (p - g0) * k * kPanel);
    for (int64_t r0 = 0; r0 < m; r0 += kRowBlock)
      for (int64_t p = g0; p < g1; ++p)
        panelProduct(a + r0 * k, std::min(kRowBlock, m - r0), k,
                     packed.data() + (p - g0) * k * kPanel, k,
                     c + r0 * n + p * kPanel, n,
                     std::min(kPanel, n - p * kPanel));
  }
}

/// Panels of 16 output columns in n columns.
int64_t panelCount(int64_t n) { return (n + kPanel - 1) / kPanel; }

} // namespace

std::string orderedProductVariant() { return currentVariant().name; }

std::vector<std::string> orderedProductVariants() {
  std::vector<std::string> names;
  for (const Variant &v : allVariants())
    if (v.supported)
      names.push_back(v.name);
  return names;
}

bool setOrderedProductVariant(const std::string &name) {
  for (const Variant &v : allVariants())
    if (v.supported && (name == v.name || name.empty())) {
      chosen = &v;
      return true;
    }
  return false;
}

at::Tensor orderedLinear(const at::Tensor &x, const at::Tensor &w) {
  TORCH_CHECK(w.dim() == 2 && x.size(-1) == w.size(1), "linear: input has ",
              x.size(-1), " features, the weight ", w.sizes());
  if (!x.is_cpu() || !w.is_cpu())
    return at::matmul(x, w.t());
  TORCH_CHECK(x.scalar_type() == at::kFloat && w.scalar_type() == at::kFloat,
              "orderedLinear: f32 operands only");
  int64_t k = w.size(1), n = w.size(0);
  at::Tensor a = x.contiguous(), b = w.contiguous();
  int64_t m = k > 0 ? a.numel() / k : 0;
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  shape.back() = n;
  at::Tensor y = at::zeros(shape, x.options());
  if (m == 0 || n == 0 || k == 0)
    return y;
  const float *pa = a.data_ptr<float>(), *pb = b.data_ptr<float>();
  float *pc = y.data_ptr<float>();
  // Threads take whole panels of outputs: no sum is split between them.
  at::parallel_for(0, panelCount(n), 1, [&](int64_t begin, int64_t end) {
    std::vector<float> packed;
    orderedPanels(pa, m, k, pb, n, k, 1, pc, begin, end, packed);
  });
  return y;
}

at::Tensor orderedHeadProduct(const at::Tensor &lhs, const at::Tensor &rhs,
                              bool transposeRhs) {
  if (!lhs.is_cpu() || !rhs.is_cpu())
    return headProduct(lhs, rhs, transposeRhs); // cuBLAS's order
  HeadProductShape h = headProductShape(lhs, rhs, transposeRhs);
  int64_t m = h.m, n = h.n, k = h.k;
  at::Tensor a = lhs.contiguous(), b = rhs.contiguous();
  at::Tensor out = at::zeros(h.out, lhs.options());
  if (out.numel() == 0 || k == 0)
    return out;
  const float *pa = a.data_ptr<float>(), *pb = b.data_ptr<float>();
  float *pc = out.data_ptr<float>();
  int64_t sn = transposeRhs ? k : 1, sk = transposeRhs ? 1 : n;
  at::parallel_for(0, h.batches, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> packed;
    for (int64_t i = begin; i < end; ++i)
      orderedPanels(pa + i * m * k, m, k, pb + h.kvIndex(i) * n * k, n, sn, sk,
                    pc + i * m * n, 0, panelCount(n), packed);
  });
  return out;
}

} // namespace spike::runtime
