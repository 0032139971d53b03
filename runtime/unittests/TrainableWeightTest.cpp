//===- TrainableWeightTest.cpp - Weight calibration's quantized weight ----===//
//
// The learnt weight must start as the plan's weight, bit for bit: the codes
// of TrainableWeight equal neuron::weightCode and its weight equals
// neuron::quantizeWeight (the same float expression on both sides). Its
// gradient is straight-through inside the grid and zero past its ends.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/TrainableWeight.h"
#include "spike/core/Neuron/Neuron.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

class TrainableWeightTest : public ::testing::TestWithParam<int> {};

TEST_P(TrainableWeightTest, StartsOnThePlansGridBitForBit) {
  int bits = GetParam();
  at::manual_seed(bits);
  at::Tensor w = at::randn({24, 40}) * 0.05;
  // Values exactly between two grid points test the round-half-up rule.
  w[0][0] =
      0.5f * (w[0].abs().max().item<float>() / float((1 << (bits - 1)) - 1));
  at::Tensor scale = at::empty({24});
  for (int64_t r = 0; r < 24; ++r)
    scale[r] =
        neuron::weightScale(w[r].contiguous().data_ptr<float>(), 40, bits);
  TrainableWeight t(w, scale, bits);
  at::Tensor codes = t.codes().detach(), q = t.weight().detach();
  for (int64_t r = 0; r < 24; ++r)
    for (int64_t c = 0; c < 40; ++c) {
      float x = w[r][c].item<float>(), s = scale[r].item<float>();
      ASSERT_EQ(codes[r][c].item<float>(),
                float(neuron::weightCode(x, s, bits)))
          << r << "," << c;
      ASSERT_EQ(q[r][c].item<float>(), neuron::quantizeWeight(x, s, bits))
          << r << "," << c;
    }
}

INSTANTIATE_TEST_SUITE_P(Bits, TrainableWeightTest,
                         ::testing::Values(2, 4, 6, 8));

TEST(TrainableWeight, GradientIsStraightThroughInsideTheGrid) {
  // 4 bits: codes in [-7, 7]; scale 0.5.
  at::Tensor w = at::tensor({0.1f, 1.26f, -3.4f, 3.9f, -5.0f});
  TrainableWeight t(w.unsqueeze(0), at::tensor({0.5f}), 4);
  at::Tensor y = t.weight();
  EXPECT_EQ(y.detach()
                .squeeze(0)
                .to(at::kFloat)
                .equal(at::tensor({0.0f, 1.5f, -3.5f, 3.5f, -3.5f})),
            true);
  (y * at::tensor({1.f, 2.f, 3.f, 4.f, 5.f}).unsqueeze(0)).sum().backward();
  // d/du = scale * upstream inside [-7, 7] (u = 7.8 and -10 round past the grid
  // and are clipped).
  at::Tensor g = t.u.grad().squeeze(0);
  EXPECT_FLOAT_EQ(g[0].item<float>(), 0.5f);
  EXPECT_FLOAT_EQ(g[1].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(g[2].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(g[3].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(g[4].item<float>(), 0.0f);
}

} // namespace
