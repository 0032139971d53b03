//===- TrainableWeight.cpp - A quantized linear weight as ATen ops --------===//

#include "spike/runtime/TrainableWeight.h"

namespace spike::runtime {

TrainableWeight::TrainableWeight(const at::Tensor &fp,
                                 const at::Tensor &rowScale, int bits)
    : scale(rowScale.to(at::kFloat).contiguous()), bits(bits) {
  u = (fp.to(at::kFloat) / scale.unsqueeze(1)).detach().requires_grad_(true);
}

at::Tensor TrainableWeight::codes() const {
  double top = double((int64_t(1) << (bits - 1)) - 1);
  // floor(u + 1/2) forward, identity backward; the hard clamp stops the
  // gradient of codes pushed past the grid's ends.
  at::Tensor rounded = at::floor(u + 0.5);
  at::Tensor k = u + (rounded - u).detach();
  return at::clamp(k, -top, top);
}

at::Tensor TrainableWeight::weight() const {
  return codes() * scale.unsqueeze(1);
}

} // namespace spike::runtime
