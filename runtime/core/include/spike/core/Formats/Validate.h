//===- Validate.h - Any exchange file, every rule ---------------*- C++ -*-===//
//
// `spike-run validate`'s engine: a file of any kind in Formats.h, detected
// from its "format" field, checked against its schema and all its rules,
// the chip program's table rules included. A library of its own above the
// formats and the chip libraries, which the chip-program reader needs.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_FORMATS_VALIDATE_H
#define SPIKE_CORE_FORMATS_VALIDATE_H

#include "spike/core/Formats/Formats.h"

namespace spike::core {

/// Validates a file of any kind in Formats.h, detected from its "format"
/// field. On failure the message is one line: "<path>: <json pointer>: what".
Result<DocumentKind> validateFile(const std::string &path,
                                  const ValidateOptions &options = {});

/// Same for text already in memory; `path` only names it in messages and
/// anchors the plan's relative tensor file.
Result<DocumentKind> validateText(const std::string &text,
                                  const std::string &path,
                                  const ValidateOptions &options = {});

} // namespace spike::core

#endif // SPIKE_CORE_FORMATS_VALIDATE_H
