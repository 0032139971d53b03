//===- Rotation.h - Orthogonal rotations folded into LLaMA weights -*- C++ -*-//
//
// QuaRot/PrefixQuant-style outlier suppression: rotating the residual stream
// by an orthogonal Q (folded into the weights) and the down_proj input by an
// orthogonal R (an explicit linear in the graph) spreads activation outliers
// over all channels, which is what lets static per-tensor 6-bit activation
// quantization hold up. We use seeded random orthogonal matrices (Gram-
// Schmidt on Gaussian), since LLaMA widths such as 576 or 1536 are not
// powers of two.
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
/// order 2(q + 1) (q prime, q = 1 mod 4); empty otherwise. 576 = 16 * 36
/// (Paley II, q = 17) and 1536 = 128 * 12 (Paley I, q = 11) are covered.
std::vector<float> randomizedHadamard(int64_t n, uint64_t seed);

/// The rotation used for width n: a randomized Hadamard matrix when one is
/// constructible, else a random orthogonal matrix. `kind` says which.
std::vector<float> rotationFor(int64_t n, uint64_t seed, const char *&kind);

/// W [rows, k] times M [k, k] -> [rows, k].
std::vector<float> timesRight(const std::vector<float> &w, int64_t rows,
                              int64_t k, const std::vector<float> &m);

/// M^T [k, k] times W [k, cols] -> [k, cols].
std::vector<float> transposeTimes(const std::vector<float> &m, int64_t k,
                                  const std::vector<float> &w, int64_t cols);

/// W [rows, k] scaled column-wise by g [k].
void scaleColumns(std::vector<float> &w, int64_t rows,
                  const std::vector<float> &g);

} // namespace spike::rotation

#endif // SPIKE_LIB_TARGET_LLAMAIMPORT_ROTATION_H
