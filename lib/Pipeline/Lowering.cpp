//===- Lowering.cpp - The QANN -> IS -> IF stages, defined once -----------===//

#include "spike/Pipeline/Lowering.h"

namespace spike::pipeline {

namespace {

const char *boolText(bool b) { return b ? "true" : "false"; }

/// A string option's value; braces keep spaces and commas in a path.
std::string quoted(const std::string &value) { return "{" + value + "}"; }

} // namespace

std::vector<LoweringStage> loweringStages(const LoweringOptions &options) {
  std::vector<LoweringStage> stages = {LoweringStage::Convert};
  if (!options.calibration.empty())
    stages.push_back(LoweringStage::ApplyCalibration);
  if (!options.weightCodesOut.empty())
    stages.push_back(LoweringStage::StoreWeightCodes);
  stages.push_back(LoweringStage::LowerToIF);
  return stages;
}

std::string stagePipeline(LoweringStage stage, const LoweringOptions &options) {
  switch (stage) {
  case LoweringStage::Convert:
    return std::string(
               "spike-verify-sites,convert-qnn-to-spike{bidirectional=") +
           boolText(options.correctionSpikes) +
           " bits=" + std::to_string(options.bits) +
           " budget=" + boolText(options.budget) + " coding=" + options.coding +
           (options.coding == "signed" ? " signed-cap=" + options.signedCap
                                       : std::string()) +
           " timesteps=" + std::to_string(options.timesteps) + "}" +
           (options.cleanup ? ",canonicalize" : "");
  case LoweringStage::ApplyCalibration:
    return "spike-apply-calibration{file=" + quoted(options.calibration) +
           (options.calibrationWeightsOut.empty()
                ? std::string()
                : " weights-out=" + quoted(options.calibrationWeightsOut)) +
           "}";
  case LoweringStage::StoreWeightCodes:
    return "spike-store-weight-codes{out=" + quoted(options.weightCodesOut) +
           " overlay=" + boolText(options.weightCodesOverlay) + "}";
  case LoweringStage::LowerToIF:
    return "spike-lower-is-to-if{schedule=" + quoted(options.schedule) + "}" +
           (options.cleanup ? ",canonicalize,cse" : "");
  }
  return "";
}

std::string stagePassPipelineArg(LoweringStage stage,
                                 const LoweringOptions &options) {
  return stagePassPipelineArg(std::vector<LoweringStage>{stage}, options);
}

std::string stagePassPipelineArg(const std::vector<LoweringStage> &stages,
                                 const LoweringOptions &options) {
  std::string passes;
  for (LoweringStage stage : stages)
    passes += (passes.empty() ? "" : ",") + stagePipeline(stage, options);
  return "--pass-pipeline=builtin.module(" + passes + ")";
}

} // namespace spike::pipeline
