//===- SignedCodeTest.cpp - Exactness of the signed spike code ------------===//
//
// The signed code (Neuron.h: SpikeCoding::Signed, signedCodeParams) where a
// zero is silence: at T = 1 it is the QANN's quantizer bit for bit; for
// every n = 2..8 and every allowed T, a uniform input gives the quantizer
// of the summed input, ties, saturation and the lowest code included, and
// an uneven one does unless the per-step cap L binds (never with the full
// cap 2^n - 1); all of it on signed and on unsigned grids; the binary IF window
// (signedIfWindow) carries out each step exactly, membranes within an ulp
// of 0 included. Inputs are dyadic where the claim is about real
// arithmetic, so that double computes them exactly.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Neuron/Neuron.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace spike::neuron;

namespace {

ISParams signedParams(int bits, int64_t timesteps, bool unsignedGrid = false) {
  ISParams p;
  EXPECT_EQ(signedCodeParams(bits, timesteps, p, unsignedGrid), nullptr);
  return p;
}

/// Both grids of the quantizer: signed, then unsigned.
constexpr bool kGrids[] = {false, true};
const char *gridName(bool unsignedGrid) {
  return unsignedGrid ? "unsigned" : "signed";
}

/// The T values checked for n bits: every T up to 2 * 2^(n-1) + 3 (powers
/// of two and all others, L from 2^(n-1) down to 1), and the largest.
std::vector<int64_t> allowedTimesteps(int bits) {
  std::vector<int64_t> out;
  for (int64_t t = 1; t <= 2 * (int64_t(1) << (bits - 1)) + 3; ++t)
    out.push_back(t);
  out.push_back(kMaxSignedSteps);
  return out;
}

template <typename F> uint64_t bitsOf(F v) {
  uint64_t b = 0;
  std::memcpy(&b, &v, sizeof v);
  return b;
}

TEST(SignedCode, Parameters) {
  ISParams p = signedParams(6, 2);
  EXPECT_EQ(p.coding, SpikeCoding::Signed);
  EXPECT_EQ(p.levels, 16);
  EXPECT_EQ(p.alpha, 0);
  EXPECT_EQ(p.lo, -32);
  EXPECT_EQ(p.hi, 31);
  EXPECT_EQ(signedParams(6, 3).levels, 11); // ceil(32 / 3): T need not be 2^k
  EXPECT_EQ(signedParams(2, 7).levels, 1);
  ISParams u = signedParams(8, 2, /*unsignedGrid=*/true);
  EXPECT_EQ(u.levels, 128); // ceil(255 / 2)
  EXPECT_EQ(u.lo, 0);
  EXPECT_EQ(u.hi, 255);
  EXPECT_EQ(signedMaxLevels(6), 63);
  EXPECT_TRUE(isSignedGrid(p));
  EXPECT_FALSE(isSignedGrid(u));
  ISParams q;
  EXPECT_STREQ(signedCodeParams(9, 2, q), "bits must be in [2, 8]");
  EXPECT_STREQ(signedCodeParams(6, 0, q), "T must be in [1, 1024]");
  EXPECT_STREQ(signedCodeParams(6, 1025, q), "T must be in [1, 1024]");
  SpikeCoding c;
  EXPECT_TRUE(parseCoding("signed", c) && c == SpikeCoding::Signed);
  EXPECT_TRUE(parseCoding("offset", c) && c == SpikeCoding::Offset);
  EXPECT_FALSE(parseCoding("binary", c));
  EXPECT_STREQ(codingName(SpikeCoding::Signed), "signed");
}

// T = 1: the step is the quantizer's own expression, so the output equals
// the QANN bit for bit on arbitrary floats, near-integer membranes and the
// values next to the grid's ties included (where floor(1/2 + x/theta)
// alone would differ).
template <typename F> void checkT1(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<F> scaleDist(F(1e-3), F(2));
  std::normal_distribution<F> xDist(F(0), F(1));
  int64_t samples = 0;
  for (bool unsignedGrid : kGrids)
    for (int bits = kMinBits; bits <= kMaxBits; ++bits) {
      ISParams p = signedParams(bits, 1, unsignedGrid);
      QuantGrid g = quantGrid(bits, !unsignedGrid);
      for (int i = 0; i < 75000; ++i, ++samples) {
        F theta = scaleDist(rng);
        F x = xDist(rng) * theta * F(g.maxCode);
        if (i % 3 == 1) // next to a tie (k + 1/2) * theta, either side
          x = std::nextafter((F(int64_t(x / theta)) + F(0.5)) * theta,
                             i % 2 ? std::numeric_limits<F>::infinity() : F(0));
        if (i % 3 ==
            2) // within a few ulps of -theta/2, where the level is 0/-1
          x = std::nextafter(-theta / 2, F(i % 4) - F(2));
        ISState<F> st = isInit(theta / 2, theta);
        int64_t s = isStep(st, x, theta, p);
        F y = isOutput(s, theta, p);
        F q = quantize(x, theta, g);
        ASSERT_EQ(bitsOf(y), bitsOf(q))
            << gridName(unsignedGrid) << " bits=" << bits << " x=" << x
            << " theta=" << theta;
      }
    }
  EXPECT_GE(samples, 1000000);
}

TEST(SignedCode, EqualsQuantizerBitForBitAtT1Float) { checkT1<float>(11); }
TEST(SignedCode, EqualsQuantizerBitForBitAtT1Double) { checkT1<double>(12); }

// Uniform input: the same dyadic current c every step. The window's count
// is the quantizer of the summed input T * c, for every n and allowed T,
// on the whole grid and 1.5x beyond both ends, with every tie of a step of
// theta / 256.
TEST(SignedCode, UniformInputEqualsQuantizer) {
  std::mt19937_64 rng(13);
  const double theta = 0.125;
  int64_t total = 0, ties = 0;
  for (bool unsignedGrid : kGrids)
    for (int bits = kMinBits; bits <= kMaxBits; ++bits) {
      QuantGrid g = quantGrid(bits, !unsignedGrid);
      for (int64_t t : allowedTimesteps(bits)) {
        ISParams p = signedParams(bits, t, unsignedGrid);
        // c = j * theta / 256, so that T * c spans 1.5x the grid.
        int64_t reach = std::max(-g.lo(), g.hi()) + 1;
        int64_t range = int64_t(1.5 * double(reach) * 256) / t + 1;
        std::uniform_int_distribution<int64_t> jDist(-range, range);
        for (int i = 0; i < 1500; ++i, ++total) {
          int64_t j = jDist(rng);
          if (i < 3) // the grid's ends and zero
            j = i == 0 ? 0 : (i == 1 ? range : -range);
          double c = double(j) * theta / 256;
          ISState<double> st = isInit(theta / 2, theta);
          double sum = 0;
          for (int64_t k = 0; k < t; ++k)
            sum += isOutput(isStep(st, c, theta, p), theta, p);
          double x = double(t) * c;
          ties += std::floor(x / theta + 0.5) == x / theta + 0.5;
          ASSERT_EQ(sum, quantize(x, theta, g))
              << gridName(unsignedGrid) << " bits=" << bits << " T=" << t
              << " c=" << c;
          ASSERT_GE(st.spent, g.lo());
          ASSERT_LE(st.spent, g.hi());
        }
      }
    }
  std::printf("[ measured ] signed code, uniform input: %lld windows, %lld "
              "of them ties\n",
              (long long)total, (long long)ties);
  EXPECT_GE(total, 1000000);
  EXPECT_GT(ties, 1000);
}

// Uneven input: dyadic currents of any sign summing to X. The window's
// count is the quantizer of X unless some step's level exceeds the cap L;
// how often the cap binds is printed. With the full cap 2^n - 1 it never
// binds.
TEST(SignedCode, UnevenInputEqualsQuantizerUnlessCapBinds) {
  std::mt19937_64 rng(14);
  const double theta = 0.125;
  int64_t checked = 0, capped = 0, fullChecked = 0;
  for (bool unsignedGrid : kGrids)
    for (bool full : {false, true})
      for (int bits = kMinBits; bits <= kMaxBits; ++bits) {
        QuantGrid g = quantGrid(bits, !unsignedGrid);
        for (int64_t t : {1, 2, 3, 4, 5, 8, 16}) {
          ISParams p = signedParams(bits, t, unsignedGrid);
          int64_t evenCap = p.levels;
          if (full)
            p.levels = signedMaxLevels(bits);
          // Steps up to 1.25 (even) L in size, so that some bind the even cap
          // and most sums stay on the grid or saturate it.
          int64_t range = int64_t(1.25 * double(evenCap) * 256);
          std::uniform_int_distribution<int64_t> jDist(-range, range);
          for (int i = 0; i < 8000; ++i) {
            std::vector<double> steps(t);
            double x = 0;
            for (double &c : steps) {
              c = double(jDist(rng)) * theta / 256;
              x += c;
            }
            ISState<double> st = isInit(theta / 2, theta);
            double sum = 0;
            bool hitCap = false;
            for (double c : steps) {
              double level = std::floor(st.u + c / theta);
              double room = double(p.levels);
              // The full cap is never below the grid's room, hi - lo.
              hitCap |= !full && (level > room || level < -room);
              sum += isOutput(isStep(st, c, theta, p), theta, p);
            }
            if (hitCap) {
              ++capped;
              continue;
            }
            ++checked;
            fullChecked += full;
            ASSERT_EQ(sum, quantize(x, theta, g))
                << gridName(unsignedGrid) << " bits=" << bits << " T=" << t
                << (full ? ", full cap" : "");
          }
        }
      }
  std::printf("[ measured ] signed code, uneven input: %lld windows checked "
              "(%lld with the full cap), %lld hit the even cap L\n",
              (long long)checked, (long long)fullChecked, (long long)capped);
  EXPECT_GE(checked, 500000);
  EXPECT_GE(fullChecked, 7 * 7 * 8000 * 2); // every full-cap window
}

// A zero input fires nothing, at any T, for any v0 in [0, theta).
TEST(SignedCode, ZeroIsSilence) {
  std::mt19937_64 rng(15);
  std::uniform_int_distribution<int> v0Dist(0, 255);
  for (int bits = kMinBits; bits <= kMaxBits; ++bits)
    for (int64_t t : allowedTimesteps(bits)) {
      ISParams p = signedParams(bits, t);
      const float theta = 0.75f;
      ISState<float> st = isInit(float(v0Dist(rng)) / 256 * theta, theta);
      for (int64_t k = 0; k < t; ++k)
        ASSERT_EQ(isStep(st, 0.f, theta, p), 0) << "bits=" << bits;
    }
}

// The binary IF window carries out each signed IS step exactly, for
// arbitrary uneven inputs, in float and double: per step the count and the
// membrane are identical, each sub-step fires at most once in the step's
// one direction. Currents include ones that leave the membrane within a
// few ulps of 0 and of 1, where a plain u < 0 comparison would disagree
// with the step's expression.
template <typename F> void checkSignedIF(uint64_t seed) {
  std::mt19937_64 rng(seed);
  int64_t steps = 0, nearZero = 0;
  std::vector<int8_t> raster;
  for (bool unsignedGrid : kGrids)
    for (int bits = kMinBits; bits <= kMaxBits; ++bits)
      for (int64_t t : {1, 2, 3, 4, 8, 16}) {
        ISParams p = signedParams(bits, t, unsignedGrid);
        raster.assign(size_t(p.levels), 0);
        std::normal_distribution<F> dist(0, F(p.levels) * F(1.5));
        std::uniform_real_distribution<F> thetaDist(F(0.01), F(3));
        std::uniform_int_distribution<int> kind(0, 3);
        for (int w = 0; w < 2500; ++w) {
          F theta = thetaDist(rng);
          ISState<F> is = isInit(theta / 2, theta), ifs = is;
          for (int64_t k = 0; k < t; ++k, ++steps) {
            F current = dist(rng) * theta;
            int pick = kind(rng);
            if (pick == 1) { // lands the membrane next to an integer
              F target = std::nextafter(F(int64_t(dist(rng))),
                                        w % 2 ? F(1e9) : F(-1e9));
              current = (target - is.u) * theta;
              ++nearZero;
            } else if (pick == 2) { // within ulps of 0
              current = std::nextafter(-is.u * theta, F(w % 3) - F(1));
              ++nearZero;
            }
            int64_t s = isStep(is, current, theta, p);
            int64_t c = signedIfWindow(ifs, current, theta, p, raster.data());
            ASSERT_EQ(s, c) << "bits=" << bits << " T=" << t;
            ASSERT_EQ(bitsOf(is.u), bitsOf(ifs.u));
            ASSERT_EQ(is.spent, ifs.spent);
            int64_t fired = 0, positive = 0, negative = 0;
            for (int8_t b : raster) {
              fired += b;
              positive += b > 0;
              negative += b < 0;
            }
            ASSERT_EQ(fired, c);
            ASSERT_TRUE(positive == 0 || negative == 0); // one direction
          }
        }
      }
  std::printf("[ measured ] signed IF window: %lld steps, %lld aimed at a "
              "membrane next to an integer\n",
              (long long)steps, (long long)nearZero);
  EXPECT_GE(steps, 1000000);
}

TEST(SignedCode, IFWindowEqualsISStepFloat) { checkSignedIF<float>(16); }
TEST(SignedCode, IFWindowEqualsISStepDouble) { checkSignedIF<double>(17); }

// The chip's integer membrane (F = int64_t, one = 2^frac): the IF window
// and the IS step agree on every charge.
TEST(SignedCode, IFWindowEqualsISStepOnIntegerMembranes) {
  std::mt19937_64 rng(18);
  for (int bits = kMinBits; bits <= kMaxBits; ++bits)
    for (int64_t t : {1, 2, 5, 8}) {
      ISParams p = signedParams(bits, t);
      const int64_t one = 1 << 10;
      std::uniform_int_distribution<int64_t> charge(-3 * p.levels * one,
                                                    3 * p.levels * one);
      std::vector<int8_t> raster(size_t(p.levels));
      for (int w = 0; w < 5000; ++w) {
        ISState<int64_t> is{one / 2, 0}, ifs = is;
        for (int64_t k = 0; k < t; ++k) {
          int64_t q = charge(rng);
          int64_t s = isStep<int64_t>(is, q, 1, p, one);
          int64_t c = signedIfWindow<int64_t>(ifs, q, 1, p, raster.data(), one);
          ASSERT_EQ(s, c);
          ASSERT_EQ(is.u, ifs.u);
        }
      }
    }
}

} // namespace
