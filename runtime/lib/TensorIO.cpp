//===- TensorIO.cpp - safetensors <-> ATen --------------------------------===//

#include "spike/runtime/TensorIO.h"

#include <cstring>

namespace spike::runtime {

namespace {
at::ScalarType toScalarType(core::DType dtype) {
  switch (dtype) {
  case core::DType::F32:
    return at::kFloat;
  case core::DType::F16:
    return at::kHalf;
  case core::DType::BF16:
    return at::kBFloat16;
  case core::DType::F64:
    return at::kDouble;
  case core::DType::I64:
    return at::kLong;
  case core::DType::I32:
    return at::kInt;
  case core::DType::I16:
    return at::kShort;
  case core::DType::I8:
    return at::kChar;
  case core::DType::U8:
    return at::kByte;
  case core::DType::Bool:
    return at::kBool;
  }
  return at::kFloat;
}
} // namespace

core::Result<at::Tensor> loadTensor(const core::SafetensorsFile &file,
                                    const std::string &name) {
  const core::TensorInfo *info = file.find(name);
  if (!info)
    return core::Status::error(file.path() + ": missing tensor '" + name + "'");
  at::Tensor t = at::empty(
      info->shape, at::TensorOptions().dtype(toScalarType(info->dtype)));
  size_t bytes = info->end - info->begin;
  if (bytes)
    std::memcpy(t.data_ptr(), file.data(*info), bytes);
  file.release(*info); // copied: the mapped pages need not stay resident
  return t;
}

} // namespace spike::runtime
