//===- DefinedMapsTest.cpp - Nonlinear maps with one arithmetic -----------===//
//
// definedExp against libm's exp (a different algorithm, so within a stated
// tolerance: both are within about 1 ulp of e^x, so 4 ulp of double apart
// at most); the maps against scalar loops with the same expressions (bit
// for bit) and against ATen in double (within f32 rounding); the same bits
// under 1 and 2 threads.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/DefinedMaps.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace spike::runtime;

namespace {

struct Threads {
  int saved = at::get_num_threads();
  explicit Threads(int n) { at::set_num_threads(n); }
  ~Threads() { at::set_num_threads(saved); }
};

TEST(DefinedMaps, ExpIsWithinFourUlpOfLibm) {
  for (double x = -700.0; x <= 700.0; x += 0.0137) {
    double want = std::exp(x), got = definedExp(x);
    EXPECT_LE(std::fabs(got - want), 4 * std::ldexp(1.0, -52) * want) << x;
  }
  EXPECT_EQ(definedExp(0.0), 1.0);
  EXPECT_EQ(definedExp(-800.0), 0.0);
  EXPECT_EQ(definedExp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isinf(definedExp(800.0)));
  EXPECT_TRUE(std::isnan(definedExp(std::nan(""))));
}

TEST(DefinedMaps, RmsnormIsTheDoubleExpressionBitForBit) {
  at::manual_seed(21);
  at::Tensor x = at::randn({2, 37, 576}) * 3, w = at::rand({576}) + 0.5;
  at::Tensor want = at::empty_like(x);
  const float *v = x.data_ptr<float>(), *g = w.data_ptr<float>();
  for (int64_t r = 0; r < 74; ++r) {
    double squares = 0;
    for (int64_t i = 0; i < 576; ++i)
      squares += double(v[r * 576 + i]) * double(v[r * 576 + i]);
    double inv = 1.0 / std::sqrt(squares / 576.0 + 1e-5);
    for (int64_t i = 0; i < 576; ++i)
      want.data_ptr<float>()[r * 576 + i] =
          float(double(g[i]) * (double(v[r * 576 + i]) * inv));
  }
  for (int threads : {1, 2}) {
    Threads t(threads);
    EXPECT_TRUE(at::equal(definedRmsnorm(x, w, 1e-5), want)) << threads;
  }
}

TEST(DefinedMaps, SoftmaxMatchesATenInDoubleAndMasksTheFuture) {
  at::manual_seed(22);
  // [heads, M = 5 queries, N = 9 keys]: 4 cached keys precede the queries.
  at::Tensor x = at::randn({3, 5, 9}) * 4;
  at::Tensor y = definedSoftmax(x, /*causal=*/true);
  at::Tensor mask = at::ones({5, 9}, at::kBool).triu(9 - 5 + 1);
  at::Tensor ref =
      at::softmax(x.to(at::kDouble).masked_fill(mask, -INFINITY), -1);
  // One f32 rounding of a value within 1e-15 relative of the true one.
  EXPECT_LE((y.to(at::kDouble) - ref).abs().max().item<double>(),
            std::ldexp(1.0, -24));
  EXPECT_TRUE(
      at::equal(y.masked_select(mask.expand({3, 5, 9})), at::zeros({3 * 10})));
  at::Tensor big = at::randn({64, 512});
  at::Tensor one, two;
  {
    Threads t(1);
    one = definedSoftmax(big, false);
  }
  {
    Threads t(2);
    two = definedSoftmax(big, false);
  }
  EXPECT_TRUE(at::equal(one, two));
}

TEST(DefinedMaps, SiluIsTheDoubleExpressionBitForBit) {
  at::manual_seed(23);
  at::Tensor x = at::randn({5000}) * 8;
  at::Tensor want = at::empty_like(x);
  for (int64_t i = 0; i < 5000; ++i) {
    double v = x.data_ptr<float>()[i];
    want.data_ptr<float>()[i] = float(v / (1.0 + definedExp(-v)));
  }
  for (int threads : {1, 2}) {
    Threads t(threads);
    EXPECT_TRUE(at::equal(definedSilu(x), want)) << threads;
  }
  at::Tensor ref = at::silu(x.to(at::kDouble));
  EXPECT_LE(((definedSilu(x).to(at::kDouble) - ref).abs() /
             ref.abs().clamp_min(1e-30))
                .max()
                .item<double>(),
            std::ldexp(1.0, -24));
}

} // namespace
