//===- ZeroShotTest.cpp - Log-likelihood scoring, by hand -----------------===//
//
// The scorer's log-likelihoods equal the ones computed by hand from one
// forward pass of the tiny golden plan (exactly one at a time; to f32
// rounding in right-padded batches), and the
// harness's tokenization rules hold (trailing context spaces move into the
// continuation).
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/ZeroShot.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

/// 16 single-character tokens, "a".."o" and " ", matching the golden plan's
/// vocabulary; no merges.
std::unique_ptr<core::Tokenizer> tinyTokenizer() {
  std::vector<std::string> tokens;
  for (char c = 'a'; c <= 'o'; ++c)
    tokens.push_back(std::string(1, c));
  tokens.push_back(core::bytesToByteLevel(" "));
  auto tok = core::makeByteLevelBPE(tokens, {}, false, -1, 15);
  EXPECT_TRUE(tok) << tok.message();
  return tok.take();
}

Plan goldenPlan(const char *level) {
  auto plan = loadPlan(std::string(SPIKE_SOURCE_DIR) +
                       "/test/Plan/golden/tiny-" + level + ".plan.json");
  EXPECT_TRUE(plan) << plan.message();
  return plan.take();
}

/// sum_j log softmax(logits[ctx + j - 1])[cont[j]], from one forward pass.
double byHand(Executor &exec, const std::vector<int64_t> &context,
              const std::vector<int64_t> &continuation) {
  std::vector<int64_t> seq = context;
  seq.insert(seq.end(), continuation.begin(), continuation.end());
  at::Tensor tokens =
      at::tensor(seq, at::kLong).reshape({1, int64_t(seq.size())});
  at::Tensor logp =
      at::log_softmax(exec.forward(tokens)->to(at::kDouble), -1)[0];
  double sum = 0;
  for (size_t j = 0; j < continuation.size(); ++j)
    sum +=
        logp[int64_t(context.size() + j - 1)][continuation[j]].item<double>();
  return sum;
}

TEST(ZeroShot, TokenizationFollowsTheHarness) {
  auto tok = tinyTokenizer();
  LoglikRequest r = tokenizeChoice(*tok, {"ab ", "cd"});
  EXPECT_EQ(r.context, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(r.continuation, (std::vector<int64_t>{15, 2, 3})); // " cd"
  LoglikRequest empty = tokenizeChoice(*tok, {"", "a"});
  EXPECT_EQ(empty.context, (std::vector<int64_t>{15})); // EOS stands in
  LoglikRequest withBos = tokenizeChoice(*tok, {"ab", " c"}, /*bos=*/7);
  EXPECT_EQ(withBos.context, (std::vector<int64_t>{7, 0, 1}));
}

TEST(ZeroShot, LogLikelihoodsEqualHandComputed) {
  auto tok = tinyTokenizer();
  for (const char *level : {"fp", "is"}) {
    Plan plan = goldenPlan(level);
    Executor exec(plan);
    std::vector<LoglikRequest> requests = {
        tokenizeChoice(*tok, {"abc", " de"}),
        tokenizeChoice(*tok, {"hello", " jig"}),
        tokenizeChoice(*tok, {"a", "b"})};
    // Batched (right padding) and one at a time.
    auto batched = logLikelihoods(exec, requests, 3);
    auto single = logLikelihoods(exec, requests, 1);
    ASSERT_TRUE(batched) << batched.message();
    ASSERT_TRUE(single) << single.message();
    for (size_t i = 0; i < requests.size(); ++i) {
      double expected =
          byHand(exec, requests[i].context, requests[i].continuation);
      // Padding lengthens the attention rows: f32 rounding, not more.
      EXPECT_NEAR((*batched)[i], expected, 1e-5) << level << " request " << i;
      EXPECT_NEAR((*single)[i], expected, 1e-12) << level << " request " << i;
    }
  }
}

TEST(ZeroShot, AccuracyPicksTheLikeliestChoice) {
  auto tok = tinyTokenizer();
  Plan plan = goldenPlan("fp");
  Executor exec(plan);
  core::ZeroShotTask task;
  task.name = "tiny";
  task.items.push_back({{{"ab", " c"}, {"ab", " dd"}}, 0});
  task.items.push_back({{{"ef", " g"}, {"ef", " h"}}, 1});
  auto score = scoreTask(exec, *tok, task, 4);
  ASSERT_TRUE(score) << score.message();
  int64_t right = 0, rightNorm = 0;
  for (const auto &item : task.items) {
    double best = -1e300, bestNorm = -1e300;
    int pick = 0, pickNorm = 0;
    for (size_t c = 0; c < item.choices.size(); ++c) {
      LoglikRequest r = tokenizeChoice(*tok, item.choices[c]);
      double ll = byHand(exec, r.context, r.continuation);
      double norm = ll / double(item.choices[c].continuation.size() - 1);
      if (ll > best)
        best = ll, pick = int(c);
      if (norm > bestNorm)
        bestNorm = norm, pickNorm = int(c);
    }
    right += pick == item.gold;
    rightNorm += pickNorm == item.gold;
  }
  EXPECT_DOUBLE_EQ(score->acc, right / 2.0);
  EXPECT_DOUBLE_EQ(score->accNorm, rightNorm / 2.0);
  EXPECT_EQ(score->n, 2);
}

} // namespace
