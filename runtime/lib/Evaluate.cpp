//===- Evaluate.cpp - Perplexity and spike statistics ---------------------===//

#include "spike/runtime/Evaluate.h"

#include <chrono>
#include <cmath>

namespace spike::runtime {

namespace {
/// Cuts `ids` into the chunks of `options` and calls visit(tokens, logits)
/// on each batch ([B, seqLen] int64 and the plan's first output); returns
/// the number of chunks.
core::Result<int64_t> forEachBatch(
    Executor &exec, const std::vector<int32_t> &ids, const EvalOptions &options,
    const std::function<void(const at::Tensor &, const at::Tensor &)> &visit) {
  int64_t n = options.maxTokens > 0
                  ? std::min<int64_t>(options.maxTokens, int64_t(ids.size()))
                  : int64_t(ids.size());
  int64_t body = options.bos >= 0 ? options.seqLen - 1 : options.seqLen;
  if (body < 2)
    return core::Status::error("sequence length too short");
  int64_t chunks = n / body;
  if (chunks == 0)
    return core::Status::error("only " + std::to_string(n) +
                               " tokens: fewer than one chunk of " +
                               std::to_string(options.seqLen));
  for (int64_t c0 = 0; c0 < chunks; c0 += options.batch) {
    int64_t b = std::min(options.batch, chunks - c0);
    at::Tensor tokens = at::empty({b, options.seqLen}, at::kLong);
    auto *t = tokens.data_ptr<int64_t>();
    for (int64_t i = 0; i < b; ++i) {
      int64_t k = 0;
      if (options.bos >= 0)
        t[i * options.seqLen + k++] = options.bos;
      for (int64_t j = 0; j < body; ++j)
        t[i * options.seqLen + k++] = ids[(c0 + i) * body + j];
    }
    auto out = exec.forward(tokens);
    if (!out)
      return out.status();
    visit(tokens, *out);
    if (options.progress)
      options.progress(c0 + b, chunks);
  }
  return chunks;
}
} // namespace

core::Result<EvalResult> evaluatePerplexity(Executor &exec,
                                            const std::vector<int32_t> &ids,
                                            const EvalOptions &options) {
  auto start = std::chrono::steady_clock::now();
  EvalResult r;
  double total = 0;
  auto chunks = forEachBatch(
      exec, ids, options,
      [&](const at::Tensor &tokens, const at::Tensor &logits) {
        // Position j predicts token j + 1: every token after the first (the
        // BOS, when there is one) is scored.
        at::Tensor logp = at::log_softmax(
            logits.narrow(1, 0, options.seqLen - 1).to(at::kDouble), -1);
        at::Tensor target =
            tokens.narrow(1, 1, options.seqLen - 1).to(logits.device());
        at::Tensor picked = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1);
        total -= picked.sum().item<double>();
        r.predicted += picked.numel();
      });
  if (!chunks)
    return chunks.status();
  r.chunks = *chunks;
  r.nll = total / double(r.predicted);
  r.perplexity = std::exp(r.nll);
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return r;
}

core::Result<int64_t> runChunks(Executor &exec, const std::vector<int32_t> &ids,
                                const EvalOptions &options) {
  return forEachBatch(exec, ids, options,
                      [](const at::Tensor &, const at::Tensor &) {});
}

} // namespace spike::runtime
