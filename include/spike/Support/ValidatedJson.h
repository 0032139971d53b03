//===- ValidatedJson.h - An exchange file the core validated ---*- C++ -*-===//

#ifndef SPIKE_SUPPORT_VALIDATEDJSON_H
#define SPIKE_SUPPORT_VALIDATEDJSON_H

#include "spike/core/Formats/Validate.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <optional>
#include <string>

namespace spike {

/// Validates `path` as a file of `kind` with the core validator (schema and
/// rules) and parses it with llvm::json, so compiler code built without
/// exceptions can read fields the validator guarantees. On failure returns
/// nothing and sets `error` to one line naming the file.
inline std::optional<llvm::json::Value>
readValidatedJson(const std::string &path, core::DocumentKind kind,
                  std::string &error) {
  auto got = core::validateFile(path);
  if (!got) {
    error = got.message();
    return std::nullopt;
  }
  if (*got != kind) {
    error = path + ": is a " + core::formatName(*got) + " file, not " +
            core::formatName(kind);
    return std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = path + ": cannot read";
    return std::nullopt;
  }
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    llvm::consumeError(json.takeError());
    error = path + ": malformed JSON";
    return std::nullopt;
  }
  return std::move(*json);
}

} // namespace spike

#endif // SPIKE_SUPPORT_VALIDATEDJSON_H
