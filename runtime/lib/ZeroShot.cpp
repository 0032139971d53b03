//===- ZeroShot.cpp - Multiple-choice scoring by log-likelihood -----------===//

#include "spike/runtime/ZeroShot.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace spike::runtime {

LoglikRequest tokenizeChoice(const core::Tokenizer &tok,
                             const core::Choice &choice, int32_t bos) {
  std::string context = choice.context, continuation = choice.continuation;
  size_t keep = context.find_last_not_of(' ');
  keep = keep == std::string::npos ? 0 : keep + 1;
  continuation = context.substr(keep) + continuation;
  context.resize(keep);
  std::vector<int32_t> whole = tok.encode(context + continuation);
  std::vector<int32_t> head = tok.encode(context);
  LoglikRequest r;
  if (bos >= 0)
    r.context.push_back(bos);
  size_t split = std::min(head.size(), whole.size());
  r.context.insert(r.context.end(), whole.begin(), whole.begin() + split);
  r.continuation.assign(whole.begin() + split, whole.end());
  if (r.context.empty()) {
    // The harness's prefix token: BOS, else EOS; a continuation that
    // already starts with it gives up its first token instead.
    int64_t prefix = tok.bos() >= 0 ? tok.bos() : std::max(tok.eos(), 0);
    if (!r.continuation.empty() && r.continuation[0] == prefix)
      r.continuation.erase(r.continuation.begin());
    r.context.push_back(prefix);
  }
  return r;
}

int64_t normLength(const std::string &continuation) {
  // Bytes that start a UTF-8 character.
  int64_t n =
      std::count_if(continuation.begin(), continuation.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      });
  n -= !continuation.empty() && continuation[0] == ' ';
  return std::max<int64_t>(1, n);
}

core::Result<std::vector<double>>
logLikelihoods(Executor &exec, const std::vector<LoglikRequest> &requests,
               int64_t batch,
               const std::function<void(int64_t, int64_t)> &progress,
               std::vector<bool> *greedy) {
  // Longest first, so that batches hold sequences of similar length.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  auto length = [&](size_t i) {
    return requests[i].context.size() + requests[i].continuation.size() - 1;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return length(a) > length(b); });
  std::vector<double> out(requests.size(), 0.0);
  if (greedy)
    greedy->assign(requests.size(), false);
  for (size_t b0 = 0; b0 < order.size(); b0 += size_t(batch)) {
    size_t b1 = std::min(order.size(), b0 + size_t(batch));
    int64_t width = int64_t(length(order[b0]));
    at::Tensor tokens = at::zeros({int64_t(b1 - b0), width}, at::kLong);
    for (size_t k = b0; k < b1; ++k) {
      const LoglikRequest &r = requests[order[k]];
      std::vector<int64_t> seq = r.context;
      seq.insert(seq.end(), r.continuation.begin(), r.continuation.end());
      seq.pop_back(); // the last token is predicted, not read
      std::copy(seq.begin(), seq.end(),
                tokens[int64_t(k - b0)].data_ptr<int64_t>());
    }
    auto logits = exec.forward(tokens);
    if (!logits)
      return logits.status();
    at::Tensor logp = at::log_softmax(logits->to(at::kCPU, at::kDouble), -1);
    for (size_t k = b0; k < b1; ++k) {
      const LoglikRequest &r = requests[order[k]];
      int64_t first = int64_t(r.context.size()) - 1; // predicts cont[0]
      at::Tensor rows = logp[int64_t(k - b0)].narrow(
          0, first, int64_t(r.continuation.size()));
      at::Tensor ids = at::tensor(r.continuation, at::kLong).unsqueeze(-1);
      out[order[k]] = rows.gather(-1, ids).sum().item<double>();
      if (greedy)
        (*greedy)[order[k]] =
            rows.argmax(-1).equal(ids.squeeze(-1).to(at::kLong));
    }
    if (progress)
      progress(int64_t(b1), int64_t(order.size()));
  }
  return out;
}

namespace {
/// The harness's standard error of a mean of 0/1 outcomes.
double stderrOfMean(double p, int64_t n) {
  return n > 1 ? std::sqrt(p * (1 - p) / double(n - 1)) : 0.0;
}
} // namespace

core::Result<TaskScore>
scoreTask(Executor &exec, const core::Tokenizer &tok,
          const core::ZeroShotTask &task, int64_t batch, int32_t bos,
          const std::function<void(int64_t, int64_t)> &progress) {
  auto started = std::chrono::steady_clock::now();
  std::vector<LoglikRequest> requests;
  for (const core::TaskItem &item : task.items)
    for (const core::Choice &c : item.choices)
      requests.push_back(tokenizeChoice(tok, c, bos));
  auto ll = logLikelihoods(exec, requests, batch, progress);
  if (!ll)
    return ll.status();
  TaskScore s;
  s.name = task.name;
  s.reportsNorm = task.reportsNorm;
  s.n = int64_t(task.items.size());
  size_t k = 0;
  int64_t right = 0, rightNorm = 0;
  for (const core::TaskItem &item : task.items) {
    int best = 0, bestNorm = 0;
    double top = -INFINITY, topNorm = -INFINITY;
    ItemScore scored;
    for (size_t c = 0; c < item.choices.size(); ++c, ++k) {
      double v = (*ll)[k];
      scored.logliks.push_back(v);
      double length = double(normLength(item.choices[c].continuation));
      if (v > top)
        top = v, best = int(c);
      if (v / length > topNorm)
        topNorm = v / length, bestNorm = int(c);
    }
    right += best == item.gold;
    rightNorm += bestNorm == item.gold;
    scored.gold = item.gold, scored.pred = best, scored.predNorm = bestNorm;
    s.items.push_back(std::move(scored));
  }
  s.acc = double(right) / double(s.n);
  s.accNorm = double(rightNorm) / double(s.n);
  s.accStderr = stderrOfMean(s.acc, s.n);
  s.accNormStderr = stderrOfMean(s.accNorm, s.n);
  s.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return s;
}

} // namespace spike::runtime
