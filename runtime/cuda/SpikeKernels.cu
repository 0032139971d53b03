//===- SpikeKernels.cu - CUDA kernels of the spiking ops ------------------===//

#include "spike/runtime/cuda/SpikeKernels.h"

#include <cuda_runtime.h>

#include <type_traits>

namespace spike::cuda {

using runtime::NeuronCounts;

namespace {

constexpr int kThreads = 256;

__device__ inline float groupValue(Groups g, int64_t i, int64_t d) {
  return g.values[neuron::groupOf(i % d, d, g.count)];
}

__device__ inline bool bypassed(int64_t i, int64_t d, int64_t rows,
                                int64_t bypassRows) {
  return bypassRows > 0 && (i / d) % rows < bypassRows;
}

__device__ inline void count(Tally tally, const NeuronCounts &c) {
  if (!tally.counters)
    return;
  for (int f = 0; f < NeuronCounts::kFields; ++f)
    if (int64_t v = c.field(f))
      atomicAdd(tally.counters + f, (unsigned long long)v);
}

int blocks(int64_t n) { return int((n + kThreads - 1) / kThreads); }

/// A launch over no elements is a no-op: CUDA rejects an empty grid.
bool empty(int64_t n, int64_t steps = 1) { return n <= 0 || steps <= 0; }

cudaStream_t asStream(void *s) { return static_cast<cudaStream_t>(s); }

int launched() { return int(cudaGetLastError()); }

__global__ void isNeuronKernel(const float *x, float *out, StepShape sh,
                               Groups theta, Groups v0, neuron::ISParams params,
                               int64_t bypassRows, Tally tally) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= sh.perStep)
    return;
  if (bypassed(i, sh.d, sh.rows, bypassRows)) {
    for (int64_t t = 0; t < sh.steps; ++t)
      out[t * sh.perStep + i] = x[t * sh.perStep + i];
    return;
  }
  float th = groupValue(theta, i, sh.d);
  neuron::ISState<float> st = neuron::isInit(groupValue(v0, i, sh.d), th);
  NeuronCounts counts;
  bool signedCode = params.coding == neuron::SpikeCoding::Signed;
  for (int64_t t = 0; t < sh.steps; ++t) {
    int64_t s = neuron::isStep(st, x[t * sh.perStep + i], th, params);
    out[t * sh.perStep + i] = neuron::isOutput(s, th, params);
    counts.addStep(s, signedCode &&
                          neuron::signedCapBound(st.u, st.spent, s, params));
  }
  count(tally, counts);
}

/// S: uint8_t for the offset code's 0/1 spikes, int8_t for the signed
/// code's -1/0/+1 (neuron::signedIfWindow, integrate-then-fire).
template <typename S>
__global__ void ifNeuronKernel(const float *x, S *out, StepShape sh,
                               Groups theta, Groups v0, neuron::ISParams params,
                               neuron::IFSchedule schedule, Tally tally) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= sh.perStep)
    return;
  float th = groupValue(theta, i, sh.d);
  neuron::ISState<float> st = neuron::isInit(groupValue(v0, i, sh.d), th);
  NeuronCounts counts;
  S window[256]; // L <= 2^8 - 1 (Theorem 2 and the signed code, n <= 8)
  for (int64_t t = 0; t < sh.steps; ++t) {
    int64_t c;
    if constexpr (std::is_same_v<S, int8_t>)
      c = neuron::signedIfWindow(st, x[t * sh.perStep + i], th, params, window);
    else
      c = neuron::ifWindow(st, x[t * sh.perStep + i], th, params, schedule,
                           window);
    for (int64_t j = 0; j < params.levels; ++j)
      out[(t * params.levels + j) * sh.perStep + i] = window[j];
    counts.addWindow(c, std::is_same_v<S, int8_t> &&
                            neuron::signedCapBound(st.u, st.spent, c, params));
  }
  count(tally, counts);
}

template <typename S>
__global__ void ifCollectKernel(const S *spikes, float *out, StepShape sh,
                                Groups theta, neuron::ISParams params) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= sh.perStep)
    return;
  float th = groupValue(theta, i, sh.d);
  for (int64_t t = 0; t < sh.steps; ++t) {
    int64_t c = 0;
    for (int64_t j = 0; j < params.levels; ++j)
      c += spikes[(t * params.levels + j) * sh.perStep + i];
    out[t * sh.perStep + i] = neuron::isOutput(c, th, params);
  }
}

__global__ void quantizeKernel(const float *x, float *out, int64_t n, int64_t d,
                               int64_t rows, Groups scale,
                               neuron::QuantGrid grid, int64_t bypassRows) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  out[i] = bypassed(i, d, rows, bypassRows)
               ? x[i]
               : neuron::quantize(x[i], groupValue(scale, i, d), grid);
}

__global__ void runningSumKernel(const float *x, float *out, int64_t steps,
                                 int64_t per) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= per)
    return;
  float s = 0;
  for (int64_t t = 0; t < steps; ++t) {
    s = t == 0 ? x[i] : s + x[t * per + i];
    out[t * per + i] = s;
  }
}

__global__ void differencesKernel(const float *o, float *out, int64_t steps,
                                  int64_t per) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= per)
    return;
  float prev = 0;
  for (int64_t t = 0; t < steps; ++t) {
    float v = o[t * per + i];
    out[t * per + i] = v - prev;
    prev = v;
  }
}

__global__ void aaMulKernel(const float *a, const float *b, float *out,
                            int64_t steps, int64_t per) {
  int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= per)
    return;
  float sa = 0, sb = 0, prev = 0;
  for (int64_t t = 0; t < steps; ++t) {
    sa = t == 0 ? a[i] : sa + a[t * per + i];
    sb = t == 0 ? b[i] : sb + b[t * per + i];
    float p = sa * sb; // P(t) = S_A(t) S_B(t); the step emits P(t) - P(t-1)
    out[t * per + i] = p - prev;
    prev = p;
  }
}

} // namespace

int isNeuron(const float *x, float *out, StepShape shape, Groups theta,
             Groups v0, const neuron::ISParams &params, int64_t bypassRows,
             Tally tally, void *stream) {
  if (empty(shape.perStep, shape.steps))
    return 0;
  isNeuronKernel<<<blocks(shape.perStep), kThreads, 0, asStream(stream)>>>(
      x, out, shape, theta, v0, params, bypassRows, tally);
  return launched();
}

int ifNeuron(const float *x, void *out, StepShape shape, Groups theta,
             Groups v0, const neuron::ISParams &params,
             neuron::IFSchedule schedule, Tally tally, void *stream) {
  if (params.levels > 256)
    return int(cudaErrorInvalidValue);
  if (empty(shape.perStep, shape.steps))
    return 0;
  if (params.coding == neuron::SpikeCoding::Signed)
    ifNeuronKernel<<<blocks(shape.perStep), kThreads, 0, asStream(stream)>>>(
        x, static_cast<int8_t *>(out), shape, theta, v0, params, schedule,
        tally);
  else
    ifNeuronKernel<<<blocks(shape.perStep), kThreads, 0, asStream(stream)>>>(
        x, static_cast<uint8_t *>(out), shape, theta, v0, params, schedule,
        tally);
  return launched();
}

int ifCollect(const void *spikes, float *out, StepShape shape, Groups theta,
              const neuron::ISParams &params, void *stream) {
  if (empty(shape.perStep, shape.steps))
    return 0;
  if (params.coding == neuron::SpikeCoding::Signed)
    ifCollectKernel<<<blocks(shape.perStep), kThreads, 0, asStream(stream)>>>(
        static_cast<const int8_t *>(spikes), out, shape, theta, params);
  else
    ifCollectKernel<<<blocks(shape.perStep), kThreads, 0, asStream(stream)>>>(
        static_cast<const uint8_t *>(spikes), out, shape, theta, params);
  return launched();
}

int quantize(const float *x, float *out, int64_t n, int64_t d, int64_t rows,
             Groups scale, const neuron::QuantGrid &grid, int64_t bypassRows,
             void *stream) {
  if (empty(n))
    return 0;
  quantizeKernel<<<blocks(n), kThreads, 0, asStream(stream)>>>(
      x, out, n, d, rows, scale, grid, bypassRows);
  return launched();
}

int runningSum(const float *x, float *out, int64_t steps, int64_t perStep,
               void *stream) {
  if (empty(perStep, steps))
    return 0;
  runningSumKernel<<<blocks(perStep), kThreads, 0, asStream(stream)>>>(
      x, out, steps, perStep);
  return launched();
}

int differences(const float *o, float *out, int64_t steps, int64_t perStep,
                void *stream) {
  if (empty(perStep, steps))
    return 0;
  differencesKernel<<<blocks(perStep), kThreads, 0, asStream(stream)>>>(
      o, out, steps, perStep);
  return launched();
}

int aaMul(const float *a, const float *b, float *out, int64_t steps,
          int64_t perStep, void *stream) {
  if (empty(perStep, steps))
    return 0;
  aaMulKernel<<<blocks(perStep), kThreads, 0, asStream(stream)>>>(
      a, b, out, steps, perStep);
  return launched();
}

const char *errorString(int code) {
  return cudaGetErrorString(cudaError_t(code));
}

int deviceCount(int *error) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (error)
    *error = int(e);
  if (e != cudaSuccess) {
    cudaGetLastError(); // clear the error, which later calls would report
    return 0;
  }
  return n;
}

} // namespace spike::cuda
