//===- TrainableNeuronTest.cpp - Calibration's differentiable neuron ------===//
//
// The calibration's forward pass must be the IS neuron of Neuron.h, not an
// approximation of it: trainableISNeuron equals isNeuronKernel bit for bit
// (values and, through u = m - s, the state it carries between steps). Its
// gradients follow the straight-through floor and the hard clamp.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/TrainableNeuron.h"
#include "spike/runtime/Kernels.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

struct Case {
  int bits;
  int64_t timesteps;
  bool isSigned, budget;
  /// The signed code (its grid from isSigned), with the full per-step cap
  /// when `fullCap`.
  bool signedCode = false, fullCap = false;
};

class TrainableNeuronTest : public ::testing::TestWithParam<Case> {};

TEST_P(TrainableNeuronTest, ForwardEqualsKernelBitForBit) {
  Case c = GetParam();
  neuron::ISParams p;
  if (c.signedCode) {
    ASSERT_EQ(neuron::signedCodeParams(c.bits, c.timesteps, p, !c.isSigned),
              nullptr);
    if (c.fullCap)
      p.levels = neuron::signedMaxLevels(c.bits);
  } else {
    ASSERT_EQ(
        neuron::theorem2Params(c.bits, c.timesteps, c.isSigned, c.budget, p),
        nullptr);
  }
  at::manual_seed(c.bits * 100 + c.timesteps);
  const int64_t d = 12; // three groups of four channels
  std::vector<float> theta = {0.05f, 0.11f, 0.023f};
  std::vector<float> v0 = {0.025f, 0.055f, 0.0115f}; // theta / 2
  // Wide inputs: inside and far outside the neuron's range, uneven over T.
  at::Tensor x = at::randn({c.timesteps, 2, 7, d}) * 0.6;
  for (int64_t bypass : {0, 2}) {
    at::Tensor expected =
        isNeuronKernel(x, theta, v0, p, nullptr, Bypass{bypass});
    at::Tensor th = at::tensor(theta), u0 = at::tensor(v0) / th;
    at::Tensor got = trainableISNeuron(x, th, u0, p, bypass);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_TRUE(at::equal(got, expected))
        << "max diff " << (got - expected).abs().max().item<float>()
        << " (bypass " << bypass << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Grids, TrainableNeuronTest,
    ::testing::Values(
        Case{6, 1, true, true}, Case{6, 2, true, true}, Case{6, 4, true, true},
        Case{6, 8, true, false}, Case{6, 2, false, true},
        Case{4, 4, true, true}, Case{8, 16, true, true},
        // The signed code, either grid, both caps, any T.
        Case{6, 1, true, false, true}, Case{6, 2, true, false, true},
        Case{6, 3, true, false, true}, Case{6, 4, true, false, true, true},
        Case{8, 2, false, false, true}, Case{8, 4, false, false, true, true}));

TEST(TrainableNeuron, GradientsFollowStraightThroughFloorAndHardClamp) {
  neuron::ISParams p;
  ASSERT_EQ(neuron::theorem2Params(6, 1, true, true, p), nullptr);
  // One step, theta = 1, u0 = 0.5: s = clamp(floor(x + 0.5 + 32), 0, 63).
  at::Tensor x =
      at::tensor({0.2f, 100.0f, -100.0f}).reshape({1, 3}).requires_grad_(true);
  at::Tensor theta = at::ones({1}).requires_grad_(true);
  at::Tensor u0 = at::full({1}, 0.5f).requires_grad_(true);
  at::Tensor y = trainableISNeuron(x, theta, u0, p);
  y.sum().backward();
  // Inside the range the output follows x (STE); clamped outputs do not.
  EXPECT_FLOAT_EQ(x.grad()[0][0].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(x.grad()[0][1].item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(x.grad()[0][2].item<float>(), 0.0f);
  EXPECT_TRUE(std::isfinite(theta.grad().item<float>()));
  EXPECT_NE(theta.grad().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(u0.grad().item<float>(), 1.0f); // one inside element
}

TEST(TrainableNeuron, SpikeTapeCountsAsTheKernelAndPushesThetaUp) {
  // The signed code (zero is silent), T = 2, three groups; two prefix rows.
  neuron::ISParams p;
  ASSERT_EQ(neuron::signedCodeParams(6, 2, p, false), nullptr);
  at::manual_seed(7);
  at::Tensor x = at::randn({2, 2, 7, 12}) * 0.3;
  std::vector<float> theta = {0.05f, 0.11f, 0.023f}, v0 = {0.02f};
  const int64_t bypass = 2;
  SpikeTally tally;
  isNeuronKernel(x, theta, v0, p, &tally, Bypass{bypass});
  at::Tensor ratio = at::ones({3}).requires_grad_(true);
  at::Tensor th = at::tensor(theta) * ratio;
  at::Tensor u0 = (at::full({3}, 0.02f) / at::tensor(theta)).requires_grad_();
  SpikeTape tape;
  trainableISNeuron(x, th, u0, p, bypass, &tape);
  // The kernel's count of the same neuron-steps, exactly (small integers).
  EXPECT_EQ(tape.spikes.item<double>(), double(tally.spikes));
  EXPECT_EQ(tape.neuronSteps, 2 * 2 * (7 - bypass) * 12);
  // Fewer spikes need larger thresholds: the rate falls as theta grows.
  tape.rate().backward();
  for (int64_t g = 0; g < 3; ++g)
    EXPECT_LT(ratio.grad()[g].item<float>(), 0.0f) << "group " << g;
}

TEST(TrainableNeuron, PerChannelGroups) {
  neuron::ISParams p;
  ASSERT_EQ(neuron::theorem2Params(6, 2, true, true, p), nullptr);
  at::Tensor x = at::randn({2, 5, 8});
  std::vector<float> theta = {0.1f, 0.2f, 0.3f, 0.4f};
  std::vector<float> v0 = {0.05f};
  at::Tensor expected = isNeuronKernel(x, theta, v0, p, nullptr);
  at::Tensor th = at::tensor(theta);
  // One absolute v0 for all groups is u0 = v0 / theta per group.
  at::Tensor u0 = at::full({4}, 0.05f) / th;
  EXPECT_TRUE(at::equal(trainableISNeuron(x, th, u0, p), expected));
}

} // namespace
