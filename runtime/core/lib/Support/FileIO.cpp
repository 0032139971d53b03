//===- FileIO.cpp - Whole-file reads and atomic writes --------------------===//

#include "spike/core/Support/FileIO.h"

#include <bzlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spike::core {

Result<std::shared_ptr<const MappedFile>>
MappedFile::open(const std::string &path) {
  std::shared_ptr<MappedFile> file(new MappedFile());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && st.st_size > 0) {
    void *p =
        ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    ::close(fd);
    if (p == MAP_FAILED)
      return Status::error(path + ": cannot map: " + std::strerror(err));
    file->data_ = static_cast<const uint8_t *>(p);
    file->size_ = uint64_t(st.st_size);
    file->mapped_ = true;
    return std::shared_ptr<const MappedFile>(std::move(file));
  }
  ::close(fd);
  auto bytes = readFileBytes(path);
  if (!bytes)
    return bytes.status();
  file->copy_ = bytes.take();
  file->data_ = file->copy_.data();
  file->size_ = file->copy_.size();
  return std::shared_ptr<const MappedFile>(std::move(file));
}

void MappedFile::release(uint64_t offset, uint64_t size) const {
  if (!mapped_ || offset >= size_)
    return;
  uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
  uint64_t begin = (offset + page - 1) / page * page;
  uint64_t end = std::min(offset + size, size_) / page * page;
  if (end > begin) // advice only: a refusal changes nothing that matters
    ::madvise(const_cast<uint8_t *>(data_) + begin, size_t(end - begin),
              MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (mapped_)
    ::munmap(const_cast<uint8_t *>(data_), size_t(size_));
}

Result<std::vector<uint8_t>> readFileBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0)
    return Status::error(path + ": cannot determine size");
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char *>(bytes.data()), size))
    return Status::error(path + ": read failed");
  return bytes;
}

Result<std::string> readFileText(const std::string &path) {
  auto bytes = readFileBytes(path);
  if (!bytes)
    return bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

Result<std::string> readBz2Text(const std::string &path) {
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  int err = BZ_OK;
  BZFILE *bz = BZ2_bzReadOpen(&err, f, 0, 0, nullptr, 0);
  std::string text;
  char buf[1 << 16];
  while (err == BZ_OK) {
    int n = BZ2_bzRead(&err, bz, buf, sizeof buf);
    if (n > 0)
      text.append(buf, size_t(n));
  }
  BZ2_bzReadClose(nullptr, bz);
  std::fclose(f);
  if (err != BZ_STREAM_END)
    return Status::error(path + ": not a valid bzip2 file (error " +
                         std::to_string(err) + ")");
  return text;
}

namespace {

/// A path that exists and is not a regular file (/dev/null, /dev/stdout, a
/// FIFO): written in place, since renaming onto it would replace the
/// device or pipe with a file.
bool isSpecialFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

/// Writes `tmp` whole; errors name `path`, and a failure removes `tmp`.
Status writeTemporary(const std::string &path, const std::string &tmp,
                      const void *data, size_t size) {
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return Status::error(path + ": cannot write: " + std::strerror(errno));
  bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  ok = (std::fflush(f) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": write failed: " + reason);
  }
  return Status::ok();
}

} // namespace

Status writeFileAtomic(const std::string &path, const void *data, size_t size) {
  if (isSpecialFile(path))
    return writeTemporary(path, path, data, size);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  if (Status st = writeTemporary(path, tmp, data, size); !st)
    return st;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot rename into place: " + reason);
  }
  return Status::ok();
}

OutputSet::~OutputSet() {
  for (const auto &[path, temp] : files_)
    if (temp != path)
      std::remove(temp.c_str());
}

std::string OutputSet::stage(const std::string &path) {
  std::string temp =
      isSpecialFile(path) ? path : path + ".part." + std::to_string(::getpid());
  files_.emplace_back(path, temp);
  return temp;
}

Status OutputSet::write(const std::string &path, const void *data,
                        size_t size) {
  for (const auto &f : files_)
    if (f.first == path)
      return Status::error(path + ": given for two outputs");
  std::string temp = stage(path);
  Status st = writeTemporary(path, temp, data, size);
  if (!st)
    files_.pop_back(); // nothing left to move or remove
  return st;
}

Status
OutputSet::stream(const std::string &path,
                  const std::function<Status(const ByteSink &put)> &write) {
  std::string temp = stage(path);
  std::FILE *f = std::fopen(temp.c_str(), "wb");
  if (!f)
    return Status::error(path + ": cannot write: " + std::strerror(errno));
  ByteSink put = [&](const void *data, size_t size) {
    if (size && std::fwrite(data, 1, size, f) != size)
      return Status::error(path + ": write failed: " + std::strerror(errno));
    return Status::ok();
  };
  Status st = write(put);
  if (std::fclose(f) != 0 && st.isOk())
    return Status::error(path + ": write failed: " + std::strerror(errno));
  return st;
}

Status OutputSet::commit() {
  for (size_t i = 0; i < files_.size(); ++i) {
    const auto &[path, temp] = files_[i];
    if (temp != path && std::rename(temp.c_str(), path.c_str()) != 0) {
      std::string reason = std::strerror(errno);
      files_.erase(files_.begin(), files_.begin() + i);
      return Status::error(path + ": cannot rename into place: " + reason);
    }
  }
  files_.clear();
  return Status::ok();
}

} // namespace spike::core
