//===- GemmTest.cpp - The linear layers' product --------------------------===//
//
// linearLayer (oneDNN's sgemm where the build has it) against ATen's
// matmul in double: every output within the f32 bound of a K-long dot
// product, K * 2^-24 * sum_k |x_k w_k| (any order of summation, one rounding
// per product and per addition); its input gradient the same way; and the
// edge shapes.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Gemm.h"
#include "spike/runtime/OrderedProduct.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace spike::runtime;

namespace {

/// |a - b| <= (K + 1) * 2^-24 * bound elementwise.
void expectWithinDotBound(const at::Tensor &a, const at::Tensor &b,
                          const at::Tensor &bound, int64_t k) {
  at::Tensor slack = bound * (double(k + 1) * std::ldexp(1.0, -24));
  at::Tensor excess = (a.to(at::kDouble) - b).abs() - slack;
  EXPECT_LE(excess.max().item<double>(), 0.0)
      << "max |diff| " << (a.to(at::kDouble) - b).abs().max().item<double>();
}

TEST(Gemm, ProductWithinTheDotProductBound) {
  at::manual_seed(1);
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{1, 7, 5},
                         {3, 64, 576},
                         {37, 129, 1536},
                         {512, 96, 64}}) {
    at::Tensor x = at::randn({m, k}), w = at::randn({n, k});
    at::Tensor y = linearLayer(x, w);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{m, n}));
    at::Tensor exact = at::matmul(x.to(at::kDouble), w.to(at::kDouble).t());
    at::Tensor bound =
        at::matmul(x.to(at::kDouble).abs(), w.to(at::kDouble).abs().t());
    expectWithinDotBound(y, exact, bound, k);
  }
}

TEST(Gemm, LeadingDimensionsAndNonContiguousInput) {
  at::manual_seed(2);
  at::Tensor x = at::randn({2, 3, 4, 10}).transpose(1, 2); // [2, 4, 3, 10]
  at::Tensor w = at::randn({6, 10});
  at::Tensor y = linearLayer(x, w);
  ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 4, 3, 6}));
  at::Tensor exact = at::matmul(x.to(at::kDouble), w.to(at::kDouble).t());
  at::Tensor bound =
      at::matmul(x.to(at::kDouble).abs(), w.to(at::kDouble).abs().t());
  expectWithinDotBound(y, exact, bound, 10);
}

TEST(Gemm, ZeroSizes) {
  EXPECT_EQ(linearLayer(at::zeros({0, 4}), at::ones({3, 4})).sizes(),
            (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(linearLayer(at::zeros({2, 4}), at::ones({0, 4})).sizes(),
            (std::vector<int64_t>{2, 0}));
  at::Tensor y = linearLayer(at::ones({2, 0}), at::ones({3, 0}));
  EXPECT_TRUE(at::equal(y, at::zeros({2, 3})));
}

TEST(Gemm, InputGradientWithinTheDotProductBound) {
  at::manual_seed(3);
  at::Tensor x = at::randn({9, 33}).requires_grad_(true);
  at::Tensor w = at::randn({17, 33});
  at::Tensor g = at::randn({9, 17});
  linearLayer(x, w).backward(g);
  // dL/dx = g · w: N-long dot products.
  at::Tensor exact = at::matmul(g.to(at::kDouble), w.to(at::kDouble));
  at::Tensor bound =
      at::matmul(g.to(at::kDouble).abs(), w.to(at::kDouble).abs());
  expectWithinDotBound(x.grad(), exact, bound, 17);
}

TEST(Gemm, AFrozenOrLearntWeightBothWork) {
  at::Tensor x = at::randn({4, 8}), w = at::randn({5, 8}).requires_grad_(true);
  linearLayer(x, w).sum().backward();
  ASSERT_TRUE(w.grad().defined());
  // dL/dw = gᵀ x with g = 1: 4-long sums of x.
  at::Tensor xd = x.to(at::kDouble);
  expectWithinDotBound(w.grad(), xd.sum(0).expand({5, 8}),
                       xd.abs().sum(0).expand({5, 8}), 4);
}

TEST(Gemm, HeadProductSharesKeyValueHeads) {
  at::manual_seed(4);
  // [T, B, H, M, K] against [T, B, Hkv, N, K]: 6 query heads on 2 KV heads.
  at::Tensor q = at::randn({2, 3, 6, 5, 16}), k = at::randn({2, 3, 2, 7, 16});
  at::Tensor scores = headProduct(q, k, /*transposeRhs=*/true);
  ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{2, 3, 6, 5, 7}));
  at::Tensor kd = k.to(at::kDouble).repeat_interleave(3, 2);
  at::Tensor exact = at::matmul(q.to(at::kDouble), kd.transpose(-1, -2));
  at::Tensor bound =
      at::matmul(q.to(at::kDouble).abs(), kd.abs().transpose(-1, -2));
  expectWithinDotBound(scores, exact, bound, 16);
  // probabilities [.., 6, 5, 7] times values [.., 2, 7, 16]
  at::Tensor p = at::rand({2, 3, 6, 5, 7}), v = at::randn({2, 3, 2, 7, 16});
  at::Tensor out = headProduct(p, v, /*transposeRhs=*/false);
  at::Tensor vd = v.to(at::kDouble).repeat_interleave(3, 2);
  expectWithinDotBound(out, at::matmul(p.to(at::kDouble), vd),
                       at::matmul(p.to(at::kDouble).abs(), vd.abs()), 7);
  EXPECT_EQ(headProduct(at::zeros({1, 2, 0, 4}), at::zeros({1, 1, 3, 4}), true)
                .sizes(),
            (std::vector<int64_t>{1, 2, 0, 3}));
}

TEST(Gemm, AHalfWeightWidensABlockOfRowsAtATime) {
  at::manual_seed(4);
  int64_t n = 37, k = 24;
  at::Tensor x = at::randn({2, 5, k});
  for (auto dtype : {at::kBFloat16, at::kHalf}) {
    at::Tensor w = at::randn({n, k}).to(dtype), wide = w.to(at::kFloat);
    // Blocks of 5 rows: 8 blocks, the last of 2.
    int64_t bytes = 4 * k * 5;
    // Each output on its own, in a fixed order: the split changes nothing.
    EXPECT_TRUE(at::equal(widenedProduct(x, w, orderedLinear, bytes),
                          orderedLinear(x, wide)));
    EXPECT_TRUE(
        at::equal(widenedProduct(x, w, orderedLinear), orderedLinear(x, wide)));
    // The BLAS: within its dot-product bound of the exact product.
    at::Tensor y = widenedProduct(x, w, linearLayer, bytes);
    ASSERT_EQ(y.sizes(), (std::vector<int64_t>{2, 5, n}));
    at::Tensor x64 = x.to(at::kDouble), w64 = wide.to(at::kDouble);
    expectWithinDotBound(y, at::matmul(x64, w64.t()),
                         at::matmul(x64.abs(), w64.abs().t()), k);
  }
}

TEST(Gemm, NamesItsKernel) {
  EXPECT_FALSE(linearKernelName().empty());
  EXPECT_FALSE(blasKernelName().empty());
}

} // namespace
