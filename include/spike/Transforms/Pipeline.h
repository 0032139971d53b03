//===- Pipeline.h - The QANN -> IF pass pipeline ----------------*- C++ -*-===//
//
// spike-opt's side of the lowering stage list (spike/Pipeline/Lowering.h):
// each stage's passes, built from the typed options, and "spike-pipeline",
// which runs them all.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TRANSFORMS_PIPELINE_H
#define SPIKE_TRANSFORMS_PIPELINE_H

#include "spike/Pipeline/Lowering.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace spike {

/// spike-pipeline's options: LoweringOptions as pass-pipeline options.
struct SpikePipelineOptions
    : public mlir::PassPipelineOptions<SpikePipelineOptions> {
  Option<int64_t> timesteps{*this, "timesteps",
                            llvm::cl::desc("Number of time steps T"),
                            llvm::cl::init(pipeline::kDefaultTimesteps)};
  Option<int64_t> bits{
      *this, "bits",
      llvm::cl::desc("Required activation bits of every quantizer (0: any)"),
      llvm::cl::init(0)};
  Option<bool> budget{*this, "budget",
                      llvm::cl::desc("Cumulative spike budget per window"),
                      llvm::cl::init(true)};
  Option<bool> correctionSpikes{
      *this, "correction-spikes",
      llvm::cl::desc("Negative correction spikes (graded-spike chips)"),
      llvm::cl::init(false)};
  Option<std::string> coding{
      *this, "coding",
      llvm::cl::desc("How signed sites carry their sign: offset or signed"),
      llvm::cl::init("offset")};
  Option<std::string> signedCap{
      *this, "signed-cap",
      llvm::cl::desc("Per-step spike cap L of the signed code: even "
                     "(ceil(grid/T)) or full (2^n - 1)"),
      llvm::cl::init("even")};
  Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("IS->IF schedule: integrate-then-fire or uniform"),
      llvm::cl::init(pipeline::kDefaultSchedule)};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Calibration file applied at the IS level (optional)"),
      llvm::cl::init("")};
  Option<std::string> calibrationWeightsOut{
      *this, "calibration-weights-out",
      llvm::cl::desc("The weight file to write when the calibration has "
                     "learnt weights"),
      llvm::cl::init("")};
  Option<std::string> weightCodesOut{
      *this, "weight-codes-out",
      llvm::cl::desc("Store the quantized weights as integer codes in this "
                     "file once calibrated (spike-store-weight-codes)"),
      llvm::cl::init("")};
  Option<bool> weightCodesOverlay{
      *this, "weight-codes-overlay",
      llvm::cl::desc("The codes file names the float file as its base "
                     "instead of copying the other tensors"),
      llvm::cl::init(true)};

  /// The typed options these stand for (with cleanup).
  pipeline::LoweringOptions lowering() const;
};

/// Adds one stage's passes (Lowering.h) to `pm`, built from `options`.
void addLoweringStage(mlir::OpPassManager &pm, pipeline::LoweringStage stage,
                      const pipeline::LoweringOptions &options);

/// QANN -> IS (convert-qnn-to-spike) -> [calibration] -> IF
/// (spike-lower-is-to-if): every stage of loweringStages(options).
void buildSpikePipeline(mlir::OpPassManager &pm,
                        const SpikePipelineOptions &options);

/// Registers "spike-pipeline".
void registerSpikePipeline();

} // namespace spike

#endif // SPIKE_TRANSFORMS_PIPELINE_H
