//===- Hdf5Writer.h - A small HDF5 file writer ------------------*- C++ -*-===//
//
// Groups, string and numeric datasets by path ("/node/nodes/x/weight"),
// written to a temporary file that replaces the target on commit(), so a
// failure leaves no partial file. Used by the NIR exporter.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_MODELIO_HDF5WRITER_H
#define SPIKE_CORE_MODELIO_HDF5WRITER_H

#include "spike/core/Support/Status.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spike::core {

class Hdf5Writer {
public:
  static Result<std::unique_ptr<Hdf5Writer>> create(const std::string &path);
  ~Hdf5Writer();

  /// Creates a group; its parents must exist.
  Status group(const std::string &path);
  /// A scalar variable-length UTF-8 string.
  Status string(const std::string &path, const std::string &value);
  /// A [rows, 2] array of variable-length strings (NIR's edge list).
  Status stringPairs(const std::string &path,
                     const std::vector<std::array<std::string, 2>> &pairs);
  /// float32 data with the given dimensions (row-major).
  Status floats(const std::string &path, const std::vector<float> &data,
                const std::vector<uint64_t> &dims);
  /// int64 data with the given dimensions.
  Status ints(const std::string &path, const std::vector<int64_t> &data,
              const std::vector<uint64_t> &dims);
  /// Closes the file and moves it into place.
  Status commit();

private:
  Hdf5Writer() = default;
  std::string path_, tmp_;
  int64_t file_ = -1;
};

} // namespace spike::core

#endif // SPIKE_CORE_MODELIO_HDF5WRITER_H
