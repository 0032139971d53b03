//===- Kernels.cpp - CPU kernels of the spiking ops -----------------------===//

#include "spike/runtime/Kernels.h"
#include "IsaClones.h"
#ifdef SPIKE_HAVE_ATEN_CUDA
#include "spike/runtime/CudaDispatch.h"
#endif

#include <ATen/Parallel.h>

#include <mutex>
#include <type_traits>

namespace spike::runtime {

// CUDA tensors go to the CUDA kernels when this build has them.
#ifdef SPIKE_HAVE_ATEN_CUDA
#define SPIKE_DISPATCH_CUDA(tensor, call)                                      \
  if ((tensor).is_cuda())                                                      \
    return cudaglue::call;
#else
#define SPIKE_DISPATCH_CUDA(tensor, call)
#endif

namespace {
constexpr int64_t kGrain = 2048;

/// Per-channel values of a row of width d: groupValue for each channel.
std::vector<float> perChannel(const std::vector<float> &values, int64_t d) {
  std::vector<float> out(d);
  for (int64_t c = 0; c < d; ++c)
    out[c] = groupValue(values, c, d);
  return out;
}

/// One row of the activation quantizer.
SPIKE_ISA_CLONES void quantizeRow(const float *src, float *dst,
                                  const float *scale, int64_t d,
                                  neuron::QuantGrid grid) {
  for (int64_t c = 0; c < d; ++c)
    dst[c] = neuron::quantize(src[c], scale[c], grid);
}

/// One step of a row of IS neurons of one code: membranes u and window
/// counts spent (exact small integers in f32: neuron::isStepOn), input src,
/// outputs dst; adds to `counts`. The code is a template argument so that
/// the loop has no branch and vectorizes.
template <bool SignedCode>
inline __attribute__((always_inline)) void
stepRow(float *u, float *spent, const float *src, float *dst,
        const float *theta, int64_t d, const neuron::ISParams &params,
        NeuronCounts &counts) {
  // int32 sums (d * L < 2^31): integer sums vectorize, float ones do not.
  // The negative spikes follow from the net sum, (sum |s| - sum s) / 2:
  // summing them under a condition kept the loop from vectorizing.
  int32_t spikes = 0, fired = 0, net = 0, negativeFired = 0, capped = 0;
  for (int64_t c = 0; c < d; ++c) {
    float s =
        SignedCode
            ? neuron::signedStepOn(u[c], spent[c], src[c], theta[c], params)
            : neuron::offsetStepOn(u[c], spent[c], src[c], theta[c], params);
    dst[c] = neuron::isOutput(s, theta[c], params);
    float m = std::fabs(s); // negative spikes are spikes too
    spikes += int32_t(m);
    fired += int32_t(s != 0.0f);
    net += int32_t(s);
    negativeFired += int32_t(s < 0.0f);
    if constexpr (SignedCode)
      capped += int32_t(neuron::signedCapBound(u[c], spent[c], s, params));
  }
  counts.spikes += spikes, counts.events += fired;
  counts.negativeSpikes += (spikes - net) / 2;
  counts.negativeEvents += negativeFired;
  counts.capBound += capped;
}

SPIKE_ISA_CLONES void offsetStepRow(float *u, float *spent, const float *src,
                                    float *dst, const float *theta, int64_t d,
                                    neuron::ISParams params,
                                    NeuronCounts &counts) {
  stepRow<false>(u, spent, src, dst, theta, d, params, counts);
}

SPIKE_ISA_CLONES void signedStepRow(float *u, float *spent, const float *src,
                                    float *dst, const float *theta, int64_t d,
                                    neuron::ISParams params,
                                    NeuronCounts &counts) {
  stepRow<true>(u, spent, src, dst, theta, d, params, counts);
}

/// One IS step of a row of d binary IF neurons of one code (float
/// membranes u, window counts spent as exact small integers, as stepRow):
/// sub-step j's spikes go to dst + j * stride (S: uint8_t 0/1 for the
/// offset code, int8_t -1/0/+1 for the signed code); the windows' spikes
/// are added to `counts`. Sub-steps outer and neurons inner, with
/// Neuron.h's branch-free sub-steps, so the inner loops vectorize and write
/// contiguous raster rows; each neuron sees the same operations as
/// ifWindow / signedIfWindow. `first`, `rest` and `count` are scratch rows.
template <bool SignedCode, typename S>
inline __attribute__((always_inline)) void
ifWindowRow(float *u, float *spent, const float *src, S *dst, int64_t stride,
            const float *theta, int64_t d, const neuron::ISParams &params,
            neuron::IFSchedule schedule, float *first, float *rest,
            float *count, NeuronCounts &counts) {
  for (int64_t c = 0; c < d; ++c) {
    if constexpr (SignedCode) {
      u[c] = u[c] + src[c] / theta[c];
      first[c] = neuron::signedIfDirection(u[c], params, 1.0f);
    } else {
      neuron::ifWindowCharges(u[c], src[c] / theta[c], params, schedule, 1.0f,
                              first[c], rest[c]);
    }
    count[c] = 0.0f;
  }
  // Integrate-then-fire adds no charge after sub-step 0, so a sub-step in
  // which no neuron of the row fires leaves every state as it was: the
  // rest of the window is silent.
  bool quietAfterSilence =
      SignedCode || schedule == neuron::IFSchedule::IntegrateThenFire;
  for (int64_t j = 0; j < params.levels; ++j) {
    S *row = dst + j * stride;
    const float *charge = j == 0 ? first : rest;
    int32_t fired = 0;
    for (int64_t c = 0; c < d; ++c) {
      float s;
      if constexpr (SignedCode)
        s = neuron::signedIfSubstep(u[c], spent[c], first[c], params, 1.0f);
      else
        s = neuron::ifSubstepOn(u[c], spent[c], charge[c], params.budget, 1.0f);
      row[c] = S(s);
      count[c] += s;
      fired |= int32_t(s != 0.0f);
    }
    if (!fired && quietAfterSilence) {
      for (int64_t k = j + 1; k < params.levels; ++k)
        std::fill(dst + k * stride, dst + k * stride + d, S(0));
      break;
    }
  }
  // A window fires in one direction: |count| spikes, each an event.
  int32_t spikes = 0, net = 0, capped = 0;
  for (int64_t c = 0; c < d; ++c) {
    spikes += int32_t(std::fabs(count[c]));
    net += int32_t(count[c]);
    if constexpr (SignedCode)
      capped +=
          int32_t(neuron::signedCapBound(u[c], spent[c], count[c], params));
  }
  counts.spikes += spikes, counts.events += spikes;
  counts.negativeSpikes += (spikes - net) / 2;
  counts.negativeEvents += (spikes - net) / 2;
  counts.capBound += capped;
}

SPIKE_ISA_CLONES void
offsetIfRow(float *u, float *spent, const float *src, uint8_t *dst,
            int64_t stride, const float *theta, int64_t d,
            neuron::ISParams params, neuron::IFSchedule schedule, float *first,
            float *rest, float *count, NeuronCounts &counts) {
  ifWindowRow<false>(u, spent, src, dst, stride, theta, d, params, schedule,
                     first, rest, count, counts);
}

SPIKE_ISA_CLONES void
signedIfRow(float *u, float *spent, const float *src, int8_t *dst,
            int64_t stride, const float *theta, int64_t d,
            neuron::ISParams params, neuron::IFSchedule schedule, float *first,
            float *rest, float *count, NeuronCounts &counts) {
  ifWindowRow<true>(u, spent, src, dst, stride, theta, d, params, schedule,
                    first, rest, count, counts);
}

/// The window sums of a row of d IF neurons' spikes (S as ifWindowRow):
/// L raster rows at src + j * stride into `count`.
template <typename S>
inline __attribute__((always_inline)) void
collectRowOf(const S *src, int64_t stride, int64_t levels, int64_t d,
             int32_t *count) {
  std::fill(count, count + d, 0);
  for (int64_t j = 0; j < levels; ++j)
    for (int64_t c = 0; c < d; ++c)
      count[c] += src[j * stride + c];
}

SPIKE_ISA_CLONES void collectRow(const uint8_t *src, int64_t stride,
                                 int64_t levels, int64_t d, int32_t *count) {
  collectRowOf(src, stride, levels, d, count);
}

SPIKE_ISA_CLONES void collectRow(const int8_t *src, int64_t stride,
                                 int64_t levels, int64_t d, int32_t *count) {
  collectRowOf(src, stride, levels, d, count);
}

/// Per-thread counts added into one total.
struct SharedCounts {
  std::mutex lock;
  NeuronCounts total;
  void add(const NeuronCounts &c) {
    std::lock_guard<std::mutex> hold(lock);
    total.add(c);
  }
  void into(SpikeTally *tally) const {
    if (tally)
      tally->add(total);
  }
};

/// A row of d neurons' per-channel thresholds and starting membranes in
/// threshold units (isInit's v0 / theta).
std::pair<std::vector<float>, std::vector<float>>
rowStart(const std::vector<float> &threshold, const std::vector<float> &v0,
         int64_t d) {
  std::vector<float> theta = perChannel(threshold, d);
  std::vector<float> u0 = perChannel(v0, d);
  for (int64_t k = 0; k < d; ++k)
    u0[k] = neuron::isInit(u0[k], theta[k]).u;
  return {theta, u0};
}

/// Elements of one step and the feature (last) dimension.
std::pair<int64_t, int64_t> stepShape(const at::Tensor &x) {
  int64_t per = 1;
  for (int64_t i = 1; i < x.dim(); ++i)
    per *= x.size(i);
  return {per, x.size(-1)};
}
/// One neuron's chip register (Neuron.h's chip numerics): threshold units
/// scaled by 2^frac, and the start state and charges in that fixed point.
struct ChipRegister {
  int frac;
  float theta;
  int64_t one() const { return int64_t(1) << frac; }
  neuron::ISState<int64_t> start(float v0) const {
    return neuron::chipInit(v0, theta, frac);
  }
  int64_t charge(float current) const {
    return neuron::chipCharge(current, theta, frac);
  }
};

} // namespace

at::Tensor quantizeKernel(const at::Tensor &x, const std::vector<float> &scale,
                          const neuron::QuantGrid &grid, const Bypass &bypass) {
  SPIKE_DISPATCH_CUDA(x, quantize(x, scale, grid, bypass));
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const float *src = in.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  int64_t d = in.size(-1);
  if (in.numel() == 0 || d == 0)
    return out;
  int64_t rows = in.numel() / d;
  std::vector<float> s = perChannel(scale, d);
  at::parallel_for(0, rows, std::max<int64_t>(1, kGrain / d),
                   [&](int64_t begin, int64_t end) {
                     for (int64_t r = begin; r < end; ++r) {
                       if (bypass.containsRow(r, in))
                         std::copy(src + r * d, src + (r + 1) * d, dst + r * d);
                       else
                         quantizeRow(src + r * d, dst + r * d, s.data(), d,
                                     grid);
                     }
                   });
  return out;
}

at::Tensor isNeuronKernel(const at::Tensor &x,
                          const std::vector<float> &threshold,
                          const std::vector<float> &v0,
                          const neuron::ISParams &params, SpikeTally *tally,
                          const Bypass &bypass, const ChipNumerics &chip,
                          at::Tensor *charges, at::Tensor *counts) {
  if (chip.stateBits == 0) {
    SPIKE_DISPATCH_CUDA(x, isNeuron(x, threshold, v0, params, tally, bypass));
  } else if (!x.is_cpu()) {
    return isNeuronKernel(x.to(at::kCPU), threshold, v0, params, tally, bypass,
                          chip, charges, counts)
        .to(x.device());
  }
  at::Tensor in = x.contiguous();
  at::Tensor out = at::empty_like(in);
  const float *src = in.data_ptr<float>();
  float *dst = out.data_ptr<float>();
  int64_t steps = in.size(0);
  auto [per, d] = stepShape(in);
  SharedCounts counted;
  bool signedCode = params.coding == neuron::SpikeCoding::Signed;
  int frac = chip.stateBits ? neuron::chipFracBits(chip.stateBits, params) : 0;
  if (!chip.stateBits && in.dim() >= 2 && d > 0 && per > 0) {
    // Float membranes: a row of d neurons at a time, step after step, with
    // the row function of the neuron's code chosen once.
    auto stepRowOf = params.coding == neuron::SpikeCoding::Signed
                         ? signedStepRow
                         : offsetStepRow;
    int64_t rows = per / d;
    auto [theta, u0] = rowStart(threshold, v0, d);
    at::parallel_for(
        0, rows, std::max<int64_t>(1, kGrain / d),
        [&](int64_t begin, int64_t end) {
          std::vector<float> u(d), spent(d);
          NeuronCounts local;
          for (int64_t r = begin; r < end; ++r) {
            if (bypass.containsRow(r, in)) {
              for (int64_t t = 0; t < steps; ++t)
                std::copy(src + t * per + r * d, src + t * per + (r + 1) * d,
                          dst + t * per + r * d);
              continue;
            }
            std::copy(u0.begin(), u0.end(), u.begin());
            std::fill(spent.begin(), spent.end(), 0.0f);
            for (int64_t t = 0; t < steps; ++t)
              stepRowOf(u.data(), spent.data(), src + t * per + r * d,
                        dst + t * per + r * d, theta.data(), d, params, local);
          }
          counted.add(local);
        });
    counted.into(tally);
    return out;
  }
  at::Tensor q, c;
  if (chip.stateBits) {
    q = at::zeros(in.sizes(), at::kLong);
    c = at::zeros(in.sizes(), at::kLong);
  }
  at::parallel_for(0, per, kGrain, [&](int64_t begin, int64_t end) {
    NeuronCounts local;
    for (int64_t i = begin; i < end; ++i) {
      if (bypass.contains(i, in)) {
        for (int64_t t = 0; t < steps; ++t)
          dst[t * per + i] = src[t * per + i];
        continue;
      }
      float theta = groupValue(threshold, i, d);
      if (chip.stateBits) {
        ChipRegister reg{frac, theta};
        auto st = reg.start(groupValue(v0, i, d));
        for (int64_t t = 0; t < steps; ++t) {
          int64_t charge = reg.charge(src[t * per + i]);
          int64_t s = neuron::isStep<int64_t>(st, charge, 1, params, reg.one());
          st.u = neuron::saturate(st.u, chip.stateBits);
          q.data_ptr<int64_t>()[t * per + i] = charge;
          c.data_ptr<int64_t>()[t * per + i] = s;
          dst[t * per + i] = neuron::isOutput(s, theta, params);
          local.addStep(s, signedCode &&
                               neuron::signedCapBound(st.u, st.spent, s, params,
                                                      reg.one()));
        }
        continue;
      }
      neuron::ISState<float> st = neuron::isInit(groupValue(v0, i, d), theta);
      for (int64_t t = 0; t < steps; ++t) {
        int64_t s = neuron::isStep(st, src[t * per + i], theta, params);
        dst[t * per + i] = neuron::isOutput(s, theta, params);
        local.addStep(s, signedCode &&
                             neuron::signedCapBound(st.u, st.spent, s, params));
      }
    }
    counted.add(local);
  });
  counted.into(tally);
  if (charges)
    *charges = q;
  if (counts)
    *counts = c;
  return out;
}

namespace {
/// The IF neuron's sub-step spikes of `in` into `dst` ([T * L, per]): S is
/// uint8_t for the offset code (ifWindow), int8_t for the signed code
/// (signedIfWindow); in f32 or in the chip's integer membrane.
template <typename S>
void fillIFSpikes(const at::Tensor &in, S *dst,
                  const std::vector<float> &threshold,
                  const std::vector<float> &v0, const neuron::ISParams &params,
                  neuron::IFSchedule schedule, const ChipNumerics &chip,
                  at::Tensor *charges, SpikeTally *tally) {
  constexpr bool kSigned = std::is_same_v<S, int8_t>;
  auto window = [&](auto &st, auto current, auto theta, S *raster,
                    auto one) -> int64_t {
    if constexpr (kSigned)
      return neuron::signedIfWindow(st, current, theta, params, raster, one);
    else
      return neuron::ifWindow(st, current, theta, params, schedule, raster,
                              one);
  };
  int64_t steps = in.size(0), levels = params.levels;
  const float *src = in.data_ptr<float>();
  auto [per, d] = stepShape(in);
  SharedCounts counted;
  int frac = chip.stateBits ? neuron::chipFracBits(chip.stateBits, params) : 0;
  at::Tensor q;
  if (chip.stateBits)
    q = at::empty(in.sizes(), at::kLong);
  if (!chip.stateBits && in.dim() >= 2 && d > 0) {
    // Float membranes: a row of d neurons at a time, window after window.
    int64_t rows = per / d;
    auto [theta, u0] = rowStart(threshold, v0, d);
    at::parallel_for(
        0, rows, std::max<int64_t>(1, kGrain / d),
        [&](int64_t begin, int64_t end) {
          std::vector<float> u(d), spent(d), first(d), rest(d), count(d);
          NeuronCounts local;
          for (int64_t r = begin; r < end; ++r) {
            std::copy(u0.begin(), u0.end(), u.begin());
            std::fill(spent.begin(), spent.end(), 0.0f);
            for (int64_t t = 0; t < steps; ++t) {
              const float *x = src + t * per + r * d;
              S *y = dst + t * levels * per + r * d;
              if constexpr (kSigned)
                signedIfRow(u.data(), spent.data(), x, y, per, theta.data(), d,
                            params, schedule, first.data(), rest.data(),
                            count.data(), local);
              else
                offsetIfRow(u.data(), spent.data(), x, y, per, theta.data(), d,
                            params, schedule, first.data(), rest.data(),
                            count.data(), local);
            }
          }
          counted.add(local);
        });
    counted.into(tally);
    return;
  }
  at::parallel_for(0, per, kGrain, [&](int64_t begin, int64_t end) {
    std::vector<S> raster(levels);
    NeuronCounts local;
    auto add = [&](int64_t c, const auto &st, auto one) {
      local.addWindow(
          c, kSigned && neuron::signedCapBound(st.u, st.spent, c, params, one));
    };
    for (int64_t i = begin; i < end; ++i) {
      float theta = groupValue(threshold, i, d);
      if (chip.stateBits) {
        ChipRegister reg{frac, theta};
        auto st = reg.start(groupValue(v0, i, d));
        for (int64_t t = 0; t < steps; ++t) {
          int64_t charge = reg.charge(src[t * per + i]);
          q.data_ptr<int64_t>()[t * per + i] = charge;
          add(window(st, charge, int64_t(1), raster.data(), reg.one()), st,
              reg.one());
          st.u = neuron::saturate(st.u, chip.stateBits);
          for (int64_t j = 0; j < levels; ++j)
            dst[(t * levels + j) * per + i] = raster[j];
        }
        continue;
      }
      neuron::ISState<float> st = neuron::isInit(groupValue(v0, i, d), theta);
      for (int64_t t = 0; t < steps; ++t) {
        add(window(st, src[t * per + i], theta, raster.data(), 1.0f), st, 1.0f);
        for (int64_t j = 0; j < levels; ++j)
          dst[(t * levels + j) * per + i] = raster[j];
      }
    }
    counted.add(local);
  });
  if (charges)
    *charges = q;
  counted.into(tally);
}
} // namespace

at::Tensor ifNeuronKernel(const at::Tensor &x,
                          const std::vector<float> &threshold,
                          const std::vector<float> &v0,
                          const neuron::ISParams &params,
                          neuron::IFSchedule schedule, SpikeTally *tally,
                          const ChipNumerics &chip, at::Tensor *charges) {
  if (chip.stateBits == 0) {
    SPIKE_DISPATCH_CUDA(x, ifNeuron(x, threshold, v0, params, schedule, tally));
  }
  at::Tensor in = x.to(at::kCPU).contiguous();
  int64_t steps = in.size(0), levels = params.levels;
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] = steps * levels;
  at::Tensor out = at::empty(shape, in.options().dtype(spikeType(params)));
  if (params.coding == neuron::SpikeCoding::Signed)
    fillIFSpikes<int8_t>(in, out.data_ptr<int8_t>(), threshold, v0, params,
                         schedule, chip, charges, tally);
  else
    fillIFSpikes<uint8_t>(in, out.data_ptr<uint8_t>(), threshold, v0, params,
                          schedule, chip, charges, tally);
  return out.to(x.device());
}

at::Tensor ifCollectKernel(const at::Tensor &spikes,
                           const std::vector<float> &threshold,
                           const neuron::ISParams &params) {
  SPIKE_DISPATCH_CUDA(spikes, ifCollect(spikes, threshold, params));
  at::Tensor in = spikes.contiguous();
  int64_t levels = params.levels;
  int64_t steps = in.size(0) / levels;
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] = steps;
  at::Tensor out = at::empty(shape, in.options().dtype(at::kFloat));
  float *dst = out.data_ptr<float>();
  auto [per, d] = stepShape(in);
  // uint8 0/1 spikes, or the signed code's int8 -1/0/+1: the window's sum,
  // a row of d neurons at a time.
  // A 1-D train is one neuron (its T * L sub-steps), with the threshold the
  // per-element path gave it.
  std::vector<float> theta =
      in.dim() < 2 ? std::vector<float>{groupValue(threshold, 0, d)}
                   : perChannel(threshold, d);
  if (in.dim() < 2)
    d = 1;
  int64_t rows = d > 0 ? per / d : 0;
  auto collect = [&](const auto *src) {
    at::parallel_for(
        0, rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(d, 1)),
        [&](int64_t begin, int64_t end) {
          std::vector<int32_t> count(d);
          for (int64_t r = begin; r < end; ++r)
            for (int64_t t = 0; t < steps; ++t) {
              collectRow(src + t * levels * per + r * d, per, levels, d,
                         count.data());
              float *y = dst + t * per + r * d;
              for (int64_t c = 0; c < d; ++c)
                y[c] = neuron::isOutput(count[c], theta[c], params);
            }
        });
  };
  if (in.scalar_type() == at::kChar)
    collect(in.data_ptr<int8_t>());
  else
    collect(in.data_ptr<uint8_t>());
  return out;
}

at::Tensor pairwiseSum(at::Tensor x) {
  while (x.size(0) > 1) {
    int64_t n = x.size(0), half = n / 2;
    at::Tensor sum = x.slice(0, 0, 2 * half, 2) + x.slice(0, 1, 2 * half, 2);
    x = n % 2 ? at::cat({sum, x.slice(0, n - 1, n)}, 0) : sum;
  }
  return x[0];
}

} // namespace spike::runtime
