//===- OrderedProduct.cpp - Matrix products with one fixed order ----------===//

#include "spike/runtime/OrderedProduct.h"
#include "IsaClones.h"
#include "spike/runtime/Gemm.h"

#include <ATen/Parallel.h>

#include <cstring>
#include <vector>

namespace spike::runtime {

namespace {

/// Outputs per packed panel: 16 independent f32 sums, one vector register
/// under AVX-512, four under SSE; the lanes never mix.
constexpr int64_t kPanel = 16;
typedef float Lanes __attribute__((vector_size(kPanel * sizeof(float))));

/// c[r, j] = sum over k of a[r, k] p[k, j] for R rows, each lane its own
/// k-ordered sum: a product rounded, then added (contraction is off).
template <int R>
inline __attribute__((always_inline)) void
panelRows(const float *a, int64_t lda, const float *p, int64_t k, float *c,
          int64_t ldc, int64_t cols) {
  Lanes acc[R] = {};
  for (int64_t kk = 0; kk < k; ++kk) {
    Lanes w;
    std::memcpy(&w, p + kk * kPanel, sizeof w);
    for (int r = 0; r < R; ++r) {
      Lanes prod = a[r * lda + kk] * w;
      acc[r] = acc[r] + prod;
    }
  }
  for (int r = 0; r < R; ++r)
    for (int64_t j = 0; j < cols; ++j)
      c[r * ldc + j] = acc[r][j];
}

/// The m rows of a [m, k] (row stride lda) times one packed panel p [k, 16]
/// into the first `cols` columns of c (row stride ldc).
SPIKE_ISA_CLONES void panelProduct(const float *a, int64_t m, int64_t lda,
                                   const float *p, int64_t k, float *c,
                                   int64_t ldc, int64_t cols) {
  int64_t i = 0;
  for (; i + 4 <= m; i += 4)
    panelRows<4>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
  for (; i < m; ++i)
    panelRows<1>(a + i * lda, lda, p, k, c + i * ldc, ldc, cols);
}

/// Columns n0 .. n0 + cols of op(b), element (k, n) at b[n * sn + k * sk],
/// as a [k, 16] panel padded with zeros.
void packPanel(const float *b, int64_t n0, int64_t cols, int64_t k, int64_t sn,
               int64_t sk, float *p) {
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t j = 0; j < kPanel; ++j)
      p[kk * kPanel + j] = j < cols ? b[(n0 + j) * sn + kk * sk] : 0.0f;
}

/// c [m, n] = a [m, k] · op(b), op(b)[k, n] = b[n * sn + k * sk]; serial.
void orderedGemm(const float *a, int64_t m, int64_t k, const float *b,
                 int64_t n, int64_t sn, int64_t sk, float *c,
                 std::vector<float> &panel) {
  panel.resize(size_t(k * kPanel));
  for (int64_t n0 = 0; n0 < n; n0 += kPanel) {
    int64_t cols = std::min(kPanel, n - n0);
    packPanel(b, n0, cols, k, sn, sk, panel.data());
    panelProduct(a, m, k, panel.data(), k, c + n0, n, cols);
  }
}

} // namespace

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
  // Each packs a group of its panels once and runs row blocks of x over it,
  // so that both stay in cache (the order of each sum is unchanged).
  int64_t panels = (n + kPanel - 1) / kPanel;
  int64_t group = std::max<int64_t>(1, (256 << 10) / (k * kPanel * 4));
  constexpr int64_t kRowBlock = 64;
  at::parallel_for(0, panels, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> packed;
    for (int64_t g0 = begin; g0 < end; g0 += group) {
      int64_t g1 = std::min(end, g0 + group);
      packed.resize(size_t((g1 - g0) * k * kPanel));
      for (int64_t p = g0; p < g1; ++p)
        packPanel(pb, p * kPanel, std::min(kPanel, n - p * kPanel), k, k, 1,
                  packed.data() + (p - g0) * k * kPanel);
      for (int64_t r0 = 0; r0 < m; r0 += kRowBlock)
        for (int64_t p = g0; p < g1; ++p)
          panelProduct(pa + r0 * k, std::min(kRowBlock, m - r0), k,
                       packed.data() + (p - g0) * k * kPanel, k,
                       pc + r0 * n + p * kPanel, n,
                       std::min(kPanel, n - p * kPanel));
    }
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
    std::vector<float> panel;
    for (int64_t i = begin; i < end; ++i) {
      int64_t kv = h.kvIndex(i);
      orderedGemm(pa + i * m * k, m, k, pb + kv * n * k, n, sn, sk,
                  pc + i * m * n, panel);
    }
  });
  return out;
}

} // namespace spike::runtime
