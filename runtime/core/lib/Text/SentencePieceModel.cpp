//===- SentencePieceModel.cpp - SentencePiece's tokenizer.model -----------===//

#include "Bpe.h"
#include "spike/core/Support/FileIO.h"

#include <cmath>
#include <cstring>

namespace spike::core::detail {

namespace {

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

} // namespace

Result<std::unique_ptr<Tokenizer>>
loadSentencePieceModel(const std::string &path) {
  return SentencePieceBPE::load(path);
}

} // namespace spike::core::detail
