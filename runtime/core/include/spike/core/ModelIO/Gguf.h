//===- Gguf.h - GGUF v3 reader and writer -----------------------*- C++ -*-===//
//
// GGUF is llama.cpp's model container: a header of typed key/value metadata
// and tensor descriptions, then aligned tensor data in ggml's block formats.
// The reader checks every length, offset and type before use and
// dequantizes F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K and Q6_K to f32. The
// writer (for tests and tools) stores F32, F16, Q8_0 and Q4_1.
//
// Shapes: GGUF lists dimensions fastest-first (ne[0] = columns); this API
// reports them in row-major order, as safetensors and PyTorch do.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_MODELIO_GGUF_H
#define SPIKE_CORE_MODELIO_GGUF_H

#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/Status.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace spike::core {

enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q8_0 = 8,
  Q4_K = 12,
  Q6_K = 14,
  BF16 = 30
};
const char *ggmlTypeName(uint32_t type);

/// One metadata value. Arrays keep their element type's natural C++ type.
using GgufValue = std::variant<uint64_t, int64_t, double, bool, std::string,
                               std::vector<std::string>, std::vector<int64_t>,
                               std::vector<double>>;

struct GgufTensor {
  uint32_t type = 0;
  std::vector<int64_t> shape; ///< row-major
  uint64_t offset = 0;        ///< from the start of the data section
  uint64_t bytes = 0;
  int64_t numElements() const;
};

/// A GGUF file: open() reads and checks the header and maps the file;
/// tensor bytes are paged in as a tensor is read. Copies share the map.
class GgufFile {
public:
  /// Reads and validates the header; tensor data is read on demand.
  static Result<GgufFile> open(const std::string &path);

  const std::string &path() const { return path_; }
  uint32_t version() const { return version_; }
  const std::map<std::string, GgufValue> &metadata() const { return kv_; }
  const std::map<std::string, GgufTensor> &tensors() const { return tensors_; }
  const GgufTensor *findTensor(const std::string &name) const;

  // Typed metadata access; errors name the file and the key.
  Result<std::string> getString(const std::string &key) const;
  Result<int64_t> getInt(const std::string &key) const;
  Result<double> getFloat(const std::string &key) const;
  Result<bool> getBool(const std::string &key) const;
  bool has(const std::string &key) const { return kv_.count(key); }
  Result<std::vector<std::string>> getStrings(const std::string &key) const;
  Result<std::vector<int64_t>> getInts(const std::string &key) const;

  /// Dequantizes one tensor to f32, row-major, from the file's memory map,
  /// whose pages of that tensor are then released (MappedFile::release).
  Result<std::vector<float>> readF32(const std::string &name) const;

private:
  std::string path_;
  uint32_t version_ = 0;
  uint64_t dataStart_ = 0, fileSize_ = 0;
  std::map<std::string, GgufValue> kv_;
  std::map<std::string, std::string> kvTypes_; ///< declared, e.g. "INT32"
  std::map<std::string, GgufTensor> tensors_;
  std::shared_ptr<const MappedFile> bytes_; ///< the whole file, mapped
};

/// Writes GGUF v3 files atomically. A tensor is either held (add) or
/// deferred (addDeferred): a deferred tensor's values are made and encoded
/// when the file is written, one tensor at a time, so a writer of a model
/// larger than memory holds one tensor.
class GgufWriter {
public:
  /// Makes a deferred tensor's f32 values, row-major.
  using F32Producer = std::function<Result<std::vector<float>>()>;

  void set(const std::string &key, GgufValue value);
  /// Adds a tensor given in f32, row-major, stored as `type` (F32, F16,
  /// Q8_0 or Q4_1; quantized types need a multiple of 32 columns).
  Status add(const std::string &name, std::vector<int64_t> shape,
             const std::vector<float> &values, GgmlType type);
  /// Declares a tensor whose values `produce` makes when the file is
  /// written; the shape and type are checked now, the value count then.
  Status addDeferred(const std::string &name, std::vector<int64_t> shape,
                     GgmlType type, F32Producer produce);
  /// Writes `path` through a temporary file and a rename; an error (a
  /// producer's included) leaves no file.
  Status write(const std::string &path) const;

private:
  struct Entry {
    uint32_t type;
    std::vector<int64_t> shape;
    int64_t count = 0;          ///< values
    uint64_t numBytes = 0;      ///< stored
    std::vector<uint8_t> bytes; ///< held tensors
    F32Producer produce;        ///< deferred tensors
  };
  Result<Entry> entry(const std::string &name, std::vector<int64_t> shape,
                      GgmlType type) const;
  std::vector<uint8_t> header() const;
  Status writeTo(const OutputSet::ByteSink &put) const;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<std::pair<std::string, Entry>> tensors_;
};

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_GGUF_H
