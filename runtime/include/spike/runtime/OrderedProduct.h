//===- OrderedProduct.h - Matrix products with one fixed order --*- C++ -*-===//
//
// The f32 products whose operands are not on an integer grid (lm_head, the
// online rotation, the prefix's positions) with one defined arithmetic: each
// output is a K-long chain of fused multiply-adds from k = 0 up, one
// rounding per term (IEEE 754's FMA). The result then does not depend on the
// CPU's instruction set, the thread count or a BLAS library: threads split
// the outputs, never a sum. AVX-512 and AVX2 builds use the CPU's FMA, a
// scalar build std::fma (correct on every CPU, slow without FMA hardware);
// all three give the same bits. Slower than a BLAS (no reassociation, so no
// k-blocking), which is why the quantized products go through the exact
// integer path (ExactProduct.h) instead.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_ORDEREDPRODUCT_H
#define SPIKE_RUNTIME_ORDEREDPRODUCT_H

#include <torch/types.h>

#include <string>
#include <vector>

namespace spike::runtime {

/// y = x · wᵀ for x [..., K] and w [N, K] (f32 CPU tensors): y[.., n] =
/// fma(x_{K-1}, w_n,K-1, ... fma(x_1, w_n1, fma(x_0, w_n0, +0))). Returns [...,
/// N]. CUDA tensors go to ATen's matmul (the order is then cuBLAS's). Not
/// differentiable.
at::Tensor orderedLinear(const at::Tensor &x, const at::Tensor &w);

/// headProduct (Gemm.h) in the same fixed order: lhs [..., H, M, K] with
/// rhs [..., Hkv, N, K] (`transposeRhs`) or [..., Hkv, K, N], query head h
/// reading key/value head h / (H / Hkv). Returns [..., H, M, N].
at::Tensor orderedHeadProduct(const at::Tensor &lhs, const at::Tensor &rhs,
                              bool transposeRhs);

/// The build the products run: "avx2", "avx512" or "scalar" (the first
/// of these this CPU supports unless set).
std::string orderedProductVariant();
/// The builds this CPU supports, preferred first.
std::vector<std::string> orderedProductVariants();
/// Runs the products on build `name` ("" for the preferred); false if this
/// CPU does not support it. For tests and benchmarks: every build gives
/// the same bits.
bool setOrderedProductVariant(const std::string &name);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_ORDEREDPRODUCT_H
