//===- Rotation.h - Orthogonal rotations folded into LLaMA weights -*- C++ -*-//
//
// QuaRot/PrefixQuant-style outlier suppression: rotating the residual stream
// by an orthogonal Q (folded into the weights) and the down_proj input by an
// orthogonal R (an explicit linear in the graph) spreads activation outliers
// over all channels, which is what lets static per-tensor 6-bit activation
// quantization hold up. Rotations are randomized Hadamard matrices where a
// small enough Paley block exists, else a Hadamard matrix times a small
// random orthogonal block, kept in factored form (class Rotation).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_LIB_TARGET_LLAMAIMPORT_ROTATION_H
#define SPIKE_LIB_TARGET_LLAMAIMPORT_ROTATION_H

#include <cstdint>
#include <vector>

namespace spike::rotation {

/// A seeded random n x n orthogonal matrix, row-major.
std::vector<float> randomOrthogonal(int64_t n, uint64_t seed);

/// A normalized n x n Hadamard matrix (entries +-1/sqrt(n)) with seeded
/// random column signs (QuaRot's randomized Hadamard), when n = 2^k * m
/// with m = 1, a Paley-I order q + 1 (q prime, q = 3 mod 4) or a Paley-II
/// order 2(q + 1) (q prime, q = 1 mod 4); empty otherwise. The block is
/// the largest such m (576 = 8 * 72 and 1536 = 4 * 384, Paley I), except
/// that a power of two above 1,024 is Sylvester's matrix alone (m = 1).
std::vector<float> randomizedHadamard(int64_t n, uint64_t seed);

/// An n x n orthogonal rotation in factored form, Q = (S ⊗ B) diag(s) c:
/// S the 2^a x 2^a Sylvester Hadamard matrix (±1, applied by the fast
/// Walsh-Hadamard transform), B an m x m block (n = 2^a m), s seeded
/// random signs and c a scale. Applying Q to a vector costs n (a + m)
/// operations instead of n^2, which is what makes folding it into a 7B
/// model's weights take seconds instead of hours. Widths:
/// - a randomized Hadamard matrix where one is constructible with a Paley
///   block of at most 1,024 (randomizedHadamard's matrix, entry for entry:
///   B the Paley block, c = 1/sqrt(n)); 4096 = 2^12 (B = [1]), 576
///   (B of order 72), 1536 (384);
/// - else S ⊗ R with R a seeded random orthogonal block of the odd part m
///   of n, when m <= 1,024 (c = 1/sqrt(2^a)): 11,008 = 2^8 x 43;
/// - else a dense random orthogonal matrix (a = 0, B = Q: O(n^3) to make).
class Rotation {
public:
  Rotation() = default;
  /// The rotation of width n with seed `seed`.
  static Rotation forWidth(int64_t n, uint64_t seed);

  int64_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  /// "randomized-hadamard", "hadamard-x-orthogonal" or "random-orthogonal".
  const char *kind() const { return kind_; }
  /// Q as a dense matrix, row-major [n, n] (the graph's online rotation).
  std::vector<float> dense() const;
  /// W [rows, n] times Q -> [rows, n], in double, rounded once.
  std::vector<float> timesRight(const std::vector<float> &w,
                                int64_t rows) const;
  /// Q^T times W [n, cols] -> [n, cols], in double, rounded once.
  std::vector<float> transposeTimes(const std::vector<float> &w,
                                    int64_t cols) const;

private:
  /// x (n values) times Q, in place.
  void apply(std::vector<double> &x) const;
  /// `count` vectors of w times Q into `out`: vector v's element i at
  /// v * step + i * stride (rows: step n, stride 1; columns: 1, cols).
  void applyEach(const std::vector<float> &w, std::vector<float> &out,
                 int64_t count, int64_t step, int64_t stride) const;
  int64_t n_ = 0, sylvester_ = 1, m_ = 1; ///< n = sylvester * m
  std::vector<double> block_;             ///< B, m x m row-major
  std::vector<double> signs_;             ///< s times c
  const char *kind_ = "";
};

/// W [rows, k] scaled column-wise by g [k].
void scaleColumns(std::vector<float> &w, int64_t rows,
                  const std::vector<float> &g);

} // namespace spike::rotation

#endif // SPIKE_LIB_TARGET_LLAMAIMPORT_ROTATION_H
