//===- Generate.cpp - Sampling continuations from a plan ------------------===//

#include "spike/runtime/Generate.h"

namespace spike::runtime {

int64_t sampleToken(const at::Tensor &logits, const SamplingOptions &options,
                    std::mt19937_64 &rng) {
  at::Tensor last = logits.to(at::kCPU, at::kDouble);
  if (options.topK == 1)
    return last.argmax().item<int64_t>();
  at::Tensor probs = at::softmax(last / options.temperature, -1);
  if (options.topK > 0) {
    auto [values, indices] = probs.topk(options.topK);
    probs = at::zeros_like(probs).scatter(0, indices, values);
  }
  probs = probs.contiguous();
  std::vector<double> p(probs.data_ptr<double>(),
                        probs.data_ptr<double>() + probs.numel());
  return std::discrete_distribution<int64_t>(p.begin(), p.end())(rng);
}

core::Result<at::Tensor>
generateSequences(Executor &exec, int64_t start, int64_t count, int64_t length,
                  const SamplingOptions &options, uint64_t seed,
                  const std::function<void(int64_t, int64_t)> &progress) {
  std::mt19937_64 rng(seed);
  at::Tensor out = at::empty({count, length}, at::kLong);
  out.select(1, 0).fill_(start);
  DecodeCache cache;
  for (int64_t pos = 1; pos < length; ++pos) {
    auto logits = exec.forward(out.narrow(1, pos - 1, 1), &cache);
    if (!logits)
      return logits.status();
    for (int64_t i = 0; i < count; ++i)
      out[i][pos] = sampleToken((*logits)[i][0], options, rng);
    if (progress)
      progress(pos + 1, length);
  }
  return out;
}

} // namespace spike::runtime
