//===- PreTokenizerTest.cpp - Split patterns on code points ---------------===//

#include "spike/core/Text/PreTokenizer.h"

#include <gtest/gtest.h>

using namespace spike::core;

namespace {

std::vector<std::string> pieces(const std::string &text, SplitPattern p,
                                bool digits = false) {
  std::vector<std::string> out;
  for (auto [a, b] : preTokenize(text, p, digits))
    out.push_back(text.substr(a, b - a));
  return out;
}

using V = std::vector<std::string>;

TEST(PreTokenizer, Gpt2) {
  EXPECT_EQ(pieces("Hello world, it's 2024!", SplitPattern::GPT2),
            (V{"Hello", " world", ",", " it", "'s", " 2024", "!"}));
  // Contractions are case-sensitive in GPT-2's regex.
  EXPECT_EQ(pieces("I'VE", SplitPattern::GPT2), (V{"I", "'", "VE"}));
  // \s+(?!\S): a run of spaces leaves its last to the next word.
  EXPECT_EQ(pieces("a   b", SplitPattern::GPT2), (V{"a", "  ", " b"}));
  EXPECT_EQ(pieces("a12b", SplitPattern::GPT2, true), (V{"a", "1", "2", "b"}));
}

TEST(PreTokenizer, LlamaCppDefaultParts) {
  // [\p{P}\$\+<=>\^~\|]+ and the text between its matches; '`' is a
  // symbol (Sk) outside the class.
  EXPECT_EQ(pieces("a+=b, c`d (\xc2\xbf"
                   "e)",
                   SplitPattern::Punctuation),
            (V{"a", "+=", "b", ",", " c`d ", "(\xc2\xbf", "e", ")"}));
  // [0-9][0-9][0-9] leftmost: the rest of a run joins what follows it.
  EXPECT_EQ(pieces("x1234567y89", SplitPattern::DigitTriples),
            (V{"x", "123", "456", "7y89"}));
  std::string regex = "[\\p{P}\\$\\+<=>\\^~\\|]+";
  SplitPattern p;
  ASSERT_TRUE(splitPatternOf(regex, p));
  EXPECT_EQ(p, SplitPattern::Punctuation);
}

TEST(PreTokenizer, Llama3) {
  EXPECT_EQ(pieces("I'VE SEEN IT, HE'S RIGHT", SplitPattern::Llama3),
            (V{"I", "'VE", " SEEN", " IT", ",", " HE", "'S", " RIGHT"}));
  // Digits in triples; punctuation leads letters; CRLF kept together.
  EXPECT_EQ(pieces("1234567 (word)", SplitPattern::Llama3),
            (V{"123", "456", "7", " (", "word", ")"}));
  EXPECT_EQ(pieces("a\r\nb", SplitPattern::Llama3), (V{"a", "\r\n", "b"}));
  EXPECT_EQ(pieces("x  \n  y", SplitPattern::Llama3),
            (V{"x", "  \n", " ", " y"}));
  // U+017F folds to 's' for the contraction.
  EXPECT_EQ(pieces("a'\xc5\xbf", SplitPattern::Llama3), (V{"a", "'\xc5\xbf"}));
}

TEST(PreTokenizer, Qwen2SingleDigits) {
  EXPECT_EQ(pieces("x 1234", SplitPattern::Qwen2),
            (V{"x", " ", "1", "2", "3", "4"}));
}

TEST(PreTokenizer, PiecesCoverInvalidUtf8) {
  std::string text = "ab\xff\xfe cd";
  std::string joined;
  for (const auto &p : pieces(text, SplitPattern::Llama3))
    joined += p;
  EXPECT_EQ(joined, text);
}

TEST(PreTokenizer, UnicodeTables) {
  EXPECT_STREQ(unicodeVersion(), "15.0.0");
  EXPECT_TRUE(isSpaceCodePoint(0x3000));
  EXPECT_FALSE(isSpaceCodePoint(0x200B)); // zero width space is not \s
  EXPECT_TRUE(isNumberCodePoint(0x0663)); // Arabic-Indic three
  EXPECT_TRUE(isWordCodePoint('_'));
  EXPECT_TRUE(isWordCodePoint(0x0301)); // a combining mark
  EXPECT_FALSE(isWordCodePoint('-'));
}

TEST(PreTokenizer, KnowsOnlyItsRegexes) {
  SplitPattern p;
  EXPECT_FALSE(splitPatternOf("\\w+", p));
}

} // namespace
