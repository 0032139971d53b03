//===- SentencePieceStyleBPE.cpp - LLaMA-2-style BPE in tokenizer.json ----===//
//
// SentencePiece-style BPE in a tokenizer.json (LLaMA-2 and Mistral as
// HF ships them): a normalizer that prepends and writes spaces as U+2581
// (or a Metaspace pre-tokenizer), BPE over characters with byte fallback
// to <0xNN> tokens, and a decoder chain that undoes both.
//
//===----------------------------------------------------------------------===//

#include "Bpe.h"
#include "spike/core/Text/PreTokenizer.h"

namespace spike::core::detail {

namespace {

/// The file header's tokenizer; encode() runs the added tokens, the
/// normalizer, Metaspace and BPE in that order, decode() the decoder chain.
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

} // namespace

std::unique_ptr<Tokenizer> makeSentencePieceStyleBPE(
    std::vector<std::string> tokens, BpeModel model,
    std::vector<AddedToken> added, std::vector<NormalizerStep> normalizer,
    MetaspaceOptions metaspace, std::vector<DecoderStep> decoder) {
  return std::make_unique<SentencePieceStyleBPE>(
      std::move(tokens), std::move(model), std::move(added),
      std::move(normalizer), std::move(metaspace), std::move(decoder));
}

} // namespace spike::core::detail
