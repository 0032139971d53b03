//===- Bpe.h - The BPE tokenizers' shared parts ----------------*- C++ -*-===//
//
// Private to the text library: the BPE merge model, the added-token
// vocabulary, and the loaders behind loadTokenizer (Tokenizer.h), one per
// file kind. Each tokenizer kind has its own source:
//   ByteLevelBPE.cpp           GPT-2's byte-level BPE (tokenizer.json, GGUF)
//   SentencePieceStyleBPE.cpp  LLaMA-2-style BPE in a tokenizer.json
//   SentencePieceModel.cpp     SentencePiece's tokenizer.model
// and each file kind's reader too: TokenizerJson.cpp, GgufTokenizer.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TEXT_BPE_H
#define SPIKE_CORE_TEXT_BPE_H

#include "spike/core/Text/Tokenizer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace spike::core::detail {

/// The UTF-8 characters of `s`, each as its own string (an invalid byte is
/// one on its own).
std::vector<std::string> utf8Chars(const std::string &s);

/// `s` with every occurrence of `from` replaced (left to right, without
/// overlaps), as HF's Replace of a string does.
std::string replaceAll(std::string s, const std::string &from,
                       const std::string &to);

/// SentencePiece's name of a byte token: <0x0A>.
std::string byteTokenName(unsigned char b);

/// A piece of text: an added token's id, or -1 for text between them.
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
                                        bool normalizedPass);

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
                                Options options);

  bool has(const std::string &s) const { return ids_.count(s) != 0; }
  bool hasUnk() const { return unk_ >= 0; }
  /// Whether a character (UTF-8) becomes tokens: its piece, its byte
  /// tokens, or the unk token; else HF drops it.
  bool covers(const std::string &c) const;
  int32_t idOf(const std::string &s) const {
    auto it = ids_.find(s);
    return it == ids_.end() ? -1 : it->second;
  }

  /// The ids of one word (a pre-tokenized piece), appended to `out`.
  void tokenize(const std::string &word, std::vector<int32_t> &out) const;

private:
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> merges_;
  Options options_;
  int32_t unk_ = -1;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;

  /// Whether every byte of `c` has its byte token; their ids go to `ids`.
  bool byteTokens(const std::string &c, std::vector<int32_t> *ids) const;

  static uint64_t pairKey(int32_t a, int32_t b) {
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
  }

  std::vector<int32_t> mergeWord(const std::string &word) const;

  /// HF's Word::merge_all on a linked list of symbols.
  std::vector<int32_t> mergeAll(std::vector<int32_t> sym) const;
};

/// HF's Metaspace pre-tokenizer, as a SentencePiece-style BPE runs it.
struct MetaspaceOptions {
  bool present = false, split = false;
  std::string replacement = "\u2581";
  std::string prependScheme = "always"; ///< always, first, never
};
/// One step of a SentencePiece-style tokenizer.json's decoder chain.
struct DecoderStep {
  enum Kind { Replace, ByteFallback, Fuse, Strip, Metaspace } kind;
  std::string a, b;            ///< Replace a -> b; Strip content a; Metaspace
  int64_t start = 0, stop = 0; ///< Strip
  bool prepend = true;         ///< Metaspace: strip the first token's space
};

/// A SentencePiece-style BPE tokenizer from its parts (read by
/// TokenizerJson.cpp).
std::unique_ptr<Tokenizer> makeSentencePieceStyleBPE(
    std::vector<std::string> tokens, BpeModel model,
    std::vector<AddedToken> added, std::vector<NormalizerStep> normalizer,
    MetaspaceOptions metaspace, std::vector<DecoderStep> decoder);

/// The loaders, by file kind; errors are one line naming `path`.
Result<std::unique_ptr<Tokenizer>> loadTokenizerJson(const std::string &path);
Result<std::unique_ptr<Tokenizer>> loadGgufTokenizer(const std::string &path);
Result<std::unique_ptr<Tokenizer>>
loadSentencePieceModel(const std::string &path);

} // namespace spike::core::detail

#endif // SPIKE_CORE_TEXT_BPE_H
