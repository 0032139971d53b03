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

#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/Status.h"

#include <cstdint>
#include <functional>
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
  /// Which file of an overlay chain holds the bytes: 0 is the opened file,
  /// 1 its base, and so on (SafetensorsFile::files).
  uint32_t source = 0;
  int64_t numElements() const;
};

/// The metadata key of an overlay file: the path of the weight file that
/// holds every tensor the overlay does not, relative to the overlay's
/// directory unless absolute (docs/PlanFormat.md, "Weight files").
inline constexpr const char *kBaseFileKey = "spikec.base";

/// A safetensors file, memory-mapped (MappedFile): opening it reads and
/// checks the header; tensor bytes are paged in when a tensor is read.
/// Copies share the mapping.
///
/// An overlay file names a base file in its metadata (kBaseFileKey), and
/// the opened file stands for both: a name resolves in the overlay first,
/// then in the base (which may itself be an overlay, up to kMaxOverlayDepth
/// files in all). A tensor the overlay shadows must keep the base's shape.
/// The base may also be a sharded checkpoint's index (a path ending in
/// ".index.json", Hugging Face's format): its shards, named by its
/// weight_map, then stand together as the base. Bases and shards must be
/// regular files; relative ones resolve beside the file that names them.
/// spike-store-weight-codes writes such files so that the codes of a 7B
/// model do not copy its bf16 embedding, norms and lm_head.
class SafetensorsFile {
public:
  static constexpr int kMaxOverlayDepth = 8;

  /// Reads and validates `path` and the base files it names. Errors name
  /// the file and the tensor.
  static Result<SafetensorsFile> open(const std::string &path);

  const std::string &path() const { return path_; }
  /// The files this one stands for: itself, then its bases in order.
  std::vector<std::string> files() const;
  /// Every tensor, the overlay's over its bases'.
  const std::map<std::string, TensorInfo> &tensors() const { return infos_; }
  /// The opened file's own metadata.
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }
  bool contains(const std::string &name) const { return infos_.count(name); }
  const TensorInfo *find(const std::string &name) const;
  /// Raw bytes of a tensor (valid while this object lives).
  const uint8_t *data(const TensorInfo &info) const;
  /// Drops a tensor's mapped pages from this process's memory once it has
  /// been copied (MappedFile::release); reading it again pages it back in.
  /// The copying reads below do it themselves.
  void release(const TensorInfo &info) const;
  /// Copies a tensor converted to float32 (F32/F16/BF16/F64/integer inputs).
  Result<std::vector<float>> readF32(const std::string &name) const;
  /// Converts elements [first, first + count) of a tensor (row-major) to
  /// float32 into `out`, as readF32 does, without releasing its pages: a
  /// reader of a matrix larger than memory goes row by row. The range must
  /// lie in the tensor.
  void readF32Range(const TensorInfo &info, size_t first, size_t count,
                    float *out) const;
  /// Copies a signed integer tensor (I8/I16/I32/I64) widened to int64,
  /// exactly; other dtypes are an error naming the file and the tensor.
  Result<std::vector<int64_t>> readInt64(const std::string &name) const;

private:
  /// One file of the chain: its bytes and where its data section starts.
  struct Source {
    std::string path;
    std::shared_ptr<const MappedFile> bytes;
    uint64_t dataStart = 0;
  };
  /// Reads and checks one file's header, without following its base.
  static Result<SafetensorsFile> openOne(const std::string &path);
  /// Reads a sharded checkpoint's index and its shards as one file.
  static Result<SafetensorsFile> openIndex(const std::string &path);
  /// Adds the tensors of `base` (opened from `baseName`) that this file
  /// does not hold.
  Status merge(const SafetensorsFile &base, const std::string &baseName);

  std::string path_;
  std::vector<Source> sources_;
  std::map<std::string, TensorInfo> infos_;
  std::map<std::string, std::string> metadata_;
};

/// Accumulates tensors and writes them atomically (temporary file + rename),
/// so that a failed write never leaves a partial file behind. A tensor is
/// either held (add) or deferred (addDeferred): a deferred tensor is only
/// declared, and its producer runs when the file is written, one tensor at
/// a time, so a writer of a model larger than memory holds one tensor.
class SafetensorsWriter {
public:
  /// Makes a deferred tensor's little-endian bytes; an error stops the
  /// write.
  using Producer = std::function<Result<std::vector<uint8_t>>()>;
  /// Makes a deferred F32 tensor's values, row-major.
  using F32Producer = std::function<Result<std::vector<float>>()>;

  void setMetadata(const std::string &key, const std::string &value);
  /// Adds a tensor; `bytes` must hold numElements * dtypeSize bytes.
  Status add(const std::string &name, DType dtype, std::vector<int64_t> shape,
             const void *bytes, size_t numBytes);
  Status addF32(const std::string &name, std::vector<int64_t> shape,
                const std::vector<float> &values);
  /// Declares a tensor whose bytes `produce` makes when the file is
  /// written; a producer whose bytes do not match the shape and dtype is an
  /// error naming the tensor.
  Status addDeferred(const std::string &name, DType dtype,
                     std::vector<int64_t> shape, Producer produce);
  Status addDeferredF32(const std::string &name, std::vector<int64_t> shape,
                        F32Producer produce);
  /// Declares a BF16 tensor whose f32 values `produce` makes when the file
  /// is written, each rounded to the nearest bf16, ties to even
  /// (floatToBf16, Half.h).
  Status addDeferredBF16(const std::string &name, std::vector<int64_t> shape,
                         F32Producer produce);
  /// Writes `path` atomically, streaming the data section tensor by tensor.
  Status write(const std::string &path) const;
  /// Stages `path` in `outputs` (written when it commits), streaming the
  /// data section tensor by tensor; errors name `path`.
  Status write(OutputSet &outputs, const std::string &path) const;

private:
  struct Entry {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes; ///< held tensors
    Producer produce;           ///< deferred tensors
    uint64_t numBytes = 0;
  };
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> metadata_;

  /// The header length, header and padding, for the data layout in name
  /// order.
  std::string header() const;
  /// Writes the header, then each tensor's bytes in name order, to `put`.
  Status writeTo(const OutputSet::ByteSink &put) const;
  Status checkNew(const std::string &name,
                  const std::vector<int64_t> &shape) const;
};

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_SAFETENSORS_H
