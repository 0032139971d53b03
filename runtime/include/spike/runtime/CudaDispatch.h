//===- CudaDispatch.h - ATen glue to the CUDA kernels -----------*- C++ -*-===//
//
// Built only against a CUDA-enabled libtorch (SPIKE_HAVE_ATEN_CUDA): the CPU
// kernels of Kernels.h forward CUDA tensors here, which calls the raw-pointer
// kernels of cuda/SpikeKernels.h on the current stream.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_CUDADISPATCH_H
#define SPIKE_RUNTIME_CUDADISPATCH_H

#include "spike/runtime/Kernels.h"

namespace spike::runtime::cudaglue {

at::Tensor quantize(const at::Tensor &x, const std::vector<float> &scale,
                    const neuron::QuantGrid &grid, const Bypass &bypass);
at::Tensor isNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, SpikeTally *tally,
                    const Bypass &bypass);
at::Tensor ifNeuron(const at::Tensor &x, const std::vector<float> &threshold,
                    const std::vector<float> &v0,
                    const neuron::ISParams &params, neuron::IFSchedule schedule,
                    SpikeTally *tally);
at::Tensor ifCollect(const at::Tensor &spikes,
                     const std::vector<float> &threshold,
                     const neuron::ISParams &params);
at::Tensor runningSum(const at::Tensor &x);
at::Tensor differences(const at::Tensor &o);
at::Tensor aaMul(const at::Tensor &a, const at::Tensor &b);

} // namespace spike::runtime::cudaglue

#endif // SPIKE_RUNTIME_CUDADISPATCH_H
