//===- KernelsTest.cpp - Row kernels against the scalar neuron math ------===//
//
// The CPU kernels run the quantizer and the IS neuron row by row in
// vectorized loops, with window counts held in f32 (neuron::isStepOn). They
// must give the bits of the scalar Neuron.h functions applied element by
// element (and the IF kernels, sub-step by sub-step over a row, those of
// the IF windows): outputs and spike tallies, for every parameter kind (budget
// or none, correction spikes or not, signed and unsigned grids), T = 1, 2, 4,
// odd widths (vector tails), bypassed prefix rows, and inputs on and next
// to the rounding boundaries.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace spike;
using namespace spike::runtime;

namespace {

/// Inputs [T, 2, 5, d]: a mix of spread values, exact multiples of the
/// (dyadic) threshold and their float neighbours, and zeros.
at::Tensor boundaryInputs(int64_t steps, int64_t d, float theta, int seed) {
  at::manual_seed(seed);
  at::Tensor x = at::randn({steps, 2, 5, d}) * (8 * theta);
  at::Tensor k = at::randint(-20, 20, {steps, 2, 5, d}).to(at::kFloat) * theta;
  at::Tensor pick = at::randint(0, 4, {steps, 2, 5, d});
  x = at::where(pick == 1, k, x);
  x = at::where(pick == 2, at::nextafter(k, k + 1), x);
  x = at::where(pick == 3, at::zeros_like(x), x);
  return x.contiguous();
}

TEST(Kernels, ISNeuronRowsEqualTheScalarStep) {
  struct Case {
    int64_t levels;
    double alpha;
    int64_t budget;
    bool bidirectional;
  };
  const Case cases[] = {{32, 16, 63, false}, {32, 16, 63, true},
                        {16, 8, 0, false},   {8, 0, 15, true},
                        {63, 0, 63, false},  {4, 2, 0, true}};
  const int64_t d = 37;
  std::vector<float> theta(d), v0(d);
  for (int64_t c = 0; c < d; ++c) {
    theta[c] = 0.25f * float(1 + c % 3); // dyadic: exact multiples exist
    v0[c] = theta[c] * (c % 2 ? 0.5f : 0.25f);
  }
  for (const Case &k : cases)
    for (int64_t steps : {1, 2, 4})
      for (int64_t bypassRows : {0, 2}) {
        neuron::ISParams p;
        p.levels = k.levels, p.alpha = k.alpha, p.budget = k.budget;
        p.bidirectional = k.bidirectional;
        at::Tensor x =
            boundaryInputs(steps, d, 0.25f, int(steps + 7 * k.levels));
        SpikeTally tally;
        at::Tensor got = isNeuronKernel(x, theta, v0, p, &tally,
                                        Bypass{bypassRows}, ChipNumerics{});
        // The reference: Neuron.h element by element, int64 counts.
        at::Tensor want = at::empty_like(x);
        const float *src = x.data_ptr<float>();
        float *dst = want.data_ptr<float>();
        int64_t per = x.numel() / steps, spikes = 0, events = 0;
        Bypass bypass{bypassRows};
        for (int64_t i = 0; i < per; ++i) {
          if (bypass.contains(i, x)) {
            for (int64_t t = 0; t < steps; ++t)
              dst[t * per + i] = src[t * per + i];
            continue;
          }
          neuron::ISState<float> st = neuron::isInit(v0[i % d], theta[i % d]);
          for (int64_t t = 0; t < steps; ++t) {
            int64_t s = neuron::isStep(st, src[t * per + i], theta[i % d], p);
            dst[t * per + i] = neuron::isOutput(s, theta[i % d], p);
            spikes += s < 0 ? -s : s;
            events += s != 0;
          }
        }
        std::string what = "L=" + std::to_string(k.levels) +
                           " budget=" + std::to_string(k.budget) +
                           (k.bidirectional ? " bidirectional" : "") +
                           " T=" + std::to_string(steps) +
                           " bypass=" + std::to_string(bypassRows);
        EXPECT_TRUE(at::equal(got, want)) << what;
        EXPECT_EQ(tally.spikes, spikes) << what;
        EXPECT_EQ(tally.events, events) << what;
      }
}

TEST(Kernels, IFNeuronRowsEqualTheScalarWindow) {
  // The IF kernel runs a row of neurons sub-step by sub-step (Neuron.h's
  // branch-free sub-steps); it must give the spikes and counts of
  // ifWindow / signedIfWindow applied neuron by neuron, and if_collect the
  // window sums.
  const int64_t d = 37;
  std::vector<float> theta(d), v0(d);
  for (int64_t c = 0; c < d; ++c) {
    theta[c] = 0.25f * float(1 + c % 3);
    v0[c] = theta[c] * (c % 2 ? 0.5f : 0.25f); // in [0, theta): signed too
  }
  struct Case {
    const char *name;
    neuron::ISParams p;
    neuron::IFSchedule schedule;
    int64_t steps;
  };
  std::vector<Case> cases;
  for (int64_t steps : {1, 2, 4}) {
    neuron::ISParams offset;
    offset.levels = 32 / steps, offset.alpha = 16.0 / steps;
    offset.budget = 63;
    cases.push_back(
        {"offset", offset, neuron::IFSchedule::IntegrateThenFire, steps});
    cases.push_back(
        {"offset uniform", offset, neuron::IFSchedule::Uniform, steps});
    neuron::ISParams s, u;
    ASSERT_EQ(neuron::signedCodeParams(6, steps, s), nullptr);
    ASSERT_EQ(neuron::signedCodeParams(8, steps, u, /*unsignedGrid=*/true),
              nullptr);
    cases.push_back(
        {"signed", s, neuron::IFSchedule::IntegrateThenFire, steps});
    cases.push_back(
        {"signed unsigned", u, neuron::IFSchedule::IntegrateThenFire, steps});
  }
  int seed = 0;
  for (const Case &k : cases) {
    { // one case
      const neuron::ISParams &p = k.p;
      int64_t steps = k.steps;
      at::Tensor x = boundaryInputs(steps, d, 0.25f, ++seed);
      // Membranes within an ulp of 0 after the first step (u0 = 1/2).
      for (int64_t c : {5, 7}) {
        float half = -0.5f * theta[c];
        x.select(-1, c).select(0, 0).fill_(half);
        x.select(-1, c).select(0, 0).select(0, 1).fill_(
            std::nextafter(half, 0.0f));
        x.select(-1, c).select(0, 0).select(1, 2).fill_(
            std::nextafter(half, -1.0f));
      }
      x = x.contiguous();
      SpikeTally tally;
      at::Tensor got = ifNeuronKernel(x, theta, v0, p, k.schedule, &tally);
      at::Tensor collected = ifCollectKernel(got, theta, p);
      // The reference: Neuron.h neuron by neuron.
      bool isSigned = p.coding == neuron::SpikeCoding::Signed;
      at::Tensor want = at::zeros_like(got);
      auto *wantBytes = static_cast<uint8_t *>(want.data_ptr());
      at::Tensor sums = at::empty_like(x);
      const float *src = x.data_ptr<float>();
      int64_t per = x.numel() / steps, L = p.levels;
      NeuronCounts counts;
      std::vector<int8_t> raster(static_cast<size_t>(L));
      for (int64_t i = 0; i < per; ++i) {
        neuron::ISState<float> st = neuron::isInit(v0[i % d], theta[i % d]);
        for (int64_t t = 0; t < steps; ++t) {
          int64_t c =
              isSigned ? neuron::signedIfWindow(st, src[t * per + i],
                                                theta[i % d], p, raster.data())
                       : neuron::ifWindow(
                             st, src[t * per + i], theta[i % d], p, k.schedule,
                             reinterpret_cast<uint8_t *>(raster.data()));
          counts.addWindow(c, isSigned &&
                                  neuron::signedCapBound(st.u, st.spent, c, p));
          for (int64_t j = 0; j < L; ++j) // int8 or uint8: the same byte
            wantBytes[(t * L + j) * per + i] = uint8_t(raster[size_t(j)]);
          sums.data_ptr<float>()[t * per + i] =
              neuron::isOutput(c, theta[i % d], p);
        }
      }
      std::string what = std::string(k.name) + " L=" + std::to_string(L) +
                         " T=" + std::to_string(steps);
      EXPECT_EQ(got.scalar_type(), isSigned ? at::kChar : at::kByte) << what;
      EXPECT_TRUE(at::equal(got, want)) << what;
      EXPECT_TRUE(at::equal(collected, sums)) << what;
      EXPECT_EQ(tally.spikes, counts.spikes) << what;
      EXPECT_EQ(tally.events, counts.events) << what;
      EXPECT_EQ(tally.negativeSpikes, counts.negativeSpikes) << what;
      EXPECT_EQ(tally.negativeEvents, counts.negativeEvents) << what;
      EXPECT_EQ(tally.capBound, counts.capBound) << what;
    }
  }
}

TEST(Kernels, QuantizerRowsEqualTheScalarQuantizer) {
  const int64_t d = 29;
  std::vector<float> scale(d);
  for (int64_t c = 0; c < d; ++c)
    scale[c] = 0.125f * float(1 + c % 4);
  for (bool isSigned : {true, false})
    for (int bits : {2, 6, 8}) {
      neuron::QuantGrid g = neuron::quantGrid(bits, isSigned);
      at::Tensor x = boundaryInputs(1, d, 0.0625f, bits).squeeze(0);
      // Exact half-steps (the ties) as well.
      x.select(-1, 3).fill_(1.5f * scale[3]);
      at::Tensor got = quantizeKernel(x, scale, g, Bypass{1});
      at::Tensor want = at::empty_like(x);
      const float *src = x.data_ptr<float>();
      float *dst = want.data_ptr<float>();
      Bypass bypass{1};
      for (int64_t i = 0; i < x.numel(); ++i)
        dst[i] = bypass.contains(i, x)
                     ? src[i]
                     : neuron::quantize(src[i], scale[i % d], g);
      EXPECT_TRUE(at::equal(got, want))
          << bits << " bits, " << (isSigned ? "signed" : "unsigned");
    }
}

} // namespace
