//===- Executor.cpp - Runs a plan on token ids ----------------------------===//

#include "spike/runtime/Executor.h"
#include "spike/runtime/DefinedMaps.h"
#include "spike/runtime/ExactProduct.h"
#include "spike/runtime/Gemm.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/OrderedProduct.h"
#ifdef SPIKE_HAVE_ATEN_CUDA
#include "spike/runtime/CudaDispatch.h"
#endif

#include <chrono>
#include <cmath>

namespace spike::runtime {

namespace {

/// The CPU's defined maps apply (DefinedMaps.h): `defined` (the QANN and
/// spiking levels) and no gradient to carry.
bool definedMap(bool defined, const at::Tensor &x) {
  return defined && x.is_cpu() && !x.requires_grad();
}

at::Tensor rmsnorm(const at::Tensor &x, const at::Tensor &w, double eps,
                   bool defined) {
  if (definedMap(defined, x) && !w.requires_grad())
    return definedRmsnorm(x, w, eps);
  // Hugging Face's order of operations, in f32.
  at::Tensor variance = x.pow(2).mean(-1, /*keepdim=*/true);
  return w * (x * at::rsqrt(variance + eps));
}

/// Op `op`'s weight when it is bf16 or f16, else undefined.
at::Tensor halfWeight(const PlanOp &op) {
  auto w = op.params.find("weight");
  if (w == op.params.end() || (w->second.scalar_type() != at::kBFloat16 &&
                               w->second.scalar_type() != at::kHalf))
    return {};
  return w->second;
}

/// SiLU; `defined`: as rmsnorm.
at::Tensor silu(const at::Tensor &x, bool defined) {
  return definedMap(defined, x) ? definedSilu(x) : at::silu(x);
}

/// Softmax over the last dimension; causal: query i sits at key position
/// n - m + i (a KV cache precedes it) and sees keys up to it. `owned`: x is
/// a temporary of the caller's that may be overwritten (saves a copy).
/// `defined`: as rmsnorm.
at::Tensor softmax(const at::Tensor &x, bool causal, bool defined,
                   bool owned = false) {
  if (definedMap(defined, x))
    return definedSoftmax(x, causal);
  if (!causal)
    return at::softmax(x, -1);
  int64_t m = x.size(-2), n = x.size(-1);
  at::Tensor mask =
      at::ones({m, n}, x.options().dtype(at::kBool)).triu(n - m + 1);
  if (owned && !x.requires_grad()) {
    at::Tensor scores = x;
    scores.masked_fill_(mask, -INFINITY);
    return at::softmax(scores, -1);
  }
  return at::softmax(x.masked_fill(mask, -INFINITY), -1);
}

/// Inverse frequencies of RoPE with optional linear, LLaMA-3 or per-
/// frequency (GGUF rope_freqs) scaling.
std::vector<double> ropeFrequencies(const RoPEConfig &cfg, int64_t dim) {
  std::vector<double> inv(dim / 2);
  for (int64_t i = 0; i < dim / 2; ++i)
    inv[i] = 1.0 / std::pow(cfg.base, double(2 * i) / double(dim));
  if (cfg.scaling == "linear")
    for (double &f : inv)
      f /= cfg.factor;
  if (cfg.scaling == "factors") // validated: one factor per frequency
    for (size_t i = 0; i < inv.size(); ++i)
      inv[i] /= cfg.freqFactors[i];
  if (cfg.scaling == "llama3") {
    double orig = double(cfg.originalMaxPosition);
    double lowWavelen = orig / cfg.lowFreqFactor;
    double highWavelen = orig / cfg.highFreqFactor;
    for (double &f : inv) {
      double wavelen = 2 * M_PI / f;
      if (wavelen > lowWavelen) {
        f /= cfg.factor;
      } else if (wavelen >= highWavelen) {
        double smooth = (orig / wavelen - cfg.lowFreqFactor) /
                        (cfg.highFreqFactor - cfg.lowFreqFactor);
        f = (1 - smooth) * f / cfg.factor + smooth * f;
      }
    }
  }
  return inv;
}

/// `cpu` on `device`. To a GPU through pinned memory and without waiting:
/// the per-forward uploads (token ids, RoPE tables) then never stall the
/// host (the caching host allocator keeps the pinned block until the copy
/// is done).
at::Tensor hostToDevice(const at::Tensor &cpu, at::Device device) {
  if (!device.is_cuda())
    return cpu.to(device);
  return cpu.contiguous().pin_memory().to(device, /*non_blocking=*/true);
}

/// Rotates pairs (i, i + Dh/2) of [..., S, Dh] by position (HF pairing).
at::Tensor rope(const at::Tensor &x, const RoPEConfig &cfg, int64_t offset) {
  int64_t s = x.size(-2), dim = x.size(-1);
  std::vector<double> inv = ropeFrequencies(cfg, dim);
  at::Tensor angles = at::empty({s, dim}, at::kDouble);
  double *a = angles.data_ptr<double>();
  for (int64_t p = 0; p < s; ++p)
    for (int64_t i = 0; i < dim / 2; ++i)
      a[p * dim + i] = a[p * dim + i + dim / 2] = double(p + offset) * inv[i];
  // cos and sin in double on the host (the same bits on every device),
  // uploaded as one table.
  at::Tensor table = hostToDevice(
      at::stack({angles.cos(), angles.sin()}).to(at::kFloat), x.device());
  at::Tensor cos = table[0], sin = table[1];
  at::Tensor x1 = x.narrow(-1, 0, dim / 2), x2 = x.narrow(-1, dim / 2, dim / 2);
  at::Tensor rotated = at::cat({-x2, x1}, -1);
  return x * cos + rotated * sin;
}

at::Tensor splitHeads(const at::Tensor &x, int64_t heads) {
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end() - 1);
  int64_t d = x.size(-1);
  shape.push_back(heads);
  shape.push_back(d / heads);
  return x.reshape(shape).transpose(-2, -3).contiguous();
}

at::Tensor mergeHeads(const at::Tensor &x) {
  at::Tensor t = x.transpose(-2, -3).contiguous(); // [..., S, H, Dh]
  std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end() - 2);
  shape.push_back(t.size(-2) * t.size(-1));
  return t.reshape(shape);
}

/// S(t) = S(t-1) + x(t) over the leading (time) dimension, in f32 step by
/// step as a chip accumulates (at::cumsum accumulates in double on CPU,
/// which is not the defined arithmetic).
at::Tensor runningSum(const at::Tensor &x) {
  if (x.size(0) == 1)
    return x;
#ifdef SPIKE_HAVE_ATEN_CUDA
  if (x.is_cuda() && !x.requires_grad())
    return cudaglue::runningSum(x);
#endif
  if (x.requires_grad()) { // calibration: out-of-place, for autograd
    at::Tensor out = x.clone();
    for (int64_t t = 1; t < x.size(0); ++t)
      out[t] = out[t - 1] + x[t];
    return out;
  }
  at::Tensor out = at::empty_like(x);
  out[0].copy_(x[0]);
  for (int64_t t = 1; t < x.size(0); ++t) {
    at::Tensor step = out[t];
    at::add_out(step, out[t - 1], x[t]);
  }
  return out;
}

/// o(t) = O(t) - O(t-1) with O(0) = 0 (eqs 33-35).
at::Tensor differences(const at::Tensor &o) {
#ifdef SPIKE_HAVE_ATEN_CUDA
  if (o.is_cuda() && !o.requires_grad())
    return cudaglue::differences(o);
#endif
  if (o.size(0) == 1)
    return o; // o - 0, bit for bit
  if (o.requires_grad())
    return o - at::cat({at::zeros_like(o.narrow(0, 0, 1)),
                        o.narrow(0, 0, o.size(0) - 1)},
                       0);
  // The same subtractions, without the shifted copy.
  at::Tensor out = at::empty_like(o);
  int64_t steps = o.size(0);
  out[0].copy_(o[0]);
  at::Tensor rest = out.narrow(0, 1, steps - 1);
  at::sub_out(rest, o.narrow(0, 1, steps - 1), o.narrow(0, 0, steps - 1));
  return out;
}

/// differences(o) in place on a tensor the caller owns: from the last step
/// back, so that each O(t-1) is still there; the same subtractions.
at::Tensor differencesInPlace(at::Tensor o) {
  if (o.requires_grad() || !o.is_cpu() || o.size(0) == 1)
    return differences(o);
  for (int64_t t = o.size(0) - 1; t > 0; --t)
    o[t].sub_(o[t - 1]);
  return o;
}

/// An IS neuron's graded spikes s(t) (int16) from its output values
/// (s(t) - alpha) * theta: exact, as |s(t) - alpha| is a small integer.
at::Tensor gradedSpikes(const at::Tensor &y, const PlanOp &op) {
  int64_t d = y.size(-1);
  std::vector<float> theta(d);
  for (int64_t c = 0; c < d; ++c)
    theta[c] = groupValue(op.threshold, c, d);
  at::Tensor perChannel = at::tensor(theta).to(y.device());
  return at::round(y / perChannel + op.neuron.alpha).to(at::kShort);
}

} // namespace

Executor::Executor(const Plan &plan)
    : plan_(plan), prefix_(plan.prefixTokens), linearSite_(plan.ops.size()),
      fanOut_(plan.ops.size(), 0), gridSources_(gridSources(plan)) {
  // Which neuron produces each value (looking through if_collect).
  std::vector<int> producer(plan.numValues, -1);
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    const PlanOp &op = plan.ops[i];
    if (op.kind == OpKind::ISNeuron || op.kind == OpKind::IFNeuron)
      producer[op.output] = int(i);
    if (op.kind == OpKind::IFCollect)
      producer[op.output] = producer[op.inputs[0]];
    if (op.kind == OpKind::Linear && producer[op.inputs[0]] >= 0) {
      int n = producer[op.inputs[0]];
      linearSite_[i] = plan.ops[n].site;
      fanOut_[n] += linearWeightShape(op)[0];
    }
  }
}

void Executor::settleDeviceCounts() const {
  for (auto &[index, counters] : deviceCounts_) {
    // The first read waits for the device.
    at::Tensor c = counters.cpu().contiguous();
    NeuronCounts n = NeuronCounts::fromFields(c.data_ptr<int64_t>());
    SpikeCounts &site = counts_[plan_.ops[index].site];
    site.add(n);
    site.synapticOps += n.events * fanOut_[index];
  }
  deviceCounts_.clear();
}

template <typename Kernel>
at::Tensor Executor::countSpikes(const PlanOp &op, const at::Tensor &x,
                                 size_t index, Kernel kernel) {
  if (prefixPass_) // on the host: no spikes
    return kernel(nullptr);
  bool inPlan = index < plan_.ops.size();
  int64_t steps = x.size(0), perStep = x.numel() / steps;
  SpikeTally tally;
  if (x.is_cuda() && inPlan) {
    at::Tensor &counters = deviceCounts_[index];
    if (!counters.defined())
      counters =
          at::zeros({NeuronCounts::kFields}, x.options().dtype(at::kLong));
    tally.onDevice = counters;
  }
  at::Tensor out = kernel(&tally);
  SpikeCounts &c = counts_[op.site];
  c.neurons = perStep;
  c.slots +=
      perStep * steps * (op.kind == OpKind::IFNeuron ? op.neuron.levels : 1);
  c.add(tally);
  if (inPlan)
    c.synapticOps += tally.events * fanOut_[index];
  return out;
}

at::Tensor Executor::run(const PlanOp &op,
                         const std::vector<at::Tensor> &values) {
  auto in = [&](size_t i) -> const at::Tensor & {
    return values[op.inputs[i]];
  };
  auto param = [&](const char *role) -> const at::Tensor & {
    return op.params.at(role);
  };
  // The op's index in the plan (none for ops built outside it).
  size_t index = size_t(&op - plan_.ops.data());
  auto neuronRun = [&](auto kernel) {
    return countSpikes(op, in(0), index, kernel);
  };
  switch (op.kind) {
  case OpKind::Embedding:
    return at::embedding(param("table"), in(0)).to(at::kFloat);
  case OpKind::RMSNorm:
    return rmsnorm(in(0), param("weight"), op.eps, definedArithmetic(in(0)));
  case OpKind::Linear:
    return runLinear(op, index, in(0));
  case OpKind::RoPE:
    return rope(in(0), op.rope, offset_);
  case OpKind::SplitHeads:
    return splitHeads(in(0), op.heads);
  case OpKind::MergeHeads:
    return mergeHeads(in(0));
  case OpKind::Matmul:
    return attentionProduct(op, in(0), withCachedKeys(index, in(1)), 1);
  case OpKind::Softmax:
    return softmax(in(0), op.causal, definedArithmetic(in(0)));
  case OpKind::SiLU:
    return silu(in(0), definedArithmetic(in(0)));
  case OpKind::Mul:
    return in(0) * in(1);
  case OpKind::Add:
    return in(0) + in(1);
  case OpKind::Quantize:
    return quantizeKernel(in(0), op.scale,
                          neuron::quantGrid(int(op.bits), op.isSigned),
                          Bypass{bypassRows()});
  case OpKind::Encode: {
    int64_t t = plan_.timesteps;
    std::vector<int64_t> shape = {t};
    shape.insert(shape.end(), in(0).sizes().begin(), in(0).sizes().end());
    return (in(0) / double(t)).unsqueeze(0).expand(shape).contiguous();
  }
  case OpKind::Decode:
    return pairwiseSum(in(0));
  case OpKind::ISNeuron:
    if (trainable_)
      if (auto it = trainable_->find(op.site); it != trainable_->end())
        return trainableISNeuron(in(0), it->second.theta(), it->second.u0,
                                 op.neuron, bypassRows(), tape_);
    return neuronRun([&](SpikeTally *tally) {
      at::Tensor charges, spikeCounts;
      at::Tensor y = isNeuronKernel(
          in(0), op.threshold, op.v0, op.neuron, tally, Bypass{bypassRows()},
          chip_, trace_ ? &charges : nullptr, trace_ ? &spikeCounts : nullptr);
      if (trace_ && chip_.stateBits) {
        (*trace_)[op.site + ".charge"] = asSteps(charges, bypassRows());
        (*trace_)[op.site + ".spikes"] = asSteps(spikeCounts, bypassRows());
      }
      if (neuronTrace_) {
        (*neuronTrace_)[op.site + ".current"] = asSteps(in(0), bypassRows());
        (*neuronTrace_)[op.site + ".spikes"] =
            asSteps(gradedSpikes(y, op), bypassRows());
      }
      return y;
    });
  case OpKind::IFNeuron:
    // Binary spikes cannot carry the prefix's full-precision values: the
    // prefix runs alone (prefixState) and passes the neuron as on the host.
    if (int64_t rows = bypassRows()) {
      if (rows < in(0).size(-2))
        throw std::runtime_error("an IF plan runs its prefix apart from the "
                                 "tokens (Executor::prefixState)");
      return in(0);
    }
    return neuronRun([&](SpikeTally *tally) {
      at::Tensor charges;
      at::Tensor spikes =
          ifNeuronKernel(in(0), op.threshold, op.v0, op.neuron, op.schedule,
                         tally, chip_, trace_ ? &charges : nullptr);
      if (trace_ && chip_.stateBits) {
        (*trace_)[op.site + ".charge"] = asSteps(charges);
        (*trace_)[op.site + ".spikes"] = asSteps(spikes);
      }
      if (neuronTrace_) {
        (*neuronTrace_)[op.site + ".current"] = asSteps(in(0), bypassRows());
        (*neuronTrace_)[op.site + ".spikes"] = asSteps(spikes, bypassRows());
      }
      return spikes;
    });
  case OpKind::IFCollect:
    if (in(0).is_floating_point()) // the prefix, passed through
      return in(0);
    return ifCollectKernel(in(0), op.threshold, op.neuron);
  case OpKind::AccumMap: {
    at::Tensor x = runningSum(in(0));
    bool defined = definedArithmetic(x);
    at::Tensor o;
    if (op.fn == "silu")
      o = silu(x, defined);
    else if (op.fn == "softmax")
      o = softmax(x, op.causal, defined, /*owned=*/in(0).size(0) > 1);
    else
      o = rmsnorm(x, param("weight"), op.eps, defined);
    return differencesInPlace(o);
  }
  case OpKind::AAMatmul: {
    // Outputs up to t sum to S_A(t) S_B(t) (eq 32): emitted as the
    // differences of that product, one matmul per step. Only the running
    // sums of B are used, so they are what a decode cache keeps.
    at::Tensor sb = withCachedKeys(index, runningSum(in(1)));
    return differencesInPlace(
        attentionProduct(op, runningSum(in(0)), sb, plan_.timesteps));
  }
  case OpKind::Observe:
    observe(op.site, in(0));
    return in(0);
  case OpKind::Identity:
    return in(0);
  case OpKind::AAMul: {
    const at::Tensor &a = in(0), &b = in(1);
#ifdef SPIKE_HAVE_ATEN_CUDA
    if (a.is_cuda() && !a.requires_grad() && !b.requires_grad() &&
        a.sizes() == b.sizes())
      return cudaglue::aaMul(a, b);
#endif
    return differencesInPlace(runningSum(a) * runningSum(b));
  }
  }
  return {};
}

/// The integer codes of a quantized linear's weight, moved to the chip's
/// weight format when it is narrower ([rows, cols] doubles).
static at::Tensor weightCodes(const PlanOp &op, int chipBits) {
  at::Tensor k =
      op.params.at("weight_codes").to(at::kCPU, at::kLong).contiguous();
  at::Tensor out = at::empty(k.sizes(), at::kDouble);
  int to = chipBits > 0 ? chipBits : int(op.bits);
  const int64_t *pk = k.data_ptr<int64_t>();
  double *po = out.data_ptr<double>();
  for (int64_t i = 0; i < k.numel(); ++i)
    po[i] = double(neuron::rescaleCode(pk[i], int(op.bits), to));
  return out;
}

at::Tensor Executor::chipWeight(const PlanOp &op, size_t index) {
  if (!chip_.weightBits || op.bits <= chip_.weightBits ||
      linearSite_[index].empty() || !op.params.count("weight_row_scale"))
    return linearWeight(op);
  // On the chip this linear keeps chip_.weightBits: codes rescaled, the
  // row scale times 2^(bits - chip bits).
  at::Tensor &cached = chipWeights_[index];
  if (!cached.defined()) {
    at::Tensor scale = op.params.at("weight_row_scale").to(at::kCPU) *
                       double(int64_t(1) << (op.bits - chip_.weightBits));
    cached =
        (weightCodes(op, chip_.weightBits) * scale.to(at::kDouble).unsqueeze(1))
            .to(at::kFloat)
            .to(op.params.at("weight_codes").device());
  }
  return cached;
}

at::Tensor Executor::runLinear(const PlanOp &op, size_t index,
                               const at::Tensor &x) {
  bool inPlan = index < plan_.ops.size();
  at::Tensor learnt;
  if (trainableWeights_)
    if (auto it = trainableWeights_->find(op.paramNames.at("weight"));
        it != trainableWeights_->end())
      learnt = it->second.weight();
  if (inPlan && !prefixPass_ && !linearSite_[index].empty()) {
    // The dense QANN computes this layer once per token, not per step.
    int64_t rows = x.numel() / x.size(-1) / x.size(0);
    at::IntArrayRef w = linearWeightShape(op);
    counts_[linearSite_[index]].denseMacs += rows * w[0] * w[1];
  }
  if (trace_ && chip_.stateBits && !linearSite_[index].empty())
    traceAccumulation(op, linearSite_[index], x);
  // The bias is not a synaptic accumulation: on a chip the host adds it
  // with the row scales (docs/ChipProgram.md). Per step at the spiking
  // levels (the loader divided it by T).
  at::Tensor y = linearProduct(op, index, x, learnt);
  auto b = op.params.find("bias");
  return b == op.params.end() ? y : y.add_(b->second);
}

ValueGrid Executor::inputGrid(const PlanOp &op, size_t i) const {
  size_t index = size_t(&op - plan_.ops.data());
  if (index >= plan_.ops.size())
    return {};
  return gridOf(plan_, gridSources_[op.inputs[i]]);
}

const Executor::ExactWeight &
Executor::exactWeight(const PlanOp &op, size_t index, float inScale) {
  ExactWeight &e = exactWeights_[index];
  const at::Tensor &codes = op.params.at("weight_codes");
  if (e.codes.defined() && e.inScale == inScale &&
      e.source == codes.unsafeGetTensorImpl())
    return e;
  at::Tensor rowScale = op.params.at("weight_row_scale");
  e.source = codes.unsafeGetTensorImpl();
  e.codes = codes;
  if (chip_.weightBits && op.bits > chip_.weightBits &&
      !linearSite_[index].empty()) { // as chipWeight
    e.codes = codeTensor(weightCodes(op, chip_.weightBits), chip_.weightBits)
                  .to(codes.device());
    rowScale = rowScale * double(int64_t(1) << (op.bits - chip_.weightBits));
  }
  e.outScale = (rowScale.to(at::kFloat) * double(inScale))
                   .to(e.codes.device())
                   .contiguous();
  e.inScale = inScale;
  return e;
}

at::Tensor Executor::linearProduct(const PlanOp &op, size_t index,
                                   const at::Tensor &x,
                                   const at::Tensor &learnt) {
  at::Tensor half = learnt.defined() ? at::Tensor() : halfWeight(op);
  if (!definedArithmetic(x)) { // FP and calibration: the BLAS
    if (half.defined())
      return widenedProduct(x, half, linearLayer);
    return linearLayer(x, learnt.defined() ? learnt : chipWeight(op, index));
  }
  // The prefix's positions are at full precision, off the grid.
  ValueGrid g = inputGrid(op, 0);
  if (int64_t p = perSynapse(op, g); p > 0 && bypassRows() == 0) {
    const ExactWeight &e = exactWeight(op, index, g.scale);
    return exactLinear(x, g.scale, e.codes, e.outScale, p);
  }
  if (half.defined())
    return widenedProduct(x, half, orderedLinear);
  return orderedLinear(x, chipWeight(op, index));
}

at::Tensor Executor::attentionProduct(const PlanOp &op, const at::Tensor &lhs,
                                      const at::Tensor &rhs, int64_t steps) {
  bool t = op.transposeRhs;
  if (!definedArithmetic(lhs) || !definedArithmetic(rhs))
    return headProduct(lhs, rhs, t);
  ValueGrid a = inputGrid(op, 0), b = inputGrid(op, 1);
  int64_t ma = steps > 1 ? a.maxSum : a.maxAbs;
  int64_t mb = steps > 1 ? b.maxSum : b.maxAbs;
  // Every partial sum of integers below 2^24: exact in f32.
  bool exact =
      a && b && bypassRows() == 0 &&
      double(ma) * double(mb) * double(lhs.size(-1)) < double(kExactF32Bound);
  if (!exact)
    return orderedHeadProduct(lhs, rhs, t);
  // The cached keys start with the prefix's, at full precision.
  int64_t keys = rhs.size(-2);
  int64_t fp = std::min<int64_t>(int64_t(prefix_.size()), keys);
  if (fp == 0)
    return exactHeadProduct(lhs, a.scale, rhs, b.scale, t);
  at::Tensor rp = rhs.narrow(-2, 0, fp), rc = rhs.narrow(-2, fp, keys - fp);
  if (t) // the prefix's keys are output columns of their own
    return at::cat({orderedHeadProduct(lhs, rp, true),
                    exactHeadProduct(lhs, a.scale, rc, b.scale, true)},
                   -1);
  // The prefix's values are terms of every sum: added last.
  at::Tensor lp = lhs.narrow(-1, 0, fp), lc = lhs.narrow(-1, fp, keys - fp);
  return exactHeadProduct(lc, a.scale, rc, b.scale, false)
      .add_(orderedHeadProduct(lp, rp, false));
}

at::Tensor Executor::asSteps(const at::Tensor &x, int64_t bypass) {
  at::Tensor c = x.to(at::kCPU);
  if (bypass > 0) // prefix positions run on the host, not on the chip
    c = c.narrow(-2, bypass, c.size(-2) - bypass);
  c = c.contiguous();
  return c.reshape({c.size(0), -1, c.size(-1)}).clone();
}

void Executor::traceAccumulation(const PlanOp &op, const std::string &site,
                                 const at::Tensor &input) {
  // The neuron this linear reads (an IS neuron, or IF through if_collect).
  const PlanOp *neuronOp = nullptr;
  for (const PlanOp &o : plan_.ops)
    if ((o.kind == OpKind::IFNeuron || o.kind == OpKind::ISNeuron) &&
        o.site == site)
      neuronOp = &o;
  auto codes = op.params.find("weight_row_scale");
  if (!neuronOp || codes == op.params.end())
    return;
  // Window counts back from the collected values (count - alpha) * theta.
  at::Tensor x = input.to(at::kCPU, at::kDouble).contiguous();
  int64_t d = x.size(-1);
  at::Tensor theta = at::empty({d}, at::kDouble);
  for (int64_t c = 0; c < d; ++c)
    theta[c] = double(groupValue(neuronOp->threshold, c, d));
  at::Tensor counts = at::round(x / theta + neuronOp->neuron.alpha);
  // Integer codes of the weight, in the chip's weight format.
  at::Tensor k = weightCodes(op, chip_.weightBits);
  (*trace_)[op.paramNames.at("weight") + ".accum"] =
      asSteps(at::matmul(counts, k.t()).to(at::kLong),
              neuronOp->kind == OpKind::ISNeuron ? bypassRows() : 0);
}

at::Tensor Executor::withCachedKeys(size_t index, const at::Tensor &rhs) {
  if (!cache_)
    return rhs;
  at::Tensor &keys = cache_->keys[index];
  keys = keys.defined() ? at::cat({keys, rhs}, -2) : rhs;
  return keys;
}

int64_t DecodeCache::bytes() const {
  int64_t n = 0;
  for (const auto &[op, t] : keys)
    n += t.numel() * int64_t(t.element_size());
  return n;
}

void searchClipping(SiteStats &stats, bool isUnsigned) {
  if (stats.sample.empty() || !(stats.emaAbsmax > 0))
    return;
  for (int bits = neuron::kMinBits; bits <= neuron::kMaxBits; ++bits) {
    neuron::QuantGrid grid = neuron::quantGrid(bits, !isUnsigned);
    auto mse = [&](double r) {
      double m = r * stats.emaAbsmax;
      float scale = float((isUnsigned ? m : 2 * m) / double(grid.maxCode));
      double err = 0;
      for (float v : stats.sample) {
        double d = double(neuron::quantize(v, scale, grid)) - double(v);
        err += d * d;
      }
      return err;
    };
    std::vector<double> coarse = {0.25, 0.35, 0.45, 0.55, 0.65,
                                  0.75, 0.85, 0.95, 1.0};
    double best = 1.0, bestErr = mse(1.0);
    for (double r : coarse)
      if (double e = mse(r); e < bestErr)
        best = r, bestErr = e;
    double center = best;
    for (int k = -5; k <= 5; ++k) {
      double r = std::min(1.0, center + 0.01 * k);
      if (r > 0)
        if (double e = mse(r); e < bestErr)
          best = r, bestErr = e;
    }
    stats.mseClip[bits] = best;
  }
}

void Executor::observe(const std::string &site, const at::Tensor &full) {
  // The prefix positions are computed at full precision: not observed.
  if (prefixPass_)
    return;
  SiteStats &s = stats_[site];
  int64_t p = bypassRows();
  at::Tensor x = (p ? full.narrow(-2, p, full.size(-2) - p) : full)
                     .to(at::kCPU); // statistics are kept on the host
  // Reservoir sample of the values (deterministic: a fixed LCG).
  constexpr size_t kSample = 32768;
  at::Tensor flat = x.reshape({-1}).contiguous();
  const float *v = flat.data_ptr<float>();
  for (int64_t i = 0; i < flat.numel(); ++i, ++s.seen) {
    if (s.sample.size() < kSample) {
      s.sample.push_back(v[i]);
      continue;
    }
    sampleState_ =
        sampleState_ * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t j = (sampleState_ >> 11) % uint64_t(s.seen + 1);
    if (j < kSample)
      s.sample[j] = v[i];
  }
  at::Tensor a = x.abs().reshape({-1, x.size(-1)});
  at::Tensor channel = std::get<0>(a.max(0)).contiguous();
  double m = channel.max().item<double>();
  s.absmax = std::max(s.absmax, m);
  s.emaAbsmax = s.batches == 0 ? m : ema_ * s.emaAbsmax + (1 - ema_) * m;
  ++s.batches;
  const float *c = channel.data_ptr<float>();
  if (s.channelAbsmax.empty())
    s.channelAbsmax.assign(c, c + channel.numel());
  else
    for (int64_t i = 0; i < channel.numel(); ++i)
      s.channelAbsmax[i] = std::max(s.channelAbsmax[i], c[i]);
}

at::Tensor Executor::withPrefix(const at::Tensor &input) const {
  at::Tensor tokens = input.to(at::kLong);
  int64_t p = int64_t(prefix_.size());
  if (p == 0)
    return tokens;
  return at::cat(
      {at::tensor(prefix_, at::kLong).unsqueeze(0).expand({tokens.size(0), p}),
       tokens},
      1);
}

const DecodeCache &Executor::prefixState() {
  if (prefix_.empty() || prefixState_.positions > 0)
    return prefixState_;
  // Nothing of the prefix is counted, observed or traced: it runs on the
  // host.
  struct Quiet {
    Executor &e;
    decltype(trace_) trace;
    decltype(neuronTrace_) neuronTrace;
    decltype(profile_) profile;
    int64_t tokensRun;
    ~Quiet() {
      e.trace_ = trace, e.neuronTrace_ = neuronTrace, e.profile_ = profile;
      e.tokensRun_ = tokensRun, e.prefixPass_ = false;
    }
  } quiet{*this, trace_, neuronTrace_, profile_, tokensRun_};
  trace_ = nullptr, neuronTrace_ = nullptr, profile_ = nullptr;
  prefixPass_ = true;
  DecodeCache state;
  auto r =
      forwardPositions(at::tensor(prefix_, at::kLong).unsqueeze(0), &state);
  if (!r) // the plan's own ops failed on its own prefix: a broken plan
    throw std::runtime_error(r.message());
  prefixState_ = std::move(state);
  return prefixState_;
}

core::Result<at::Tensor> Executor::forward(const at::Tensor &input,
                                           DecodeCache *cache) {
  at::NoGradGuard noGrad;
  bool first = !cache || cache->positions == 0;
  if (!first || prefix_.empty())
    return forwardPositions(input, cache);
  const DecodeCache *state;
  try {
    state = &prefixState();
  } catch (const std::exception &e) {
    return core::Status::error(std::string(e.what()) + " (the prefix)");
  }
  // Each sequence of the batch starts from the prefix's keys and values.
  DecodeCache local;
  DecodeCache &c = cache ? *cache : local;
  int64_t batch = input.size(0);
  c.positions = state->positions;
  c.keys.clear();
  for (const auto &[index, keys] : state->keys) {
    std::vector<int64_t> shape(keys.sizes().begin(), keys.sizes().end());
    shape[shape.size() - 4] = batch; // [..., B, H, P, Dh]
    c.keys[index] = keys.expand(shape);
  }
  return forwardPositions(input, &c);
}

core::Result<at::Tensor> Executor::forwardPositions(const at::Tensor &input,
                                                    DecodeCache *cache) {
  at::Tensor ids = input.to(at::kLong);
  // Ids outside the vocabulary would index past the embedding table.
  for (const PlanOp &op : plan_.ops)
    if (op.kind == OpKind::Embedding && ids.numel() > 0) {
      int64_t rows = op.params.at("table").size(0);
      int64_t lo = ids.min().item<int64_t>(), hi = ids.max().item<int64_t>();
      if (lo < 0 || hi >= rows)
        return core::Status::error(
            plan_.path + ": token id " + std::to_string(lo < 0 ? lo : hi) +
            " is outside the vocabulary [0, " + std::to_string(rows) + ")");
      break;
    }
  at::Tensor tokens = hostToDevice(ids.cpu(), plan_.device);
  cache_ = cache;
  offset_ = cache ? cache->positions : 0;
  struct Reset {
    Executor &e;
    ~Reset() { e.cache_ = nullptr, e.offset_ = 0; }
  } reset{*this};
  std::vector<at::Tensor> values(plan_.numValues);
  values[plan_.tokens] = tokens;
  // Release each value after its last use.
  std::vector<size_t> lastUse(plan_.numValues, 0);
  for (size_t i = 0; i < plan_.ops.size(); ++i)
    for (int in : plan_.ops[i].inputs)
      lastUse[in] = i;
  for (int out : plan_.outputs)
    lastUse[out] = plan_.ops.size();
  for (size_t i = 0; i < plan_.ops.size(); ++i) {
    const PlanOp &op = plan_.ops[i];
    try {
      auto t0 = profile_ ? std::chrono::steady_clock::now()
                         : std::chrono::steady_clock::time_point();
      values[op.output] = run(op, values);
      if (profile_) {
        std::string key =
            op.kind == OpKind::AccumMap ? op.name + "(" + op.fn + ")" : op.name;
        (*profile_)[key] +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
                .count();
      }
    } catch (const std::exception &e) {
      std::string what = e.what();
      what = what.substr(0, what.find('\n'));
      return core::Status::error(plan_.path + ": /ops/" + std::to_string(i) +
                                 " (" + op.name + "): " + what);
    }
    for (int in : op.inputs)
      if (lastUse[in] == i)
        values[in] = at::Tensor();
  }
  if (cache)
    cache->positions += tokens.size(1);
  tokensRun_ += tokens.numel();
  return values[plan_.outputs[0]];
}

} // namespace spike::runtime
