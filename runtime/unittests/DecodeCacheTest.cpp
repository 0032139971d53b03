//===- DecodeCacheTest.cpp - Cached decoding equals a full forward --------===//
//
// Incremental decoding with a DecodeCache must give the logits of running
// the whole sequence at once, at every level of plan, with and without a
// PrefixQuant prefix: the prompt runs as one chunk, then tokens one by one.
// The arithmetic is the same up to the order of f32 operations: products
// of one row against many rows (gemm) or alone (gemv), softmax rows with or
// without the masked future keys. So the logits agree to f32 rounding
// (seen at the FP level: 4e-7), provided no quantizer or neuron decision of
// the inputs lies within rounding of its boundary (RoundingMargin.h, which
// the test asserts first), and the next-token choice is the same.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Executor.h"

#include "RoundingMargin.h"

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
  // No decision within rounding of its boundary, so none can flip.
  auto margins = margin::roundingMargins(*plan, all, GetParam().prefix);
  ASSERT_GT(margins.rounding, margin::kSafeRoundingMargin)
      << "these tokens put a rounding decision too near its boundary";
  double tol = margin::logitTolerance(*expected);
  double diff = (got - *expected).abs().max().item<double>();
  EXPECT_LE(diff, tol) << "tolerance " << tol;
  ASSERT_GT(margins.argmax, 2 * tol) << "a near-tie: choose other tokens";
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
