//===- TokenizerTest.cpp - Byte-level BPE ---------------------------------===//

#include "spike/core/Text/Tokenizer.h"
#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/Support/FileIO.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

using namespace spike::core;

namespace {

std::unique_ptr<Tokenizer> tinyBPE(bool splitDigits) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b)
    tokens.push_back(bytesToByteLevel(std::string(1, char(b))));
  for (const char *t : {"Ġt", "th", "Ġth", "he", "Ġthe", "12"})
    tokens.push_back(t);
  auto tok =
      makeByteLevelBPE(tokens, {"Ġ t", "t h", "Ġt h", "h e", "Ġth e", "1 2"},
                       splitDigits, -1, -1);
  EXPECT_TRUE(tok.isOk());
  return tok.take();
}

TEST(Tokenizer, MergesInPriorityOrder) {
  auto tok = tinyBPE(false);
  // "the" (no leading space): t h -> th (rank 1), th e has no merge.
  EXPECT_EQ(tok->encode("the"), (std::vector<int32_t>{257, 'e'}));
  // " the": Ġ t -> Ġt, Ġt h -> Ġth, Ġth e -> Ġthe.
  EXPECT_EQ(tok->encode(" the"), (std::vector<int32_t>{260}));
  EXPECT_EQ(tok->encode("12"), (std::vector<int32_t>{261}));
}

/// A byte-level GGUF tokenizer whose merges cross the pieces llama.cpp's
/// default pre-tokenizer makes: "'t", "12345", " 1".
std::string writeGgufTokenizer(
    const std::string &name,
    const std::vector<std::pair<std::string, GgufValue>> &extra) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b)
    tokens.push_back(bytesToByteLevel(std::string(1, char(b))));
  // 256 ...
  for (const char *t :
       {"'t", "12", "123", "1234", "12345", "45", "Ġa", "do", "don"})
    tokens.push_back(t);
  GgufWriter w;
  w.set("tokenizer.ggml.model", std::string("gpt2"));
  w.set("tokenizer.ggml.tokens", tokens);
  w.set("tokenizer.ggml.merges",
        std::vector<std::string>{"' t", "1 2", "12 3", "123 4", "1234 5", "4 5",
                                 "Ġ a", "d o", "do n"});
  for (const auto &[k, v] : extra)
    w.set(k, v);
  std::string path = testing::TempDir() + "/" + std::to_string(::getpid()) +
                     "_" + name + ".gguf";
  EXPECT_TRUE(w.write(path).isOk());
  return path;
}

TEST(Tokenizer, GgufDefaultPreTokenizerIsLlamaCpps) {
  // llama.cpp's default splits punctuation ([\p{P}$+<=>^~|]+), then
  // GPT-2's pattern, then digit runs, then ASCII digits in threes:
  // don | ' | t | Ġ | 123 | 45 | Ġa | + | b
  auto def = loadTokenizer(writeGgufTokenizer("default", {}));
  ASSERT_TRUE(def.isOk()) << def.message();
  EXPECT_EQ(
      (*def)->encode("don't 12345 a+b"),
      (std::vector<int32_t>{264, '\'', 't', ' ', 258, 261, 262, '+', 'b'}));
  // GPT-2's pattern alone: don | 't | Ġ12345 | Ġa | + | b
  auto gpt2 = loadTokenizer(writeGgufTokenizer(
      "gpt2", {{"tokenizer.ggml.pre", std::string("gpt-2")}}));
  ASSERT_TRUE(gpt2.isOk()) << gpt2.message();
  EXPECT_EQ((*gpt2)->encode("don't 12345 a+b"),
            (std::vector<int32_t>{264, 256, ' ', 260, 262, '+', 'b'}));
  // Unicode punctuation (U+00BF, Po) is split off as well.
  EXPECT_EQ((*def)->encode("\xc2\xbft"),
            (std::vector<int32_t>{0xc2, 0xbf, 't'}));
}

TEST(Tokenizer, GgufAddsBosWhereItSays) {
  auto tok = loadTokenizer(writeGgufTokenizer(
      "addbos", {{"tokenizer.ggml.pre", std::string("gpt-2")},
                 {"tokenizer.ggml.bos_token_id", uint64_t(1)},
                 {"tokenizer.ggml.eos_token_id", uint64_t(2)},
                 {"tokenizer.ggml.add_bos_token", true},
                 {"tokenizer.ggml.add_eos_token", false}}));
  ASSERT_TRUE(tok.isOk()) << tok.message();
  EXPECT_EQ((*tok)->encodeWithSpecialTokens("b"),
            (std::vector<int32_t>{1, 'b'}));
  auto bad = loadTokenizer(writeGgufTokenizer(
      "addeos", {{"tokenizer.ggml.pre", std::string("gpt-2")},
                 {"tokenizer.ggml.add_eos_token", true}}));
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.message().find("'tokenizer.ggml.add_eos_token' is true but "
                               "'tokenizer.ggml.eos_token_id' is absent"),
            std::string::npos)
      << bad.message();
}

TEST(Tokenizer, DigitIsolation) {
  EXPECT_EQ(tinyBPE(true)->encode("12"), (std::vector<int32_t>{'1', '2'}));
}

TEST(Tokenizer, RoundTripsArbitraryBytes) {
  auto tok = tinyBPE(true);
  for (std::string s :
       {std::string("Hello,  world!\n\n  tabs\tand ünïcödé 漢字 😀 it's 42"),
        std::string("\xff\xfe invalid utf-8 \xc3"), std::string(" "),
        std::string("")})
    EXPECT_EQ(tok->decode(tok->encode(s)), s);
}

TEST(Tokenizer, ErrorsNameTheFile) {
  auto t = loadTokenizer("/nonexistent/tokenizer.json");
  ASSERT_FALSE(t.isOk());
  EXPECT_NE(t.message().find("/nonexistent/tokenizer.json"), std::string::npos);
  std::string bad = testing::TempDir() + "/bad_tokenizer-" +
                    std::to_string(::getpid()) + ".json";
  ASSERT_TRUE(writeFileAtomic(bad, std::string("{\"model\": {\"type\": "
                                               "\"Unigram\"}}"))
                  .isOk());
  t = loadTokenizer(bad);
  ASSERT_FALSE(t.isOk());
  EXPECT_NE(t.message().find("not supported"), std::string::npos);
}

/// SmolLM2's vocabulary: the model file that scripts/fetch-smollm2.sh caches
/// (CI fetches it before the tests).
std::string smolPath() {
  if (const char *p = std::getenv("SPIKEC_SMOLLM2_GGUF"))
    return p;
  const char *home = std::getenv("HOME");
  return std::string(home ? home : "") +
         "/.cache/spikec/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

TEST(Tokenizer, SmolLM2KnownIdsAndWikiTextRoundTrip) {
  if (!readFileBytes(smolPath() + "").isOk())
    GTEST_SKIP() << "SmolLM2 GGUF not found at " << smolPath()
                 << " (run scripts/fetch-smollm2.sh)";
  auto tok = loadTokenizer(smolPath());
  ASSERT_TRUE(tok.isOk()) << tok.message();
  // Ids produced by the Hugging Face tokenizers library for this vocabulary
  // (digits isolated, then the GPT-2 byte-level pre-tokenizer).
  EXPECT_EQ((*tok)->encode("The capital of France is"),
            (std::vector<int32_t>{504, 3575, 282, 4649, 314}));
  EXPECT_EQ(
      (*tok)->encode("In 1905, Albert Einstein published"),
      (std::vector<int32_t>{788, 216, 33, 41, 32, 37, 28, 14338, 16211, 2587}));
  EXPECT_EQ((*tok)->encode("Hello world, it's 2024! The quick brown fox.  "
                           "Spaces   here"),
            (std::vector<int32_t>{19556, 905, 28,  357,   506, 216,  34,
                                  32,    34,  36,  17,    378, 2365, 6354,
                                  16438, 30,  216, 32951, 256, 1535}));
  EXPECT_EQ((*tok)->bos(), 1);
  EXPECT_EQ((*tok)->eos(), 2);
  for (const char *split : {"test.txt", "valid.txt"}) {
    std::string path = std::string(SPIKE_SHARED_DATA) + "/wikitext-2/" + split;
    auto text = readFileText(path);
    if (!text) {
      GTEST_SKIP() << path << " not found (shared data absent)";
    }
    std::vector<int32_t> ids = (*tok)->encode(*text);
    EXPECT_EQ((*tok)->decode(ids), *text) << split;
    if (std::string(split) == "test.txt") {
      EXPECT_EQ(ids.size(), 312144u); // as the HF tokenizers library counts
    }
  }
}

} // namespace
