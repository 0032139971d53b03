//===- UnicodeNormalization.cpp - NFC, NFD, NFKC and NFKD -----------------===//
//
// UAX #15 section 3 and the Unicode Standard section 3.11: full
// decomposition, canonical ordering of each run of non-starters, then the
// canonical composition algorithm; Hangul syllables by section 3.12's
// arithmetic.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Text/UnicodeNormalization.h"

#include "spike/core/Text/PreTokenizer.h"

#include <algorithm>
#include <iterator>

namespace spike::core {

namespace {

struct CombiningClassRange {
  uint32_t lo, hi;
  uint8_t combiningClass;
};
struct Decomposition {
  uint32_t cp;
  bool compat;
  uint16_t offset; ///< into kDecompositionPool
  uint8_t length;
};
struct Composition {
  uint32_t first, second, composite;
};
#include "UnicodeNormalizationTables.inc"

// Hangul syllables (Unicode section 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161,
                   kTBase = 0x11A7, kLCount = 19, kVCount = 21, kTCount = 28,
                   kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t combiningClass(uint32_t cp) {
  auto it = std::upper_bound(
      std::begin(kCombiningClasses), std::end(kCombiningClasses), cp,
      [](uint32_t v, const CombiningClassRange &r) { return v < r.lo; });
  if (it == std::begin(kCombiningClasses) || cp > (it - 1)->hi)
    return 0;
  return (it - 1)->combiningClass;
}

void decompose(uint32_t cp, bool compat, std::vector<uint32_t> &out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount)
      out.push_back(kTBase + s % kTCount);
    return;
  }
  auto it = std::lower_bound(
      std::begin(kDecompositions), std::end(kDecompositions), cp,
      [](const Decomposition &d, uint32_t v) { return d.cp < v; });
  if (it == std::end(kDecompositions) || it->cp != cp ||
      (it->compat && !compat)) {
    out.push_back(cp);
    return;
  }
  for (uint8_t k = 0; k < it->length; ++k)
    decompose(kDecompositionPool[it->offset + k], compat, out);
}

/// The primary composite of the pair, or 0.
uint32_t compose(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount)
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  if (first >= kSBase && first < kSBase + kSCount &&
      (first - kSBase) % kTCount == 0 && second > kTBase &&
      second < kTBase + kTCount)
    return first + (second - kTBase);
  auto it = std::lower_bound(std::begin(kCompositions), std::end(kCompositions),
                             std::pair{first, second},
                             [](const Composition &c, auto v) {
                               return std::pair{c.first, c.second} < v;
                             });
  if (it == std::end(kCompositions) || it->first != first ||
      it->second != second)
    return 0;
  return it->composite;
}

/// Canonical composition in place (Unicode section 3.11, D117): a
/// character joins the last starter unless a character of the same or a
/// higher class, or a starter, stands between them. `lastClass` is the
/// class of the last character kept (256 before any starter).
void composeInPlace(std::vector<uint32_t> &s) {
  if (s.empty())
    return;
  size_t starter = 0, out = 1;
  bool haveStarter = combiningClass(s[0]) == 0;
  int lastClass = haveStarter ? 0 : 256;
  for (size_t i = 1; i < s.size(); ++i) {
    uint32_t c = s[i];
    int cls = combiningClass(c);
    uint32_t composite = 0;
    if (haveStarter && (lastClass < cls || lastClass == 0))
      composite = compose(s[starter], c);
    if (composite) {
      s[starter] = composite;
      continue;
    }
    if (cls == 0) {
      starter = out;
      haveStarter = true;
    }
    lastClass = cls;
    s[out++] = c;
  }
  s.resize(out);
}

} // namespace

const char *normalFormName(NormalForm form) {
  switch (form) {
  case NormalForm::NFC:
    return "NFC";
  case NormalForm::NFD:
    return "NFD";
  case NormalForm::NFKC:
    return "NFKC";
  case NormalForm::NFKD:
    return "NFKD";
  }
  return "?";
}

std::vector<uint32_t> normalize(const std::vector<uint32_t> &text,
                                NormalForm form) {
  bool compat = form == NormalForm::NFKC || form == NormalForm::NFKD;
  std::vector<uint32_t> out;
  out.reserve(text.size());
  for (uint32_t cp : text)
    decompose(cp, compat, out);
  // Canonical ordering: each run of non-starters, stably by class.
  for (size_t i = 0; i < out.size();) {
    if (combiningClass(out[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < out.size() && combiningClass(out[j]) != 0)
      ++j;
    std::stable_sort(out.begin() + i, out.begin() + j,
                     [](uint32_t a, uint32_t b) {
                       return combiningClass(a) < combiningClass(b);
                     });
    i = j;
  }
  if (form == NormalForm::NFC || form == NormalForm::NFKC)
    composeInPlace(out);
  return out;
}

std::string normalizeUtf8(const std::string &text, NormalForm form) {
  std::vector<uint32_t> cps;
  std::vector<size_t> offsets;
  decodeUtf8(text, cps, offsets);
  std::string out;
  out.reserve(text.size());
  std::vector<uint32_t> run;
  auto flush = [&] {
    for (uint32_t cp : normalize(run, form))
      out += encodeUtf8(cp);
    run.clear();
  };
  for (size_t k = 0; k < cps.size(); ++k) {
    // A malformed byte is kept as it is and ends the run.
    if (isMalformedAt(cps, offsets, k)) {
      flush();
      out.append(text, offsets[k], offsets[k + 1] - offsets[k]);
      continue;
    }
    run.push_back(cps[k]);
  }
  flush();
  return out;
}

} // namespace spike::core
