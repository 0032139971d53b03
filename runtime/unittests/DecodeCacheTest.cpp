//===- DecodeCacheTest.cpp - Cached decoding equals a full forward --------===//
//
// Incremental decoding with a DecodeCache must give the logits of running
// the whole sequence at once, at every level of plan, with and without a
// PrefixQuant prefix: the prompt runs as one chunk, then tokens one by one.
// The arithmetic is the same except for reduction lengths: a full forward's
// softmax row also holds the masked (zero) future keys, so sums may round
// differently (seen at the FP level: 4e-7). The test allows that, and
// requires the same next-token choice everywhere.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Executor.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

std::string golden(const std::string &level) {
  return std::string(SPIKE_SOURCE_DIR) + "/test/Plan/golden/tiny-" + level +
         ".plan.json";
}

struct Case {
  const char *level;
  std::vector<int64_t> prefix;
};

class DecodeCacheTest : public ::testing::TestWithParam<Case> {};

TEST_P(DecodeCacheTest, IncrementalEqualsFullForward) {
  auto plan = loadPlan(golden(GetParam().level));
  ASSERT_TRUE(plan) << plan.message();
  std::vector<int64_t> ids = {1, 5, 7, 2, 9, 3, 11, 4, 6, 8};
  at::Tensor all = at::tensor(ids, at::kLong).reshape({1, 10});

  Executor full(*plan);
  full.setPrefix(GetParam().prefix);
  auto expected = full.forward(all);
  ASSERT_TRUE(expected) << expected.message();

  Executor exec(*plan);
  exec.setPrefix(GetParam().prefix);
  DecodeCache cache;
  std::vector<at::Tensor> pieces;
  auto prompt = exec.forward(all.narrow(1, 0, 4), &cache);
  ASSERT_TRUE(prompt) << prompt.message();
  pieces.push_back(*prompt);
  for (int64_t i = 4; i < 10; ++i) {
    auto step = exec.forward(all.narrow(1, i, 1), &cache);
    ASSERT_TRUE(step) << step.message();
    pieces.push_back(*step);
  }
  EXPECT_EQ(cache.positions, 10 + int64_t(GetParam().prefix.size()));
  EXPECT_GT(cache.bytes(), 0);
  at::Tensor got = at::cat(pieces, 1);
  ASSERT_EQ(got.sizes(), expected->sizes());
  EXPECT_TRUE(at::allclose(got, *expected, /*rtol=*/1e-5, /*atol=*/1e-5))
      << "max |diff| " << (got - *expected).abs().max().item<float>();
  EXPECT_TRUE(at::equal(got.argmax(-1), expected->argmax(-1)));
}

INSTANTIATE_TEST_SUITE_P(Levels, DecodeCacheTest,
                         ::testing::Values(Case{"fp", {}}, Case{"qann", {}},
                                           Case{"is", {}}, Case{"if", {}},
                                           Case{"qann", {3, 12}},
                                           Case{"is", {3, 12}}),
                         [](const auto &info) {
                           return std::string(info.param.level) +
                                  (info.param.prefix.empty() ? "" : "_prefix");
                         });

} // namespace
