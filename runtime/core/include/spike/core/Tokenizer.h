//===- Tokenizer.h - Byte-level BPE and SentencePiece tokenizers -*- C++
//-*-===//
//
// In the core library so that the importer and the runtime tokenize alike.
// Sources: a GGUF file's tokenizer.ggml.* metadata (byte-level BPE, "gpt2"),
// a Hugging Face tokenizer.json (byte-level BPE), or a SentencePiece
// tokenizer.model (through libsentencepiece, when it was found at build
// time).
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TOKENIZER_H
#define SPIKE_CORE_TOKENIZER_H

#include "spike/core/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spike::core {

class Tokenizer {
public:
  virtual ~Tokenizer() = default;
  /// Text to token ids, without special tokens (no BOS).
  virtual std::vector<int32_t> encode(const std::string &text) const = 0;
  /// Token ids to text; detokenize(tokenize(text)) == text.
  virtual std::string decode(const std::vector<int32_t> &ids) const = 0;
  virtual int64_t vocabSize() const = 0;
  int32_t bos() const { return bos_; }
  int32_t eos() const { return eos_; }

protected:
  int32_t bos_ = -1, eos_ = -1;
};

/// Loads a tokenizer from a .gguf file, a tokenizer.json, a tokenizer.model,
/// or a directory holding one of the last two.
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &path);

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

#endif // SPIKE_CORE_TOKENIZER_H
