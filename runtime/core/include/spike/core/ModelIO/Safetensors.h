//===- Safetensors.h - safetensors reader and writer ------------*- C++ -*-===//
//
// The tensor container used for weights and plans. Format: an 8-byte
// little-endian header length N, N bytes of JSON mapping each tensor name to
// {dtype, shape, data_offsets}, then the raw little-endian data. Every offset,
// shape and dtype is checked before any byte is trusted.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_MODELIO_SAFETENSORS_H
#define SPIKE_CORE_MODELIO_SAFETENSORS_H

#include "spike/core/Support/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace spike::core {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

/// "F32", "BF16", ... as written in safetensors headers.
const char *dtypeName(DType dtype);
/// Parses a safetensors dtype name; false if unknown.
bool parseDType(const std::string &name, DType &out);
size_t dtypeSize(DType dtype);

struct TensorInfo {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0; ///< offset of the first byte in the data section
  uint64_t end = 0;
  int64_t numElements() const;
};

/// A safetensors file read fully into memory.
class SafetensorsFile {
public:
  /// Reads and validates `path`. Errors name the file and the tensor.
  static Result<SafetensorsFile> open(const std::string &path);

  const std::string &path() const { return path_; }
  const std::map<std::string, TensorInfo> &tensors() const { return infos_; }
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  bool contains(const std::string &name) const { return infos_.count(name); }
  const TensorInfo *find(const std::string &name) const;
  /// Raw bytes of a tensor (valid while this object lives).
  const uint8_t *data(const TensorInfo &info) const;
  /// Copies a tensor converted to float32 (F32/F16/BF16/F64/integer inputs).
  Result<std::vector<float>> readF32(const std::string &name) const;
  /// Copies a signed integer tensor (I8/I16/I32/I64) widened to int64,
  /// exactly; other dtypes are an error naming the file and the tensor.
  Result<std::vector<int64_t>> readInt64(const std::string &name) const;

private:
  std::string path_;
  std::vector<uint8_t> bytes_;
  uint64_t dataStart_ = 0;
  std::map<std::string, TensorInfo> infos_;
  std::map<std::string, std::string> metadata_;
};

/// Accumulates tensors and writes them atomically (temporary file + rename),
/// so that a failed write never leaves a partial file behind.
class SafetensorsWriter {
public:
  void setMetadata(const std::string &key, const std::string &value);
  /// Adds a tensor; `bytes` must hold numElements * dtypeSize bytes.
  Status add(const std::string &name, DType dtype, std::vector<int64_t> shape,
             const void *bytes, size_t numBytes);
  Status addF32(const std::string &name, std::vector<int64_t> shape,
                const std::vector<float> &values);
  Status write(const std::string &path) const;
  /// The whole file: header length, JSON header, data section.
  std::vector<uint8_t> serialize() const;

private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
  };
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> metadata_;
};

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_SAFETENSORS_H
