//===- CudaDispatch.cpp - ATen glue to the CUDA kernels -------------------===//

#include "spike/runtime/CudaDispatch.h"
#include "spike/runtime/cuda/SpikeKernels.h"

#include <c10/cuda/CUDAStream.h>

#include <stdexcept>

namespace spike::runtime::cudaglue {

namespace {

void check(int code, const char *what) {
  if (code != 0)
    throw std::runtime_error(std::string(what) + ": " +
                             cuda::errorString(code));
}

void *stream() { return c10::cuda::getCurrentCUDAStream().stream(); }

/// Per-group values copied to the device of `like`.
struct DeviceGroups {
  at::Tensor values;
  explicit DeviceGroups(const std::vector<float> &v, const at::Tensor &like)
      : values(at::tensor(v).to(like.device())) {}
  cuda::Groups get() const {
    return {values.data_ptr<float>(), values.numel()};
  }
};

cuda::StepShape shapeOf(const at::Tensor &x, int64_t steps) {
  return {steps, x.numel() / steps, x.size(-1), x.dim() >= 2 ? x.size(-2) : 1};
}

/// Device counters for spike totals, added to `tally` afterwards.
struct DeviceTally {
  at::Tensor counters;
  explicit DeviceTally(const at::Tensor &like)
      : counters(at::zeros({2}, like.options().dtype(at::kLong))) {}
  cuda::Tally get() {
    auto *p =
        reinterpret_cast<unsigned long long *>(counters.data_ptr<int64_t>());
    return {p, p + 1};
  }
  void addTo(SpikeTally *tally) const {
    if (!tally)
      return;
    at::Tensor c = counters.cpu();
    tally->spikes += c[0].item<int64_t>();
    tally->events += c[1].item<int64_t>();
  }
};

} // namespace

at::Tensor quantize(const at::Tensor &x, const std::vector<float> &scale,
                    const neuron::QuantGrid &grid, const Bypass &bypass) {
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  DeviceGroups s(scale, in);
  check(cuda::quantize(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(),
                       in.size(-1), in.dim() >= 2 ? in.size(-2) : 1, s.get(),
                       grid, bypass.rows, stream()),
        "quantize");
  return out;
}

at::Tensor isNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, SpikeTally *tally,
                    const Bypass &bypass) {
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  DeviceGroups th(threshold, in), v(v0, in);
  DeviceTally counts(in);
  check(cuda::isNeuron(in.data_ptr<float>(), out.data_ptr<float>(),
                       shapeOf(in, in.size(0)), th.get(), v.get(), params,
                       bypass.rows, counts.get(), stream()),
        "is_neuron");
  counts.addTo(tally);
  return out;
}

at::Tensor ifNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, neuron::IFSchedule schedule,
                    SpikeTally *tally) {
  at::Tensor in = x.contiguous();
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] *= params.levels;
  at::Tensor out = at::empty(shape, in.options().dtype(at::kByte));
  DeviceGroups th(threshold, in), v(v0, in);
  DeviceTally counts(in);
  check(cuda::ifNeuron(in.data_ptr<float>(), out.data_ptr<uint8_t>(),
                       shapeOf(in, in.size(0)), th.get(), v.get(), params,
                       schedule, counts.get(), stream()),
        "if_neuron");
  counts.addTo(tally);
  return out;
}

at::Tensor ifCollect(const at::Tensor &spikes,
                     const std::vector<float> &threshold,
                     const neuron::ISParams &params) {
  at::Tensor in = spikes.contiguous();
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] /= params.levels;
  at::Tensor out = at::empty(shape, in.options().dtype(at::kFloat));
  DeviceGroups th(threshold, in);
  check(cuda::ifCollect(in.data_ptr<uint8_t>(), out.data_ptr<float>(),
                        shapeOf(out, shape[0]), th.get(), params, stream()),
        "if_collect");
  return out;
}

at::Tensor runningSum(const at::Tensor &x) {
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  check(cuda::runningSum(in.data_ptr<float>(), out.data_ptr<float>(),
                         in.size(0), in.numel() / in.size(0), stream()),
        "running sum");
  return out;
}

at::Tensor differences(const at::Tensor &o) {
  at::Tensor in = o.contiguous(), out = at::empty_like(in);
  check(cuda::differences(in.data_ptr<float>(), out.data_ptr<float>(),
                          in.size(0), in.numel() / in.size(0), stream()),
        "differences");
  return out;
}

at::Tensor aaMul(const at::Tensor &a, const at::Tensor &b) {
  at::Tensor x = a.contiguous(), y = b.expand_as(a).contiguous();
  at::Tensor out = at::empty_like(x);
  check(cuda::aaMul(x.data_ptr<float>(), y.data_ptr<float>(),
                    out.data_ptr<float>(), x.size(0), x.numel() / x.size(0),
                    stream()),
        "aa_mul");
  return out;
}

} // namespace spike::runtime::cudaglue
