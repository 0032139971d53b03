//===- FileIO.h - Whole-file reads and atomic writes ------------*- C++ -*-===//

#ifndef SPIKE_CORE_SUPPORT_FILEIO_H
#define SPIKE_CORE_SUPPORT_FILEIO_H

#include "spike/core/Support/Status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spike::core {

/// A file's bytes, read-only, memory-mapped where the file is a regular
/// file (so a multi-gigabyte checkpoint costs page cache, not process
/// memory, and only the pages read are loaded) and read into memory
/// otherwise (pipes, devices, empty files). The bytes stay valid while the
/// object lives; a file truncated by another process while it is mapped
/// faults on access (POSIX mmap), which is why writers here never rewrite
/// a file in place (writeFileAtomic, OutputSet).
class MappedFile {
public:
  /// Maps or reads `path`; the error names the path and the OS reason.
  static Result<std::shared_ptr<const MappedFile>>
  open(const std::string &path);
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  ~MappedFile();

  const uint8_t *data() const { return data_; }
  uint64_t size() const { return size_; }
  /// Whether the bytes are a memory map (false: read into memory).
  bool mapped() const { return mapped_; }
  /// Lets the OS drop the mapped pages wholly inside [offset, offset +
  /// size) from this process's memory (they stay in the page cache and are
  /// read again on the next access), for readers that copy a large file
  /// piece by piece; a no-op for bytes read into memory.
  void release(uint64_t offset, uint64_t size) const;

private:
  MappedFile() = default;
  const uint8_t *data_ = nullptr;
  uint64_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> copy_; ///< the bytes, where the file is not mapped
};

/// Reads a whole file; the error names the path and the OS reason.
Result<std::vector<uint8_t>> readFileBytes(const std::string &path);
Result<std::string> readFileText(const std::string &path);
/// Reads and decompresses a whole bzip2 file (HellaSwag's data, the UCD's
/// NormalizationTest.txt.bz2); errors name the path.
Result<std::string> readBz2Text(const std::string &path);

/// Writes `path` through a temporary file in the same directory and a rename,
/// so readers never see a partial file and a failure leaves nothing behind.
/// A path that exists and is not a regular file (/dev/null, /dev/stdout, a
/// FIFO) is written in place: renaming onto it would replace it.
Status writeFileAtomic(const std::string &path, const void *data, size_t size);
inline Status writeFileAtomic(const std::string &path,
                              const std::string &text) {
  return writeFileAtomic(path, text.data(), text.size());
}

/// Output files that a command writes together: each is written to the
/// temporary name stage() gives, and commit() moves them into place in the
/// order they were staged. A command stages its main file last, so that its
/// presence says the others are complete. Destroyed without a commit (the
/// command failed), it removes the temporaries and leaves the earlier
/// outputs, if any, as they were.
class OutputSet {
public:
  OutputSet() = default;
  OutputSet(const OutputSet &) = delete;
  OutputSet &operator=(const OutputSet &) = delete;
  ~OutputSet();

  /// The temporary path (in the same directory, so the rename is atomic) to
  /// write `path` to, for writers that take a path; `path` itself when it
  /// exists and is not a regular file (a device or pipe, written in place).
  std::string stage(const std::string &path);
  /// Stages `path` and writes its bytes; errors name `path`.
  Status write(const std::string &path, const void *data, size_t size);
  Status write(const std::string &path, const std::string &text) {
    return write(path, text.data(), text.size());
  }
  Status write(const std::string &path, const std::vector<uint8_t> &bytes) {
    return write(path, bytes.data(), bytes.size());
  }
  /// Writes bytes to a file being streamed; its errors name the file.
  using ByteSink = std::function<Status(const void *data, size_t size)>;
  /// Stages `path` and writes it piece by piece: `write` passes each piece
  /// to the sink it is given, so a writer of a file larger than memory
  /// holds one piece. Errors (`write`'s included) name `path`; a failed
  /// file is removed with the other temporaries.
  Status stream(const std::string &path,
                const std::function<Status(const ByteSink &put)> &write);
  /// Renames every staged file into place. A failed rename stops there: the
  /// error names the file, and the later temporaries are removed.
  Status commit();

private:
  std::vector<std::pair<std::string, std::string>> files_; // (path, temp)
};

} // namespace spike::core

#endif // SPIKE_CORE_SUPPORT_FILEIO_H
