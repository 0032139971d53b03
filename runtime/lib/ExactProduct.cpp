//===- ExactProduct.cpp - Synaptic products on integers -------------------===//

#include "spike/runtime/ExactProduct.h"
#include "spike/runtime/Gemm.h"

namespace spike::runtime {

at::Tensor gridIntegers(const at::Tensor &x, float scale) {
  return at::round(x / double(scale));
}

at::Tensor exactLinear(const at::Tensor &x, float scale,
                       const at::Tensor &codes, const at::Tensor &outScale,
                       int64_t perSynapse) {
  int64_t k = codes.size(1);
  TORCH_CHECK(x.size(-1) == k, "linear: input has ", x.size(-1),
              " features, the weight ", k);
  TORCH_CHECK(perSynapse >= 0 &&
                  (perSynapse == 0 || k < kExactInt32Bound / perSynapse),
              "linear: synaptic sums of ", k, " products of up to ", perSynapse,
              " reach 2^31, beyond int32 accumulation");
  at::Tensor n = gridIntegers(x, scale);
  at::Tensor sums;
  // Integer codes (one byte each at W8) become f32 here, for this product
  // only: the plan never holds them at four bytes.
  auto f32 = [](const at::Tensor &c) {
    return c.scalar_type() == at::kFloat ? c : c.to(at::kFloat);
  };
  if (perSynapse == 0 || k < kExactF32Bound / perSynapse) {
    sums = linearLayer(n, f32(codes)); // every partial sum below 2^24: exact
  } else {
    // Chunks whose sums stay below 2^24, added in int32.
    int64_t chunk = (kExactF32Bound - 1) / perSynapse;
    at::Tensor acc;
    for (int64_t k0 = 0; k0 < k; k0 += chunk) {
      int64_t len = std::min(chunk, k - k0);
      at::Tensor part =
          linearLayer(n.narrow(-1, k0, len), f32(codes.narrow(1, k0, len)))
              .to(at::kInt);
      acc = acc.defined() ? acc.add_(part) : part;
    }
    sums = acc.to(at::kFloat);
  }
  return sums.mul_(outScale);
}

at::Tensor exactHeadProduct(const at::Tensor &lhs, float scaleA,
                            const at::Tensor &rhs, float scaleB,
                            bool transposeRhs) {
  at::Tensor sums = headProduct(gridIntegers(lhs, scaleA),
                                gridIntegers(rhs, scaleB), transposeRhs);
  return sums.mul_(scaleA * scaleB);
}

} // namespace spike::runtime
