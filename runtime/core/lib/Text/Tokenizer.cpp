//===- Tokenizer.cpp - Tokenizers: the common part and the loader ---------===//
//
// What every tokenizer shares (special tokens, the normalizer chain) and
// loadTokenizer, which picks the reader by file kind (Bpe.h lists them).
//
//===----------------------------------------------------------------------===//

#include "spike/core/Text/Tokenizer.h"
#include "Bpe.h"
#include "spike/core/Support/FileIO.h"

namespace spike::core {

namespace {
bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
      s = detail::replaceAll(std::move(s), n.a, n.b);
    } else {
      s = normalizeUtf8(s, n.form);
    }
  }
  return s;
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &path) {
  if (endsWith(path, ".gguf"))
    return detail::loadGgufTokenizer(path);
  if (endsWith(path, ".json"))
    return detail::loadTokenizerJson(path);
  if (endsWith(path, ".model"))
    return detail::loadSentencePieceModel(path);
  // A directory: prefer tokenizer.json, then tokenizer.model.
  for (const char *name : {"/tokenizer.json", "/tokenizer.model"})
    if (readFileBytes(path + name).isOk())
      return loadTokenizer(path + name);
  return Status::error(path + ": no tokenizer found (expected a .gguf file, "
                              "tokenizer.json or tokenizer.model)");
}

} // namespace spike::core
