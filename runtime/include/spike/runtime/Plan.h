//===- Plan.h - A loaded spikec plan ----------------------------*- C++ -*-===//
//
// The plan (docs/PlanFormat.md) validated and resolved: values become slots,
// parameter names become tensors (weights already on their quantization
// grid), attributes become typed fields.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_RUNTIME_PLAN_H
#define SPIKE_RUNTIME_PLAN_H

#include "spike/core/Formats/PlanTensors.h"
#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Support/Status.h"

#include <torch/types.h>

#include <map>
#include <optional>
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

/// A value whose elements, at each time step, are fl(n · scale) for integers
/// |n| <= maxAbs, and whose running sums over the steps (the causal
/// products' operands) are integers up to maxSum times scale: the output of a
/// quantizer, of an IS neuron or of an IF collect with one scale (threshold)
/// for all channels and an integer offset alpha, and the head reshapes of
/// those. The exact products (ExactProduct.h) read the integers back by
/// rounding x / scale. Prefix positions pass quantizers and neurons at full
/// precision: they are not on the grid.
struct ValueGrid {
  float scale = 0;
  int64_t maxAbs = 0, maxSum = 0;
  explicit operator bool() const { return scale > 0; }
};

struct PlanOp {
  OpKind kind;
  std::string name; ///< the plan's op name
  std::string site;
  std::vector<int> inputs;
  int output = -1;
  /// Parameters by role ("weight", "table", ...). A quantized linear holds
  /// its weight as integer codes ("weight_codes": int8 up to 8 bits, int16
  /// up to 16, else int32) and per-row scales ("weight_row_scale", f32),
  /// one byte per weight at W6 or W8, and no "weight": linearWeight() makes
  /// the f32 weight on its grid where a path needs it.
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

/// A linear's f32 weight [N, K]: "weight", else codes x row scale, each
/// value quantizeWeight's f32 product (Neuron.h), on the codes' device. Made
/// on each call for a quantized linear: callers that run often keep it.
at::Tensor linearWeight(const PlanOp &op);
/// A linear's weight shape [N, K], from whichever tensor holds it.
at::IntArrayRef linearWeightShape(const PlanOp &op);
/// The narrowest integer dtype that holds `bits`-bit codes: int8, int16 or
/// int32.
at::ScalarType codeType(int bits);
/// Integer codes (f32 or any integer dtype) in the narrowest integer dtype
/// that holds `bits`-bit codes: int8, int16 or int32.
at::Tensor codeTensor(const at::Tensor &codes, int bits);

struct Plan {
  std::string path, level;
  int64_t timesteps = 1, substeps = 1;
  std::vector<PlanOp> ops;
  int numValues = 0;
  int tokens = -1;                   ///< slot of the token input
  std::vector<int> outputs;          ///< slots of the outputs
  core::PlanTensors tensors;         ///< its own file, the weight file
  std::string tokenizer;             ///< from the model section, if any
  std::vector<int64_t> prefixTokens; ///< PrefixQuant prefix, if any
  at::Device device = at::kCPU;      ///< where the parameters live
  bool spiking() const { return level == "is" || level == "if"; }
  /// QANN and spiking plans run the defined arithmetic (bit-identical on
  /// every machine); FP plans the BLAS.
  bool quantized() const { return level == "qann" || spiking(); }
};

/// What loadPlan reads of a plan; by default all of it.
struct PlanLoadOptions {
  /// Set: only ops 0..throughOp, and the value of the last becomes the
  /// plan's one output. Later ops' tensors are not read, so the first
  /// blocks of a model larger than memory can run.
  std::optional<size_t> throughOp;
  /// Set: only the ops through this residual cut (an index into
  /// residualCuts, PlanBlocks.h), as throughOp. Two plans of one model
  /// (teacher and student) cut at the same index line up.
  std::optional<size_t> throughCut;
  /// False: the op graph only (kinds, slots, attributes, parameter names),
  /// no tensor read; not runnable, for finding where to cut it.
  bool params = true;
};

/// Validates (schema and rules, tensors included) and loads a plan, or the
/// part `options` names. Errors: the validator's (one line, with the JSON
/// pointer), an unreadable tensor, a synapse bound above int32, an op or
/// cut to load through that the plan does not have.
core::Result<Plan> loadPlan(const std::string &path,
                            const PlanLoadOptions &options = {});

/// Which ops define a value's grid: `op` (a quantizer, an IS neuron or an
/// IF collect, seen through head reshapes) gives its scale and offset,
/// `params` the neuron whose parameters bound its counts (an IF collect's
/// IF neuron); -1 for values off any grid.
struct GridSource {
  int op = -1, params = -1;
};

/// The grid source of every value slot of `plan`.
std::vector<GridSource> gridSources(const Plan &plan);

/// A value's grid from its source's current attributes (calibration
/// changes thresholds in place), or none: a quantizer's or threshold's
/// scale must be one for all channels, and a neuron's offset an integer.
ValueGrid gridOf(const Plan &plan, const GridSource &source);

/// The most one synapse of a quantized linear adds, max|n| · max|code|,
/// reading a value on `input`; 0 for a linear off the grid or unquantized.
/// Its integer sums stay below this times its fan-in K.
int64_t perSynapse(const PlanOp &linear, const ValueGrid &input);

/// Checks that the synapse bound, perSynapse · K, of every quantized
/// linear reading a grid is below 2^31 (int32 accumulation): an error
/// names the first that is not.
core::Status checkSynapseBounds(const Plan &plan);

/// Parses "cpu" or "cuda[:N]" and checks that this build and machine can
/// run there (CUDA needs a CUDA-enabled libtorch and a device).
core::Result<at::Device> parseDevice(const std::string &name);

/// Moves every parameter of `plan` to `device`.
void moveToDevice(Plan &plan, at::Device device);

} // namespace spike::runtime

#endif // SPIKE_RUNTIME_PLAN_H
