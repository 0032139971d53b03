//===- CompileJob.h - The options and plan of `spikec compile` --*- C++ -*-===//

#ifndef SPIKEC_COMPILEJOB_H
#define SPIKEC_COMPILEJOB_H

#include "spike/Pipeline/Lowering.h"

#include <cstdint>
#include <string>
#include <vector>

namespace spikec {

/// Everything `spikec compile` was asked for, after defaults.
struct CompileOptions {
  std::string model, chip, out;
  int64_t timesteps = spike::pipeline::kDefaultTimesteps, bits = 6;
  std::string calibText, evalText; ///< empty: data-free / agreement only
  std::string preset = "cpu";      ///< calibration preset of spike-run
  int64_t calibSamples = -1, calibSeqLen = -1, calibEpochs = -1;
  /// spike-run calibrate --end-to-end (0: no end-to-end pass).
  int64_t calibEndToEnd = 0;
  /// spike-run calibrate --spike-penalty (0: the block MSE alone), or
  /// --spike-budget in spikes per token (0: none).
  double spikePenalty = 0, spikeBudget = 0;
  /// spike-run calibrate --learn: thresholds | weights | weights,thresholds.
  std::string calibLearn = "thresholds";
  bool learnsWeights() const {
    return calibLearn.find("weights") != std::string::npos;
  }
  std::string correctionSpikes = "auto"; ///< on | off | auto
  std::string coding = "auto";           ///< offset | signed | auto
  std::string signedCap = "full";        ///< even | full
  std::string prefix = "auto";           ///< auto | none | "ID ID ..."
  std::string rotate = "residual-down";
  int64_t seed = 0, threads = 0;
  int64_t statsTokens = -1; ///< -1: 8192, or all the data-free tokens
  int64_t statsSeqLen = 512;
  int64_t dataFreeSamples = 16, dataFreeSeqLen = 256;
  int64_t evalTokens = 4096, evalSeqLen = 512;
  int64_t agreeSamples = 8, agreeSeqLen = 128;
  bool fresh = false;
};

/// Parses the command line (`spikec compile MODEL ...`, CompileOptions.cpp)
/// with every value checked; prints the errors and returns false on bad
/// input. --help and --version print and exit.
bool parseCommandLine(int argc, char **argv, CompileOptions &options);

/// Runs the job; returns the process exit code.
int runCompile(CompileOptions options, const std::string &toolDir);

} // namespace spikec

#endif // SPIKEC_COMPILEJOB_H
