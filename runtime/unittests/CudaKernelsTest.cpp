//===- CudaKernelsTest.cpp - CUDA kernels equal the CPU kernels -----------===//
//
// Built wherever nvcc exists. Without a usable CUDA device every test
// skips with "no CUDA device" (CI); with SPIKE_REQUIRE_GPU=1 that is a
// failure instead, so that a GPU machine whose driver cannot run this CUDA
// runtime does not pass (scripts/gpu-check.sh sets it).
//
// The raw-pointer kernels must give the CPU kernels' results bit for bit:
// both run Neuron.h in f32 element by element, and neither contracts to
// FMA (-fmad=false, -ffp-contract=off). The sweeps cover the neuron
// parameters (signed and unsigned grids, T = 1..8, budget on and off,
// correction spikes, per-tensor, grouped and per-channel thresholds, the
// prefix bypass, both IF schedules and their tallies) on sizes of several
// blocks, plus zero-size launches, a side stream and a second device.
// Whole plans then run on the device and are compared with the CPU on
// argmax and spike counts (PlanOnCuda below states the allowed mismatch).
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Executor.h"
#include "spike/runtime/Kernels.h"
#include "spike/runtime/cuda/SpikeKernels.h"

#include "GoldenPlans.h"
#include "RoundingMargin.h"

#include <cuda_runtime.h>

#include <gtest/gtest.h>

#ifdef SPIKE_HAVE_ATEN_CUDA
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include <cstdlib>
#include <optional>
#include <sstream>

using namespace spike;
using namespace spike::runtime;

namespace {

/// Why this machine cannot run the tests, or nothing when it can.
std::optional<std::string> noDevice() {
  int error = 0;
  if (cuda::deviceCount(&error) > 0)
    return std::nullopt;
  std::string why = "no CUDA device";
  if (error != 0)
    why +=
        std::string(" (cudaGetDeviceCount: ") + cuda::errorString(error) + ")";
  return why;
}

bool gpuRequired() {
  const char *v = std::getenv("SPIKE_REQUIRE_GPU");
  return v && std::string(v) == "1";
}

#define REQUIRE_GPU()                                                          \
  if (auto why = noDevice()) {                                                 \
    if (gpuRequired())                                                         \
      FAIL() << *why << " and SPIKE_REQUIRE_GPU=1";                            \
    GTEST_SKIP() << *why;                                                      \
  }

/// A device buffer on the current device, freed on destruction; optionally
/// holding a CPU tensor's bytes.
struct DeviceBuffer {
  void *ptr = nullptr;
  size_t bytes;
  explicit DeviceBuffer(size_t n) : bytes(n) {
    if (n > 0) {
      EXPECT_EQ(cudaMalloc(&ptr, n), cudaSuccess);
      EXPECT_EQ(cudaMemset(ptr, 0, n), cudaSuccess);
    }
  }
  explicit DeviceBuffer(const at::Tensor &t)
      : DeviceBuffer(size_t(t.numel()) * t.element_size()) {
    at::Tensor c = t.contiguous();
    if (bytes > 0) {
      EXPECT_EQ(cudaMemcpy(ptr, c.data_ptr(), bytes, cudaMemcpyHostToDevice),
                cudaSuccess);
    }
  }
  explicit DeviceBuffer(const std::vector<float> &v)
      : DeviceBuffer(at::tensor(v)) {}
  DeviceBuffer(const DeviceBuffer &) = delete;
  ~DeviceBuffer() { cudaFree(ptr); }
  template <typename T> T *as() const { return static_cast<T *>(ptr); }
  at::Tensor toHost(at::IntArrayRef shape, at::ScalarType type) const {
    at::Tensor t = at::empty(shape, type);
    if (bytes > 0) {
      EXPECT_EQ(cudaMemcpy(t.data_ptr(), ptr, bytes, cudaMemcpyDeviceToHost),
                cudaSuccess);
    }
    return t;
  }
};

//===----------------------------------------------------------------------===//
// The neuron parameter sweep
//===----------------------------------------------------------------------===//

/// One point of the sweep.
struct NeuronCase {
  int bits;
  bool isSigned;
  int64_t steps;
  bool budget;
  bool bidirectional;
  int64_t groups; ///< of thresholds: 1 (per tensor), 3, or d (per channel)
  int64_t bypass; ///< prefix rows that pass through (IS neurons only)
  /// The signed code's per-step cap L: 0 for the offset code, -1 for the
  /// smallest (signedCodeParams), else L.
  int64_t signedLevels = 0;

  std::string name() const {
    std::ostringstream os;
    os << bits << "-bit " << (isSigned ? "signed" : "unsigned") << ", T "
       << steps << ", budget " << (budget ? "on" : "off")
       << (bidirectional ? ", correction spikes" : "") << ", " << groups
       << " threshold group(s), bypass " << bypass;
    if (signedLevels)
      os << ", signed code, L " << params().levels;
    return os.str();
  }
  neuron::ISParams params() const {
    neuron::ISParams p;
    if (signedLevels) {
      EXPECT_EQ(neuron::signedCodeParams(bits, steps, p), nullptr);
      if (signedLevels > 0)
        p.levels = signedLevels;
      return p;
    }
    EXPECT_EQ(neuron::theorem2Params(bits, steps, isSigned, budget, p),
              nullptr);
    p.bidirectional = bidirectional;
    return p;
  }
};

/// Every counter of a device's NeuronCounts against the CPU's.
void expectCounts(const at::Tensor &device, const NeuronCounts &cpu) {
  at::Tensor c = device.contiguous();
  NeuronCounts got = NeuronCounts::fromFields(c.data_ptr<int64_t>());
  for (int f = 0; f < NeuronCounts::kFields; ++f)
    EXPECT_EQ(got.field(f), cpu.field(f)) << "counter " << f;
}

/// [T, 2, 37, 48] inputs: 3,552 neurons per step, so 14 blocks of 256.
constexpr int64_t kBatch = 2, kRows = 37, kWidth = 48;

at::Tensor inputOf(const NeuronCase &c, uint64_t seed) {
  at::manual_seed(seed);
  // Mostly within the grid, a tail beyond it (saturation and the budget).
  return at::randn({c.steps, kBatch, kRows, kWidth}) * 0.35;
}

std::vector<float> groupValues(int64_t groups, float lo, float hi,
                               uint64_t seed) {
  at::manual_seed(seed);
  at::Tensor v = at::rand({groups}) * (hi - lo) + lo;
  return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + groups);
}

cuda::StepShape shapeOf(const at::Tensor &x) {
  return {x.size(0), x.numel() / x.size(0), x.size(-1), x.size(-2)};
}

std::vector<NeuronCase> neuronSweep(bool forIF) {
  std::vector<NeuronCase> cases;
  for (int bits : {4, 6, 8})
    for (bool isSigned : {true, false})
      for (int64_t steps : {1, 2, 4, 8})
        for (bool budget : {true, false})
          for (bool bidirectional : {false, true})
            for (int64_t groups : {int64_t(1), int64_t(3), kWidth}) {
              // IF neurons are binary: no correction spikes, no bypass.
              if (forIF && bidirectional)
                continue;
              int64_t bypass = !forIF && groups == 3 ? 2 : 0;
              cases.push_back({bits, isSigned, steps, budget, bidirectional,
                               groups, bypass});
            }
  // The signed code: any T, its smallest per-step cap and the grid's width.
  for (int bits : {4, 6, 8})
    for (int64_t steps : {1, 2, 3, 8})
      for (int64_t levels : {int64_t(-1), neuron::signedMaxLevels(bits)})
        for (int64_t groups : {int64_t(1), kWidth})
          cases.push_back({bits, true, steps, false, false, groups,
                           forIF ? 0 : int64_t(1), levels});
  return cases;
}

TEST(CudaKernels, ISNeuronSweepEqualsCPU) {
  REQUIRE_GPU();
  uint64_t seed = 1;
  for (const NeuronCase &c : neuronSweep(/*forIF=*/false)) {
    SCOPED_TRACE(c.name());
    neuron::ISParams p = c.params();
    at::Tensor x = inputOf(c, seed++);
    std::vector<float> theta = groupValues(c.groups, 0.02f, 0.1f, seed++);
    std::vector<float> v0 =
        groupValues(c.groups == 3 ? 1 : c.groups, -0.2f, 0.7f, seed++);
    SpikeTally cpuTally;
    at::Tensor expected =
        isNeuronKernel(x, theta, v0, p, &cpuTally, Bypass{c.bypass});

    DeviceBuffer in(x), out(x.numel() * sizeof(float)), th(theta), v(v0),
        counters(NeuronCounts::kFields * sizeof(unsigned long long));
    ASSERT_EQ(cuda::isNeuron(in.as<float>(), out.as<float>(), shapeOf(x),
                             {th.as<float>(), int64_t(theta.size())},
                             {v.as<float>(), int64_t(v0.size())}, p, c.bypass,
                             {counters.as<unsigned long long>()}, nullptr),
              0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(at::equal(out.toHost(x.sizes(), at::kFloat), expected));
    expectCounts(counters.toHost({NeuronCounts::kFields}, at::kLong), cpuTally);
    ASSERT_GT(cpuTally.spikes, 0) << "the sweep must make neurons fire";
  }
}

TEST(CudaKernels, IFNeuronSweepAndCollectEqualCPU) {
  REQUIRE_GPU();
  uint64_t seed = 1000;
  for (const NeuronCase &c : neuronSweep(/*forIF=*/true))
    for (auto schedule :
         {neuron::IFSchedule::IntegrateThenFire, neuron::IFSchedule::Uniform}) {
      if (c.signedLevels && schedule == neuron::IFSchedule::Uniform)
        continue; // the signed code fires integrate-then-fire only
      SCOPED_TRACE(c.name() + (schedule == neuron::IFSchedule::Uniform
                                   ? ", uniform"
                                   : ", integrate-then-fire"));
      neuron::ISParams p = c.params();
      at::Tensor x = inputOf(c, seed++);
      std::vector<float> theta = groupValues(c.groups, 0.02f, 0.1f, seed++);
      std::vector<float> v0 = groupValues(c.groups, -0.2f, 0.7f, seed++);
      SpikeTally cpuTally;
      at::Tensor spikes = ifNeuronKernel(x, theta, v0, p, schedule, &cpuTally);
      at::Tensor collected = ifCollectKernel(spikes, theta, p);

      DeviceBuffer in(x), out(size_t(spikes.numel())), th(theta), v(v0),
          values(x.numel() * sizeof(float)),
          counters(NeuronCounts::kFields * sizeof(unsigned long long));
      cuda::Groups thG{th.as<float>(), int64_t(theta.size())};
      ASSERT_EQ(cuda::ifNeuron(in.as<float>(), out.as<void>(), shapeOf(x), thG,
                               {v.as<float>(), int64_t(v0.size())}, p, schedule,
                               {counters.as<unsigned long long>()}, nullptr),
                0);
      ASSERT_EQ(cuda::ifCollect(out.as<void>(), values.as<float>(), shapeOf(x),
                                thG, p, nullptr),
                0);
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      EXPECT_TRUE(at::equal(out.toHost(spikes.sizes(), spikeType(p)), spikes));
      EXPECT_TRUE(at::equal(values.toHost(x.sizes(), at::kFloat), collected));
      expectCounts(counters.toHost({NeuronCounts::kFields}, at::kLong),
                   cpuTally);
    }
}

TEST(CudaKernels, QuantizeSweepEqualsCPU) {
  REQUIRE_GPU();
  uint64_t seed = 2000;
  for (int bits : {2, 4, 6, 8})
    for (bool isSigned : {true, false})
      for (int64_t groups : {int64_t(1), int64_t(3), kWidth})
        for (int64_t bypass : {0, 1}) {
          SCOPED_TRACE(std::to_string(bits) + "-bit, " +
                       (isSigned ? "signed, " : "unsigned, ") +
                       std::to_string(groups) + " group(s), bypass " +
                       std::to_string(bypass));
          at::manual_seed(seed++);
          at::Tensor x = at::randn({kBatch, kRows, kWidth}) * 0.5;
          std::vector<float> scale = groupValues(groups, 0.01f, 0.05f, seed++);
          neuron::QuantGrid grid = neuron::quantGrid(bits, isSigned);
          at::Tensor expected = quantizeKernel(x, scale, grid, Bypass{bypass});
          DeviceBuffer in(x), out(x.numel() * sizeof(float)), s(scale);
          ASSERT_EQ(cuda::quantize(in.as<float>(), out.as<float>(), x.numel(),
                                   kWidth, kRows,
                                   {s.as<float>(), int64_t(scale.size())}, grid,
                                   bypass, nullptr),
                    0);
          ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
          EXPECT_TRUE(at::equal(out.toHost(x.sizes(), at::kFloat), expected));
        }
}

/// The CPU executor's definitions (Executor.cpp): running sums step by
/// step, differences against the previous step, P(t) = S_A(t) S_B(t).
struct AccumulateReference {
  at::Tensor runningSum, differences, product;
  AccumulateReference(const at::Tensor &a, const at::Tensor &b) {
    int64_t steps = a.size(0);
    at::Tensor sa = a.clone(), sb = b.clone();
    for (int64_t t = 1; t < steps; ++t) {
      sa[t] = sa[t - 1] + a[t];
      sb[t] = sb[t - 1] + b[t];
    }
    auto delta = [&](const at::Tensor &s) {
      return s - at::cat({at::zeros_like(s.narrow(0, 0, 1)),
                          s.narrow(0, 0, steps - 1)});
    };
    runningSum = sa;
    differences = delta(sa);
    product = delta(sa * sb);
  }
};

TEST(CudaKernels, AccumulateDifferenceAndAAMulEqualCPU) {
  REQUIRE_GPU();
  for (int64_t steps : {1, 2, 4, 8}) {
    SCOPED_TRACE("T " + std::to_string(steps));
    at::manual_seed(steps);
    at::Tensor a = at::randn({steps, kBatch, kRows, kWidth});
    at::Tensor b = at::randn_like(a);
    AccumulateReference ref(a, b);
    int64_t per = a.numel() / steps;
    size_t bytes = a.numel() * sizeof(float);
    DeviceBuffer da(a), db(b), run(bytes), d(bytes), prod(bytes);
    ASSERT_EQ(
        cuda::runningSum(da.as<float>(), run.as<float>(), steps, per, nullptr),
        0);
    ASSERT_EQ(
        cuda::differences(run.as<float>(), d.as<float>(), steps, per, nullptr),
        0);
    ASSERT_EQ(cuda::aaMul(da.as<float>(), db.as<float>(), prod.as<float>(),
                          steps, per, nullptr),
              0);
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    EXPECT_TRUE(at::equal(run.toHost(a.sizes(), at::kFloat), ref.runningSum));
    EXPECT_TRUE(at::equal(d.toHost(a.sizes(), at::kFloat), ref.differences));
    EXPECT_TRUE(at::equal(prod.toHost(a.sizes(), at::kFloat), ref.product));
  }
}

TEST(CudaKernels, ZeroSizeLaunchesAreNoOps) {
  REQUIRE_GPU();
  neuron::ISParams p;
  ASSERT_EQ(neuron::theorem2Params(6, 4, true, true, p), nullptr);
  DeviceBuffer th(std::vector<float>{0.05f});
  cuda::Groups g{th.as<float>(), 1};
  cuda::StepShape none{4, 0, 8, 0};
  EXPECT_EQ(cuda::isNeuron(nullptr, nullptr, none, g, g, p, 0, {}, nullptr), 0);
  EXPECT_EQ(cuda::ifNeuron(nullptr, nullptr, none, g, g, p,
                           neuron::IFSchedule::IntegrateThenFire, {}, nullptr),
            0);
  EXPECT_EQ(cuda::ifCollect(nullptr, nullptr, none, g, p, nullptr), 0);
  EXPECT_EQ(cuda::quantize(nullptr, nullptr, 0, 8, 0, g,
                           neuron::quantGrid(6, true), 0, nullptr),
            0);
  EXPECT_EQ(cuda::runningSum(nullptr, nullptr, 0, 16, nullptr), 0);
  EXPECT_EQ(cuda::differences(nullptr, nullptr, 4, 0, nullptr), 0);
  EXPECT_EQ(cuda::aaMul(nullptr, nullptr, nullptr, 4, 0, nullptr), 0);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess) << "no launch error is left";
}

TEST(CudaKernels, SideStreamAndSecondDevice) {
  REQUIRE_GPU();
  NeuronCase c{6, true, 4, true, true, 3, 0};
  neuron::ISParams p = c.params();
  at::Tensor x = inputOf(c, 3000);
  std::vector<float> theta = groupValues(3, 0.02f, 0.1f, 3001), v0 = {0.25f};
  at::Tensor expected = isNeuronKernel(x, theta, v0, p, nullptr);
  int devices = cuda::deviceCount();
  for (int device = 0; device < std::min(devices, 2); ++device) {
    SCOPED_TRACE("cuda:" + std::to_string(device));
    ASSERT_EQ(cudaSetDevice(device), cudaSuccess);
    cudaStream_t side;
    ASSERT_EQ(cudaStreamCreateWithFlags(&side, cudaStreamNonBlocking),
              cudaSuccess);
    {
      DeviceBuffer in(x), out(x.numel() * sizeof(float)), th(theta), v(v0);
      ASSERT_EQ(cuda::isNeuron(in.as<float>(), out.as<float>(), shapeOf(x),
                               {th.as<float>(), 3}, {v.as<float>(), 1}, p, 0,
                               {}, side),
                0);
      ASSERT_EQ(cudaStreamSynchronize(side), cudaSuccess);
      EXPECT_TRUE(at::equal(out.toHost(x.sizes(), at::kFloat), expected));
    }
    cudaStreamDestroy(side);
  }
  ASSERT_EQ(cudaSetDevice(0), cudaSuccess);
  if (devices < 2)
    GTEST_SKIP() << "ran on cuda:0 only: one CUDA device";
}

//===----------------------------------------------------------------------===//
// Through ATen (a CUDA-enabled libtorch)
//===----------------------------------------------------------------------===//

#ifdef SPIKE_HAVE_ATEN_CUDA

/// The ATen glue on non-contiguous, empty, side-stream and second-device
/// tensors gives the CPU kernels' results.
TEST(CudaGlue, NonContiguousEmptySideStreamAndDevices) {
  REQUIRE_GPU();
  NeuronCase c{6, true, 2, true, true, 3, 1};
  neuron::ISParams p = c.params();
  // A transposed view: the glue must make it contiguous first.
  at::Tensor x = inputOf(c, 4000).transpose(1, 2); // [T, 37, 2, 48]
  ASSERT_FALSE(x.is_contiguous());
  std::vector<float> theta = groupValues(3, 0.02f, 0.1f, 4001), v0 = {0.25f};
  SpikeTally cpuTally;
  at::Tensor expected =
      isNeuronKernel(x.contiguous(), theta, v0, p, &cpuTally, Bypass{1});
  int devices = int(c10::cuda::device_count());
  for (int device = 0; device < std::min(devices, 2); ++device) {
    SCOPED_TRACE("cuda:" + std::to_string(device));
    at::Device where(at::kCUDA, device);
    // The current device is 0 and the tensor's current stream a side one:
    // the glue must switch to the tensor's device and use that stream.
    at::Tensor xd = x.to(where);
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device);
    c10::cuda::CUDAStreamGuard onSide(side);
    c10::cuda::CUDAGuard onFirst(0);
    side.synchronize(); // xd was written on the default stream
    SpikeTally tally;
    at::Tensor got = isNeuronKernel(xd, theta, v0, p, &tally, Bypass{1});
    EXPECT_EQ(got.device(), where);
    side.synchronize();
    EXPECT_TRUE(at::equal(got.cpu(), expected));
    EXPECT_EQ(tally.spikes, cpuTally.spikes);
    EXPECT_EQ(tally.events, cpuTally.events);
    // Device-resident counters: no sync until read.
    SpikeTally resident;
    resident.onDevice =
        at::zeros({NeuronCounts::kFields}, xd.options().dtype(at::kLong));
    isNeuronKernel(xd, theta, v0, p, &resident, Bypass{1});
    expectCounts(resident.onDevice.cpu(), cpuTally);
    // Empty tensors: empty results, no launch.
    at::Tensor empty = at::empty({2, 0, kWidth}, xd.options());
    EXPECT_EQ(isNeuronKernel(empty, theta, v0, p, nullptr).numel(), 0);
    EXPECT_EQ(quantizeKernel(empty, theta, neuron::quantGrid(6, true)).numel(),
              0);
    side.synchronize();
  }
  if (devices < 2)
    GTEST_SKIP() << "ran on cuda:0 only: one CUDA device";
}

/// Counts CUDA's sync debug warnings (and passes no warning on).
struct SyncCounter : c10::WarningHandler {
  int64_t count = 0;
  void process(const c10::Warning &w) override {
    if (w.msg().find("synchroniz") != std::string::npos)
      ++count;
  }
};

struct PlanCase {
  const char *level;
  std::vector<int64_t> prefix;
  bool decode; ///< prompt of 4 tokens, then one token per call (KV cache)
};

class PlanOnCuda : public ::testing::TestWithParam<PlanCase> {};

/// Whole plans on the device against the CPU. cuBLAS sums in another order
/// than the CPU's GEMM and the GPU's exp may differ by an ulp, so the two
/// agree to f32 rounding only: the test first asserts that no quantizer or
/// neuron decision of these tokens lies within that rounding of its
/// boundary (RoundingMargin.h). Given that, no decision can flip, so the
/// allowed mismatch rate is derived as zero: the spike counts of every
/// site must be equal, the logits within margin::logitTolerance, and the
/// argmax equal at every position (each top-two gap is asserted above
/// twice the tolerance). The device run must also keep host syncs out of
/// the per-op path (counted with CUDA's sync debug mode).
TEST_P(PlanOnCuda, MatchesCPU) {
  REQUIRE_GPU();
  const PlanCase &c = GetParam();
  auto plan = loadPlan(golden(c.level));
  ASSERT_TRUE(plan) << plan.message();
  at::Tensor tokens =
      at::tensor({1, 5, 7, 2, 9, 3, 11, 4, 6, 8}, at::kLong).reshape({1, 10});
  auto margins = margin::roundingMargins(*plan, tokens, c.prefix);
  ASSERT_GT(margins.rounding, margin::kSafeRoundingMargin);

  Executor cpu(*plan);
  cpu.setPrefix(c.prefix);
  auto expected = cpu.forward(tokens);
  ASSERT_TRUE(expected) << expected.message();
  double tol = margin::logitTolerance(*expected);
  ASSERT_GT(margins.argmax, 2 * tol) << "a near-tie: choose other tokens";

  Plan onGpu = *plan;
  moveToDevice(onGpu, at::Device("cuda"));
  Executor gpu(onGpu);
  gpu.setPrefix(c.prefix);
  // Warm up (uploads each op's thresholds once), then count host syncs:
  // CUDA's sync debug mode reports each one as a warning.
  ASSERT_TRUE(Executor(onGpu).forward(tokens.narrow(1, 0, 2)));
  SyncCounter syncs;
  int64_t calls = 0;
  std::vector<at::Tensor> pieces;
  std::string error;
  try {
    c10::WarningUtils::WarningHandlerGuard counting(&syncs);
    c10::cuda::warning_state().set_sync_debug_mode(
        c10::cuda::SyncDebugMode::L_WARN);
    if (c.decode) {
      DecodeCache cache;
      for (int64_t i = 0; i < 10 && error.empty(); i += i == 0 ? 4 : 1) {
        ++calls;
        if (auto step =
                gpu.forward(tokens.narrow(1, i, i == 0 ? 4 : 1), &cache))
          pieces.push_back(*step);
        else
          error = step.message();
      }
    } else {
      ++calls;
      if (auto got = gpu.forward(tokens))
        pieces.push_back(*got);
      else
        error = got.message();
    }
  } catch (const std::exception &e) {
    error = e.what();
  }
  c10::cuda::warning_state().set_sync_debug_mode(
      c10::cuda::SyncDebugMode::L_DISABLED);
  ASSERT_EQ(error, "") << "the device run failed";
  // The per-call uploads (token ids, RoPE tables) go through pinned
  // memory without a wait; allow two per call for what ATen may still
  // synchronize, far below the plan's neuron ops (eight per call).
  EXPECT_LE(syncs.count, 2 * calls) << "host syncs in the per-op path";
  at::Tensor got = at::cat(pieces, 1).cpu();
  ASSERT_EQ(got.sizes(), expected->sizes());
  EXPECT_LE((got - *expected).abs().max().item<double>(), tol);
  EXPECT_TRUE(at::equal(got.argmax(-1), expected->argmax(-1)));

  // A decode run counts the spikes of the same positions in other chunks.
  if (!c.decode) {
    const auto &want = cpu.spikeCounts();
    const auto &have = gpu.spikeCounts();
    ASSERT_EQ(want.size(), have.size());
    for (const auto &[site, counts] : want) {
      SCOPED_TRACE(site);
      ASSERT_TRUE(have.count(site));
      EXPECT_EQ(have.at(site).spikes, counts.spikes);
      EXPECT_EQ(have.at(site).events, counts.events);
      EXPECT_EQ(have.at(site).synapticOps, counts.synapticOps);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Levels, PlanOnCuda,
    ::testing::Values(PlanCase{"qann", {}, false}, PlanCase{"is", {}, false},
                      PlanCase{"if", {}, false}, PlanCase{"is", {3, 12}, false},
                      PlanCase{"qann", {3, 12}, true}, PlanCase{"is", {}, true},
                      PlanCase{"if", {}, true}),
    [](const ::testing::TestParamInfo<PlanCase> &info) {
      return std::string(info.param.level) +
             (info.param.prefix.empty() ? "" : "_prefix") +
             (info.param.decode ? "_decode" : "");
    });

#endif // SPIKE_HAVE_ATEN_CUDA

} // namespace
