//===- Tokenizer.cpp - Byte-level BPE and SentencePiece tokenizers --------===//

#include "spike/core/Tokenizer.h"
#include "spike/core/FileIO.h"
#include "spike/core/Gguf.h"
#include "spike/core/JsonReader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <climits>
#include <functional>
#include <unordered_map>

#include <cmath>
#include <cstring>

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

bool isLetter(uint32_t cp) { return inRanges(kLetterRanges, cp); }
bool isNumber(uint32_t cp) { return inRanges(kNumberRanges, cp); }
bool isSpace(uint32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0xa0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/// Decodes UTF-8 into code points with their byte offsets; invalid bytes
/// become one code point each (U+FFFD class "other"), keeping offsets exact.
void decodeUtf8(const std::string &s, std::vector<uint32_t> &cps,
                std::vector<size_t> &offsets) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    uint32_t cp = 0xfffd;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < s.size()) {
      cp = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
      len = 2;
    } else if ((c >> 4) == 14 && i + 2 < s.size()) {
      cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
      len = 3;
    } else if ((c >> 3) == 30 && i + 3 < s.size()) {
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

/// The UTF-8 characters of `s`, each as its own string (invalid bytes
/// one each).
std::vector<std::string> utf8Chars(const std::string &s) {
  std::vector<uint32_t> cp;
  std::vector<size_t> off;
  decodeUtf8(s, cp, off);
  std::vector<std::string> out;
  for (size_t k = 0; k < cp.size(); ++k)
    out.push_back(s.substr(off[k], off[k + 1] - off[k]));
  return out;
}

enum class Cls { Letter, Number, Space, Other };
Cls classOf(uint32_t cp) {
  if (isLetter(cp))
    return Cls::Letter;
  if (isNumber(cp))
    return Cls::Number;
  if (isSpace(cp))
    return Cls::Space;
  return Cls::Other;
}

/// GPT-2's pre-tokenizer regex, applied by hand on code points:
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void gpt2Split(const std::vector<uint32_t> &cp, size_t begin, size_t end,
               std::vector<std::pair<size_t, size_t>> &pieces) {
  size_t i = begin;
  auto runOf = [&](size_t j, Cls cls) {
    while (j < end && classOf(cp[j]) == cls)
      ++j;
    return j;
  };
  while (i < end) {
    if (cp[i] == '\'' && i + 1 < end) {
      uint32_t a = cp[i + 1], b = i + 2 < end ? cp[i + 2] : 0;
      size_t len = 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd')
        len = 2;
      else if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') ||
               (a == 'l' && b == 'l'))
        len = 3;
      if (len) {
        pieces.push_back({i, i + len});
        i += len;
        continue;
      }
    }
    Cls cls = classOf(cp[i]);
    size_t start = i;
    if (cp[i] == ' ' && i + 1 < end && classOf(cp[i + 1]) != Cls::Space) {
      ++i;
      cls = classOf(cp[i]);
    }
    if (cls != Cls::Space) {
      size_t j = runOf(i, cls);
      pieces.push_back({start, j});
      i = j;
      continue;
    }
    size_t j = runOf(i, Cls::Space);
    if (j < end && j - i > 1)
      --j; // \s+(?!\S): leave the last space to prefix the next word
    pieces.push_back({i, j});
    i = j;
  }
}

const std::array<std::string, 256> &byteToUnicode() {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    auto utf8 = [](uint32_t cp) {
      std::string s;
      if (cp < 0x80) {
        s += char(cp);
      } else {
        s += char(0xc0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3f));
      }
      return s;
    };
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) ||
                       (b >= 0xae && b <= 0xff);
      t[b] = utf8(printable ? uint32_t(b) : uint32_t(256 + n++));
    }
    return t;
  }();
  return table;
}

class ByteLevelBPE : public Tokenizer {
public:
  ByteLevelBPE(std::vector<std::string> tokens,
               std::unordered_map<std::string, int> ranks, bool splitDigits,
               int32_t bos, int32_t eos)
      : tokens_(std::move(tokens)), ranks_(std::move(ranks)),
        splitDigits_(splitDigits) {
    bos_ = bos;
    eos_ = eos;
    for (size_t i = 0; i < tokens_.size(); ++i)
      ids_.emplace(tokens_[i], int32_t(i));
    const auto &table = byteToUnicode();
    for (int b = 0; b < 256; ++b)
      unicodeToByte_[table[b]] = char(b);
  }

  std::vector<int32_t> encode(const std::string &text) const override {
    std::vector<uint32_t> cp;
    std::vector<size_t> off;
    decodeUtf8(text, cp, off);
    std::vector<std::pair<size_t, size_t>> pieces;
    size_t segment = 0;
    for (size_t i = 0; i <= cp.size(); ++i) {
      bool digit = i < cp.size() && splitDigits_ && isNumber(cp[i]);
      if (i == cp.size() || digit) {
        gpt2Split(cp, segment, i, pieces);
        if (digit)
          pieces.push_back({i, i + 1});
        segment = i + 1;
      }
    }
    std::vector<int32_t> out;
    for (auto [a, b] : pieces)
      bpe(bytesToByteLevel(text.substr(off[a], off[b] - off[a])), out);
    return out;
  }

  std::string decode(const std::vector<int32_t> &ids) const override {
    std::string out;
    for (int32_t id : ids) {
      if (id < 0 || size_t(id) >= tokens_.size())
        continue;
      for (const std::string &c : utf8Chars(tokens_[id])) {
        auto it = unicodeToByte_.find(c);
        out += it != unicodeToByte_.end() ? std::string(1, it->second)
                                          : c; // special token
      }
    }
    return out;
  }

  int64_t vocabSize() const override { return int64_t(tokens_.size()); }

private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<std::string, int> ranks_; // "a b" -> priority
  std::unordered_map<std::string, char> unicodeToByte_;
  bool splitDigits_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;

  void bpe(const std::string &word, std::vector<int32_t> &out) const {
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
    std::vector<std::string> parts = utf8Chars(word);
    while (parts.size() > 1) {
      int best = INT_MAX;
      size_t at = 0;
      for (size_t k = 0; k + 1 < parts.size(); ++k) {
        auto it = ranks_.find(parts[k] + " " + parts[k + 1]);
        if (it != ranks_.end() && it->second < best) {
          best = it->second;
          at = k;
        }
      }
      if (best == INT_MAX)
        break;
      std::string merged = parts[at] + parts[at + 1];
      std::string left = parts[at], right = parts[at + 1];
      std::vector<std::string> next;
      for (size_t k = 0; k < parts.size(); ++k) {
        if (k + 1 < parts.size() && parts[k] == left && parts[k + 1] == right) {
          next.push_back(merged);
          ++k;
        } else {
          next.push_back(parts[k]);
        }
      }
      parts = std::move(next);
    }
    std::vector<int32_t> ids;
    for (const auto &p : parts) {
      auto it = ids_.find(p);
      if (it != ids_.end()) {
        ids.push_back(it->second);
        continue;
      }
      // Unknown merge result: fall back to single byte-level symbols.
      for (const std::string &c : utf8Chars(p))
        if (auto b = ids_.find(c); b != ids_.end())
          ids.push_back(b->second);
    }
    if (cache_.size() < 200000)
      cache_.emplace(word, ids);
    out.insert(out.end(), ids.begin(), ids.end());
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
          char name[8];
          std::snprintf(name, sizeof(name), "<0x%02X>", c);
          auto b = ids_.find(name);
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
  std::string pre = "default";
  if (file->has("tokenizer.ggml.pre")) {
    auto p = file->getString("tokenizer.ggml.pre");
    if (!p)
      return p.status();
    pre = *p;
  }
  // Pre-tokenizers that isolate digits before the GPT-2 regex.
  bool splitDigits = pre == "smollm" || pre == "starcoder" || pre == "refact" ||
                     pre == "codeshell";
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
  return makeByteLevelBPE(tokens.take(), *merges, splitDigits, special[0],
                          special[1]);
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
    std::vector<std::string> tokens;
    for (auto it = model.at("vocab").begin(); it != model.at("vocab").end();
         ++it) {
      size_t id = it.value().get<size_t>();
      if (id >= tokens.size())
        tokens.resize(id + 1);
      tokens[id] = it.key();
    }
    int32_t bos = -1, eos = -1;
    if (doc.contains("added_tokens"))
      for (const auto &t : doc["added_tokens"]) {
        size_t id = t.at("id").get<size_t>();
        if (id >= tokens.size())
          tokens.resize(id + 1);
        tokens[id] = t.at("content").get<std::string>();
      }
    std::vector<std::string> merges;
    for (const auto &m : model.at("merges"))
      merges.push_back(m.is_string() ? m.get<std::string>()
                                     : m[0].get<std::string>() + " " +
                                           m[1].get<std::string>());
    bool splitDigits = false;
    std::function<void(const nlohmann::json &)> scan =
        [&](const nlohmann::json &pre) {
          if (!pre.is_object())
            return;
          if (pre.value("type", "") == "Digits" &&
              pre.value("individual_digits", false))
            splitDigits = true;
          if (pre.contains("pretokenizers"))
            for (const auto &p : pre["pretokenizers"])
              scan(p);
        };
    if (doc.contains("pre_tokenizer"))
      scan(doc["pre_tokenizer"]);
    return makeByteLevelBPE(std::move(tokens), merges, splitDigits, bos, eos);
  } catch (const std::exception &e) {
    return Status::error(
        path + ": malformed tokenizer.json: " + std::string(e.what()));
  }
}

Result<std::unique_ptr<Tokenizer>> fromSentencePiece(const std::string &path) {
  return SentencePieceBPE::load(path);
}

} // namespace

std::string bytesToByteLevel(const std::string &bytes) {
  const auto &table = byteToUnicode();
  std::string out;
  for (unsigned char b : bytes)
    out += table[b];
  return out;
}

Result<std::unique_ptr<Tokenizer>>
makeByteLevelBPE(std::vector<std::string> tokens,
                 const std::vector<std::string> &merges, bool splitDigits,
                 int32_t bos, int32_t eos) {
  std::unordered_map<std::string, int> ranks;
  for (size_t i = 0; i < merges.size(); ++i) {
    if (merges[i].find(' ') == std::string::npos)
      return Status::error("BPE merge " + std::to_string(i) + " ('" +
                           merges[i] + "') is not a pair 'a b'");
    ranks.emplace(merges[i], int(i));
  }
  return std::unique_ptr<Tokenizer>(std::make_unique<ByteLevelBPE>(
      std::move(tokens), std::move(ranks), splitDigits, bos, eos));
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
