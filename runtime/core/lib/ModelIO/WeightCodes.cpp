//===- WeightCodes.cpp - A linear's weight as integer codes ---------------===//

#include "spike/core/ModelIO/WeightCodes.h"

#include "spike/core/Neuron/Neuron.h"

#include <cstring>
#include <vector>

namespace spike::core {

DType codeDType(int bits) {
  return bits <= 8 ? DType::I8 : bits <= 16 ? DType::I16 : DType::I32;
}

bool isCodeDType(DType dtype) {
  return dtype == DType::I8 || dtype == DType::I16 || dtype == DType::I32 ||
         dtype == DType::I64;
}

template <typename Code>
void quantizeRows(const SafetensorsFile &file, const TensorInfo &info,
                  const float *scales, int bits, float *rowScales,
                  Code *codes) {
  int64_t rows = info.shape[0], cols = info.shape[1];
  std::vector<float> row(cols);
  for (int64_t r = 0; r < rows; ++r) {
    file.readF32Range(info, size_t(r * cols), size_t(cols), row.data());
    float scale =
        scales ? scales[r] : neuron::weightScale(row.data(), cols, bits);
    rowScales[r] = scale;
    for (int64_t c = 0; c < cols; ++c)
      codes[r * cols + c] = Code(neuron::weightCode(row[c], scale, bits));
  }
  file.release(info);
}

template <typename Code>
Status readCodes(const SafetensorsFile &file, const std::string &name,
                 const TensorInfo &info, int bits, Code *codes) {
  if (info.dtype != codeDType(bits))
    return Status::error(file.path() + ": tensor '" + name + "' is " +
                         dtypeName(info.dtype) + "; " + std::to_string(bits) +
                         "-bit codes are stored as " +
                         dtypeName(codeDType(bits)));
  return withCodeType(bits, [&](auto stored) {
    using Stored = decltype(stored);
    const uint8_t *p = file.data(info);
    int64_t top = (int64_t(1) << (bits - 1)) - 1;
    for (int64_t i = 0, n = info.numElements(); i < n; ++i) {
      Stored k;
      std::memcpy(&k, p + i * sizeof(Stored), sizeof(Stored)); // LE hosts
      if (k < -top || k > top) {
        file.release(info);
        return Status::error(file.path() + ": tensor '" + name + "': code " +
                             std::to_string(int64_t(k)) + " at element " +
                             std::to_string(i) + " is off the " +
                             std::to_string(bits) +
                             "-bit grid (|k| <= " + std::to_string(top) + ")");
      }
      codes[i] = Code(k);
    }
    file.release(info);
    return Status::ok();
  });
}

#define SPIKE_WEIGHT_CODES(Code)                                               \
  template void quantizeRows<Code>(const SafetensorsFile &,                    \
                                   const TensorInfo &, const float *, int,     \
                                   float *, Code *);                           \
  template Status readCodes<Code>(const SafetensorsFile &,                     \
                                  const std::string &, const TensorInfo &,     \
                                  int, Code *);
SPIKE_WEIGHT_CODES(int8_t)
SPIKE_WEIGHT_CODES(int16_t)
SPIKE_WEIGHT_CODES(int32_t)
SPIKE_WEIGHT_CODES(int64_t)
#undef SPIKE_WEIGHT_CODES

} // namespace spike::core
