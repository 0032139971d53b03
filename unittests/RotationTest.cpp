//===- RotationTest.cpp - Rotations folded into LLaMA weights -------------===//

#include "../lib/Target/LlamaImport/Rotation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using spike::rotation::Rotation;

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
  // SmolLM2: 576 = 8 * 72 (Paley I, q = 71), 1536 = 4 * 384 (Paley I,
  // q = 383): the largest block found from the top.
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

/// max |a - b| / max |b| over two matrices.
double relativeError(const std::vector<float> &a,
                     const std::vector<double> &b) {
  double worst = 0, scale = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return worst / scale;
}

TEST(Rotation, FactoredFormsOfEachKind) {
  EXPECT_STREQ(Rotation::forWidth(12, 3).kind(), "randomized-hadamard");
  EXPECT_STREQ(Rotation::forWidth(4096, 3).kind(), "randomized-hadamard");
  // 11,008 = 2^8 x 43: no Paley block up to 1,024 (its Paley-I block is
  // 5,504), so a Hadamard matrix times a random orthogonal 43 x 43.
  EXPECT_STREQ(Rotation::forWidth(11008, 3).kind(), "hadamard-x-orthogonal");
  EXPECT_STREQ(Rotation::forWidth(10, 3).kind(), "hadamard-x-orthogonal");
  EXPECT_STREQ(Rotation::forWidth(1, 3).kind(), "randomized-hadamard");
}

// The factored Hadamard is randomizedHadamard's matrix entry for entry.
TEST(Rotation, FactoredHadamardIsTheDenseOne) {
  for (int64_t n : {12, 64, 72, 576})
    EXPECT_EQ(Rotation::forWidth(n, 7).dense(),
              spike::rotation::randomizedHadamard(n, 7))
        << n;
}

// A power of two above 1,024 is Sylvester's matrix alone: Q[i][j] =
// (-1)^popcount(i & j) s_j / sqrt(n), the fast transform with no block.
TEST(Rotation, LargePowersOfTwoAreSylvestersMatrix) {
  const int64_t n = 4096;
  std::vector<float> q = Rotation::forWidth(n, 7).dense();
  EXPECT_EQ(q, spike::rotation::randomizedHadamard(n, 7));
  for (int64_t i : {0, 1, 5, 1000, 4095})
    for (int64_t j : {0, 3, 64, 2049, 4095}) {
      float sign = __builtin_popcountll(uint64_t(i & j)) % 2 ? -1.f : 1.f;
      EXPECT_EQ(q[i * n + j], sign * q[j]) << i << ", " << j;
    }
}

// W Q and Q^T W through the factors equal the products with the dense
// matrix: both accumulate in double and round once, so they differ by at
// most the f32 rounding of the result (2^-24 relative) plus n ulp of
// double; 1e-6 of the largest entry is far above both.
TEST(Rotation, FoldingThroughTheFactorsEqualsTheDenseProduct) {
  for (int64_t n : {10, 12, 72, 86, 344}) {
    Rotation q = Rotation::forWidth(n, 5);
    std::vector<float> m = q.dense();
    EXPECT_LT(orthogonalityError(m, n), 1e-5) << n;
    const int64_t rows = 3;
    std::vector<float> w(rows * n);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = float(std::sin(double(i) * 0.37) * (i % 7 + 1));
    std::vector<double> right(rows * n, 0.0), left(n * rows, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
          right[r * n + j] += double(w[r * n + i]) * m[i * n + j];
    // Q^T V with V = W^T, [n, rows].
    std::vector<float> v(n * rows);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < n; ++i)
        v[i * rows + r] = w[r * n + i];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t c = 0; c < rows; ++c)
          left[i * rows + c] += double(m[j * n + i]) * v[j * rows + c];
    EXPECT_LT(relativeError(q.timesRight(w, rows), right), 1e-6) << n;
    EXPECT_LT(relativeError(q.transposeTimes(v, rows), left), 1e-6) << n;
  }
}

// At a 7B width, a vector keeps its length (orthogonality, through the
// factors alone: the dense 11,008 x 11,008 check would take minutes).
TEST(Rotation, SevenBWidthsKeepLengths) {
  for (int64_t n : {4096, 11008}) {
    Rotation q = Rotation::forWidth(n, 1);
    std::vector<float> x(n);
    double before = 0, after = 0;
    for (int64_t i = 0; i < n; ++i) {
      x[i] = float(std::cos(double(i)));
      before += double(x[i]) * x[i];
    }
    for (float y : q.timesRight(x, 1))
      after += double(y) * y;
    EXPECT_NEAR(after / before, 1.0, 1e-5) << n;
  }
}

} // namespace
