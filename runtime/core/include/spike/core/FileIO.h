//===- FileIO.h - Whole-file reads and atomic writes ------------*- C++ -*-===//

#ifndef SPIKE_CORE_FILEIO_H
#define SPIKE_CORE_FILEIO_H

#include "spike/core/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spike::core {

/// Reads a whole file; the error names the path and the OS reason.
Result<std::vector<uint8_t>> readFileBytes(const std::string &path);
Result<std::string> readFileText(const std::string &path);

/// Writes `path` through a temporary file in the same directory and a rename,
/// so readers never see a partial file and a failure leaves nothing behind.
Status writeFileAtomic(const std::string &path, const void *data, size_t size);
inline Status writeFileAtomic(const std::string &path,
                              const std::string &text) {
  return writeFileAtomic(path, text.data(), text.size());
}

} // namespace spike::core

#endif // SPIKE_CORE_FILEIO_H
