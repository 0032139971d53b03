//===- Pipeline.cpp - The QANN -> IF pass pipeline ------------------------===//

#include "spike/Transforms/Pipeline.h"
#include "spike/Conversion/Passes.h"
#include "spike/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

void spike::buildSpikePipeline(mlir::OpPassManager &pm,
                               const SpikePipelineOptions &options) {
  pm.addPass(createSpikeVerifySites());
  ConvertQNNToSpikeOptions convert;
  convert.timesteps = options.timesteps;
  convert.bits = options.bits;
  convert.budget = options.budget;
  pm.addPass(createConvertQNNToSpike(convert));
  pm.addPass(mlir::createCanonicalizerPass());
  if (!options.calibration.empty()) {
    SpikeApplyCalibrationOptions calibrate;
    calibrate.file = options.calibration;
    pm.addPass(createSpikeApplyCalibration(calibrate));
  }
  SpikeLowerISToIFOptions lower;
  lower.schedule = options.schedule;
  pm.addPass(createSpikeLowerISToIF(lower));
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
}

void spike::registerSpikePipeline() {
  mlir::PassPipelineRegistration<SpikePipelineOptions>(
      "spike-pipeline",
      "QANN to binary IF graph: convert-qnn-to-spike, optional calibration, "
      "spike-lower-is-to-if",
      buildSpikePipeline);
}
