//===- CudaDispatch.cpp - ATen glue to the CUDA kernels -------------------===//
//
// Each call runs on the input's device (a device guard) and on that
// device's current stream, and leaves the per-op path free of host syncs:
// per-group values are uploaded once and kept, and spike totals stay on the
// device when the caller gives counters for them (SpikeTally::onDevice).
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/CudaDispatch.h"
#include "spike/runtime/cuda/SpikeKernels.h"

#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>

namespace spike::runtime::cudaglue {

namespace {

void check(int code, const char *what) {
  if (code != 0)
    throw std::runtime_error(std::string(what) + ": " +
                             cuda::errorString(code));
}

void *streamOf(const at::Tensor &x) {
  return c10::cuda::getCurrentCUDAStream(x.device().index()).stream();
}

/// Device copies of per-group values (thresholds, v0, scales). A plan's
/// vectors live as long as the plan and change only when calibration
/// rewrites them, so a copy is keyed by the vector's address and device
/// and reused while the contents still match (compared on the host).
class GroupValueCache {
public:
  cuda::Groups get(const std::vector<float> &v, const at::Device &device) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry &e = entries_[{v.data(), device.index()}];
    if (!e.device.defined() || e.host.size() != v.size() ||
        std::memcmp(e.host.data(), v.data(), v.size() * sizeof(float)) != 0) {
      e.host = v;
      e.device = at::tensor(v).to(device);
    }
    // A later replacement must not free the block under a kernel of this
    // stream that still reads it.
    e.device.record_stream(c10::cuda::getCurrentCUDAStream(device.index()));
    return {e.device.data_ptr<float>(), e.device.numel()};
  }

private:
  struct Entry {
    std::vector<float> host;
    at::Tensor device;
  };
  std::mutex mutex_;
  std::map<std::pair<const float *, int>, Entry> entries_;
};

/// The per-group values of a neuron or quantizer over the last dimension of
/// `like`, which they must split evenly (Neuron.h groupOf).
cuda::Groups groups(const std::vector<float> &v, const at::Tensor &like) {
  int64_t d = like.size(-1);
  if (v.empty() || int64_t(v.size()) > d || d % int64_t(v.size()) != 0)
    throw std::invalid_argument(std::to_string(v.size()) +
                                " parameter groups do not split " +
                                std::to_string(d) + " channels");
  static GroupValueCache cache;
  return cache.get(v, like.device());
}

cuda::StepShape shapeOf(const at::Tensor &x, int64_t steps) {
  return {steps, x.numel() / steps, x.size(-1), x.dim() >= 2 ? x.size(-2) : 1};
}

/// The device counters a neuron kernel adds to: the caller's
/// (SpikeTally::onDevice), or fresh ones read back after the launch.
class DeviceTally {
public:
  DeviceTally(SpikeTally *tally, const at::Tensor &like) : tally_(tally) {
    if (!tally)
      return;
    if (tally->onDevice.defined()) {
      if (tally->onDevice.device() != like.device() ||
          tally->onDevice.scalar_type() != at::kLong ||
          tally->onDevice.numel() != NeuronCounts::kFields ||
          !tally->onDevice.is_contiguous())
        throw std::invalid_argument("spike counters must be " +
                                    std::to_string(NeuronCounts::kFields) +
                                    " int64 on the input's device");
      counters_ = tally->onDevice;
    } else {
      counters_ =
          at::zeros({NeuronCounts::kFields}, like.options().dtype(at::kLong));
    }
  }
  cuda::Tally get() {
    if (!counters_.defined())
      return {nullptr};
    return {
        reinterpret_cast<unsigned long long *>(counters_.data_ptr<int64_t>())};
  }
  /// Adds fresh counters to the tally's fields (a sync); the caller's own
  /// counters stay on the device.
  void finish() const {
    if (!tally_ || tally_->onDevice.defined())
      return;
    at::Tensor c = counters_.cpu().contiguous();
    tally_->add(NeuronCounts::fromFields(c.data_ptr<int64_t>()));
  }

private:
  SpikeTally *tally_;
  at::Tensor counters_;
};

} // namespace

at::Tensor quantize(const at::Tensor &x, const std::vector<float> &scale,
                    const neuron::QuantGrid &grid, const Bypass &bypass) {
  c10::cuda::CUDAGuard guard(x.device());
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  if (in.numel() == 0)
    return out;
  check(cuda::quantize(in.data_ptr<float>(), out.data_ptr<float>(), in.numel(),
                       in.size(-1), in.dim() >= 2 ? in.size(-2) : 1,
                       groups(scale, in), grid, bypass.rows, streamOf(in)),
        "quantize");
  return out;
}

at::Tensor isNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, SpikeTally *tally,
                    const Bypass &bypass) {
  c10::cuda::CUDAGuard guard(x.device());
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  if (in.numel() == 0)
    return out;
  DeviceTally counts(tally, in);
  check(cuda::isNeuron(in.data_ptr<float>(), out.data_ptr<float>(),
                       shapeOf(in, in.size(0)), groups(threshold, in),
                       groups(v0, in), params, bypass.rows, counts.get(),
                       streamOf(in)),
        "is_neuron");
  counts.finish();
  return out;
}

at::Tensor ifNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, neuron::IFSchedule schedule,
                    SpikeTally *tally) {
  c10::cuda::CUDAGuard guard(x.device());
  at::Tensor in = x.contiguous();
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] *= params.levels;
  at::Tensor out = at::empty(shape, in.options().dtype(spikeType(params)));
  if (in.numel() == 0)
    return out;
  DeviceTally counts(tally, in);
  check(cuda::ifNeuron(in.data_ptr<float>(), out.data_ptr(),
                       shapeOf(in, in.size(0)), groups(threshold, in),
                       groups(v0, in), params, schedule, counts.get(),
                       streamOf(in)),
        "if_neuron");
  counts.finish();
  return out;
}

at::Tensor ifCollect(const at::Tensor &spikes,
                     const std::vector<float> &threshold,
                     const neuron::ISParams &params) {
  c10::cuda::CUDAGuard guard(spikes.device());
  at::Tensor in = spikes.contiguous();
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] /= params.levels;
  at::Tensor out = at::empty(shape, in.options().dtype(at::kFloat));
  if (out.numel() == 0)
    return out;
  // The spikes' element type says their code (spikeType).
  neuron::ISParams code = params;
  code.coding = in.scalar_type() == at::kChar ? neuron::SpikeCoding::Signed
                                              : neuron::SpikeCoding::Offset;
  check(cuda::ifCollect(in.data_ptr(), out.data_ptr<float>(),
                        shapeOf(out, shape[0]), groups(threshold, in), code,
                        streamOf(in)),
        "if_collect");
  return out;
}

at::Tensor runningSum(const at::Tensor &x) {
  c10::cuda::CUDAGuard guard(x.device());
  at::Tensor in = x.contiguous(), out = at::empty_like(in);
  if (in.numel() == 0)
    return out;
  check(cuda::runningSum(in.data_ptr<float>(), out.data_ptr<float>(),
                         in.size(0), in.numel() / in.size(0), streamOf(in)),
        "running sum");
  return out;
}

at::Tensor differences(const at::Tensor &o) {
  c10::cuda::CUDAGuard guard(o.device());
  at::Tensor in = o.contiguous(), out = at::empty_like(in);
  if (in.numel() == 0)
    return out;
  check(cuda::differences(in.data_ptr<float>(), out.data_ptr<float>(),
                          in.size(0), in.numel() / in.size(0), streamOf(in)),
        "differences");
  return out;
}

at::Tensor aaMul(const at::Tensor &a, const at::Tensor &b) {
  c10::cuda::CUDAGuard guard(a.device());
  at::Tensor x = a.contiguous(), y = b.expand_as(a).contiguous();
  at::Tensor out = at::empty_like(x);
  if (x.numel() == 0)
    return out;
  check(cuda::aaMul(x.data_ptr<float>(), y.data_ptr<float>(),
                    out.data_ptr<float>(), x.size(0), x.numel() / x.size(0),
                    streamOf(x)),
        "aa_mul");
  return out;
}

} // namespace spike::runtime::cudaglue
