//===- ShapeRules.h - Shape rules shared by qnn and spike -------*- C++ -*-===//
//
// The spike ops are the qnn ops applied per time step, so both dialects check
// shapes with these functions. Each emits its own diagnostic on `op`.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_DIALECT_SHAPERULES_H
#define SPIKE_DIALECT_SHAPERULES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"

#include <string>

namespace spike {

/// y = x W^T + b: x [..., K], W [N, K], y [..., N]; scales [N] when given,
/// and only with bits; bias [N] when given.
mlir::LogicalResult
verifyLinearShapes(mlir::Operation *op, mlir::RankedTensorType input,
                   mlir::RankedTensorType weight, mlir::RankedTensorType scales,
                   bool hasBits, mlir::RankedTensorType result,
                   mlir::RankedTensorType bias);

/// Head-batched matmul with GQA broadcast (see qnn.matmul).
mlir::LogicalResult verifyHeadMatmulShapes(mlir::Operation *op,
                                           mlir::RankedTensorType lhs,
                                           mlir::RankedTensorType rhs,
                                           bool transposeRhs,
                                           mlir::RankedTensorType result);

/// [S, H*Dh] <-> [H, S, Dh].
mlir::LogicalResult verifySplitHeadsShapes(mlir::Operation *op,
                                           mlir::RankedTensorType tokens,
                                           mlir::RankedTensorType heads);

/// RoPE input [H, S, Dh] with Dh even, base > 0, and consistent scaling
/// attributes; `freqFactors` (scaling "factors") has Dh/2 entries > 0.
mlir::LogicalResult
verifyRoPE(mlir::Operation *op, mlir::RankedTensorType t, double base,
           std::optional<llvm::StringRef> scaling, bool hasFactor,
           bool hasLlama3Params,
           std::optional<llvm::ArrayRef<double>> freqFactors);

/// Per-group parameter lists (`scale`, `threshold`, `v0`): non-empty, the
/// count divides the last dimension when it is static, and every entry is
/// > 0 when `positive`.
mlir::LogicalResult verifyGroups(mlir::Operation *op, mlir::RankedTensorType t,
                                 llvm::ArrayRef<double> values,
                                 llvm::StringRef what, bool positive);

/// Site names: lower-case dot-separated identifiers, e.g. blk3.attn.q_rope.
mlir::LogicalResult verifySiteName(mlir::Operation *op, llvm::StringRef site);

/// A double as diagnostics show it ("%g": 0.1, 16, 1e-05), with `digits`
/// significant digits.
std::string formatNumber(double v, int digits = 6);

/// Two shapes agree where both are static.
bool shapesCompatible(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

} // namespace spike

#endif // SPIKE_DIALECT_SHAPERULES_H
