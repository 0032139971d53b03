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

#include "GoldenPlans.h"
#include "RoundingMargin.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

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

// The prefix's keys and values are constants of the attention state
// (Executor::prefixState), computed with every prefix position passing its
// quantizers and neurons: the binary IF plan, whose spikes could not carry
// them, gives the IS plan's logits bit for bit with the prefix, as without
// it, batched and cached; and the prefix changes the logits.
TEST(PrefixState, IFEqualsISWithPrefix) {
  auto is = loadPlan(golden("is"));
  auto ifPlan = loadPlan(golden("if"));
  ASSERT_TRUE(is) << is.message();
  ASSERT_TRUE(ifPlan) << ifPlan.message();
  at::Tensor ids =
      at::tensor(std::vector<int64_t>{1, 5, 7, 2, 9, 3, 11, 4}, at::kLong)
          .reshape({2, 4});
  for (std::vector<int64_t> prefix :
       {std::vector<int64_t>{}, std::vector<int64_t>{3, 12}}) {
    Executor a(*is), b(*ifPlan);
    a.setPrefix(prefix);
    b.setPrefix(prefix);
    auto x = a.forward(ids), y = b.forward(ids);
    ASSERT_TRUE(x) << x.message();
    ASSERT_TRUE(y) << y.message();
    EXPECT_TRUE(at::equal(*x, *y)) << prefix.size() << " prefix tokens";
    EXPECT_EQ(a.prefixState().positions, int64_t(prefix.size()));
    // Cached: the prompt, then one token.
    DecodeCache cache;
    auto first = b.forward(ids.narrow(1, 0, 3), &cache);
    ASSERT_TRUE(first) << first.message();
    EXPECT_EQ(cache.positions, 3 + int64_t(prefix.size()));
    auto next = b.forward(ids.narrow(1, 3, 1), &cache);
    ASSERT_TRUE(next) << next.message();
    EXPECT_EQ(next->size(1), 1);
  }
  Executor plain(*ifPlan), prefixed(*ifPlan);
  prefixed.setPrefix({3, 12});
  EXPECT_FALSE(at::equal(*plain.forward(ids), *prefixed.forward(ids)));
  // The prefix runs on the host: no spikes counted for it.
  EXPECT_EQ(plain.tokensRun(), prefixed.tokensRun());
}

} // namespace
