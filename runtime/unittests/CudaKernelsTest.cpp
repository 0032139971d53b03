//===- CudaKernelsTest.cpp - CUDA kernels equal the CPU kernels -----------===//
//
// Built wherever nvcc exists; every test skips itself on machines without a
// CUDA device (CI) and runs on GPU machines (scripts/gpu-check.sh). The
// raw-pointer kernels must give the CPU kernels' results bit for bit: both
// run Neuron.h in f32, and the CUDA build disables FMA contraction.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Executor.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/cuda/SpikeKernels.h"

#include "RoundingMargin.h"

#include <cuda_runtime.h>

#include <gtest/gtest.h>

#include <cmath>

using namespace spike;
using namespace spike::runtime;

namespace {

#define REQUIRE_GPU()                                                          \
  if (cuda::deviceCount() == 0)                                                \
  GTEST_SKIP() << "no CUDA device on this machine"

/// A device copy of a CPU tensor's bytes, freed on destruction.
struct DeviceBuffer {
  void *ptr = nullptr;
  size_t bytes;
  explicit DeviceBuffer(size_t n) : bytes(n) {
    EXPECT_EQ(cudaMalloc(&ptr, n), cudaSuccess);
    cudaMemset(ptr, 0, n);
  }
  explicit DeviceBuffer(const at::Tensor &t)
      : DeviceBuffer(size_t(t.numel()) * t.element_size()) {
    at::Tensor c = t.contiguous();
    cudaMemcpy(ptr, c.data_ptr(), bytes, cudaMemcpyHostToDevice);
  }
  ~DeviceBuffer() { cudaFree(ptr); }
  template <typename T> T *as() const { return static_cast<T *>(ptr); }
  at::Tensor toHost(at::IntArrayRef shape, at::ScalarType type) const {
    at::Tensor t = at::empty(shape, type);
    cudaMemcpy(t.data_ptr(), ptr, bytes, cudaMemcpyDeviceToHost);
    return t;
  }
};

struct Fixture {
  int64_t steps = 4;
  at::Tensor x = at::randn({4, 2, 7, 12}) * 0.4;
  std::vector<float> theta = {0.05f, 0.11f, 0.023f}, v0 = {0.025f};
  cuda::StepShape shape() const {
    return {steps, x.numel() / steps, x.size(-1), x.size(-2)};
  }
};

TEST(CudaKernels, ISNeuronEqualsCPU) {
  REQUIRE_GPU();
  Fixture f;
  neuron::ISParams p;
  ASSERT_EQ(neuron::theorem2Params(6, 4, true, true, p), nullptr);
  for (int64_t bypass : {0, 2}) {
    SpikeTally cpuTally;
    at::Tensor expected =
        isNeuronKernel(f.x, f.theta, f.v0, p, &cpuTally, Bypass{bypass});
    DeviceBuffer x(f.x), out(f.x.numel() * sizeof(float)),
        th(at::tensor(f.theta)), v(at::tensor(f.v0)),
        counters(2 * sizeof(unsigned long long));
    auto *c = counters.as<unsigned long long>();
    ASSERT_EQ(cuda::isNeuron(x.as<float>(), out.as<float>(), f.shape(),
                             {th.as<float>(), 3}, {v.as<float>(), 1}, p, bypass,
                             {c, c + 1}, nullptr),
              0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(at::equal(out.toHost(f.x.sizes(), at::kFloat), expected));
    at::Tensor totals = counters.toHost({2}, at::kLong);
    EXPECT_EQ(totals[0].item<int64_t>(), cpuTally.spikes);
    EXPECT_EQ(totals[1].item<int64_t>(), cpuTally.events);
  }
}

TEST(CudaKernels, IFNeuronAndCollectEqualCPU) {
  REQUIRE_GPU();
  Fixture f;
  neuron::ISParams p;
  ASSERT_EQ(neuron::theorem2Params(6, 4, true, true, p), nullptr);
  for (auto schedule :
       {neuron::IFSchedule::IntegrateThenFire, neuron::IFSchedule::Uniform}) {
    at::Tensor spikes =
        ifNeuronKernel(f.x, f.theta, f.v0, p, schedule, nullptr);
    at::Tensor collected = ifCollectKernel(spikes, f.theta, p);
    DeviceBuffer x(f.x), out(size_t(spikes.numel())), th(at::tensor(f.theta)),
        v(at::tensor(f.v0)), values(f.x.numel() * sizeof(float));
    ASSERT_EQ(cuda::ifNeuron(x.as<float>(), out.as<uint8_t>(), f.shape(),
                             {th.as<float>(), 3}, {v.as<float>(), 1}, p,
                             schedule, {nullptr, nullptr}, nullptr),
              0);
    ASSERT_EQ(cuda::ifCollect(out.as<uint8_t>(), values.as<float>(), f.shape(),
                              {th.as<float>(), 3}, p, nullptr),
              0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(at::equal(out.toHost(spikes.sizes(), at::kByte), spikes));
    EXPECT_TRUE(at::equal(values.toHost(f.x.sizes(), at::kFloat), collected));
  }
}

TEST(CudaKernels, QuantizeEqualsCPU) {
  REQUIRE_GPU();
  Fixture f;
  neuron::QuantGrid grid = neuron::quantGrid(6, true);
  at::Tensor expected = quantizeKernel(f.x, f.theta, grid, Bypass{1});
  DeviceBuffer x(f.x), out(f.x.numel() * sizeof(float)), s(at::tensor(f.theta));
  ASSERT_EQ(cuda::quantize(x.as<float>(), out.as<float>(), f.x.numel(),
                           f.x.size(-1), f.x.size(-2), {s.as<float>(), 3}, grid,
                           1, nullptr),
            0);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(at::equal(out.toHost(f.x.sizes(), at::kFloat), expected));
}

TEST(CudaKernels, AccumulateDifferenceAndAAMulEqualCPU) {
  REQUIRE_GPU();
  Fixture f;
  at::Tensor y = at::randn_like(f.x);
  int64_t per = f.x.numel() / f.steps;
  // The CPU executor's definitions (Executor.cpp).
  at::Tensor sa = f.x.clone(), sb = y.clone();
  for (int64_t t = 1; t < f.steps; ++t) {
    sa[t] = sa[t - 1] + f.x[t];
    sb[t] = sb[t - 1] + y[t];
  }
  at::Tensor diff = sa - at::cat({at::zeros_like(sa.narrow(0, 0, 1)),
                                  sa.narrow(0, 0, f.steps - 1)});
  at::Tensor p = sa * sb;
  at::Tensor product = p - at::cat({at::zeros_like(p.narrow(0, 0, 1)),
                                    p.narrow(0, 0, f.steps - 1)});

  DeviceBuffer a(f.x), b(y), run(f.x.numel() * sizeof(float)),
      d(f.x.numel() * sizeof(float)), prod(f.x.numel() * sizeof(float));
  ASSERT_EQ(
      cuda::runningSum(a.as<float>(), run.as<float>(), f.steps, per, nullptr),
      0);
  ASSERT_EQ(
      cuda::differences(run.as<float>(), d.as<float>(), f.steps, per, nullptr),
      0);
  ASSERT_EQ(cuda::aaMul(a.as<float>(), b.as<float>(), prod.as<float>(), f.steps,
                        per, nullptr),
            0);
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_TRUE(at::equal(run.toHost(f.x.sizes(), at::kFloat), sa));
  EXPECT_TRUE(at::equal(d.toHost(f.x.sizes(), at::kFloat), diff));
  EXPECT_TRUE(at::equal(prod.toHost(f.x.sizes(), at::kFloat), product));
}

#ifdef SPIKE_HAVE_ATEN_CUDA
TEST(CudaKernels, PlanOnCudaMatchesCPU) {
  REQUIRE_GPU();
  for (const char *level : {"is", "if"}) {
    auto plan = loadPlan(std::string(SPIKE_SOURCE_DIR) +
                         "/test/Plan/golden/tiny-" + level + ".plan.json");
    ASSERT_TRUE(plan) << plan.message();
    at::Tensor tokens =
        at::tensor({1, 5, 7, 2, 9, 3, 11, 4}, at::kLong).reshape({1, 8});
    Executor cpu(*plan);
    auto expected = cpu.forward(tokens);
    ASSERT_TRUE(expected) << expected.message();
    Plan onGpu = *plan;
    moveToDevice(onGpu, at::Device("cuda"));
    Executor gpu(onGpu);
    auto got = gpu.forward(tokens);
    ASSERT_TRUE(got) << got.message();
    // cuBLAS sums in another order than the CPU, and the GPU's exp may
    // differ by an ulp: the same logits to f32 rounding, provided no
    // neuron decision of these tokens is within that rounding of a flip.
    auto margins = margin::roundingMargins(*plan, tokens);
    ASSERT_GT(margins.rounding, margin::kSafeRoundingMargin) << level;
    double tol = margin::logitTolerance(*expected);
    EXPECT_LE((got->cpu() - *expected).abs().max().item<double>(), tol)
        << level << ": tolerance " << tol;
  }
}
#endif

} // namespace
