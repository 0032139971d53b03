//===- ByteLevelBPE.cpp - GPT-2-style byte-level BPE ----------------------===//
//
// Byte-level BPE as HF tokenizers and llama.cpp run it: every byte is a
// printable symbol (GPT-2's table), the pre-tokenizer steps split the text,
// and BPE merges within each piece.
//
//===----------------------------------------------------------------------===//

#include "Bpe.h"
#include "spike/core/Text/PreTokenizer.h"

#include <array>
#include <cstdio>

namespace spike::core {

namespace {

using detail::AddedVocabulary;
using detail::BpeModel;

/// GPT-2's byte-to-symbol table: printable bytes stand for themselves, the
/// others for U+0100 onwards in byte order.
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
      for (const std::string &c : detail::utf8Chars(tokens_[id])) {
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

} // namespace spike::core
