//===- UnicodeNormalization.h - NFC, NFD, NFKC, NFKD ------------*- C++ -*-===//
//
// The Unicode normalization forms (UAX #15), which tokenizers apply before
// splitting (Qwen2's tokenizer.json declares NFC). The data are Unicode 15
// tables generated from Debian's unicode-data by
// runtime/core/lib/Text/gen_unicode_tables.py.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TEXT_UNICODENORMALIZATION_H
#define SPIKE_CORE_TEXT_UNICODENORMALIZATION_H

#include <cstdint>
#include <string>
#include <vector>

namespace spike::core {

/// UAX #15's four forms: canonical (NFD) or compatibility (NFKD)
/// decomposition, each optionally followed by canonical composition (NFC,
/// NFKC).
enum class NormalForm { NFC, NFD, NFKC, NFKD };

/// "NFC", "NFD", "NFKC", "NFKD".
const char *normalFormName(NormalForm form);

/// The code points of `text` in `form` (UAX #15 section 3: full
/// decomposition, canonical ordering, then, for NFC and NFKC, the
/// canonical composition algorithm; Hangul algorithmically).
std::vector<uint32_t> normalize(const std::vector<uint32_t> &text,
                                NormalForm form);

/// UTF-8 text in `form`. Bytes that are not well-formed UTF-8 are kept as
/// they are and block composition across them, so no byte is lost.
std::string normalizeUtf8(const std::string &text, NormalForm form);

} // namespace spike::core

#endif // SPIKE_CORE_TEXT_UNICODENORMALIZATION_H
