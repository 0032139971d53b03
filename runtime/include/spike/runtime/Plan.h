//===- Plan.h - A loaded spikec plan ----------------------------*- C++ -*-===//
//
// The plan (docs/PlanFormat.md) validated and resolved: values become slots,
// parameter names become tensors (weights already on their quantization
// grid), attributes become typed fields.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_PLAN_H
#define SPIKE_RUNTIME_PLAN_H

#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Support/Status.h"

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace spike::runtime {

enum class OpKind {
  Embedding,
  RMSNorm,
  Linear,
  RoPE,
  SplitHeads,
  MergeHeads,
  Matmul,
  Softmax,
  SiLU,
  Mul,
  Add,
  Quantize,
  Encode,
  Decode,
  ISNeuron,
  IFNeuron,
  IFCollect,
  AccumMap,
  AAMatmul,
  AAMul,
  Observe,
  /// Not in the plan format: passes its input through. Calibration's
  /// weight-only teacher puts it in place of the activation neurons.
  Identity
};

struct RoPEConfig {
  double base = 10000;
  std::string scaling;             ///< "", "linear", "llama3" or "factors"
  std::vector<double> freqFactors; ///< "factors": divisor of frequency i
  double factor = 1, lowFreqFactor = 1, highFreqFactor = 4;
  int64_t originalMaxPosition = 8192;
};

struct PlanOp {
  OpKind kind;
  std::string name; ///< the plan's op name
  std::string site;
  std::vector<int> inputs;
  int output = -1;
  /// Parameters by role ("weight", "table", ...); linear weights are stored
  /// already on their n-bit grid.
  std::map<std::string, at::Tensor> params;
  /// The checkpoint names of the parameters, by role.
  std::map<std::string, std::string> paramNames;

  // Attributes (those the op kind uses).
  double eps = 0;
  bool causal = false, transposeRhs = false, isSigned = true;
  int64_t heads = 0;
  int64_t bits = 0; ///< a quantizer's bits, or a linear's weight bits
  RoPEConfig rope;
  std::string fn; ///< accum_map: silu, softmax, rmsnorm
  neuron::ISParams neuron;
  neuron::IFSchedule schedule = neuron::IFSchedule::IntegrateThenFire;
  std::vector<float> scale, threshold, v0; ///< per group
};

struct Plan {
  std::string path, level;
  int64_t timesteps = 1, substeps = 1;
  std::vector<PlanOp> ops;
  int numValues = 0;
  int tokens = -1;                   ///< slot of the token input
  std::vector<int> outputs;          ///< slots of the outputs
  std::string tensorsPath;           ///< the plan's safetensors file
  std::string tokenizer;             ///< from the model section, if any
  std::vector<int64_t> prefixTokens; ///< PrefixQuant prefix, if any
  at::Device device = at::kCPU;      ///< where the parameters live
  bool spiking() const { return level == "is" || level == "if"; }
};

/// Validates (schema and rules, tensors included) and loads a plan.
core::Result<Plan> loadPlan(const std::string &path);

/// Parses "cpu" or "cuda[:N]" and checks that this build and machine can
/// run there (CUDA needs a CUDA-enabled libtorch and a device).
core::Result<at::Device> parseDevice(const std::string &name);

/// Moves every parameter of `plan` to `device`.
void moveToDevice(Plan &plan, at::Device device);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_PLAN_H
