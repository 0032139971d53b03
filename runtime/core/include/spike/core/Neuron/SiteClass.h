//===- SiteClass.h - Which grid each activation site uses -------*- C++ -*-===//
//
// The one rule for a LLaMA block's activation sites that the quantizer, the
// statistics and the neuron parameters must agree on: whether the site's
// grid is unsigned.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_NEURON_SITECLASS_H
#define SPIKE_CORE_NEURON_SITECLASS_H

#include <string_view>

namespace spike::core {

/// Whether an activation site's grid is unsigned: only the attention
/// softmax output ("blk<N>.attn.softmax"), whose values are probabilities.
/// The one rule for the quantizer (spike-quantize) and the clipping search
/// of the statistics (spike-run stats); downstream, IS neurons carry it as
/// alpha = 0 (neuron::isSignedGrid).
inline bool isUnsignedSite(std::string_view site) {
  constexpr std::string_view kSoftmax = ".attn.softmax";
  return site.size() > kSoftmax.size() &&
         site.substr(site.size() - kSoftmax.size()) == kSoftmax;
}

} // namespace spike::core

#endif // SPIKE_CORE_NEURON_SITECLASS_H
