//===- PreTokenizer.cpp - Split rules of byte-level BPE tokenizers --------===//
//
// Each pattern is an ordered alternation, tried at each position; the
// first alternative that matches wins, with greedy quantifiers and the
// backtracking a regex engine would do, worked out per alternative.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Text/PreTokenizer.h"

#include <algorithm>
#include <iterator>

namespace spike::core {

namespace {

struct CodeRange {
  uint32_t lo, hi;
};
#include "UnicodeTables.inc"

template <size_t N> bool inRanges(const CodeRange (&ranges)[N], uint32_t cp) {
  auto it =
      std::upper_bound(std::begin(ranges), std::end(ranges), cp,
                       [](uint32_t v, const CodeRange &r) { return v < r.lo; });
  return it != std::begin(ranges) && cp <= (it - 1)->hi;
}

/// \p{L}, \p{N}, \s, or none of them. The three are disjoint.
enum class Cls { Letter, Number, Space, Other };
Cls classOf(uint32_t cp) {
  if (inRanges(kLetterRanges, cp))
    return Cls::Letter;
  if (inRanges(kNumberRanges, cp))
    return Cls::Number;
  if (inRanges(kSpaceRanges, cp))
    return Cls::Space;
  return Cls::Other;
}

bool isNewline(uint32_t cp) { return cp == '\r' || cp == '\n'; }

/// Case folding of the letters the contractions use: ASCII, and U+017F
/// (long s), which folds to 's' (CaseFolding.txt).
uint32_t fold(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z')
    return cp + 32;
  return cp == 0x17F ? 's' : cp;
}

/// The length of 's|'t|'re|'ve|'m|'ll|'d at `i` (0 if none), with case
/// folding when `anyCase`.
size_t contraction(const std::vector<uint32_t> &cp, size_t i, size_t end,
                   bool anyCase) {
  if (cp[i] != '\'' || i + 1 >= end)
    return 0;
  auto at = [&](size_t k) -> uint32_t {
    if (k >= end)
      return 0;
    return anyCase ? fold(cp[k]) : cp[k];
  };
  uint32_t a = at(i + 1), b = at(i + 2);
  if (a == 's' || a == 't' || a == 'm' || a == 'd')
    return 2;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
      (a == 'l' && b == 'l'))
    return 3;
  return 0;
}

struct Splitter {
  const std::vector<uint32_t> &cp;
  std::vector<Cls> cls;
  std::vector<std::pair<size_t, size_t>> &pieces;

  size_t run(size_t j, size_t end, Cls c) const {
    while (j < end && cls[j] == c)
      ++j;
    return j;
  }

  /// \s+(?!\S) then \s+, shared by every pattern: a space run followed by
  /// text leaves its last space to the next piece, unless it is one space.
  size_t spaces(size_t i, size_t end) const {
    size_t j = run(i, end, Cls::Space);
    if (j < end && j - i > 1)
      --j;
    return j;
  }

  void gpt2(size_t begin, size_t end) {
    size_t i = begin;
    while (i < end) {
      if (size_t n = contraction(cp, i, end, false)) {
        pieces.push_back({i, i + n});
        i += n;
        continue;
      }
      //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+
      size_t start = i;
      if (cp[i] == ' ' && i + 1 < end && cls[i + 1] != Cls::Space)
        ++i;
      if (cls[i] != Cls::Space) {
        size_t j = run(i, end, cls[i]);
        pieces.push_back({start, j});
        i = j;
        continue;
      }
      size_t j = spaces(i, end);
      pieces.push_back({i, j});
      i = j;
    }
  }

  void llama3(size_t begin, size_t end, size_t maxDigits) {
    size_t i = begin;
    while (i < end) {
      if (size_t n = contraction(cp, i, end, true)) {
        pieces.push_back({i, i + n});
        i += n;
        continue;
      }
      // [^\r\n\p{L}\p{N}]?\p{L}+
      bool lead = cls[i] != Cls::Letter && cls[i] != Cls::Number &&
                  !isNewline(cp[i]) && i + 1 < end && cls[i + 1] == Cls::Letter;
      if (lead || cls[i] == Cls::Letter) {
        size_t j = run(lead ? i + 1 : i, end, Cls::Letter);
        pieces.push_back({i, j});
        i = j;
        continue;
      }
      // \p{N}{1,k}
      if (cls[i] == Cls::Number) {
        size_t j = std::min(run(i, end, Cls::Number), i + maxDigits);
        pieces.push_back({i, j});
        i = j;
        continue;
      }
      //  ?[^\s\p{L}\p{N}]+[\r\n]*
      size_t o =
          cp[i] == ' ' && i + 1 < end && cls[i + 1] == Cls::Other ? i + 1 : i;
      if (cls[o] == Cls::Other) {
        size_t j = run(o, end, Cls::Other);
        while (j < end && isNewline(cp[j]))
          ++j;
        pieces.push_back({i, j});
        i = j;
        continue;
      }
      // \s*[\r\n]+ : up to the run's last newline.
      size_t j = run(i, end, Cls::Space);
      size_t lastNewline = j;
      for (size_t k = i; k < j; ++k)
        if (isNewline(cp[k]))
          lastNewline = k;
      if (lastNewline < j) {
        pieces.push_back({i, lastNewline + 1});
        i = lastNewline + 1;
        continue;
      }
      // \s+(?!\S) | \s+
      j = spaces(i, end);
      pieces.push_back({i, j});
      i = j;
    }
  }

  /// Matches of [\p{P}\$\+<=>\^~\|]+, and the runs between them.
  void punctuation(size_t begin, size_t end) {
    auto punct = [&](size_t k) {
      uint32_t c = cp[k];
      return isPunctuationCodePoint(c) || c == '$' || c == '+' || c == '<' ||
             c == '=' || c == '>' || c == '^' || c == '~' || c == '|';
    };
    for (size_t i = begin; i < end;) {
      bool p = punct(i);
      size_t j = i + 1;
      while (j < end && punct(j) == p)
        ++j;
      pieces.push_back({i, j});
      i = j;
    }
  }

  /// Matches of [0-9][0-9][0-9], leftmost first, and the text between.
  void digitTriples(size_t begin, size_t end) {
    auto digit = [&](size_t k) { return cp[k] >= '0' && cp[k] <= '9'; };
    size_t gap = begin;
    for (size_t i = begin; i + 3 <= end;) {
      if (digit(i) && digit(i + 1) && digit(i + 2)) {
        if (i > gap)
          pieces.push_back({gap, i});
        pieces.push_back({i, i + 3});
        i += 3;
        gap = i;
      } else {
        ++i;
      }
    }
    if (gap < end)
      pieces.push_back({gap, end});
  }

  void split(size_t begin, size_t end, SplitPattern p) {
    if (begin >= end)
      return;
    switch (p) {
    case SplitPattern::GPT2:
      return gpt2(begin, end);
    case SplitPattern::Llama3:
      return llama3(begin, end, 3);
    case SplitPattern::Qwen2:
      return llama3(begin, end, 1);
    case SplitPattern::Punctuation:
      return punctuation(begin, end);
    case SplitPattern::DigitTriples:
      return digitTriples(begin, end);
    }
  }
};

// The regexes as tokenizer.json files write them (after JSON unescaping).
const char *const kGpt2Regex =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| "
    "?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const char *const kLlama3Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char *const kQwen2Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const char *const kPunctuationRegex = "[\\p{P}\\$\\+<=>\\^~\\|]+";
const char *const kDigitTriplesRegex = "[0-9][0-9][0-9]";

} // namespace

const char *splitPatternName(SplitPattern p) {
  switch (p) {
  case SplitPattern::GPT2:
    return "gpt2";
  case SplitPattern::Llama3:
    return "llama3";
  case SplitPattern::Qwen2:
    return "qwen2";
  case SplitPattern::Punctuation:
    return "punctuation";
  case SplitPattern::DigitTriples:
    return "digit-triples";
  }
  return "?";
}

bool splitPatternOf(const std::string &regex, SplitPattern &out) {
  for (auto [text, p] : {std::pair{kGpt2Regex, SplitPattern::GPT2},
                         {kLlama3Regex, SplitPattern::Llama3},
                         {kQwen2Regex, SplitPattern::Qwen2},
                         {kPunctuationRegex, SplitPattern::Punctuation},
                         {kDigitTriplesRegex, SplitPattern::DigitTriples}})
    if (regex == text) {
      out = p;
      return true;
    }
  return false;
}

const char *unicodeVersion() { return kUnicodeVersion; }

bool isSpaceCodePoint(uint32_t cp) { return inRanges(kSpaceRanges, cp); }
bool isNumberCodePoint(uint32_t cp) { return inRanges(kNumberRanges, cp); }
bool isWordCodePoint(uint32_t cp) { return inRanges(kWordRanges, cp); }
bool isPunctuationCodePoint(uint32_t cp) {
  return inRanges(kPunctuationRanges, cp);
}

void decodeUtf8(const std::string &s, std::vector<uint32_t> &cps,
                std::vector<size_t> &offsets) {
  size_t i = 0;
  auto cont = [&](size_t k) {
    return k < s.size() && (static_cast<unsigned char>(s[k]) & 0xc0) == 0x80;
  };
  // Well-formed sequences only (Unicode Table 3-7): no overlong forms, no
  // surrogates, nothing above U+10FFFF.
  auto second = [&](size_t k, unsigned lo, unsigned hi) {
    if (k >= s.size())
      return false;
    unsigned b = static_cast<unsigned char>(s[k]);
    return b >= lo && b <= hi;
  };
  while (i < s.size()) {
    unsigned char c = s[i];
    uint32_t cp = 0xfffd;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if (c >= 0xc2 && c <= 0xdf && cont(i + 1)) {
      cp = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef &&
               second(i + 1, c == 0xe0 ? 0xa0 : 0x80,
                      c == 0xed ? 0x9f : 0xbf) &&
               cont(i + 2)) {
      cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
      len = 3;
    } else if (c >= 0xf0 && c <= 0xf4 &&
               second(i + 1, c == 0xf0 ? 0x90 : 0x80,
                      c == 0xf4 ? 0x8f : 0xbf) &&
               cont(i + 2) && cont(i + 3)) {
      cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12) |
           ((s[i + 2] & 0x3f) << 6) | (s[i + 3] & 0x3f);
      len = 4;
    }
    cps.push_back(cp);
    offsets.push_back(i);
    i += len;
  }
  offsets.push_back(s.size());
}

std::string encodeUtf8(uint32_t cp) {
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    cp = 0xfffd;
  std::string s;
  if (cp < 0x80) {
    s += char(cp);
  } else if (cp < 0x800) {
    s += char(0xc0 | (cp >> 6));
    s += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += char(0xe0 | (cp >> 12));
    s += char(0x80 | ((cp >> 6) & 0x3f));
    s += char(0x80 | (cp & 0x3f));
  } else {
    s += char(0xf0 | (cp >> 18));
    s += char(0x80 | ((cp >> 12) & 0x3f));
    s += char(0x80 | ((cp >> 6) & 0x3f));
    s += char(0x80 | (cp & 0x3f));
  }
  return s;
}

std::vector<std::pair<size_t, size_t>>
preTokenize(const std::string &text, SplitPattern pattern, bool isolateDigits) {
  std::vector<uint32_t> cp;
  std::vector<size_t> off;
  decodeUtf8(text, cp, off);
  std::vector<std::pair<size_t, size_t>> pieces;
  Splitter s{cp, {}, pieces};
  s.cls.reserve(cp.size());
  for (uint32_t c : cp)
    s.cls.push_back(classOf(c));
  size_t segment = 0;
  for (size_t i = 0; i <= cp.size(); ++i) {
    bool digit = i < cp.size() && isolateDigits && s.cls[i] == Cls::Number;
    if (i == cp.size() || digit) {
      s.split(segment, i, pattern);
      if (digit)
        pieces.push_back({i, i + 1});
      segment = i + 1;
    }
  }
  for (auto &[a, b] : pieces) {
    a = off[a];
    b = off[b];
  }
  return pieces;
}

} // namespace spike::core
