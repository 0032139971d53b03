//===- ExactProduct.h - Synaptic products on integers -----------*- C++ -*-===//
//
// A quantized linear reading spikes (or a quantizer) multiplies integers: the
// activation is n · s_x for an integer n (a spike count, a quantizer level)
// and the weight is c · s_w for an integer code c. The runtime computes
// sum_k n_k c_k exactly and applies the scales once per output, so the
// result does not depend on the order of accumulation, the BLAS kernel, the
// instruction set or the thread count.
//
// Exactness: an f32 sum of integers is exact while every partial sum stays
// below 2^24 in magnitude, whatever the order; with |n| <= maxAbs and
// |c| <= maxCode a K-long sum stays below maxAbs · maxCode · K (the layer's
// synapse bound). Below 2^24 one f32 product is exact; above it, K is split
// into chunks whose bound is below 2^24 and the chunks are added in int32,
// which needs the bound below 2^31 (checked when a plan is loaded).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_EXACTPRODUCT_H
#define SPIKE_RUNTIME_EXACTPRODUCT_H

#include <torch/types.h>

namespace spike::runtime {

/// Sums of integers in f32 are exact below this magnitude (2^24).
constexpr int64_t kExactF32Bound = int64_t(1) << 24;
/// The int32 accumulation's limit (2^31).
constexpr int64_t kExactInt32Bound = int64_t(1) << 31;

/// The integers n of x = fl(n · scale): round(x / scale), as f32. Exact
/// while |n| < 2^21 (the two roundings move x / scale by under |n| 2^-23).
at::Tensor gridIntegers(const at::Tensor &x, float scale);

/// A quantized linear on integers: y[.., j] = fl(fl(sum_k n_k codes[j, k]) ·
/// outScale[j]) for n = gridIntegers(x, scale), x [..., K] f32, codes [N, K]
/// (int8, int16, int32, or f32 holding integers), outScale [N] (f32, the input
/// scale times row j's weight scale). `perSynapse` bounds |n_k codes[j, k]|
/// (maxAbs · maxCode): the sum is one f32 product when perSynapse · K < 2^24,
/// else chunked with int32 accumulation (perSynapse · K < 2^31, else an error).
/// Returns
/// [..., N]; the sum above 2^24 is rounded once, to nearest, into f32.
at::Tensor exactLinear(const at::Tensor &x, float scale,
                       const at::Tensor &codes, const at::Tensor &outScale,
                       int64_t perSynapse);

/// Attention's head product (headProduct, Gemm.h) of two grid values:
/// fl(sum_k n_a n_b) · fl(scaleA · scaleB) with the integers of lhs and rhs.
/// Exact when maxAbsA · maxAbsB · K < 2^24, which the caller checks
/// (K = lhs.size(-1)).
at::Tensor exactHeadProduct(const at::Tensor &lhs, float scaleA,
                            const at::Tensor &rhs, float scaleB,
                            bool transposeRhs);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_EXACTPRODUCT_H
