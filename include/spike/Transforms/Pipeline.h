//===- Pipeline.h - The QANN -> IF pass pipeline ----------------*- C++ -*-===//

#ifndef SPIKE_TRANSFORMS_PIPELINE_H
#define SPIKE_TRANSFORMS_PIPELINE_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace spike {

struct SpikePipelineOptions
    : public mlir::PassPipelineOptions<SpikePipelineOptions> {
  Option<int64_t> timesteps{*this, "timesteps",
                            llvm::cl::desc("Number of time steps T"),
                            llvm::cl::init(2)};
  Option<int64_t> bits{
      *this, "bits",
      llvm::cl::desc("Required activation bits of every quantizer (0: any)"),
      llvm::cl::init(0)};
  Option<bool> budget{*this, "budget",
                      llvm::cl::desc("Cumulative spike budget per window"),
                      llvm::cl::init(true)};
  Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("IS->IF schedule: integrate-then-fire or uniform"),
      llvm::cl::init("integrate-then-fire")};
  Option<std::string> calibration{
      *this, "calibration",
      llvm::cl::desc("Calibration file applied at the IS level (optional)"),
      llvm::cl::init("")};
};

/// QANN -> IS (convert-qnn-to-spike) -> [calibration] -> IF
/// (spike-lower-is-to-if), with canonicalization and site checks.
void buildSpikePipeline(mlir::OpPassManager &pm,
                        const SpikePipelineOptions &options);

/// Registers "spike-pipeline".
void registerSpikePipeline();

} // namespace spike

#endif // SPIKE_TRANSFORMS_PIPELINE_H
