//===- ZeroShotTest.cpp - Log-likelihood scoring, by hand -----------------===//
//
// The scorer's log-likelihoods equal the ones computed by hand from one
// forward pass of the tiny golden plan (one at a time: the same forward on
// the same tokens, so only the order of the final double sum may differ;
// in right-padded batches to a tolerance derived from f32 rounding), and
// the harness's tokenization rules hold (trailing context spaces move into
// the continuation).
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/ZeroShot.h"

#include "RoundingMargin.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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

/// sum_j log softmax(logits[ctx + j - 1])[cont[j]], from one forward pass
/// over the sequence without its last token (which is predicted, not read),
/// as the scorer runs it. `absSum` gets sum_j |term_j| and `maxLogit` the
/// largest |logit| of the rows used, for the tolerances below.
double byHand(Executor &exec, const std::vector<int64_t> &context,
              const std::vector<int64_t> &continuation,
              double *absSum = nullptr, double *maxLogit = nullptr) {
  std::vector<int64_t> seq = context;
  seq.insert(seq.end(), continuation.begin(), continuation.end());
  seq.pop_back();
  at::Tensor tokens =
      at::tensor(seq, at::kLong).reshape({1, int64_t(seq.size())});
  at::Tensor logits = exec.forward(tokens)->to(at::kDouble)[0];
  at::Tensor logp = at::log_softmax(logits, -1);
  double sum = 0, abs = 0, top = 0;
  for (size_t j = 0; j < continuation.size(); ++j) {
    int64_t row = int64_t(context.size() + j - 1);
    double term = logp[row][continuation[j]].item<double>();
    sum += term, abs += std::fabs(term);
    top = std::max(top, logits[row].abs().max().item<double>());
  }
  if (absSum)
    *absSum = abs;
  if (maxLogit)
    *maxLogit = top;
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
  // A tokenizer with BOS ("h", 7): an empty context reads BOS; a
  // continuation that starts with it gives it up instead (lm_eval 0.4.13).
  std::vector<std::string> tokens;
  for (char c = 'a'; c <= 'o'; ++c)
    tokens.push_back(std::string(1, c));
  tokens.push_back(core::bytesToByteLevel(" "));
  auto withBosToken = core::makeByteLevelBPE(tokens, {}, false, 7, 15);
  ASSERT_TRUE(withBosToken) << withBosToken.message();
  LoglikRequest bosFirst = tokenizeChoice(**withBosToken, {"", "ab"});
  EXPECT_EQ(bosFirst.context, (std::vector<int64_t>{7}));
  EXPECT_EQ(bosFirst.continuation, (std::vector<int64_t>{0, 1}));
  LoglikRequest startsWithBos = tokenizeChoice(**withBosToken, {"", "ha"});
  EXPECT_EQ(startsWithBos.context, (std::vector<int64_t>{7}));
  EXPECT_EQ(startsWithBos.continuation, (std::vector<int64_t>{0}));
}

TEST(ZeroShot, LogLikelihoodsEqualHandComputed) {
  auto tok = tinyTokenizer();
  for (const char *level : {"fp", "is"}) {
    Plan plan = goldenPlan(level);
    Executor exec(plan);
    // Requests whose IS forward keeps every decision far from a flip
    // (asserted below; "hello" has one within the reach of f32 rounding).
    std::vector<LoglikRequest> requests = {
        tokenizeChoice(*tok, {"ab", " de"}),
        tokenizeChoice(*tok, {"dog", " fig"}),
        tokenizeChoice(*tok, {"a", "b"})};
    // Batched (right padding) and one at a time.
    auto batched = logLikelihoods(exec, requests, 3);
    auto single = logLikelihoods(exec, requests, 1);
    ASSERT_TRUE(batched) << batched.message();
    ASSERT_TRUE(single) << single.message();
    for (size_t i = 0; i < requests.size(); ++i) {
      double absSum = 0, maxLogit = 0;
      double expected = byHand(exec, requests[i].context,
                               requests[i].continuation, &absSum, &maxLogit);
      double n = double(requests[i].continuation.size());
      // One at a time the forward is the same computation on the same
      // tokens; the n terms may be summed in another order (ATen's sum):
      // at most n ulps of their absolute sum apart.
      double sumTol = n * std::numeric_limits<double>::epsilon() * absSum;
      EXPECT_NEAR((*single)[i], expected, sumTol) << level << " request " << i;
      // Batched, padding changes the shapes of every product and softmax,
      // so each f32 result may round differently; at the IS level that is
      // all, provided no neuron decision is within rounding of a flip:
      std::vector<int64_t> seq = requests[i].context;
      seq.insert(seq.end(), requests[i].continuation.begin(),
                 requests[i].continuation.end() - 1);
      auto margins = margin::roundingMargins(
          plan, at::tensor(seq, at::kLong).reshape({1, int64_t(seq.size())}));
      ASSERT_GT(margins.rounding, margin::kSafeRoundingMargin)
          << level << " request " << i << " is near a rounding flip";
      // The tiny block's longest
      // chain is about 64 roundings (embedding, norm, 8- and 16-long dot
      // products, softmax, residuals, lm_head), each of relative size
      // 2^-24, so a logit moves by at most 64 * 2^-24 * (1 + max |logit|)
      // and a log-probability by twice that; n of them are summed.
      double f32Tol = n * 2 * 64 * std::ldexp(1.0, -24) * (1 + maxLogit);
      EXPECT_NEAR((*batched)[i], expected, f32Tol + sumTol)
          << level << " request " << i;
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
    std::vector<double> lls, norms;
    for (size_t c = 0; c < item.choices.size(); ++c) {
      LoglikRequest r = tokenizeChoice(*tok, item.choices[c]);
      double ll = byHand(exec, r.context, r.continuation);
      double norm = ll / double(item.choices[c].continuation.size() - 1);
      lls.push_back(ll), norms.push_back(norm);
      if (ll > best)
        best = ll, pick = int(c);
      if (norm > bestNorm)
        bestNorm = norm, pickNorm = int(c);
    }
    // The batched scorer may round differently (by far less than 1e-3, the
    // tolerance above): the choices must not be that close to a tie.
    ASSERT_GT(std::fabs(lls[0] - lls[1]), 1e-3);
    ASSERT_GT(std::fabs(norms[0] - norms[1]), 1e-3);
    right += pick == item.gold;
    rightNorm += pickNorm == item.gold;
  }
  EXPECT_DOUBLE_EQ(score->acc, right / 2.0);
  EXPECT_DOUBLE_EQ(score->accNorm, rightNorm / 2.0);
  EXPECT_EQ(score->n, 2);
  // The per-item record (spike-run zeroshot --samples) says the same.
  ASSERT_EQ(score->items.size(), 2u);
  int64_t itemRight = 0, itemRightNorm = 0;
  for (const ItemScore &item : score->items) {
    EXPECT_EQ(item.logliks.size(), 2u);
    int top = item.logliks[0] >= item.logliks[1] ? 0 : 1;
    EXPECT_EQ(item.pred, top);
    itemRight += item.pred == item.gold;
    itemRightNorm += item.predNorm == item.gold;
  }
  EXPECT_EQ(itemRight, right);
  EXPECT_EQ(itemRightNorm, rightNorm);
}

TEST(ZeroShot, AccNormDividesByCharactersAsTheHarness) {
  // Python's len(): code points, not UTF-8 bytes; the joining " " excluded.
  EXPECT_EQ(normLength(" caf\xc3\xa9"), 4); // " café"
  EXPECT_EQ(normLength(" 30 \xc2\xb0"
                       "C"),
            5); // " 30 °C"
  EXPECT_EQ(normLength("\xe2\x82\xac"
                       "5"),
            2);                      // "€5", no leading space
  EXPECT_EQ(normLength("  two"), 4); // a choice that starts with " "
  EXPECT_EQ(normLength(" "), 1);     // never 0
  EXPECT_EQ(normLength(""), 1);
}

} // namespace
