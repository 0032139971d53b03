//===- Tokenizer.h - BPE tokenizers -----------------------------*- C++ -*-===//
//
// In the core library so that the importer and the runtime tokenize alike.
// Sources: a GGUF file's tokenizer.ggml.* metadata (byte-level BPE, "gpt2"),
// a Hugging Face tokenizer.json (byte-level or SentencePiece-style BPE, with
// its normalizer, pre-tokenizer, added tokens, post-processor and decoder),
// or a SentencePiece tokenizer.model (BPE, read natively).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TEXT_TOKENIZER_H
#define SPIKE_CORE_TEXT_TOKENIZER_H

#include "spike/core/Support/Status.h"
#include "spike/core/Text/PreTokenizer.h"
#include "spike/core/Text/UnicodeNormalization.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spike::core {

class Tokenizer {
public:
  virtual ~Tokenizer() = default;
  /// Text to token ids, without special tokens (no BOS). Text that
  /// encodable() refuses loses the bytes it names, as HF tokenizers would:
  /// callers check it first.
  virtual std::vector<int32_t> encode(const std::string &text) const = 0;
  /// An error naming the first byte of `text` the vocabulary cannot hold
  /// (a byte-level BPE without that byte's symbol and without an unk
  /// token); ok otherwise.
  virtual Status encodable(const std::string &text) const {
    (void)text;
    return Status::ok();
  }
  /// Token ids to text; detokenize(tokenize(text)) == text.
  virtual std::string decode(const std::vector<int32_t> &ids) const = 0;
  virtual int64_t vocabSize() const = 0;
  /// The beginning- and end-of-sequence ids, -1 when the tokenizer has
  /// none: a GGUF's tokenizer.ggml.{bos,eos}_token_id, a tokenizer.model's
  /// own, or for a tokenizer.json the special token its post-processor
  /// puts first (BOS) and the eos_token of a tokenizer_config.json beside
  /// it (which also gives bos_token when the post-processor has none).
  int32_t bos() const { return bos_; }
  int32_t eos() const { return eos_; }
  /// `encode(text)` wrapped in the special tokens that the tokenizer
  /// declares for one sequence: tokenizer.json's TemplateProcessing
  /// "single" (HF's encode with add_special_tokens=True); a GGUF's BOS and
  /// EOS where tokenizer.ggml.add_{bos,eos}_token say so; none otherwise.
  std::vector<int32_t> encodeWithSpecialTokens(const std::string &text) const;
  /// For loaders: the ids set after construction.
  void setSpecialTokens(int32_t bos, int32_t eos, std::vector<int32_t> prefix,
                        std::vector<int32_t> suffix) {
    bos_ = bos;
    eos_ = eos;
    prefix_ = std::move(prefix);
    suffix_ = std::move(suffix);
  }

protected:
  int32_t bos_ = -1, eos_ = -1;
  std::vector<int32_t> prefix_, suffix_;
};

/// Loads a tokenizer from a .gguf file, a tokenizer.json, a tokenizer.model,
/// or a directory holding one of the last two.
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &path);

/// A token matched in the raw text before any splitting (HF tokenizers'
/// added tokens; GGUF's control and user-defined tokens), with HF's flags:
/// `singleWord` matches only where no \w touches it, `lstrip`/`rstrip`
/// take the white space beside it into it, `normalized` ones are matched
/// after the others, in what those leave; `special` ones are the model's
/// control tokens.
struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool singleWord = false, lstrip = false, rstrip = false, normalized = false,
       special = true;
};

/// One step of a byte-level tokenizer's pre-tokenizer (tokenizer.json's
/// pre_tokenizer, in its Sequence order).
struct PreTokenizerStep {
  enum Kind { Split, Digits, ByteLevel } kind = ByteLevel;
  SplitPattern pattern = SplitPattern::GPT2;    ///< Split
  bool individualDigits = false;                ///< Digits
  bool addPrefixSpace = false, useRegex = true; ///< ByteLevel
};

/// One step of a tokenizer.json normalizer, in its Sequence order: HF's
/// Prepend (to every non-empty piece), Replace of a string, and the
/// Unicode normal forms (NFC, NFD, NFKC, NFKD).
struct NormalizerStep {
  enum Kind { Prepend, Replace, Unicode } kind = Unicode;
  std::string a, b;                  ///< Prepend: a; Replace: a -> b
  NormalForm form = NormalForm::NFC; ///< Unicode
};

/// `text` through the steps in order.
std::string applyNormalizer(const std::vector<NormalizerStep> &steps,
                            std::string text);

/// How a byte-level BPE tokenizer splits and merges: the normalizer, the
/// pre-tokenizer steps, the added tokens, and the BPE model's flags (HF
/// tokenizers' names: ignore_merges, unk_token, fuse_unk,
/// continuing_subword_prefix, end_of_word_suffix).
struct ByteLevelOptions {
  std::vector<NormalizerStep> normalizer;
  std::vector<PreTokenizerStep> steps = {PreTokenizerStep{}};
  std::vector<AddedToken> added;
  bool ignoreMerges = false, fuseUnk = false;
  /// A merge listed twice keeps its last rank (HF tokenizers) rather than
  /// its first (llama.cpp).
  bool lastDuplicateWins = false;
  std::string unkToken, continuingSubwordPrefix, endOfWordSuffix;
};

/// Byte-level BPE from its parts: `tokens[i]` is the byte-level string of
/// id i, `merges` are "a b" pairs in priority order. Errors when a merge
/// is not a pair or an added token's id lies outside the vocabulary.
Result<std::unique_ptr<Tokenizer>>
makeByteLevelBPE(std::vector<std::string> tokens,
                 const std::vector<std::string> &merges,
                 ByteLevelOptions options, int32_t bos, int32_t eos);

/// Byte-level BPE from its parts (used by the loaders and by tests):
/// `tokens[i]` is the byte-level string of id i, `merges` are "a b" pairs in
/// priority order. `splitDigits` isolates every digit before the GPT-2
/// pre-tokenizer regex (SmolLM, StarCoder).
Result<std::unique_ptr<Tokenizer>>
makeByteLevelBPE(std::vector<std::string> tokens,
                 const std::vector<std::string> &merges, bool splitDigits,
                 int32_t bos, int32_t eos);

/// The GPT-2 byte-to-unicode map: the byte-level string of raw bytes.
std::string bytesToByteLevel(const std::string &bytes);

} // namespace spike::core

#endif // SPIKE_CORE_TEXT_TOKENIZER_H
