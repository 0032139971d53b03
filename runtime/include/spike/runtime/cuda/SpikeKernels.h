//===- SpikeKernels.h - CUDA kernels of the spiking ops ---------*- C++ -*-===//
//
// Plain CUDA behind a C++ interface on raw device pointers, so that it
// compiles wherever nvcc exists (Debian's libtorch is CPU-only); the ATen
// glue (lib/CudaDispatch.cpp) is built only against a CUDA-enabled libtorch.
// Every kernel runs the neuron math of spike/core/Neuron/Neuron.h, one thread
// per neuron (or element) looping over the T steps, the layout of the CPU
// kernels: x is [T, perStep] with the feature dimension d innermost.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_CUDA_SPIKEKERNELS_H
#define SPIKE_RUNTIME_CUDA_SPIKEKERNELS_H

#include "spike/core/Neuron/Neuron.h"
#include "spike/runtime/NeuronCounts.h"

#include <cstdint>

namespace spike::cuda {

/// Per-group values on the device: group g covers channels
/// [g * d / groups, (g + 1) * d / groups) of the feature dimension.
struct Groups {
  const float *values;
  int64_t count;
};

/// The shape of a [T, ..., S, d] tensor as the kernels see it.
struct StepShape {
  int64_t steps;   ///< T (for if_collect: windows)
  int64_t perStep; ///< elements of one step
  int64_t d;       ///< feature (last) dimension
  int64_t rows;    ///< size of dim -2 (positions), for the prefix bypass
};

/// Spike totals, accumulated on the device (may be null).
/// Device counters of NeuronCounts' kFields fields, in its order; null: none.
struct Tally {
  unsigned long long *counters;
};

/// All functions return 0 or a cudaError_t value; `stream` is a
/// cudaStream_t (null: the default stream) of the current device, which
/// must hold every pointer. Launches over no elements are no-ops.
int isNeuron(const float *x, float *out, StepShape shape, Groups theta,
             Groups v0, const neuron::ISParams &params, int64_t bypassRows,
             Tally tally, void *stream);
/// Out: [T * L, perStep] spikes: uint8 0/1, or int8 -1/0/+1 for the signed
/// code (params.coding).
int ifNeuron(const float *x, void *out, StepShape shape, Groups theta,
             Groups v0, const neuron::ISParams &params,
             neuron::IFSchedule schedule, Tally tally, void *stream);
/// Spikes [T * L, perStep] (as ifNeuron's out) -> [T, perStep]
/// (sum - alpha) * theta.
int ifCollect(const void *spikes, float *out, StepShape shape, Groups theta,
              const neuron::ISParams &params, void *stream);
int quantize(const float *x, float *out, int64_t n, int64_t d, int64_t rows,
             Groups scale, const neuron::QuantGrid &grid, int64_t bypassRows,
             void *stream);
/// S(t) = S(t-1) + x(t), in f32 step by step (the CPU's order).
int runningSum(const float *x, float *out, int64_t steps, int64_t perStep,
               void *stream);
/// o(t) = O(t) - O(t-1), O(0) = 0: the accumulate-difference output.
int differences(const float *o, float *out, int64_t steps, int64_t perStep,
                void *stream);
/// Causal activation x activation product, element-wise: P(t) - P(t-1)
/// with P(t) = S_A(t) S_B(t).
int aaMul(const float *a, const float *b, float *out, int64_t steps,
          int64_t perStep, void *stream);

const char *errorString(int code);
/// Number of CUDA devices: 0 without a device, and also when the runtime
/// cannot count them (no driver, a driver older than this CUDA runtime),
/// in which case `*error` (if given) receives the cudaError_t; else 0.
int deviceCount(int *error = nullptr);

} // namespace spike::cuda

#endif // SPIKE_RUNTIME_CUDA_SPIKEKERNELS_H
