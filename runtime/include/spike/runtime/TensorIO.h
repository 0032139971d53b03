//===- TensorIO.h - safetensors <-> ATen ------------------------*- C++ -*-===//

#ifndef SPIKE_RUNTIME_TENSORIO_H
#define SPIKE_RUNTIME_TENSORIO_H

#include "spike/core/ModelIO/Safetensors.h"

#include <torch/types.h>

namespace spike::runtime {

/// Copies one tensor of a safetensors file into an owned at::Tensor of the
/// same dtype and shape.
core::Result<at::Tensor> loadTensor(const core::SafetensorsFile &file,
                                    const std::string &name);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_TENSORIO_H
