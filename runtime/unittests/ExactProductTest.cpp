//===- ExactProductTest.cpp - The defined arithmetic of the products -----===//
//
// The two products whose results must not depend on the machine:
// - orderedLinear / orderedHeadProduct against a scalar loop with the same
//   arithmetic (k-ordered f32 fused multiply-adds), so bit for bit, under 1
//   and 2 threads and in every build this CPU runs (AVX-512, AVX2, scalar);
// - exactLinear / exactHeadProduct against int64 sums, bit for bit: the
//   integer sums are exact by construction, and the one conversion and one
//   scaling per output are the same expressions on both sides; the chunked
//   int32 path where the sums pass 2^24.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/ExactProduct.h"
#include "spike/runtime/OrderedProduct.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>

using namespace spike::runtime;

namespace {

/// y[m, n] = sum over k of x[m, k] w[n, k], from k = 0, one std::fma per
/// term.
at::Tensor scalarReference(const at::Tensor &x2, const at::Tensor &w) {
  at::Tensor x = x2.contiguous(), wc = w.contiguous();
  int64_t m = x.size(0), n = wc.size(0), k = wc.size(1);
  at::Tensor y = at::empty({m, n});
  const float *a = x.data_ptr<float>(), *b = wc.data_ptr<float>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (int64_t kk = 0; kk < k; ++kk)
        acc = std::fma(a[i * k + kk], b[j * k + kk], acc);
      y.data_ptr<float>()[i * n + j] = acc;
    }
  return y;
}

/// Restores ATen's thread count.
struct Threads {
  int saved = at::get_num_threads();
  explicit Threads(int n) { at::set_num_threads(n); }
  ~Threads() { at::set_num_threads(saved); }
};

/// Restores the preferred build.
struct Variant {
  explicit Variant(const std::string &name) {
    EXPECT_TRUE(setOrderedProductVariant(name)) << name;
  }
  ~Variant() { setOrderedProductVariant(""); }
};

TEST(OrderedProduct, EveryBuildIsTheScalarLoopBitForBit) {
  at::manual_seed(10);
  at::Tensor x = at::randn({37, 300}), w = at::randn({45, 300});
  at::Tensor want = scalarReference(x, w);
  std::vector<std::string> builds = orderedProductVariants();
  EXPECT_EQ(builds.back(), "scalar");
  for (const std::string &b : builds) {
    Variant v(b);
    EXPECT_EQ(orderedProductVariant(), b);
    EXPECT_TRUE(at::equal(orderedLinear(x, w), want)) << b;
  }
}

TEST(OrderedProduct, LinearIsTheScalarLoopBitForBit) {
  at::manual_seed(11);
  // Shapes off the 4-row and 16-column blocks, and a fan-in of 1536.
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 7, 5},
                         {5, 33, 576},
                         {70, 17, 1536},
                         {131, 260, 64}}) {
    at::Tensor x = at::randn({m, k}), w = at::randn({n, k});
    at::Tensor want = scalarReference(x, w);
    for (int threads : {1, 2}) {
      Threads t(threads);
      EXPECT_TRUE(at::equal(orderedLinear(x, w), want))
          << m << "x" << n << "x" << k << ", " << threads << " threads";
    }
  }
}

TEST(OrderedProduct, LeadingDimensionsAndEdgeShapes) {
  at::manual_seed(12);
  at::Tensor x = at::randn({2, 3, 4, 10}).transpose(1, 2); // [2, 4, 3, 10]
  at::Tensor w = at::randn({6, 10});
  at::Tensor y = orderedLinear(x, w);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 4, 3, 6}));
  EXPECT_TRUE(
      at::equal(y.reshape({-1, 6}), scalarReference(x.reshape({-1, 10}), w)));
  EXPECT_EQ(orderedLinear(at::zeros({0, 4}), at::ones({3, 4})).sizes(),
            (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(at::equal(orderedLinear(at::ones({2, 0}), at::ones({3, 0})),
                        at::zeros({2, 3})));
}

TEST(OrderedProduct, HeadProductSharesKeyValueHeadsBitForBit) {
  at::manual_seed(13);
  // [T, B, H, M, K] against [T, B, Hkv, N, K]: 6 query heads on 2 KV heads.
  at::Tensor q = at::randn({2, 3, 6, 5, 16}), k = at::randn({2, 3, 2, 7, 16});
  at::Tensor p = at::rand({2, 3, 6, 5, 7}), v = at::randn({2, 3, 2, 7, 16});
  at::Tensor kr = k.repeat_interleave(3, 2), vr = v.repeat_interleave(3, 2);
  for (int threads : {1, 2}) {
    Threads t(threads);
    at::Tensor scores = orderedHeadProduct(q, k, /*transposeRhs=*/true);
    at::Tensor out = orderedHeadProduct(p, v, /*transposeRhs=*/false);
    ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{2, 3, 6, 5, 7}));
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, 6, 5, 16}));
    for (int64_t i = 0; i < 36; ++i) {
      int64_t a = i / 6, b = i % 6;
      at::Tensor qi = q.reshape({6, 6, 5, 16})[a][b];
      at::Tensor ki = kr.reshape({6, 6, 7, 16})[a][b];
      EXPECT_TRUE(at::equal(scores.reshape({6, 6, 5, 7})[a][b],
                            scalarReference(qi, ki)));
      at::Tensor pi = p.reshape({6, 6, 5, 7})[a][b];
      at::Tensor vi = vr.reshape({6, 6, 7, 16})[a][b];
      EXPECT_TRUE(at::equal(out.reshape({6, 6, 5, 16})[a][b],
                            scalarReference(pi, vi.t())));
    }
  }
}

/// Integers uniform in [-bound, bound] as f32.
at::Tensor integers(std::vector<int64_t> shape, int64_t bound) {
  return at::randint(-bound, bound + 1, shape).to(at::kFloat);
}

/// The exact path's result from int64 sums: the same conversion and
/// scaling per output.
at::Tensor int64Reference(const at::Tensor &n, const at::Tensor &codes,
                          const at::Tensor &outScale) {
  at::Tensor sums = at::matmul(n.reshape({-1, n.size(-1)}).to(at::kLong),
                               codes.to(at::kLong).t());
  std::vector<int64_t> shape(n.sizes().begin(), n.sizes().end());
  shape.back() = codes.size(0);
  return (sums.to(at::kFloat) * outScale).reshape(shape);
}

TEST(ExactProduct, GridIntegersAreRecovered) {
  at::manual_seed(14);
  at::Tensor n = integers({4096}, 1 << 20);
  for (float scale : {0.37f, 1.0f / 3.0f, 7.3e-4f, 123.456f}) {
    at::Tensor x = n * scale; // fl(n · scale), as the quantizers write it
    EXPECT_TRUE(at::equal(gridIntegers(x, scale), n)) << scale;
  }
}

TEST(ExactProduct, LinearIsTheIntegerSumBitForBit) {
  at::manual_seed(15);
  // Signed 6-bit codes, spike counts up to 63, fan-ins of 576 and 1536: the
  // sums stay below 2^24, one f32 product.
  for (int64_t k : {576, 1536}) {
    at::Tensor n = integers({2, 9, k}, 63), codes = integers({40, k}, 31);
    at::Tensor rowScale = at::rand({40}) * 0.01 + 1e-4;
    float scale = 0.0731f;
    at::Tensor outScale = rowScale * double(scale);
    at::Tensor want = int64Reference(n, codes, outScale);
    for (int threads : {1, 2}) {
      Threads t(threads);
      at::Tensor y = exactLinear(n * scale, scale, codes, outScale, 63 * 31);
      EXPECT_TRUE(at::equal(y, want)) << "K " << k << ", " << threads;
    }
  }
}

TEST(ExactProduct, SumsPast2To24AccumulateInInt32) {
  at::manual_seed(16);
  // 8-bit codes and counts at a fan-in of 14,336 (LLaMA-3-8B's down_proj):
  // sums up to 127 * 127 * 14336 = 2.3e8, past 2^24, below 2^31. Inputs of
  // one sign make the large sums happen.
  int64_t k = 14336;
  at::Tensor n = at::randint(100, 128, {3, k}).to(at::kFloat);
  at::Tensor codes = at::randint(100, 128, {5, k}).to(at::kFloat);
  at::Tensor outScale = at::full({5}, 0.5f);
  at::Tensor want = int64Reference(n, codes, outScale);
  EXPECT_GT(want.abs().max().item<double>(), 0.5 * double(kExactF32Bound));
  at::Tensor y = exactLinear(n, 1.0f, codes, outScale, 127 * 127);
  EXPECT_TRUE(at::equal(y, want));
}

TEST(ExactProduct, SumsPast2To31AreRefused) {
  at::Tensor n = at::ones({1, 140000}), codes = at::ones({1, 140000});
  EXPECT_THROW(exactLinear(n, 1.0f, codes, at::ones({1}), 127 * 127),
               c10::Error);
}

TEST(ExactProduct, HeadProductIsTheIntegerSum) {
  at::manual_seed(17);
  at::Tensor q = integers({2, 6, 5, 16}, 32), k = integers({2, 2, 7, 16}, 32);
  float sq = 0.11f, sk = 0.37f;
  at::Tensor y = exactHeadProduct(q * sq, sq, k * sk, sk, true);
  at::Tensor sums =
      at::matmul(q.to(at::kLong),
                 k.repeat_interleave(3, 1).to(at::kLong).transpose(-1, -2));
  EXPECT_TRUE(at::equal(y, sums.to(at::kFloat) * (sq * sk)));
}

} // namespace
