//===- WeightCodes.h - A linear's weight as integer codes -------*- C++ -*-===//
//
// A quantized linear's weight W [rows, cols] on its n-bit per-row grid is
// codes k (integers, |k| <= 2^(n-1) - 1) and one scale s per row, with
// W = k * s (spike::neuron::weightCode, Neuron.h). These put a float
// tensor of a weight file on that grid, or read codes a weight file stores
// (spike-store-weight-codes, docs/PlanFormat.md), for the plan loader, the
// pass that writes the codes and the chip emitter alike.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_MODELIO_WEIGHTCODES_H
#define SPIKE_CORE_MODELIO_WEIGHTCODES_H

#include "spike/core/ModelIO/Safetensors.h"

#include <cstdint>

namespace spike::core {

/// The stored type of n-bit codes: I8 for n <= 8, I16 for n <= 16, else I32.
DType codeDType(int bits);

/// Calls f(Code()) with the C++ type of codeDType(bits): int8_t, int16_t
/// or int32_t, and returns what it returns.
template <typename F> decltype(auto) withCodeType(int bits, F &&f) {
  if (bits <= 8)
    return f(int8_t());
  if (bits <= 16)
    return f(int16_t());
  return f(int32_t());
}

/// Whether `dtype` is a signed integer type (a tensor of stored codes).
bool isCodeDType(DType dtype);

/// Puts the float matrix `info` of `file` ([rows, cols], any float dtype)
/// on its n-bit per-row grid, reading one row at a time so that only the
/// codes are held. `scales` gives the row scales (rows values), or is null
/// for the absmax rule (neuron::weightScale); each row's scale goes to
/// `rowScales[r]`, its codes to `codes[r * cols ...]` (Code must hold
/// 2^(n-1) - 1). The tensor's pages are released afterwards.
template <typename Code>
void quantizeRows(const SafetensorsFile &file, const TensorInfo &info,
                  const float *scales, int bits, float *rowScales, Code *codes);

/// Copies stored codes (`info` of `file`, dtype codeDType(bits)) into
/// `codes`, checking that each lies on the n-bit grid, |k| <= 2^(n-1) - 1.
/// Errors name the file, the tensor and the first code off the grid, or
/// the dtype the bit width needs.
template <typename Code>
Status readCodes(const SafetensorsFile &file, const std::string &name,
                 const TensorInfo &info, int bits, Code *codes);

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_WEIGHTCODES_H
