//===- RunModes.cpp - Ways to run a mapped model, and what they cost ------===//

#include "spike/core/Chip/RunModes.h"

#include <algorithm>
#include <cmath>

namespace spike::core {

namespace {

/// A published measurement of a device running an LLM.
struct PublishedDevice {
  const char *name, *source, *note;
  double pjPerToken, tokensPerSecond;
};

/// SmolLM2-135M itself on an NVIDIA Jetson Orin Nano Super 8 GB (llama.cpp
/// CUDA, 25 W mode, one user, prompt up to 2,048 and 256 generated tokens):
/// 165.2 tokens/s decoding; 22.6 output tokens per joule, output tokens /
/// (average power x request latency), so the prompt's processing is in the
/// energy; about 5.4 W.
/// A public benchmark with its raw per-request data, not peer reviewed.
constexpr PublishedDevice kEdgeGpu = {
    "edge GPU (Jetson Orin Nano Super)",
    "Y. Singh, \"Tiny LLM Benchmark: Jetson Orin Nano Super 8GB\", "
    "smolhub.com, 2026; raw data: huggingface.co/datasets/YuvrajSingh9886/"
    "jetson-non-reasoning-benchmark-25w",
    "measured: SmolLM2-135M (its GGUF, not our W6A6 model) with llama.cpp "
    "CUDA in 25 W mode, one user; 165.2 tokens/s decoding, and 22.6 "
    "output tokens per joule over whole requests (prompts of up to 2,048 "
    "tokens included), about 5.4 W; not peer reviewed",
    1e12 / 22.6, 165.2};

/// `tokens` tokens in `ns` nanoseconds on `chip`: their time and static
/// share per token (mW x ns = pJ, for every chip the mapping uses).
RunMode timed(const std::string &name, const MappingResult &r,
              const ChipDescription &chip, double ns, double tokens) {
  RunMode m;
  m.name = name;
  m.tokensPerSecond = ns > 0 ? tokens * 1e9 / ns : 0;
  m.staticPj = chip.staticMw * double(r.chipsUsed) * ns / tokens;
  m.dynamicPj = r.dynamicPj();
  return m;
}

} // namespace

double denseMacs(const MappingInput &in) {
  double macs = 0;
  for (const MappedSynapses &s : in.synapses)
    macs += double(s.outputs) * double(s.fanIn);
  return macs;
}

RunModes runModes(const MappingResult &r, const ChipDescription &chip,
                  int64_t batch, int64_t prompt) {
  RunModes m;
  m.pipelineDepth = int64_t(r.stageNs.size());
  double slowest = 0;
  for (double ns : r.stageNs)
    slowest = std::max(slowest, ns);
  // No K/V state, or state on the host: memory does not bound the batch
  // here (-1); else as many sequences as fit (0: not even one).
  if (r.kvBitsPerSequence > 0 && !r.kvOnHost)
    m.maxBatchByMemory = int64_t(r.kvMemoryBits / r.kvBitsPerSequence);

  m.decode = timed("decode, batch 1", r, chip, r.latencyNs, 1);
  m.decode.latencyNs = r.latencyNs;

  int64_t b = batch;
  if (b <= 0) {
    b = std::max<int64_t>(1, m.pipelineDepth);
    if (m.maxBatchByMemory >= 0)
      b = std::max<int64_t>(1, std::min(b, m.maxBatchByMemory));
  }
  m.kvFits = m.maxBatchByMemory < 0 || b <= m.maxBatchByMemory;
  double round = std::max(r.latencyNs, double(b) * slowest);
  m.batched =
      timed("decode, batch " + std::to_string(b), r, chip, round, double(b));
  m.batched.batch = b;
  m.batched.latencyNs = round;

  int64_t p = std::max<int64_t>(1, prompt);
  double fill = r.latencyNs + double(p - 1) * slowest;
  m.prefill = timed("prefill, " + std::to_string(p) + " tokens", r, chip, fill,
                    double(p));
  m.prefill.prompt = p;
  m.prefill.latencyNs = fill;
  return m;
}

std::vector<Reference> references(const MappingInput &in,
                                  const ChipDescription &chip) {
  std::vector<Reference> refs;
  double macs = denseMacs(in);
  if (chip.denseInt8MacPj > 0 || chip.denseSramBytePj > 0)
    refs.push_back({"int8 dense accelerator", "computed",
                    "energy.dense_* of the chip file",
                    macs * (chip.denseInt8MacPj + chip.denseSramBytePj), 0,
                    "one MAC and one weight byte from SRAM per weight and "
                    "token; no static power, no activations"});
  refs.push_back({"SOP convention, ANN", "computed",
                  "Horowitz, ISSCC 2014 (45 nm, 32-bit float MAC 4.6 pJ)",
                  macs * kSopMacPj, 0,
                  "the linear layers' MACs x 4.6 pJ, as the spiking-LLM "
                  "papers count; compare with the SNN's spikes x synapses x "
                  "0.9 pJ"});
  refs.push_back({kEdgeGpu.name, "published", kEdgeGpu.source,
                  kEdgeGpu.pjPerToken, kEdgeGpu.tokensPerSecond,
                  kEdgeGpu.note});
  return refs;
}

BreakEven breakEven(const MappingResult &r, const RunMode &mode, double pj) {
  double variable = r.rateDependentPj();
  double fixed = mode.totalPj() - variable;
  if (pj <= fixed)
    return {BreakEven::None, 0};
  if (variable <= 0 || r.rate() <= 0)
    return {BreakEven::Any, 0};
  return {BreakEven::At, r.rate() * (pj - fixed) / variable};
}

} // namespace spike::core
