//===- PreTokenizer.h - Split rules of byte-level BPE -----------*- C++ -*-===//
//
// Byte-level BPE tokenizers split text into pieces with a regex before BPE
// runs on each piece. spikec implements the regexes that LLaMA-family
// tokenizers ship, by hand on code points, with Unicode 15 tables
// (lib/UnicodeTables.inc, generated from Debian's unicode-data), and
// recognizes them by their exact text; any other regex is refused.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TEXT_PRETOKENIZER_H
#define SPIKE_CORE_TEXT_PRETOKENIZER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace spike::core {

enum class SplitPattern {
  /// GPT-2 (also ByteLevel's own regex, use_regex = true):
  /// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  GPT2,
  /// LLaMA-3 (tiktoken's cl100k family; GGUF pre "llama-bpe"):
  /// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  Llama3,
  /// Qwen2: LLaMA-3's with single digits (\p{N} instead of \p{N}{1,3}).
  Qwen2,
  /// Runs of punctuation and of the ASCII symbols llama.cpp's default
  /// pre-tokenizer adds to it: [\p{P}\$\+<=>\^~\|]+
  Punctuation,
  /// ASCII digits in threes from the left: [0-9][0-9][0-9]
  DigitTriples,
};

/// "gpt2", "llama3", "qwen2", "punctuation", "digit-triples".
const char *splitPatternName(SplitPattern p);

/// The pattern whose regex is exactly `regex` (as a tokenizer.json writes
/// it, JSON-unescaped); false if spikec does not implement it.
bool splitPatternOf(const std::string &regex, SplitPattern &out);

/// The Unicode version of the tables, "15.0.0".
const char *unicodeVersion();

/// \s (White_Space), \p{N} and \w (Alphabetic, marks, Nd, Pc,
/// Join_Control: Rust regex's Unicode \w, which HF tokenizers' added-token
/// rules use) of one code point.
bool isSpaceCodePoint(uint32_t cp);
bool isNumberCodePoint(uint32_t cp);
bool isWordCodePoint(uint32_t cp);
/// \p{P}: the punctuation general categories (Pc, Pd, Ps, Pe, Pi, Pf, Po).
bool isPunctuationCodePoint(uint32_t cp);

/// UTF-8 to code points, with the byte offset of each and a final offset
/// of the text's size. An invalid byte is one code point U+FFFD (of no
/// class) so that offsets stay exact and no byte is lost.
void decodeUtf8(const std::string &s, std::vector<uint32_t> &codePoints,
                std::vector<size_t> &offsets);

/// Whether code point `k` of decodeUtf8's result stands for a malformed
/// byte rather than a U+FFFD written in the text (three bytes).
inline bool isMalformedAt(const std::vector<uint32_t> &codePoints,
                          const std::vector<size_t> &offsets, size_t k) {
  return codePoints[k] == 0xfffd && offsets[k + 1] - offsets[k] != 3;
}

/// One code point as UTF-8 (U+FFFD for a surrogate or a value above
/// U+10FFFF).
std::string encodeUtf8(uint32_t cp);

/// The pieces of `text` as byte ranges [begin, end) in order, covering it
/// exactly: the regex's matches, as a backtracking regex engine finds them,
/// and the text between matches (HF tokenizers' Split with behavior
/// Isolated; llama.cpp's unicode_regex_split). `isolateDigits` first
/// makes every \p{N} code point a piece of its own (HF's Digits with
/// individual_digits, SmolLM and StarCoder).
std::vector<std::pair<size_t, size_t>> preTokenize(const std::string &text,
                                                   SplitPattern pattern,
                                                   bool isolateDigits = false);

} // namespace spike::core

#endif // SPIKE_CORE_TEXT_PRETOKENIZER_H
