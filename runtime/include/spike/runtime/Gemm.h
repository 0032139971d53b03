//===- Gemm.h - The linear layers' matrix product ---------------*- C++ -*-===//
//
// The runtime's f32 matrix product for linear layers. On the CPU it calls
// oneDNN's sgemm when the build has oneDNN: oneDNN picks its kernel from the
// CPU's instruction set at run time, where Debian's OpenBLAS 0.3.21 falls
// back to a generic kernel on CPUs newer than it knows. Under autograd
// (calibration) a linear's input gradient goes through sgemm too; CUDA
// tensors, learnt weights, attention with gradients and builds without
// oneDNN use ATen's matmul.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_GEMM_H
#define SPIKE_RUNTIME_GEMM_H

#include <torch/types.h>

#include <string>

namespace spike::runtime {

/// y = x · wᵀ for x [..., K] and w [N, K] (f32); returns [..., N].
/// The product of each output is one K-long f32 dot product whose order of
/// accumulation is the kernel's: results agree between kernels, instruction
/// sets and thread counts to f32 rounding (about K · 2^-24 relative to
/// Σ|x·w|), not bit for bit.
at::Tensor linearLayer(const at::Tensor &x, const at::Tensor &w);

/// A product y = x · wᵀ of x [..., K] and an f32 w [N, K]: linearLayer or
/// orderedLinear (OrderedProduct.h).
using LinearProduct = at::Tensor (*)(const at::Tensor &x, const at::Tensor &w);

/// product(x, w) for a bf16 or f16 w [N, K], widened to f32 a block of rows
/// of at most `maxBytes` at a time and the outputs concatenated: the f32
/// copy of a 128K-token lm_head (2.1 GB at the LLaMA-3.1-8B shape) is never
/// made whole. Exact (bit for bit the unsplit product) for products that
/// compute each output on its own in a fixed order (orderedLinear); a BLAS
/// may round a split product differently, within linearLayer's tolerance.
at::Tensor widenedProduct(const at::Tensor &x, const at::Tensor &w,
                          LinearProduct product,
                          int64_t maxBytes = int64_t(256) << 20);

/// Attention's head-batched products with grouped-query sharing:
/// out[..., h] = lhs[..., h] · op(rhs[..., h / (H / Hkv)]) for lhs
/// [..., H, M, K] and rhs [..., Hkv, N, K] (op = transpose, `transposeRhs`)
/// or [..., Hkv, K, N]; returns [..., H, M, N]. The leading dimensions of
/// lhs and rhs are equal. On the CPU through oneDNN's sgemm, one head per
/// thread; elsewhere (and under autograd) ATen's matmul.
at::Tensor headProduct(const at::Tensor &lhs, const at::Tensor &rhs,
                       bool transposeRhs);

/// The checked shape of a head product of lhs [..., H, M, K] and rhs
/// [..., Hkv, N, K] (transposed) or [..., Hkv, K, N]: `batches` [M, K]
/// blocks of lhs, each reading the rhs block kvIndex(i), and the output's
/// shape [..., H, M, N]. Throws (c10::Error) when they do not fit.
struct HeadProductShape {
  int64_t heads = 0, kvHeads = 0, m = 0, n = 0, k = 0, batches = 0;
  std::vector<int64_t> out;
  int64_t kvIndex(int64_t i) const {
    return (i / heads) * kvHeads + (i % heads) / (heads / kvHeads);
  }
};
HeadProductShape headProductShape(const at::Tensor &lhs, const at::Tensor &rhs,
                                  bool transposeRhs);

/// Which kernel `linearLayer` uses on the CPU, e.g.
/// "oneDNN 2.6.3 sgemm, ISA avx512_core_amx, 2 threads".
std::string linearKernelName();

/// The BLAS behind ATen's own CPU products (those under autograd, builds
/// without oneDNN), e.g. "OpenBLAS 0.3.21, core Prescott" for OpenBLAS.
std::string blasKernelName();

/// The one line spike-run prints about its kernels: "linear layers and
/// attention <linearKernelName>; ATen's BLAS <blasKernelName>; fixed-order
/// products <orderedProductVariant> FMA" (OrderedProduct.h).
std::string kernelSummary();

/// Runs ATen on every core this process may use, unless OMP_NUM_THREADS
/// says otherwise: libtorch's own default can be one thread (it counts
/// physical cores through cpuinfo, which may see none on a VM). spike-run
/// and the Python module call it, so that both run the same kernels on the
/// same number of threads.
void useAllCores();

/// Forces `linearLayer` to ATen's matmul (true) or back to the default: for
/// benchmarks that compare the two in one run.
void setLinearUsesATen(bool aten);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_GEMM_H
