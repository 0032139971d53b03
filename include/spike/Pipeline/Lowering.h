//===- Lowering.h - The QANN -> IS -> IF stages, defined once ---*- C++ -*-===//
//
// The compiler's lowering as one typed options struct and one stage list,
// which both front ends use:
//   - spike-opt --spike-pipeline adds each stage's passes to its pass
//     manager (spike::addLoweringStage, lib/Transforms/Pipeline.cpp);
//   - spikec runs each stage as its own spike-opt run, resumable, with
//     --pass-pipeline set to the stage's text (tools/spikec/CompileJob.cpp).
// The text is the pass manager's own printed form of the stage, which
// unittests/PipelineTest.cpp checks, so the two cannot drift. This header
// and its library need no MLIR: the driver links none.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_PIPELINE_LOWERING_H
#define SPIKE_PIPELINE_LOWERING_H

#include <cstdint>
#include <string>
#include <vector>

namespace spike::pipeline {

/// T when none is given: the paper's headline setting (its Table 2).
inline constexpr int64_t kDefaultTimesteps = 2;
/// The context length that sizes the context-wide sites (attention
/// scores) when a graph is mapped onto a chip, when none is given.
inline constexpr int64_t kDefaultContext = 256;
/// The IS -> IF schedule when none is given (docs/Conversion.md).
inline constexpr const char *kDefaultSchedule = "integrate-then-fire";

/// Everything the lowering from a QANN to binary IF neurons decides.
struct LoweringOptions {
  int64_t timesteps = kDefaultTimesteps; ///< T, time steps per token
  /// Required activation bits of every quantizer; 0 accepts any.
  int64_t bits = 0;
  bool budget = true;            ///< cumulative spike budget per window
  bool correctionSpikes = false; ///< negative spikes (graded chips only)
  /// How signed sites carry their sign: "offset" (the paper's) or
  /// "signed" (zero is silence; neuron::SpikeCoding).
  std::string coding = "offset";
  /// The signed code's per-step cap L: "even" (its smallest) or "full"
  /// (2^n - 1, which never binds).
  std::string signedCap = "even";
  std::string schedule = kDefaultSchedule; ///< IS -> IF sub-step schedule
  /// A spikec.calibration file applied at the IS level; "" for none.
  std::string calibration;
  /// With learnt weights in it: the weight file spike-apply-calibration
  /// writes (`weights-out`); "" otherwise.
  std::string calibrationWeightsOut;
  /// The weight file of integer codes that spike-store-weight-codes
  /// writes once the IS graph's weights are final (after calibration), so
  /// that its plans, NIR and chip program read int8 codes; "" keeps the
  /// float weights.
  std::string weightCodesOut;
  /// The codes file holds only the codes and names the float file as its
  /// base (an overlay, docs/PlanFormat.md) instead of copying the rest.
  bool weightCodesOverlay = true;
  /// Canonicalize after conversion, canonicalize and CSE after lowering,
  /// as spike-pipeline runs them. The compile job leaves them off: the
  /// canonicalizer hoists the weights, which would reorder its plans.
  bool cleanup = true;
};

/// The stages, in pipeline order.
enum class LoweringStage {
  Convert,          ///< spike-verify-sites, convert-qnn-to-spike: QANN -> IS
  ApplyCalibration, ///< spike-apply-calibration: learnt theta and v0
  StoreWeightCodes, ///< spike-store-weight-codes: int8 weight codes
  LowerToIF,        ///< spike-lower-is-to-if: IS -> binary IF (Lemma 2)
};

/// The stages `options` asks for: Convert, ApplyCalibration when a
/// calibration file is given, StoreWeightCodes when a codes file is,
/// LowerToIF.
std::vector<LoweringStage> loweringStages(const LoweringOptions &options);

/// A stage's passes in MLIR's textual pipeline syntax, as nested in
/// "builtin.module(...)", e.g.
///   "spike-verify-sites,convert-qnn-to-spike{bidirectional=false ...}".
std::string stagePipeline(LoweringStage stage, const LoweringOptions &options);

/// The spike-opt argument that runs one stage:
/// "--pass-pipeline=builtin.module(<stagePipeline>)".
std::string stagePassPipelineArg(LoweringStage stage,
                                 const LoweringOptions &options);
/// The same for several stages run as one, in the order given.
std::string stagePassPipelineArg(const std::vector<LoweringStage> &stages,
                                 const LoweringOptions &options);

} // namespace spike::pipeline

#endif // SPIKE_PIPELINE_LOWERING_H
