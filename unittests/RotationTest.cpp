//===- RotationTest.cpp - Rotations folded into LLaMA weights -------------===//

#include "../lib/Target/LlamaImport/Rotation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

/// max |M M^T - I|.
double orthogonalityError(const std::vector<float> &m, int64_t n) {
  double worst = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t k = 0; k < n; ++k)
        dot += double(m[i * n + k]) * double(m[j * n + k]);
      worst = std::max(worst, std::fabs(dot - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

TEST(Rotation, HadamardOrdersOfLlamaWidths) {
  // SmolLM2: 576 = 16 * 36 (Paley II), 1536 = 128 * 12 (Paley I). (LLaMA-2-7B:
  // 4096 = 2^12 and 11008 = 2 * 5504, 5503 prime: Paley I.)
  for (int64_t n : {1, 2, 12, 20, 36, 64, 576, 1536}) {
    std::vector<float> h = spike::rotation::randomizedHadamard(n, 7);
    ASSERT_EQ(int64_t(h.size()), n * n) << n;
    float entry = float(1.0 / std::sqrt(double(n)));
    for (float v : h)
      ASSERT_EQ(std::fabs(v), entry);
    if (n <= 576) {
      EXPECT_LT(orthogonalityError(h, n), 1e-5) << n;
    }
  }
  EXPECT_TRUE(spike::rotation::randomizedHadamard(58, 7).empty());
  EXPECT_TRUE(spike::rotation::randomizedHadamard(10, 7).empty());
}

TEST(Rotation, FallsBackToRandomOrthogonal) {
  const char *kind = nullptr;
  std::vector<float> q = spike::rotation::rotationFor(10, 3, kind);
  EXPECT_STREQ(kind, "random-orthogonal");
  EXPECT_LT(orthogonalityError(q, 10), 1e-6);
  spike::rotation::rotationFor(12, 3, kind);
  EXPECT_STREQ(kind, "randomized-hadamard");
}

} // namespace
