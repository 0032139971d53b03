//===- DefinedMaps.h - Nonlinear maps with one defined arithmetic -*- C++ -*-=//
//
// RMSNorm, softmax and SiLU as the QANN and spiking levels run them on the
// CPU: each row reduced in a fixed order, in double, and exp computed by
// one polynomial in double (no libm, no FMA), each output rounded once to
// f32. ATen's own maps pick their vector width and their exp (Sleef) by the
// CPU's instruction set (ATEN_CPU_CAPABILITY), so their last bits, and then
// quantizer decisions, differ between machines; these do not.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_DEFINEDMAPS_H
#define SPIKE_RUNTIME_DEFINEDMAPS_H

#include <torch/types.h>

namespace spike::runtime {

/// e^x in double: x = n ln 2 + r (Cody-Waite, fdlibm's split of ln 2), a
/// degree-13 Taylor polynomial in r (|r| <= ln 2 / 2, truncation below
/// 1e-17 relative), scaled by 2^n. 0 below -708 (under 4e-308, far below
/// f32's range), +inf above 709, NaN for NaN. The same bits wherever double
/// arithmetic is IEEE (no FMA: the runtime builds with -ffp-contract=off).
double definedExp(double x);

/// y = w * x / sqrt(mean(x^2) + eps) over the last dimension (f32 [..., D],
/// w [D]); the mean of squares is a k-ordered sum in double.
at::Tensor definedRmsnorm(const at::Tensor &x, const at::Tensor &w, double eps);

/// Softmax over the last dimension of f32 [..., M, N]; `causal`: query i
/// sees keys 0 .. N - M + i (a KV cache precedes it), the others get 0.
at::Tensor definedSoftmax(const at::Tensor &x, bool causal);

/// SiLU, x / (1 + e^-x), in double, rounded once (f32 in and out).
at::Tensor definedSilu(const at::Tensor &x);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_DEFINEDMAPS_H
