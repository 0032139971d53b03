//===- JsonReaderTest.cpp - Bounded, strict JSON parsing ------------------===//

#include "spike/core/Support/JsonReader.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

using namespace spike::core;

namespace {

TEST(JsonReader, NestingDepthSkipsStrings) {
  EXPECT_EQ(jsonNestingDepth("{}"), 1);
  EXPECT_EQ(jsonNestingDepth("{\"a\": [[1], {\"b\": []}]}"), 4);
  // Brackets inside strings, escaped quotes included, do not count.
  EXPECT_EQ(jsonNestingDepth("[\"[[[\\\"[[\"]"), 1);
  EXPECT_EQ(jsonNestingDepth("7"), 0);
}

TEST(JsonReader, RefusesDeepNestingBeforeParsing) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto r = parseJson(deep, "deep.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.message(), "deep.json: JSON nested 100000 deep (at most 64)");
  std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(parseJson(ok, "ok.json"));
  EXPECT_FALSE(parseJson(ok, "ok.json", JsonLimits{63}));
}

TEST(JsonReader, RefusesDuplicateKeysAtAnyDepth) {
  auto top = parseJson("{\"a\": 1, \"a\": 2}", "f");
  ASSERT_FALSE(top);
  EXPECT_EQ(top.message(), "f: duplicate key \"a\"");
  EXPECT_FALSE(parseJson("{\"x\": {\"b\": 1, \"b\": 1}}", "f"));
  // The same key in sibling objects is fine.
  auto siblings =
      parseJson("[{\"a\": 1}, {\"a\": 2}, {\"x\": {\"a\": 3}}]", "f");
  ASSERT_TRUE(siblings) << siblings.message();
  EXPECT_EQ((*siblings)[2]["x"]["a"], 3);
}

// Numbers beyond double (found by fuzzing: nlohmann throws out_of_range,
// not parse_error) are malformed JSON too.
TEST(JsonReader, MalformedTextIsOneLine) {
  for (const char *text : {"{\"a\": NaN}", "{\"a\": Infinity}", "[1, 2", "",
                           "[1e999]", "{\"a\" 1}"}) {
    auto r = parseJson(text, "f.json");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.message().rfind("f.json: malformed JSON: ", 0), 0u) << text;
    EXPECT_EQ(r.message().find('\n'), std::string::npos) << text;
  }
}

} // namespace
