//===- GgufTokenizer.cpp - The tokenizer inside a GGUF file ---------------===//
//
// llama.cpp's tokenizer.ggml.* metadata: byte-level BPE with the
// pre-tokenizer tokenizer.ggml.pre names, its control and user-defined
// tokens, and the BOS/EOS it adds.
//
//===----------------------------------------------------------------------===//

#include "Bpe.h"
#include "spike/core/ModelIO/Gguf.h"

#include <cstdio>

namespace spike::core::detail {

Result<std::unique_ptr<Tokenizer>> loadGgufTokenizer(const std::string &path) {
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

} // namespace spike::core::detail
