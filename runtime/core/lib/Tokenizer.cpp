//===- Tokenizer.cpp - Byte-level BPE and SentencePiece tokenizers --------===//

#include "spike/core/Tokenizer.h"
#include "spike/core/FileIO.h"
#include "spike/core/Gguf.h"
#include "spike/core/JsonReader.h"
#include "spike/core/PreTokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>

#include <cmath>
#include <cstdio>
#include <cstring>

namespace spike::core {

namespace {

/// The UTF-8 characters of `s`, each as its own string (an invalid byte is
/// one on its own).
std::vector<std::string> utf8Chars(const std::string &s) {
  std::vector<uint32_t> cp;
  std::vector<size_t> off;
  decodeUtf8(s, cp, off);
  std::vector<std::string> out;
  for (size_t k = 0; k < cp.size(); ++k)
    out.push_back(s.substr(off[k], off[k + 1] - off[k]));
  return out;
}

const std::array<std::string, 256> &byteToUnicode() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) ||
                       (b >= 0xae && b <= 0xff);
      t[b] = encodeUtf8(printable ? uint32_t(b) : uint32_t(256 + n++));
    }
    return t;
  }();
  return table;
}

/// `s` with every occurrence of `from` replaced (left to right, without
/// overlaps), as HF's Replace of a string does.
std::string replaceAll(std::string s, const std::string &from,
                       const std::string &to) {
  if (from.empty())
    return s;
  std::string out;
  size_t at = 0;
  for (size_t k; (k = s.find(from, at)) != std::string::npos;
       at = k + from.size())
    out += s.substr(at, k - at) + to;
  return out + s.substr(at);
}

struct Segment {
  int32_t id;
  size_t begin, end;
};
/// Splits text on added tokens as HF tokenizers' AddedVocabulary does:
/// leftmost-longest matches, scanning on after each match (one dropped by
/// single_word too); lstrip and rstrip take the white space beside a match
/// into it. Returns (id or -1, begin, end) covering [begin, end) of `text`.
std::vector<Segment> splitOnAddedTokens(const std::string &text, size_t begin,
                                        size_t end,
                                        const std::vector<AddedToken> &tokens,
                                        bool normalizedPass) {
  std::vector<Segment> out;
  // \w just before `at` (within the segment) or just after it.
  auto wordAt = [&](size_t at, bool before) {
    size_t a = at, b = at;
    if (before) {
      if (at == begin)
        return false;
      a = at - 1;
      while (a > begin && (static_cast<unsigned char>(text[a]) & 0xc0) == 0x80)
        --a;
    } else {
      if (at >= end)
        return false;
      b = std::min(end, at + 4);
    }
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(a, b - a), cp, off);
    return !cp.empty() && isWordCodePoint(before ? cp.back() : cp.front());
  };
  auto spaceBefore = [&](size_t at, size_t floor) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(floor, at - floor), cp, off);
    size_t k = cp.size();
    while (k > 0 && isSpaceCodePoint(cp[k - 1]))
      --k;
    return floor + off[k];
  };
  auto spaceAfter = [&](size_t at) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text.substr(at, end - at), cp, off);
    size_t k = 0;
    while (k < cp.size() && isSpaceCodePoint(cp[k]))
      ++k;
    return at + off[k];
  };
  size_t done = begin, at = begin;
  while (at < end) {
    // The longest token starting at `at`, if any.
    const AddedToken *best = nullptr;
    for (const AddedToken &t : tokens)
      if (t.normalized == normalizedPass && !t.content.empty() &&
          t.content.size() <= end - at &&
          text.compare(at, t.content.size(), t.content) == 0 &&
          (!best || t.content.size() > best->content.size()))
        best = &t;
    if (!best) {
      ++at;
      continue;
    }
    size_t start = at, stop = at + best->content.size();
    at = stop;
    if (best->singleWord && (wordAt(start, true) || wordAt(stop, false)))
      continue;
    if (best->lstrip)
      start = std::max(spaceBefore(start, begin), done);
    if (best->rstrip) // HF resumes at the match's end, which differs only
      stop = spaceAfter(stop); // for a token that starts with white space
    if (done < start)
      out.push_back({-1, done, start});
    out.push_back({best->id, start, stop});
    done = at = stop;
  }
  if (done < end)
    out.push_back({-1, done, end});
  return out;
}

/// HF tokenizers' AddedVocabulary with its normalizer: the tokens that are
/// not `normalized` are matched in the raw text first; what remains is
/// normalized, and the `normalized` ones (normalized themselves) are
/// matched in that.
class AddedVocabulary {
public:
  AddedVocabulary(std::vector<AddedToken> tokens,
                  std::vector<NormalizerStep> normalizer)
      : raw_(std::move(tokens)), normalizer_(std::move(normalizer)) {
    normalized_ = raw_;
    for (AddedToken &t : normalized_)
      if (t.normalized)
        t.content = applyNormalizer(normalizer_, t.content);
    for (const AddedToken &t : raw_)
      byId_.emplace(t.id, t.content);
  }

  /// The text of an added token's id, or nullptr for another id.
  const std::string *contentOf(int32_t id) const {
    auto it = byId_.find(id);
    return it == byId_.end() ? nullptr : &it->second;
  }

  /// Appends the added tokens' ids of `text` to `out`, in order, and hands
  /// each normalized piece between them to `piece(text, atStart)` (atStart:
  /// the piece begins the text), which appends its ids.
  template <typename PieceFn>
  void encode(const std::string &text, std::vector<int32_t> &out,
              PieceFn piece) const {
    for (const Segment &raw :
         splitOnAddedTokens(text, 0, text.size(), raw_, false)) {
      if (raw.id >= 0) {
        out.push_back(raw.id);
        continue;
      }
      std::string norm = applyNormalizer(
          normalizer_, text.substr(raw.begin, raw.end - raw.begin));
      for (const Segment &seg :
           splitOnAddedTokens(norm, 0, norm.size(), normalized_, true)) {
        if (seg.id >= 0)
          out.push_back(seg.id);
        else
          piece(norm.substr(seg.begin, seg.end - seg.begin),
                raw.begin == 0 && seg.begin == 0);
      }
    }
  }

private:
  std::vector<AddedToken> raw_, normalized_;
  std::vector<NormalizerStep> normalizer_;
  std::unordered_map<int32_t, std::string> byId_;
};

/// SentencePiece's name of a byte token: <0x0A>.
std::string byteTokenName(unsigned char b) {
  char name[8];
  std::snprintf(name, sizeof name, "<0x%02X>", b);
  return name;
}

/// A BPE model as HF tokenizers runs it (models/bpe): a word starts as its
/// characters (continuing_subword_prefix on all but the first,
/// end_of_word_suffix on the last); a character the vocabulary lacks
/// becomes its <0xNN> byte tokens with byte_fallback, else the unk token
/// (runs fused with fuse_unk); then pairs merge lowest rank first, and at
/// equal rank leftmost first, each merge re-ranking only its neighbours
/// (HF's Word::merge_all, which differs from merging every occurrence of
/// the best pair at once).
class BpeModel {
public:
  struct Options {
    std::string unkToken, continuingSubwordPrefix, endOfWordSuffix;
    bool fuseUnk = false, byteFallback = false, ignoreMerges = false;
    /// A pair listed twice: HF tokenizers keeps its last rank
    /// (tokenizer.json), llama.cpp its first (GGUF).
    bool lastDuplicateWins = false;
  };

  /// `vocab[i]` is the string of id i ("" for none); errors name a merge
  /// whose parts or result the vocabulary lacks.
  static Result<BpeModel> build(const std::vector<std::string> &vocab,
                                const std::vector<std::string> &merges,
                                Options options) {
    BpeModel m;
    m.options_ = std::move(options);
    for (size_t i = 0; i < vocab.size(); ++i)
      if (!vocab[i].empty())
        m.ids_.emplace(vocab[i], int32_t(i));
    const std::string &pre = m.options_.continuingSubwordPrefix;
    for (size_t r = 0; r < merges.size(); ++r) {
      size_t space = merges[r].find(' ');
      if (space == std::string::npos)
        return Status::error("BPE merge " + std::to_string(r) + " ('" +
                             merges[r] + "') is not a pair 'a b'");
      std::string a = merges[r].substr(0, space),
                  b = merges[r].substr(space + 1);
      std::string joined =
          a + (!pre.empty() && b.compare(0, pre.size(), pre) == 0
                   ? b.substr(pre.size())
                   : b);
      auto ia = m.ids_.find(a), ib = m.ids_.find(b), ij = m.ids_.find(joined);
      if (ia == m.ids_.end() || ib == m.ids_.end() || ij == m.ids_.end())
        return Status::error("BPE merge " + std::to_string(r) + " ('" +
                             merges[r] + "'): '" +
                             (ia == m.ids_.end()   ? a
                              : ib == m.ids_.end() ? b
                                                   : joined) +
                             "' is not in the vocabulary");
      auto value = std::make_pair(int32_t(r), ij->second);
      if (m.options_.lastDuplicateWins)
        m.merges_[pairKey(ia->second, ib->second)] = value;
      else
        m.merges_.emplace(pairKey(ia->second, ib->second), value);
    }
    if (!m.options_.unkToken.empty()) {
      auto it = m.ids_.find(m.options_.unkToken);
      if (it == m.ids_.end())
        return Status::error("unk_token '" + m.options_.unkToken +
                             "' is not in the vocabulary");
      m.unk_ = it->second;
    }
    return m;
  }

  bool has(const std::string &s) const { return ids_.count(s) != 0; }
  bool hasUnk() const { return unk_ >= 0; }
  /// Whether a character (UTF-8) becomes tokens: its piece, its byte
  /// tokens, or the unk token; else HF drops it.
  bool covers(const std::string &c) const {
    if (unk_ >= 0 || ids_.count(c))
      return true;
    if (!options_.byteFallback)
      return false;
    return byteTokens(c, nullptr);
  }
  int32_t idOf(const std::string &s) const {
    auto it = ids_.find(s);
    return it == ids_.end() ? -1 : it->second;
  }

  /// The ids of one word (a pre-tokenized piece), appended to `out`.
  void tokenize(const std::string &word, std::vector<int32_t> &out) const {
    if (options_.ignoreMerges)
      if (auto it = ids_.find(word); it != ids_.end()) {
        out.push_back(it->second);
        return;
      }
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
    std::vector<int32_t> ids = mergeWord(word);
    if (cache_.size() < 200000)
      cache_.emplace(word, ids);
    out.insert(out.end(), ids.begin(), ids.end());
  }

private:
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;
  Options options_;
  int32_t unk_ = -1;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;

  /// Whether every byte of `c` has its byte token; their ids go to `ids`.
  bool byteTokens(const std::string &c, std::vector<int32_t> *ids) const {
    for (unsigned char b : c) {
      auto it = ids_.find(byteTokenName(b));
      if (it == ids_.end())
        return false;
      if (ids)
        ids->push_back(it->second);
    }
    return true;
  }

  static uint64_t pairKey(int32_t a, int32_t b) {
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
  }

  std::vector<int32_t> mergeWord(const std::string &word) const {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(word, cp, off);
    std::vector<int32_t> sym;
    bool pendingUnk = false;
    auto flushUnk = [&] {
      if (pendingUnk)
        sym.push_back(unk_);
      pendingUnk = false;
    };
    for (size_t k = 0; k < cp.size(); ++k) {
      std::string c = word.substr(off[k], off[k + 1] - off[k]);
      if (k > 0)
        c = options_.continuingSubwordPrefix + c;
      if (k + 1 == cp.size())
        c += options_.endOfWordSuffix;
      if (auto it = ids_.find(c); it != ids_.end()) {
        flushUnk();
        sym.push_back(it->second);
        continue;
      }
      if (options_.byteFallback) {
        std::vector<int32_t> bytes;
        if (byteTokens(c, &bytes)) {
          flushUnk();
          sym.insert(sym.end(), bytes.begin(), bytes.end());
          continue;
        }
      }
      if (unk_ >= 0) {
        if (!options_.fuseUnk)
          flushUnk();
        pendingUnk = true;
      }
      // Without unk or byte fallback HF drops the character; encodable()
      // tells callers before it can happen.
    }
    flushUnk();
    return mergeAll(sym);
  }

  /// HF's Word::merge_all on a linked list of symbols.
  std::vector<int32_t> mergeAll(std::vector<int32_t> sym) const {
    size_t n = sym.size();
    std::vector<int64_t> prev(n), next(n);
    std::vector<bool> alive(n, true);
    for (size_t i = 0; i < n; ++i) {
      prev[i] = int64_t(i) - 1;
      next[i] = i + 1 < n ? int64_t(i + 1) : -1;
    }
    struct Entry {
      int32_t rank;
      size_t pos;
      int32_t newId;
      bool operator>(const Entry &o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
    auto push = [&](size_t pos) {
      if (next[pos] < 0)
        return;
      auto it = merges_.find(pairKey(sym[pos], sym[size_t(next[pos])]));
      if (it != merges_.end())
        queue.push({it->second.first, pos, it->second.second});
    };
    for (size_t i = 0; i + 1 < n; ++i)
      push(i);
    while (!queue.empty()) {
      Entry top = queue.top();
      queue.pop();
      if (!alive[top.pos] || next[top.pos] < 0)
        continue;
      size_t right = size_t(next[top.pos]);
      auto it = merges_.find(pairKey(sym[top.pos], sym[right]));
      if (it == merges_.end() || it->second.second != top.newId)
        continue; // expired
      sym[top.pos] = top.newId;
      alive[right] = false;
      next[top.pos] = next[right];
      if (next[right] >= 0)
        prev[size_t(next[right])] = int64_t(top.pos);
      if (prev[top.pos] >= 0)
        push(size_t(prev[top.pos]));
      push(top.pos);
    }
    std::vector<int32_t> out;
    for (size_t i = 0; i < n; ++i)
      if (alive[i])
        out.push_back(sym[i]);
    return out;
  }
};

class ByteLevelBPE : public Tokenizer {
public:
  ByteLevelBPE(std::vector<std::string> tokens, BpeModel model,
               ByteLevelOptions options, int32_t bos, int32_t eos)
      : tokens_(std::move(tokens)), model_(std::move(model)),
        options_(std::move(options)),
        added_(options_.added, options_.normalizer) {
    bos_ = bos;
    eos_ = eos;
    const auto &table = byteToUnicode();
    // A byte is lost when neither its symbol (in every position a word
    // puts it, with the subword prefix or suffix) nor an unk token exists.
    const std::string &pre = options_.continuingSubwordPrefix,
                      &suf = options_.endOfWordSuffix;
    for (int b = 0; b < 256; ++b) {
      unicodeToByte_[table[b]] = char(b);
      const std::string &c = table[b];
      bool all = model_.has(c) && model_.has(pre + c) && model_.has(c + suf) &&
                 model_.has(pre + c + suf);
      missing_[b] = !model_.hasUnk() && !all;
    }
  }

  Status encodable(const std::string &raw) const override {
    // The bytes BPE sees: the normalized text.
    std::string text = applyNormalizer(options_.normalizer, raw);
    const char *after = options_.normalizer.empty() ? "" : " (normalized)";
    for (size_t i = 0; i < text.size(); ++i)
      if (missing_[static_cast<unsigned char>(text[i])]) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", text[i] & 0xff);
        return Status::error(std::string("byte ") + hex + " at offset " +
                             std::to_string(i) + after +
                             " has no token in the vocabulary and there is "
                             "no unk token: it cannot be encoded without "
                             "dropping it");
      }
    return Status::ok();
  }

  std::vector<int32_t> encode(const std::string &text) const override {
    std::vector<int32_t> out;
    added_.encode(text, out, [&](const std::string &piece, bool) {
      encodeText(piece, out);
    });
    return out;
  }

  std::string decode(const std::vector<int32_t> &ids) const override {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || size_t(id) >= tokens_.size())
        continue;
      if (const std::string *a = added_.contentOf(id)) {
        out += *a;
        continue;
      }
      for (const std::string &c : utf8Chars(tokens_[id])) {
        auto it = unicodeToByte_.find(c);
        out += it != unicodeToByte_.end() ? std::string(1, it->second) : c;
      }
    }
    return out;
  }

  int64_t vocabSize() const override { return int64_t(tokens_.size()); }

private:
  std::vector<std::string> tokens_;
  BpeModel model_;
  ByteLevelOptions options_;
  AddedVocabulary added_;
  std::unordered_map<std::string, char> unicodeToByte_;
  std::array<bool, 256> missing_{}; ///< bytes the model cannot encode

  /// The pre-tokenizer steps in order, then BPE on each piece.
  void encodeText(const std::string &text, std::vector<int32_t> &out) const {
    std::vector<std::string> pieces = {text};
    for (const PreTokenizerStep &step : options_.steps) {
      std::vector<std::string> next;
      for (std::string &p : pieces) {
        if (step.kind == PreTokenizerStep::ByteLevel && step.addPrefixSpace &&
            (p.empty() || p[0] != ' '))
          p = " " + p;
        std::vector<std::pair<size_t, size_t>> ranges;
        if (step.kind == PreTokenizerStep::Split)
          ranges = preTokenize(p, step.pattern);
        else if (step.kind == PreTokenizerStep::Digits)
          ranges = splitDigits(p, step.individualDigits);
        else if (step.useRegex)
          ranges = preTokenize(p, SplitPattern::GPT2);
        else
          ranges = {{0, p.size()}};
        for (auto [a, b] : ranges)
          if (b > a)
            next.push_back(p.substr(a, b - a));
      }
      pieces = std::move(next);
    }
    for (const std::string &p : pieces)
      model_.tokenize(bytesToByteLevel(p), out);
  }

  /// HF's Digits pre-tokenizer: each \p{N} alone, or each run of them.
  static std::vector<std::pair<size_t, size_t>>
  splitDigits(const std::string &text, bool individual) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text, cp, off);
    std::vector<std::pair<size_t, size_t>> out;
    size_t k = 0;
    while (k < cp.size()) {
      bool digit = isNumberCodePoint(cp[k]);
      size_t j = k + 1;
      if (!digit || !individual)
        while (j < cp.size() && isNumberCodePoint(cp[j]) == digit)
          ++j;
      out.push_back({off[k], off[j]});
      k = j;
    }
    return out;
  }
};

/// SentencePiece-style BPE in a tokenizer.json (LLaMA-2 and Mistral as
/// HF ships them): a normalizer that prepends and writes spaces as U+2581
/// (or a Metaspace pre-tokenizer), BPE over characters with byte fallback
/// to <0xNN> tokens, and a decoder chain that undoes both.
struct MetaspaceOptions {
  bool present = false, split = false;
  std::string replacement = "\u2581";
  std::string prependScheme = "always"; ///< always, first, never
};
struct DecoderStep {
  enum Kind { Replace, ByteFallback, Fuse, Strip, Metaspace } kind;
  std::string a, b;            ///< Replace a -> b; Strip content a; Metaspace
  int64_t start = 0, stop = 0; ///< Strip
  bool prepend = true;         ///< Metaspace: strip the first token's space
};

class SentencePieceStyleBPE : public Tokenizer {
public:
  SentencePieceStyleBPE(std::vector<std::string> tokens, BpeModel model,
                        std::vector<AddedToken> added,
                        std::vector<NormalizerStep> normalizer,
                        MetaspaceOptions metaspace,
                        std::vector<DecoderStep> decoder)
      : tokens_(std::move(tokens)), model_(std::move(model)),
        added_(std::move(added), std::move(normalizer)),
        metaspace_(std::move(metaspace)), decoder_(std::move(decoder)) {}

  Status encodable(const std::string &text) const override {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text, cp, off);
    for (size_t k = 0; k < cp.size(); ++k) {
      std::string c = text.substr(off[k], off[k + 1] - off[k]);
      if (c == " " || model_.covers(c))
        continue;
      return Status::error("the character '" + c + "' at offset " +
                           std::to_string(off[k]) +
                           " has no piece, no byte tokens and there is no "
                           "unk token: it cannot be encoded without dropping "
                           "it");
    }
    return Status::ok();
  }

  std::vector<int32_t> encode(const std::string &text) const override {
    std::vector<int32_t> out;
    added_.encode(text, out, [&](const std::string &piece, bool atStart) {
      for (const std::string &word : preTokenize(piece, atStart))
        model_.tokenize(word, out);
    });
    return out;
  }

  std::string decode(const std::vector<int32_t> &ids) const override {
    std::vector<std::string> toks;
    for (int32_t id : ids) {
      if (const std::string *a = added_.contentOf(id))
        toks.push_back(*a);
      else if (id >= 0 && size_t(id) < tokens_.size())
        toks.push_back(tokens_[size_t(id)]);
    }
    for (const DecoderStep &d : decoder_)
      toks = apply(d, std::move(toks));
    std::string out;
    for (const std::string &t : toks)
      out += t;
    return out;
  }

  int64_t vocabSize() const override { return int64_t(tokens_.size()); }

private:
  std::vector<std::string> tokens_;
  BpeModel model_;
  AddedVocabulary added_;
  MetaspaceOptions metaspace_;
  std::vector<DecoderStep> decoder_;

  /// HF's Metaspace pre-tokenizer (spaces as the replacement, the prepend
  /// scheme, and MergedWithNext splitting), or the piece as it is.
  std::vector<std::string> preTokenize(std::string s, bool atStart) const {
    if (!metaspace_.present)
      return {s};
    const std::string &r = metaspace_.replacement;
    s = replaceAll(std::move(s), " ", r);
    bool prepend = metaspace_.prependScheme == "always" ||
                   (metaspace_.prependScheme == "first" && atStart);
    if (prepend && s.compare(0, r.size(), r) != 0)
      s = r + s;
    if (!metaspace_.split)
      return {s};
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t k = s.find(r, 1); k != std::string::npos; k = s.find(r, k + 1))
      if (k > start) {
        out.push_back(s.substr(start, k - start));
        start = k;
      }
    out.push_back(s.substr(start));
    return out;
  }

  static bool byteToken(const std::string &t, unsigned char &b) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>')
      return false;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9')
        return c - '0';
      if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') // HF parses either case
        return c - 'a' + 10;
      return -1;
    };
    int hi = hex(t[3]), lo = hex(t[4]);
    if (hi < 0 || lo < 0)
      return false;
    b = static_cast<unsigned char>(hi * 16 + lo);
    return true;
  }

  static bool validUtf8(const std::string &s) {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(s, cp, off);
    for (size_t k = 0; k < cp.size(); ++k)
      if (isMalformedAt(cp, off, k))
        return false;
    return true;
  }

  static std::vector<std::string> apply(const DecoderStep &d,
                                        std::vector<std::string> toks) {
    switch (d.kind) {
    case DecoderStep::Replace:
      for (std::string &t : toks)
        t = replaceAll(std::move(t), d.a, d.b);
      return toks;
    case DecoderStep::Fuse: {
      std::string all;
      for (const std::string &t : toks)
        all += t;
      return {all};
    }
    case DecoderStep::Strip:
      for (std::string &t : toks) {
        for (int64_t k = 0;
             k < d.start && t.compare(0, d.a.size(), d.a) == 0 && !d.a.empty();
             ++k)
          t.erase(0, d.a.size());
        for (int64_t k = 0;
             k < d.stop && t.size() >= d.a.size() && !d.a.empty() &&
             t.compare(t.size() - d.a.size(), d.a.size(), d.a) == 0;
             ++k)
          t.erase(t.size() - d.a.size());
      }
      return toks;
    case DecoderStep::Metaspace:
      // HF drops every replacement of the first token (not only its
      // leading one) when a space was prepended; spaces elsewhere.
      for (size_t i = 0; i < toks.size(); ++i)
        toks[i] =
            replaceAll(std::move(toks[i]), d.a, i == 0 && d.prepend ? "" : " ");
      return toks;
    case DecoderStep::ByteFallback: {
      // Runs of <0xNN> tokens become their bytes when those are UTF-8,
      // else one U+FFFD per byte token (HF's ByteFallback).
      std::vector<std::string> out;
      std::string bytes;
      size_t count = 0;
      auto flush = [&] {
        if (!count)
          return;
        if (validUtf8(bytes))
          out.push_back(bytes);
        else
          for (size_t k = 0; k < count; ++k)
            out.push_back("\xef\xbf\xbd");
        bytes.clear();
        count = 0;
      };
      for (const std::string &t : toks) {
        unsigned char b;
        if (byteToken(t, b)) {
          bytes += char(b);
          ++count;
        } else {
          flush();
          out.push_back(t);
        }
      }
      flush();
      return out;
    }
    }
    return toks;
  }
};

/// SentencePiece BPE models (`tokenizer.model`, e.g. LLaMA-2), read
/// natively: Debian's libsentencepiece cannot share a process with libtorch
/// (see docs/Import.md). The unit test checks this reader against
/// libsentencepiece itself.
class SentencePieceBPE : public Tokenizer {
public:
  struct Piece {
    std::string text;
    float score = 0;
    int type = 1; // 1 normal, 2 unknown, 3 control, 4 user, 5 unused, 6 byte
  };

  static Result<std::unique_ptr<Tokenizer>> load(const std::string &path);

  std::vector<int32_t> encode(const std::string &input) const override {
    std::string text = normalize(input);
    if (text.empty())
      return {};
    std::vector<std::string> symbols = utf8Chars(text);
    // Merge the adjacent pair whose union is the best-scoring piece, the
    // leftmost on ties, until no union is a piece.
    while (symbols.size() > 1) {
      float best = -INFINITY;
      size_t at = symbols.size();
      for (size_t k = 0; k + 1 < symbols.size(); ++k) {
        auto it = ids_.find(symbols[k] + symbols[k + 1]);
        if (it == ids_.end() || !mergeable(it->second))
          continue;
        float score = pieces_[it->second].score;
        if (score > best) {
          best = score;
          at = k;
        }
      }
      if (at == symbols.size())
        break;
      symbols[at] += symbols[at + 1];
      symbols.erase(symbols.begin() + at + 1);
    }
    std::vector<int32_t> out;
    for (const std::string &sym : symbols) {
      auto it = ids_.find(sym);
      if (it != ids_.end() && mergeable(it->second)) {
        out.push_back(it->second);
      } else if (byteFallback_) {
        for (unsigned char c : sym) {
          auto b = ids_.find(byteTokenName(c));
          out.push_back(b != ids_.end() ? b->second : unk_);
        }
      } else {
        out.push_back(unk_);
      }
    }
    return out;
  }

  std::string decode(const std::vector<int32_t> &ids) const override {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || size_t(id) >= pieces_.size())
        continue;
      const Piece &p = pieces_[id];
      if (p.type == 3)
        continue; // control tokens (BOS, EOS) decode to nothing
      if (p.type == 6 && p.text.size() == 6) {
        out += char(std::stoi(p.text.substr(3, 2), nullptr, 16));
        continue;
      }
      out += p.type == 2 ? std::string(" \xE2\x81\x87 ") : p.text;
    }
    // Undo the whitespace escaping and the dummy prefix.
    std::string text;
    for (size_t i = 0; i < out.size();) {
      if (out.compare(i, 3, kSpace) == 0) {
        text += ' ';
        i += 3;
      } else {
        text += out[i++];
      }
    }
    if (addDummyPrefix_ && !text.empty() && text[0] == ' ')
      text.erase(0, 1);
    return text;
  }

  int64_t vocabSize() const override { return int64_t(pieces_.size()); }

private:
  static constexpr const char *kSpace = "\xE2\x96\x81"; // U+2581
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int32_t> ids_;
  bool addDummyPrefix_ = true, removeExtraWhitespaces_ = true;
  bool byteFallback_ = false;
  int32_t unk_ = 0;

  bool mergeable(int32_t id) const {
    int t = pieces_[id].type;
    return t == 1 || t == 4;
  }

  std::string normalize(const std::string &input) const {
    std::string s = input;
    if (removeExtraWhitespaces_) {
      std::string t;
      bool space = true; // drop leading spaces
      for (char c : s) {
        if (c == ' ') {
          if (!space)
            t += ' ';
          space = true;
        } else {
          t += c;
          space = false;
        }
      }
      while (!t.empty() && t.back() == ' ')
        t.pop_back();
      s = t;
    }
    if (s.empty())
      return s;
    if (addDummyPrefix_)
      s = " " + s;
    std::string out;
    for (char c : s)
      out += c == ' ' ? std::string(kSpace) : std::string(1, c);
    return out;
  }

  friend struct ProtoReader;
};

/// Just enough of the protobuf wire format for sentencepiece's ModelProto.
struct ProtoReader {
  const uint8_t *p, *end;
  bool ok = true;

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end)
        return ok = false, 0;
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return v;
    }
    return ok = false, 0;
  }
  /// Reads one field: its number, wire type, and for length-delimited
  /// fields the sub-range.
  bool field(uint32_t &number, uint32_t &wire, const uint8_t *&sub, size_t &len,
             uint64_t &value) {
    if (p >= end)
      return false;
    uint64_t key = varint();
    number = uint32_t(key >> 3);
    wire = uint32_t(key & 7);
    switch (wire) {
    case 0:
      value = varint();
      break;
    case 1:
      if (end - p < 8)
        return ok = false;
      std::memcpy(&value, p, 8);
      p += 8;
      break;
    case 2:
      len = size_t(varint());
      if (!ok || len > size_t(end - p))
        return ok = false;
      sub = p;
      p += len;
      break;
    case 5: {
      if (end - p < 4)
        return ok = false;
      uint32_t v32;
      std::memcpy(&v32, p, 4);
      value = v32;
      p += 4;
      break;
    }
    default:
      return ok = false;
    }
    return ok;
  }
};

Result<std::unique_ptr<Tokenizer>>
SentencePieceBPE::load(const std::string &path) {
  auto bytes = readFileBytes(path);
  if (!bytes)
    return bytes.status();
  auto tok = std::make_unique<SentencePieceBPE>();
  tok->bos_ = 1; // ModelProto's defaults, omitted from the file when unset
  tok->eos_ = 2;
  auto bad = [&](const std::string &what) {
    return Status::error(path + ": " + what);
  };
  ProtoReader top{bytes->data(), bytes->data() + bytes->size()};
  uint32_t num, wire;
  const uint8_t *sub = nullptr;
  size_t len = 0;
  uint64_t value = 0;
  int modelType = 1;
  std::string normalizer;
  while (top.field(num, wire, sub, len, value)) {
    if (wire != 2)
      continue;
    ProtoReader in{sub, sub + len};
    uint32_t n, w;
    const uint8_t *s2 = nullptr;
    size_t l2 = 0;
    uint64_t v = 0;
    if (num == 1) { // SentencePiece
      Piece piece;
      while (in.field(n, w, s2, l2, v)) {
        if (n == 1 && w == 2)
          piece.text.assign(reinterpret_cast<const char *>(s2), l2);
        else if (n == 2 && w == 5) {
          uint32_t bits = uint32_t(v);
          std::memcpy(&piece.score, &bits, 4);
        } else if (n == 3 && w == 0)
          piece.type = int(v);
      }
      if (!in.ok)
        return bad("corrupt piece " + std::to_string(tok->pieces_.size()));
      tok->pieces_.push_back(std::move(piece));
    } else if (num == 2) { // TrainerSpec
      while (in.field(n, w, s2, l2, v)) {
        if (n == 3 && w == 0)
          modelType = int(v);
        else if (n == 35 && w == 0)
          tok->byteFallback_ = v != 0;
        else if (n == 40 && w == 0)
          tok->unk_ = int32_t(v);
        else if (n == 41 && w == 0)
          tok->bos_ = int32_t(v);
        else if (n == 42 && w == 0)
          tok->eos_ = int32_t(v);
      }
    } else if (num == 3) { // NormalizerSpec
      while (in.field(n, w, s2, l2, v)) {
        if (n == 1 && w == 2)
          normalizer.assign(reinterpret_cast<const char *>(s2), l2);
        else if (n == 3 && w == 0)
          tok->addDummyPrefix_ = v != 0;
        else if (n == 4 && w == 0)
          tok->removeExtraWhitespaces_ = v != 0;
      }
    }
    if (!in.ok)
      return bad("corrupt model proto");
  }
  if (!top.ok || tok->pieces_.empty())
    return bad("not a SentencePiece model (corrupt or empty proto)");
  if (modelType != 2)
    return bad("SentencePiece model type " + std::to_string(modelType) +
               " is not supported (supported: BPE)");
  if (!normalizer.empty() && normalizer != "identity")
    return bad("SentencePiece normalizer '" + normalizer +
               "' is not supported (supported: identity)");
  for (size_t i = 0; i < tok->pieces_.size(); ++i)
    tok->ids_.emplace(tok->pieces_[i].text, int32_t(i));
  return std::unique_ptr<Tokenizer>(std::move(tok));
}

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<std::unique_ptr<Tokenizer>> fromGguf(const std::string &path) {
  auto file = GgufFile::open(path);
  if (!file)
    return file.status();
  auto model = file->getString("tokenizer.ggml.model");
  if (!model)
    return model.status();
  if (*model != "gpt2")
    return Status::error(path + ": tokenizer.ggml.model '" + *model +
                         "' is not supported (supported: gpt2 byte-level "
                         "BPE; use the model's tokenizer.model for "
                         "SentencePiece)");
  auto tokens = file->getStrings("tokenizer.ggml.tokens");
  if (!tokens)
    return tokens.status();
  auto merges = file->getStrings("tokenizer.ggml.merges");
  if (!merges)
    return merges.status();
  // The pre-tokenizer llama.cpp names; without the key llama.cpp uses its
  // default and warns, and so does spikec.
  std::string pre = "default";
  if (file->has("tokenizer.ggml.pre")) {
    auto p = file->getString("tokenizer.ggml.pre");
    if (!p)
      return p.status();
    pre = *p;
  } else {
    std::fprintf(stderr,
                 "warning: %s: no tokenizer.ggml.pre; using llama.cpp's "
                 "default pre-tokenizer (punctuation, GPT-2, digit runs, "
                 "digit triples), as llama.cpp does\n",
                 path.c_str());
  }
  ByteLevelOptions options;
  if (pre == "llama-bpe" || pre == "llama3" || pre == "llama-v3") {
    options.steps = {
        {PreTokenizerStep::Split, SplitPattern::Llama3},
        {PreTokenizerStep::ByteLevel, SplitPattern::GPT2, false, false, false}};
    options.ignoreMerges = true; // as llama.cpp does for LLaMA-3
  } else if (pre == "qwen2") {
    options.steps = {
        {PreTokenizerStep::Split, SplitPattern::Qwen2},
        {PreTokenizerStep::ByteLevel, SplitPattern::GPT2, false, false, false}};
  } else if (pre == "smollm" || pre == "starcoder" || pre == "refact" ||
             pre == "codeshell") {
    // Digits isolated before the GPT-2 regex.
    options.steps.insert(options.steps.begin(),
                         {PreTokenizerStep::Digits, SplitPattern::GPT2, true});
  } else if (pre == "default") {
    // llama.cpp's default regexes, applied in turn (llama-vocab.cpp):
    // [\p{P}\$\+<=>\^~\|]+, GPT-2's, \p{N}+, [0-9][0-9][0-9].
    options.steps = {
        {PreTokenizerStep::Split, SplitPattern::Punctuation},
        {PreTokenizerStep::Split, SplitPattern::GPT2},
        {PreTokenizerStep::Digits, SplitPattern::GPT2, false},
        {PreTokenizerStep::Split, SplitPattern::DigitTriples},
        {PreTokenizerStep::ByteLevel, SplitPattern::GPT2, false, false, false}};
  } else if (pre != "gpt-2" && pre != "gpt2") {
    return Status::error(path + ": tokenizer.ggml.pre '" + pre +
                         "' is not supported (supported: default, gpt-2, "
                         "llama-bpe, qwen2, smollm, starcoder, refact, "
                         "codeshell)");
  }
  // Control (3) and user-defined (4) tokens are matched in the text first.
  if (file->has("tokenizer.ggml.token_type")) {
    auto types = file->getInts("tokenizer.ggml.token_type");
    if (!types)
      return types.status();
    if (types->size() != tokens->size())
      return Status::error(path + ": tokenizer.ggml.token_type has " +
                           std::to_string(types->size()) + " entries for " +
                           std::to_string(tokens->size()) + " tokens");
    for (size_t i = 0; i < types->size(); ++i)
      if ((*types)[i] == 3 || (*types)[i] == 4) {
        AddedToken t;
        t.content = (*tokens)[i];
        t.id = int32_t(i);
        t.special = (*types)[i] == 3;
        options.added.push_back(std::move(t));
      }
  }
  // Optional; when present, an integer id inside the vocabulary.
  int32_t special[2] = {-1, -1};
  const char *keys[2] = {"tokenizer.ggml.bos_token_id",
                         "tokenizer.ggml.eos_token_id"};
  for (int k = 0; k < 2; ++k) {
    if (!file->has(keys[k]))
      continue;
    auto id = file->getInt(keys[k]);
    if (!id)
      return id.status();
    if (*id < 0 || *id >= int64_t(tokens->size()))
      return Status::error(path + ": metadata '" + keys[k] +
                           "' = " + std::to_string(*id) + " is outside the " +
                           std::to_string(tokens->size()) +
                           "-token vocabulary");
    special[k] = int32_t(*id);
  }
  // Whether encoding with special tokens adds them (llama.cpp's
  // add_bos/add_eos); absent keys add nothing.
  std::vector<int32_t> wrap[2];
  const char *addKeys[2] = {"tokenizer.ggml.add_bos_token",
                            "tokenizer.ggml.add_eos_token"};
  for (int k = 0; k < 2; ++k) {
    if (!file->has(addKeys[k]))
      continue;
    auto add = file->getBool(addKeys[k]);
    if (!add)
      return add.status();
    if (*add && special[k] < 0)
      return Status::error(path + ": metadata '" + addKeys[k] +
                           "' is true but '" + keys[k] + "' is absent");
    if (*add)
      wrap[k] = {special[k]};
  }
  auto tok = makeByteLevelBPE(tokens.take(), *merges, std::move(options),
                              special[0], special[1]);
  if (tok)
    (*tok)->setSpecialTokens(special[0], special[1], wrap[0], wrap[1]);
  return tok;
}

/// A tokenizer.json's pre_tokenizer as steps; errors name what spikec does
/// not implement, never replacing it with something else.
Status readPreTokenizer(const nlohmann::json &pre, const std::string &where,
                        std::vector<PreTokenizerStep> &steps) {
  std::string type = pre.value("type", "");
  if (type == "Sequence") {
    const auto &list = pre.at("pretokenizers");
    for (size_t i = 0; i < list.size(); ++i)
      if (auto st = readPreTokenizer(
              list[i], where + "/pretokenizers/" + std::to_string(i), steps);
          !st)
        return st;
    return Status::ok();
  }
  PreTokenizerStep step;
  if (type == "ByteLevel") {
    step.kind = PreTokenizerStep::ByteLevel;
    step.addPrefixSpace = pre.value("add_prefix_space", false);
    step.useRegex = pre.value("use_regex", true);
  } else if (type == "Digits") {
    step.kind = PreTokenizerStep::Digits;
    step.individualDigits = pre.value("individual_digits", false);
  } else if (type == "Split") {
    step.kind = PreTokenizerStep::Split;
    const auto &pattern = pre.at("pattern");
    std::string regex = pattern.contains("Regex")
                            ? pattern.at("Regex").get<std::string>()
                            : std::string();
    if (regex.empty() || !splitPatternOf(regex, step.pattern))
      return Status::error(where + ": Split pattern " + pattern.dump() +
                           " is not supported (supported: the GPT-2, "
                           "LLaMA-3 and Qwen2 regexes, and llama.cpp's "
                           "punctuation and digit-triple regexes)");
    if (pre.value("behavior", "") != "Isolated" || pre.value("invert", false))
      return Status::error(where + ": Split behavior '" +
                           pre.value("behavior", "") +
                           "' is not supported (supported: Isolated, not "
                           "inverted)");
  } else {
    return Status::error(where + ": pre-tokenizer '" + type +
                         "' is not supported in a byte-level BPE tokenizer "
                         "(supported: ByteLevel, Split, Digits, Sequence)");
  }
  steps.push_back(step);
  return Status::ok();
}

/// A JSON integer in [lo, hi]; nlohmann's get<int64_t>() on a float
/// beyond int64 is undefined behaviour (found by fuzz-tokenizer-json).
bool jsonInt(const nlohmann::json &v, int64_t lo, int64_t hi, int64_t &out) {
  if (!v.is_number_integer())
    return false;
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    return false;
  out = v.get<int64_t>();
  return out >= lo && out <= hi;
}

/// The vocabulary (model.vocab with added_tokens over it), the added
/// tokens and the merges of a tokenizer.json.
Status readBpeTables(const nlohmann::json &doc, const std::string &path,
                     std::vector<std::string> &tokens,
                     std::vector<AddedToken> &added,
                     std::vector<std::string> &merges) {
  const auto &model = doc.at("model");
  for (auto it = model.at("vocab").begin(); it != model.at("vocab").end();
       ++it) {
    int64_t id = 0;
    if (!jsonInt(it.value(), 0, int64_t(1) << 24, id))
      return Status::error(path + ": model.vocab['" + it.key() +
                           "'] = " + it.value().dump() + " is not a token id");
    if (size_t(id) >= tokens.size())
      tokens.resize(size_t(id) + 1);
    tokens[size_t(id)] = it.key();
  }
  if (doc.contains("added_tokens"))
    for (const auto &t : doc["added_tokens"]) {
      AddedToken a;
      int64_t id = 0;
      if (!jsonInt(t.at("id"), 0, int64_t(1) << 24, id))
        return Status::error(path + ": added token id " + t.at("id").dump() +
                             " is not a token id");
      a.id = int32_t(id);
      a.content = t.at("content").get<std::string>();
      a.singleWord = t.value("single_word", false);
      a.lstrip = t.value("lstrip", false);
      a.rstrip = t.value("rstrip", false);
      a.normalized = t.value("normalized", false);
      a.special = t.value("special", false);
      if (size_t(id) >= tokens.size())
        tokens.resize(size_t(id) + 1);
      tokens[size_t(id)] = a.content;
      added.push_back(std::move(a));
    }
  for (const auto &m : model.at("merges"))
    merges.push_back(m.is_string() ? m.get<std::string>()
                                   : m.at(0).get<std::string>() + " " +
                                         m.at(1).get<std::string>());
  return Status::ok();
}

BpeModel::Options bpeOptions(const nlohmann::json &model) {
  auto optString = [&](const char *key) {
    return model.contains(key) && model[key].is_string()
               ? model[key].get<std::string>()
               : std::string();
  };
  BpeModel::Options o;
  o.unkToken = optString("unk_token");
  o.continuingSubwordPrefix = optString("continuing_subword_prefix");
  o.endOfWordSuffix = optString("end_of_word_suffix");
  o.fuseUnk = model.value("fuse_unk", false);
  o.byteFallback = model.value("byte_fallback", false);
  o.ignoreMerges = model.value("ignore_merges", false);
  o.lastDuplicateWins = true;
  return o;
}

/// A tokenizer.json's normalizer as steps (none when it is null or
/// absent); errors name what spikec does not implement.
Status readNormalizer(const nlohmann::json &doc, const std::string &path,
                      std::vector<NormalizerStep> &steps) {
  std::function<Status(const nlohmann::json &)> read =
      [&](const nlohmann::json &n) -> Status {
    std::string type = n.value("type", "");
    if (type == "Sequence") {
      for (const auto &x : n.at("normalizers"))
        if (auto st = read(x); !st)
          return st;
      return Status::ok();
    }
    NormalizerStep step;
    if (type == "Prepend") {
      step = {NormalizerStep::Prepend, n.at("prepend").get<std::string>(), ""};
    } else if (type == "Replace" && n.at("pattern").contains("String")) {
      step = {NormalizerStep::Replace,
              n["pattern"]["String"].get<std::string>(),
              n.at("content").get<std::string>()};
    } else if (type == "NFC" || type == "NFD" || type == "NFKC" ||
               type == "NFKD") {
      step.form = type == "NFC"    ? NormalForm::NFC
                  : type == "NFD"  ? NormalForm::NFD
                  : type == "NFKC" ? NormalForm::NFKC
                                   : NormalForm::NFKD;
    } else {
      return Status::error(path + ": normalizer '" + type +
                           "' is not supported (supported: NFC, NFD, NFKC, "
                           "NFKD, Prepend, Replace of a string, Sequence)");
    }
    steps.push_back(std::move(step));
    return Status::ok();
  };
  if (doc.contains("normalizer") && !doc["normalizer"].is_null())
    return read(doc["normalizer"]);
  return Status::ok();
}

/// Metaspace's prepend scheme: "prepend_scheme", or the older
/// "add_prefix_space" flag.
std::string prependScheme(const nlohmann::json &m) {
  if (m.contains("prepend_scheme"))
    return m["prepend_scheme"].get<std::string>();
  return m.value("add_prefix_space", true) ? "always" : "never";
}

Result<std::unique_ptr<Tokenizer>>
fromSentencePieceStyleJson(const nlohmann::json &doc, const std::string &path) {
  std::vector<NormalizerStep> normalizer;
  if (auto st = readNormalizer(doc, path, normalizer); !st)
    return st;
  MetaspaceOptions meta;
  if (doc.contains("pre_tokenizer") && !doc["pre_tokenizer"].is_null()) {
    const auto &p = doc["pre_tokenizer"];
    if (p.value("type", "") != "Metaspace")
      return Status::error(path + ": pre_tokenizer '" + p.value("type", "?") +
                           "' is not supported with SentencePiece-style BPE "
                           "(supported: none, Metaspace)");
    meta.present = true;
    meta.replacement = p.value("replacement", std::string("\u2581"));
    meta.split = p.value("split", true);
    meta.prependScheme = prependScheme(p);
    if (meta.prependScheme != "always" && meta.prependScheme != "first" &&
        meta.prependScheme != "never")
      return Status::error(path + ": Metaspace prepend_scheme '" +
                           meta.prependScheme + "' is not known");
  }
  std::vector<DecoderStep> decoder;
  std::function<Status(const nlohmann::json &)> readDecoder =
      [&](const nlohmann::json &d) -> Status {
    std::string type = d.value("type", "");
    if (type == "Sequence") {
      for (const auto &x : d.at("decoders"))
        if (auto st = readDecoder(x); !st)
          return st;
    } else if (type == "Replace" && d.at("pattern").contains("String")) {
      decoder.push_back({DecoderStep::Replace,
                         d["pattern"]["String"].get<std::string>(),
                         d.at("content").get<std::string>()});
    } else if (type == "ByteFallback") {
      decoder.push_back({DecoderStep::ByteFallback});
    } else if (type == "Fuse") {
      decoder.push_back({DecoderStep::Fuse});
    } else if (type == "Strip") {
      DecoderStep s{DecoderStep::Strip, d.at("content").get<std::string>()};
      for (auto [key, field] :
           {std::pair{"start", &s.start}, {"stop", &s.stop}})
        if (d.contains(key) && !jsonInt(d[key], 0, 1 << 20, *field))
          return Status::error(path + ": decoder Strip '" + key + "' " +
                               d[key].dump() + " is not a count");
      decoder.push_back(s);
    } else if (type == "Metaspace") {
      DecoderStep s{DecoderStep::Metaspace,
                    d.value("replacement", std::string("\u2581"))};
      s.prepend = prependScheme(d) != "never";
      decoder.push_back(s);
    } else {
      return Status::error(path + ": decoder '" + type +
                           "' is not supported (supported: Replace, "
                           "ByteFallback, Fuse, Strip, Metaspace, Sequence)");
    }
    return Status::ok();
  };
  if (doc.contains("decoder") && !doc["decoder"].is_null())
    if (auto st = readDecoder(doc["decoder"]); !st)
      return st;
  std::vector<std::string> tokens, merges;
  std::vector<AddedToken> added;
  if (auto st = readBpeTables(doc, path, tokens, added, merges); !st)
    return st;
  auto model = BpeModel::build(tokens, merges, bpeOptions(doc.at("model")));
  if (!model)
    return Status::error(path + ": " + model.message());
  return std::unique_ptr<Tokenizer>(std::make_unique<SentencePieceStyleBPE>(
      std::move(tokens), model.take(), std::move(added), std::move(normalizer),
      std::move(meta), std::move(decoder)));
}

/// The id of a token by its content in a tokenizer.json: an added token's,
/// else the model vocabulary's; -1 if neither has it.
int64_t tokenIdOf(const nlohmann::json &doc, const std::string &content) {
  if (doc.contains("added_tokens"))
    for (const auto &t : doc["added_tokens"])
      if (t.value("content", "") == content)
        return t.at("id").get<int64_t>();
  const auto &vocab = doc.at("model").at("vocab");
  auto it = vocab.find(content);
  return it == vocab.end() ? -1 : it->get<int64_t>();
}

/// BOS, EOS and the special tokens of one sequence for a tokenizer.json:
/// its post_processor (TemplateProcessing's "single", inside a Sequence or
/// not; ByteLevel adds none), and the bos_token/eos_token of a
/// tokenizer_config.json beside it (HF's tokenizer.eos_token).
Status readSpecialTokens(const nlohmann::json &doc, const std::string &path,
                         Tokenizer &tok) {
  std::vector<int32_t> prefix, suffix;
  int64_t vocab = tok.vocabSize();
  std::function<Status(const nlohmann::json &, const std::string &)> read =
      [&](const nlohmann::json &p, const std::string &where) -> Status {
    std::string type = p.value("type", "");
    if (type == "Sequence") {
      const auto &list = p.at("processors");
      for (size_t i = 0; i < list.size(); ++i)
        if (auto st = read(list[i], where + "/processors/" + std::to_string(i));
            !st)
          return st;
      return Status::ok();
    }
    if (type == "ByteLevel")
      return Status::ok(); // offsets only
    if (type != "TemplateProcessing")
      return Status::error(path + ": " + where + ": post-processor '" + type +
                           "' is not supported (supported: "
                           "TemplateProcessing, ByteLevel, Sequence)");
    if (!prefix.empty() || !suffix.empty())
      return Status::error(path + ": " + where +
                           ": a second TemplateProcessing is not supported");
    bool seenSequence = false;
    const auto &single = p.at("single");
    for (size_t i = 0; i < single.size(); ++i) {
      const auto &item = single[i];
      if (item.contains("Sequence")) {
        if (seenSequence || item["Sequence"].value("id", "") != "A")
          return Status::error(path + ": " + where + "/single/" +
                               std::to_string(i) +
                               ": a template for one sequence holds $A once");
        seenSequence = true;
        continue;
      }
      std::string name = item.at("SpecialToken").at("id").get<std::string>();
      const auto &special = p.at("special_tokens");
      if (!special.contains(name))
        return Status::error(path + ": " + where + ": special token '" + name +
                             "' is not in special_tokens");
      for (const auto &v : special[name].at("ids")) {
        int64_t id = 0;
        if (!jsonInt(v, 0, vocab - 1, id))
          return Status::error(path + ": " + where + ": special token '" +
                               name + "' has id " + v.dump() +
                               ", outside the vocabulary");
        (seenSequence ? suffix : prefix).push_back(int32_t(id));
      }
    }
    if (!seenSequence)
      return Status::error(path + ": " + where + "/single: no $A sequence");
    return Status::ok();
  };
  if (doc.contains("post_processor") && !doc["post_processor"].is_null())
    if (auto st = read(doc["post_processor"], "/post_processor"); !st)
      return st;
  int64_t bos = prefix.size() == 1 ? prefix[0] : -1, eos = -1;
  size_t slash = path.find_last_of('/');
  std::string config =
      (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) +
      "tokenizer_config.json";
  // Optional: absent (or unreadable), HF has no eos_token either.
  if (auto text = readFileText(config)) {
    auto parsed = parseJson(*text, config);
    if (!parsed)
      return parsed.status();
    for (auto [key, id] : {std::pair{"bos_token", &bos}, {"eos_token", &eos}}) {
      if (!parsed->contains(key) || (*parsed)[key].is_null() ||
          (key == std::string("bos_token") && bos >= 0))
        continue;
      const auto &v = (*parsed)[key];
      if (!v.is_string() &&
          !(v.is_object() && v.contains("content") && v["content"].is_string()))
        return Status::error(config + ": " + key +
                             " is neither a string nor {\"content\": ...}");
      std::string content = v.is_string() ? v.get<std::string>()
                                          : v["content"].get<std::string>();
      *id = tokenIdOf(doc, content);
      if (*id < 0)
        return Status::error(config + ": " + key + " '" + content +
                             "' is not a token of " + path);
    }
  }
  tok.setSpecialTokens(int32_t(bos), int32_t(eos), std::move(prefix),
                       std::move(suffix));
  return Status::ok();
}

Result<std::unique_ptr<Tokenizer>> fromTokenizerJson(const std::string &path) {
  auto text = readFileText(path);
  if (!text)
    return text.status();
  try {
    auto parsed = parseJson(*text, path);
    if (!parsed)
      return parsed.status();
    const nlohmann::json &doc = *parsed;
    const auto &model = doc.at("model");
    if (model.value("type", "") != "BPE")
      return Status::error(path + ": model.type '" + model.value("type", "?") +
                           "' is not supported (supported: BPE)");
    if (model.contains("dropout") && !model["dropout"].is_null() &&
        model["dropout"].get<double>() != 0)
      return Status::error(path + ": model.dropout " + model["dropout"].dump() +
                           ": BPE dropout samples tokenizations and is not "
                           "supported for inference");
    // The kind the file declares: byte fallback, a Metaspace pre-tokenizer,
    // or a normalizer without a pre-tokenizer (LLaMA-2's) make it
    // SentencePiece-style; else byte-level (whose ByteLevel step is
    // checked below).
    bool hasPre =
        doc.contains("pre_tokenizer") && !doc["pre_tokenizer"].is_null();
    bool spStyle = model.value("byte_fallback", false) ||
                   (!hasPre && doc.contains("normalizer") &&
                    !doc["normalizer"].is_null()) ||
                   (hasPre && doc["pre_tokenizer"].is_object() &&
                    doc["pre_tokenizer"].value("type", "") == "Metaspace");
    if (spStyle) {
      auto tok = fromSentencePieceStyleJson(doc, path);
      if (tok)
        if (auto st = readSpecialTokens(doc, path, **tok); !st)
          return st;
      return tok;
    }
    ByteLevelOptions options;
    options.steps.clear();
    if (!hasPre)
      return Status::error(path + ": no pre_tokenizer: not a byte-level BPE "
                                  "tokenizer");
    if (auto st = readNormalizer(doc, path, options.normalizer); !st)
      return st;
    if (auto st = readPreTokenizer(doc["pre_tokenizer"],
                                   path + ": /pre_tokenizer", options.steps);
        !st)
      return st;
    bool byteLevel = false;
    for (const PreTokenizerStep &step : options.steps)
      byteLevel |= step.kind == PreTokenizerStep::ByteLevel;
    if (!byteLevel)
      return Status::error(path + ": the pre_tokenizer has no ByteLevel "
                                  "step: not a byte-level BPE tokenizer");
    // Decoding maps the byte-level symbols back to bytes: HF's ByteLevel
    // decoder. Another decoder would decode differently.
    if (doc.contains("decoder") && !doc["decoder"].is_null() &&
        doc["decoder"].value("type", "") != "ByteLevel")
      return Status::error(path + ": decoder '" +
                           doc["decoder"].value("type", "?") +
                           "' is not supported with byte-level BPE "
                           "(supported: ByteLevel)");
    BpeModel::Options mo = bpeOptions(model);
    options.unkToken = mo.unkToken;
    options.continuingSubwordPrefix = mo.continuingSubwordPrefix;
    options.endOfWordSuffix = mo.endOfWordSuffix;
    options.fuseUnk = mo.fuseUnk;
    options.ignoreMerges = mo.ignoreMerges;
    options.lastDuplicateWins = true;
    std::vector<std::string> tokens, merges;
    if (auto st = readBpeTables(doc, path, tokens, options.added, merges); !st)
      return st;
    auto tok =
        makeByteLevelBPE(std::move(tokens), merges, std::move(options), -1, -1);
    if (!tok)
      return Status::error(path + ": " + tok.message());
    if (auto st = readSpecialTokens(doc, path, **tok); !st)
      return st;
    return tok;
  } catch (const std::exception &e) {
    return Status::error(
        path + ": malformed tokenizer.json: " + std::string(e.what()));
  }
}

Result<std::unique_ptr<Tokenizer>> fromSentencePiece(const std::string &path) {
  return SentencePieceBPE::load(path);
}

} // namespace

std::vector<int32_t>
Tokenizer::encodeWithSpecialTokens(const std::string &text) const {
  std::vector<int32_t> out = prefix_;
  std::vector<int32_t> ids = encode(text);
  out.insert(out.end(), ids.begin(), ids.end());
  out.insert(out.end(), suffix_.begin(), suffix_.end());
  return out;
}

std::string applyNormalizer(const std::vector<NormalizerStep> &steps,
                            std::string s) {
  for (const NormalizerStep &n : steps) {
    if (n.kind == NormalizerStep::Prepend) {
      if (!s.empty()) // HF prepends to every non-empty piece
        s = n.a + s;
    } else if (n.kind == NormalizerStep::Replace) {
      s = replaceAll(std::move(s), n.a, n.b);
    } else {
      s = normalizeUtf8(s, n.form);
    }
  }
  return s;
}

std::string bytesToByteLevel(const std::string &bytes) {
  const auto &table = byteToUnicode();
  std::string out;
  for (unsigned char b : bytes)
    out += table[b];
  return out;
}

Result<std::unique_ptr<Tokenizer>>
makeByteLevelBPE(std::vector<std::string> tokens,
                 const std::vector<std::string> &merges,
                 ByteLevelOptions options, int32_t bos, int32_t eos) {
  for (const AddedToken &t : options.added)
    if (t.id < 0 || size_t(t.id) >= tokens.size())
      return Status::error("added token '" + t.content + "' has id " +
                           std::to_string(t.id) + ", outside the " +
                           std::to_string(tokens.size()) + "-token vocabulary");
  BpeModel::Options mo;
  mo.unkToken = options.unkToken;
  mo.continuingSubwordPrefix = options.continuingSubwordPrefix;
  mo.endOfWordSuffix = options.endOfWordSuffix;
  mo.fuseUnk = options.fuseUnk;
  mo.ignoreMerges = options.ignoreMerges;
  mo.lastDuplicateWins = options.lastDuplicateWins;
  auto model = BpeModel::build(tokens, merges, std::move(mo));
  if (!model)
    return model.status();
  return std::unique_ptr<Tokenizer>(std::make_unique<ByteLevelBPE>(
      std::move(tokens), model.take(), std::move(options), bos, eos));
}

Result<std::unique_ptr<Tokenizer>>
makeByteLevelBPE(std::vector<std::string> tokens,
                 const std::vector<std::string> &merges, bool splitDigits,
                 int32_t bos, int32_t eos) {
  ByteLevelOptions options;
  if (splitDigits)
    options.steps.insert(
        options.steps.begin(),
        PreTokenizerStep{PreTokenizerStep::Digits, SplitPattern::GPT2, true});
  return makeByteLevelBPE(std::move(tokens), merges, std::move(options), bos,
                          eos);
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &path) {
  if (endsWith(path, ".gguf"))
    return fromGguf(path);
  if (endsWith(path, ".json"))
    return fromTokenizerJson(path);
  if (endsWith(path, ".model"))
    return fromSentencePiece(path);
  // A directory: prefer tokenizer.json, then tokenizer.model.
  for (const char *name : {"/tokenizer.json", "/tokenizer.model"})
    if (readFileBytes(path + name).isOk())
      return loadTokenizer(path + name);
  return Status::error(path + ": no tokenizer found (expected a .gguf file, "
                              "tokenizer.json or tokenizer.model)");
}

} // namespace spike::core
