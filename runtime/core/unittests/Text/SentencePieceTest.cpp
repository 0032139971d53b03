//===- SentencePieceTest.cpp - The native reader against libsentencepiece -===//
//
// Trains a small BPE model with Debian's libsentencepiece on WikiText-2
// valid.txt, then checks that spikec's native tokenizer.model reader
// produces the same ids as libsentencepiece on every line of test.txt, and
// decodes them back. (This executable does not link libtorch, so the two
// protobuf users cannot collide.)
//
//===----------------------------------------------------------------------===//

#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/Tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <gtest/gtest.h>

#include <sstream>
#include <unistd.h>

using namespace spike::core;

namespace {

TEST(SentencePiece, NativeReaderMatchesLibsentencepiece) {
  std::string data = std::string(SPIKE_SHARED_DATA) + "/wikitext-2/";
  if (!readFileBytes(data + "valid.txt").isOk()) {
    GTEST_SKIP() << data << "valid.txt not found (shared data absent)";
  }
  std::string prefix =
      testing::TempDir() + "/spm_" + std::to_string(::getpid());
  auto status = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + data + "valid.txt --model_prefix=" + prefix +
      " --vocab_size=2000 --model_type=bpe --byte_fallback=true"
      " --normalization_rule_name=identity --input_sentence_size=20000"
      " --minloglevel=2");
  ASSERT_TRUE(status.ok()) << status.ToString();

  sentencepiece::SentencePieceProcessor reference;
  ASSERT_TRUE(reference.Load(prefix + ".model").ok());
  auto ours = loadTokenizer(prefix + ".model");
  ASSERT_TRUE(ours.isOk()) << ours.message();
  EXPECT_EQ((*ours)->vocabSize(), reference.GetPieceSize());
  EXPECT_EQ((*ours)->bos(), reference.bos_id());
  EXPECT_EQ((*ours)->eos(), reference.eos_id());

  auto text = readFileText(data + "test.txt");
  ASSERT_TRUE(text.isOk());
  std::istringstream lines(*text + "\n Ünïcödé ☃ 漢字 😀 bytes\n");
  std::string line;
  int64_t checked = 0, tokens = 0;
  while (std::getline(lines, line)) {
    std::vector<int> expect;
    ASSERT_TRUE(reference.Encode(line, &expect).ok());
    std::vector<int32_t> got = (*ours)->encode(line);
    ASSERT_EQ(std::vector<int32_t>(expect.begin(), expect.end()), got)
        << "line " << checked << ": " << line;
    std::string back;
    ASSERT_TRUE(reference.Decode(expect, &back).ok());
    EXPECT_EQ((*ours)->decode(got), back) << line;
    ++checked;
    tokens += int64_t(got.size());
  }
  EXPECT_GT(tokens, 200000);
  std::remove((prefix + ".model").c_str());
  std::remove((prefix + ".vocab").c_str());
}

TEST(SentencePiece, CorruptModelsGiveOneError) {
  std::string path =
      testing::TempDir() + "/bad-" + std::to_string(::getpid()) + ".model";
  ASSERT_TRUE(writeFileAtomic(path, std::string("\x0a\xff\xff\xff", 4)).isOk());
  auto t = loadTokenizer(path);
  ASSERT_FALSE(t.isOk());
  EXPECT_NE(t.message().find(path), std::string::npos);
}

} // namespace
