//===- Pipeline.cpp - The QANN -> IF pass pipeline ------------------------===//

#include "spike/Transforms/Pipeline.h"
#include "spike/Conversion/Passes.h"
#include "spike/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using spike::pipeline::LoweringOptions;
using spike::pipeline::LoweringStage;

spike::pipeline::LoweringOptions spike::SpikePipelineOptions::lowering() const {
  LoweringOptions o;
  o.timesteps = timesteps;
  o.bits = bits;
  o.budget = budget;
  o.correctionSpikes = correctionSpikes;
  o.coding = coding;
  o.signedCap = signedCap;
  o.schedule = schedule;
  o.calibration = calibration;
  o.calibrationWeightsOut = calibrationWeightsOut;
  o.weightCodesOut = weightCodesOut;
  o.weightCodesOverlay = weightCodesOverlay;
  o.cleanup = true;
  return o;
}

void spike::addLoweringStage(mlir::OpPassManager &pm, LoweringStage stage,
                             const LoweringOptions &options) {
  switch (stage) {
  case LoweringStage::Convert: {
    pm.addPass(createSpikeVerifySites());
    ConvertQNNToSpikeOptions convert;
    convert.timesteps = options.timesteps;
    convert.bits = options.bits;
    convert.budget = options.budget;
    convert.bidirectional = options.correctionSpikes;
    convert.coding = options.coding;
    convert.signedCap = options.signedCap;
    pm.addPass(createConvertQNNToSpike(convert));
    if (options.cleanup)
      pm.addPass(mlir::createCanonicalizerPass());
    return;
  }
  case LoweringStage::ApplyCalibration: {
    SpikeApplyCalibrationOptions calibrate;
    calibrate.file = options.calibration;
    calibrate.weightsOut = options.calibrationWeightsOut;
    pm.addPass(createSpikeApplyCalibration(calibrate));
    return;
  }
  case LoweringStage::StoreWeightCodes: {
    SpikeStoreWeightCodesOptions store;
    store.out = options.weightCodesOut;
    store.overlay = options.weightCodesOverlay;
    pm.addPass(createSpikeStoreWeightCodes(store));
    return;
  }
  case LoweringStage::LowerToIF: {
    SpikeLowerISToIFOptions lower;
    lower.schedule = options.schedule;
    pm.addPass(createSpikeLowerISToIF(lower));
    if (options.cleanup) {
      pm.addPass(mlir::createCanonicalizerPass());
      pm.addPass(mlir::createCSEPass());
    }
    return;
  }
  }
}

void spike::buildSpikePipeline(mlir::OpPassManager &pm,
                               const SpikePipelineOptions &options) {
  LoweringOptions lowering = options.lowering();
  for (LoweringStage stage : pipeline::loweringStages(lowering))
    addLoweringStage(pm, stage, lowering);
}

void spike::registerSpikePipeline() {
  mlir::PassPipelineRegistration<SpikePipelineOptions>(
      "spike-pipeline",
      "QANN to binary IF graph: convert-qnn-to-spike, optional calibration, "
      "optional int8 weight codes, spike-lower-is-to-if",
      buildSpikePipeline);
}
