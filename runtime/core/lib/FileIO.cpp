//===- FileIO.cpp - Whole-file reads and atomic writes --------------------===//

#include "spike/core/FileIO.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace spike::core {

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

Status writeFileAtomic(const std::string &path, const void *data,
                       size_t size) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return Status::error(path + ": cannot write: " + std::strerror(errno));
  bool ok = size == 0 || std::fwrite(data, 1, size, f) == size;
  ok = (std::fflush(f) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return Status::error(path + ": write failed: " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    return Status::error(path + ": cannot rename into place: " + reason);
  }
  return Status::ok();
}

} // namespace spike::core
