//===- ShapeRules.cpp - Shape rules shared by qnn and spike ---------------===//

#include "spike/Dialect/ShapeRules.h"
#include "spike/core/Formats/Formats.h"

#include "mlir/IR/Diagnostics.h"

#include <cmath>
#include <cstdio>

using namespace mlir;

namespace spike {

std::string formatNumber(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult verifyLinearShapes(Operation *op, RankedTensorType input,
                                 RankedTensorType weight,
                                 RankedTensorType scales, bool hasBits,
                                 RankedTensorType result,
                                 RankedTensorType bias) {
  if (weight.getRank() != 2)
    return op->emitOpError("weight must be rank 2 [out, in], got rank ")
           << weight.getRank();
  if (input.getRank() < 1 || input.getRank() != result.getRank())
    return op->emitOpError("input and result must have the same rank >= 1");
  if (!dimsAgree(input.getShape().back(), weight.getDimSize(1)))
    return op->emitOpError("input features (")
           << input.getShape().back() << ") do not match weight in-features ("
           << weight.getDimSize(1) << ")";
  if (!dimsAgree(result.getShape().back(), weight.getDimSize(0)))
    return op->emitOpError("result features (")
           << result.getShape().back() << ") do not match weight out-features ("
           << weight.getDimSize(0) << ")";
  if (!shapesCompatible(input.getShape().drop_back(),
                        result.getShape().drop_back()))
    return op->emitOpError("input and result leading dimensions differ");
  if (scales && !hasBits)
    return op->emitOpError("weight 'scales' need weight 'bits'");
  if (scales && (scales.getRank() != 1 ||
                 !dimsAgree(scales.getDimSize(0), weight.getDimSize(0))))
    return op->emitOpError("weight scales must be [out] = [")
           << weight.getDimSize(0) << "], one per output channel";
  if (bias && (bias.getRank() != 1 ||
               !dimsAgree(bias.getDimSize(0), weight.getDimSize(0))))
    return op->emitOpError("bias must be [out] = [")
           << weight.getDimSize(0) << "], one per output channel";
  return success();
}

LogicalResult verifyHeadMatmulShapes(Operation *op, RankedTensorType lhs,
                                     RankedTensorType rhs, bool transposeRhs,
                                     RankedTensorType result) {
  if (lhs.getRank() != 3 || rhs.getRank() != 3 || result.getRank() != 3)
    return op->emitOpError(
        "operands and result must be head-major rank-3 tensors");
  int64_t heads = lhs.getDimSize(0), kvHeads = rhs.getDimSize(0);
  if (!ShapedType::isDynamic(heads) && !ShapedType::isDynamic(kvHeads) &&
      (kvHeads == 0 || heads % kvHeads != 0))
    return op->emitOpError("lhs heads (")
           << heads << ") must be a multiple of rhs heads (" << kvHeads << ")";
  int64_t k = transposeRhs ? rhs.getDimSize(2) : rhs.getDimSize(1);
  int64_t n = transposeRhs ? rhs.getDimSize(1) : rhs.getDimSize(2);
  if (!dimsAgree(lhs.getDimSize(2), k))
    return op->emitOpError("contraction dimensions differ: ")
           << lhs.getDimSize(2) << " vs " << k;
  if (!dimsAgree(result.getDimSize(0), heads) ||
      !dimsAgree(result.getDimSize(1), lhs.getDimSize(1)) ||
      !dimsAgree(result.getDimSize(2), n))
    return op->emitOpError("result shape must be [heads, M, N]");
  return success();
}

LogicalResult verifySplitHeadsShapes(Operation *op, RankedTensorType tokens,
                                     RankedTensorType heads) {
  if (tokens.getRank() != 2 || heads.getRank() != 3)
    return op->emitOpError("expects tokens [S, H*Dh] and heads [H, S, Dh]");
  if (!dimsAgree(tokens.getDimSize(0), heads.getDimSize(1)))
    return op->emitOpError("sequence lengths differ");
  int64_t h = heads.getDimSize(0), dh = heads.getDimSize(2);
  int64_t d = tokens.getDimSize(1);
  if (!ShapedType::isDynamic(h) && !ShapedType::isDynamic(dh) &&
      !ShapedType::isDynamic(d) && h * dh != d)
    return op->emitOpError("feature size ")
           << d << " is not heads x head_dim = " << h << " x " << dh;
  return success();
}

LogicalResult verifyRoPE(Operation *op, RankedTensorType t, double base,
                         std::optional<StringRef> scaling, bool hasFactor,
                         bool hasLlama3Params,
                         std::optional<ArrayRef<double>> freqFactors) {
  if (t.getRank() != 3)
    return op->emitOpError("expects head-major [H, S, Dh] input");
  int64_t dh = t.getDimSize(2);
  if (!ShapedType::isDynamic(dh) && dh % 2 != 0)
    return op->emitOpError("head dimension must be even, got ") << dh;
  if (!(base > 0))
    return op->emitOpError("base must be > 0");
  if (!scaling) {
    if (hasFactor || hasLlama3Params || freqFactors)
      return op->emitOpError("scaling parameters given without 'scaling'");
    return success();
  }
  if (freqFactors && *scaling != "factors")
    return op->emitOpError("'freq_factors' belong to scaling \"factors\"");
  if (*scaling == "factors") {
    if (!freqFactors || hasFactor || hasLlama3Params)
      return op->emitOpError("factors scaling takes exactly 'freq_factors'");
    if (!ShapedType::isDynamic(dh) && int64_t(freqFactors->size()) != dh / 2)
      return op->emitOpError("'freq_factors' needs ")
             << dh / 2 << " entries (head dim / 2), has "
             << freqFactors->size();
    for (double f : *freqFactors)
      if (!(f > 0) || !std::isfinite(f))
        return op->emitOpError("'freq_factors' entries must be finite and "
                               "> 0, got ")
               << formatNumber(f);
    return success();
  }
  if (*scaling == "linear") {
    if (!hasFactor || hasLlama3Params)
      return op->emitOpError("linear scaling takes exactly 'factor'");
    return success();
  }
  if (*scaling == "llama3") {
    if (!hasFactor || !hasLlama3Params)
      return op->emitOpError("llama3 scaling needs 'factor', "
                             "'low_freq_factor', 'high_freq_factor' and "
                             "'original_max_position'");
    return success();
  }
  return op->emitOpError("unknown RoPE scaling '")
         << *scaling << "' (expected linear, llama3 or factors)";
}

LogicalResult verifyGroups(Operation *op, RankedTensorType t,
                           ArrayRef<double> values, StringRef what,
                           bool positive) {
  if (values.empty())
    return op->emitOpError("'") << what << "' needs at least one entry";
  if (positive)
    for (double v : values)
      if (!(v > 0))
        return op->emitOpError("'")
               << what << "' entries must be > 0, got " << formatNumber(v);
  if (t.getRank() < 1)
    return op->emitOpError("expects a tensor of rank >= 1");
  int64_t d = t.getShape().back();
  int64_t groups = values.size();
  if (!ShapedType::isDynamic(d) && d % groups != 0)
    return op->emitOpError("'")
           << what << "' has " << groups
           << " groups, which do not divide the feature dimension " << d;
  return success();
}

LogicalResult verifySiteName(Operation *op, StringRef site) {
  if (!core::isValidSiteName(site.str()))
    return op->emitOpError("invalid site name '")
           << site << "' (expected lower-case dot-separated identifiers, "
           << "e.g. blk3.attn.q_rope)";
  return success();
}

} // namespace spike
