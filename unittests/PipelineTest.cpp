//===- PipelineTest.cpp - One lowering stage list for both front ends -----===//
//
// spikec runs each lowering stage from its text (stagePassPipelineArg);
// spike-pipeline builds it from the typed options (addLoweringStage). Both
// must give the same passes with the same options, for every stage and
// every kind of option, or the two front ends compile different things.
//
//===----------------------------------------------------------------------===//

#include "spike/Transforms/Pipeline.h"
#include "spike/InitAll.h"
#include "spike/Pipeline/Lowering.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "gtest/gtest.h"

using namespace spike;
using spike::pipeline::LoweringOptions;
using spike::pipeline::LoweringStage;

namespace {

std::string printed(const mlir::OpPassManager &pm) {
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

/// The stage built from the typed options, and parsed from its text.
std::pair<std::string, std::string> bothWays(LoweringStage stage,
                                             const LoweringOptions &o) {
  mlir::OpPassManager built("builtin.module"), parsed("builtin.module");
  addLoweringStage(built, stage, o);
  std::string errors;
  llvm::raw_string_ostream es(errors);
  EXPECT_TRUE(mlir::succeeded(
      mlir::parsePassPipeline(pipeline::stagePipeline(stage, o), parsed, es)))
      << errors;
  return {printed(built), printed(parsed)};
}

std::vector<LoweringOptions> optionSets() {
  std::vector<LoweringOptions> sets(5);
  sets[1].timesteps = 8;
  sets[1].bits = 6;
  sets[1].budget = false;
  sets[1].schedule = "uniform";
  sets[2].correctionSpikes = true;
  sets[2].calibration = "/tmp/calib/calibration.json";
  sets[3].cleanup = false;
  sets[3].calibration = "/a dir, with commas/calibration.json";
  sets[3].calibrationWeightsOut = "/a dir, with commas/w.safetensors";
  sets[3].weightCodesOut = "/a dir, with commas/codes.safetensors";
  sets[2].weightCodesOut = "codes.safetensors";
  sets[2].weightCodesOverlay = false;
  sets[4].cleanup = false;
  sets[4].timesteps = 4;
  sets[4].coding = "signed";
  return sets;
}

} // namespace

TEST(Pipeline, EachStageTextIsTheBuiltStage) {
  registerAllPasses();
  for (const LoweringOptions &o : optionSets())
    for (LoweringStage stage :
         {LoweringStage::Convert, LoweringStage::ApplyCalibration,
          LoweringStage::StoreWeightCodes, LoweringStage::LowerToIF}) {
      if ((stage == LoweringStage::ApplyCalibration && o.calibration.empty()) ||
          (stage == LoweringStage::StoreWeightCodes &&
           o.weightCodesOut.empty()))
        continue;
      auto [built, parsed] = bothWays(stage, o);
      EXPECT_EQ(built, parsed);
      EXPECT_NE(built, "builtin.module()");
    }
}

TEST(Pipeline, StageListFollowsTheOptions) {
  LoweringOptions o;
  EXPECT_EQ(pipeline::loweringStages(o),
            (std::vector<LoweringStage>{LoweringStage::Convert,
                                        LoweringStage::LowerToIF}));
  o.calibration = "c.json";
  EXPECT_EQ(pipeline::loweringStages(o),
            (std::vector<LoweringStage>{LoweringStage::Convert,
                                        LoweringStage::ApplyCalibration,
                                        LoweringStage::LowerToIF}));
  EXPECT_EQ(pipeline::stagePassPipelineArg(LoweringStage::ApplyCalibration, o),
            "--pass-pipeline=builtin.module(spike-apply-calibration{file={c."
            "json}})");
  o.calibrationWeightsOut = "w.safetensors";
  EXPECT_EQ(pipeline::stagePassPipelineArg(LoweringStage::ApplyCalibration, o),
            "--pass-pipeline=builtin.module(spike-apply-calibration{file={c."
            "json} weights-out={w.safetensors}})");
  o.weightCodesOut = "codes.safetensors";
  EXPECT_EQ(pipeline::loweringStages(o),
            (std::vector<LoweringStage>{
                LoweringStage::Convert, LoweringStage::ApplyCalibration,
                LoweringStage::StoreWeightCodes, LoweringStage::LowerToIF}));
  EXPECT_EQ(pipeline::stagePassPipelineArg({LoweringStage::ApplyCalibration,
                                            LoweringStage::StoreWeightCodes},
                                           o),
            "--pass-pipeline=builtin.module(spike-apply-calibration{file={c."
            "json} weights-out={w.safetensors}},spike-store-weight-codes{out={"
            "codes.safetensors} overlay=true})");
}

TEST(Pipeline, SpikePipelineRunsTheStageList) {
  registerAllPasses();
  // spike-pipeline's options as a user writes them, through its parser.
  mlir::OpPassManager viaRegistry("builtin.module");
  std::string errors;
  llvm::raw_string_ostream es(errors);
  ASSERT_TRUE(mlir::succeeded(mlir::parsePassPipeline(
      "spike-pipeline{timesteps=4 correction-spikes=true coding=signed "
      "calibration=c.json schedule=uniform weight-codes-out=k.safetensors}",
      viaRegistry, es)))
      << errors;
  LoweringOptions o;
  o.timesteps = 4;
  o.correctionSpikes = true;
  o.coding = "signed";
  o.calibration = "c.json";
  o.schedule = "uniform";
  o.weightCodesOut = "k.safetensors";
  mlir::OpPassManager fromStages("builtin.module");
  for (LoweringStage stage : pipeline::loweringStages(o))
    addLoweringStage(fromStages, stage, o);
  EXPECT_EQ(printed(viaRegistry), printed(fromStages));
}
