//===- Validate.cpp - Any exchange file, every rule -----------------------===//

#include "spike/core/Formats/Validate.h"
#include "spike/core/Chip/ChipPlacement.h"
#include "spike/core/Chip/ChipProgram.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include <nlohmann/json.hpp>

namespace spike::core {

Result<DocumentKind> validateText(const std::string &text,
                                  const std::string &path,
                                  const ValidateOptions &options) {
  auto doc = parseJson(text, path);
  if (!doc)
    return doc.status();
  auto kind = detail::checkDocument(*doc, path, options);
  if (!kind)
    return Status::error(path + ": " + kind.message());
  std::string err;
  if (*kind == DocumentKind::ChipProgram)
    err = detail::buildChipProgram(*doc, path, options.checkTensors, nullptr);
  else if (*kind == DocumentKind::ChipPlacement)
    err = detail::readChipPlacement(*doc, nullptr);
  if (!err.empty())
    return Status::error(path + ": " + err);
  return kind;
}

Result<DocumentKind> validateFile(const std::string &path,
                                  const ValidateOptions &options) {
  auto text = readFileText(path);
  if (!text)
    return text.status();
  return validateText(*text, path, options);
}

} // namespace spike::core
