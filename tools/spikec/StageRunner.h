//===- StageRunner.h - Resumable stages of a spikec job ---------*- C++ -*-===//
//
// A spikec job is a chain of stages, each one run of a spikec tool
// (spike-translate, spike-opt, spike-run) with its stdout logged under
// OUT/logs. A stage's key hashes its command line and the key of the stage
// before it; when a stage succeeds, its key and outputs go to
// OUT/.spikec-state.json. A re-run skips every stage whose key is recorded
// and whose outputs exist, so an interrupted job resumes where it stopped
// and a changed option re-runs exactly the stages it reaches.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKEC_STAGERUNNER_H
#define SPIKEC_STAGERUNNER_H

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace spikec {

struct Stage {
  std::string name;                 ///< short, unique: "import", "plan fp"
  std::string tool;                 ///< a tool next to spikec, e.g. "spike-opt"
  std::vector<std::string> args;    ///< without the tool
  std::vector<std::string> outputs; ///< relative to OUT
  /// Files outside OUT the stage reads; their size and time join the key.
  std::vector<std::string> inputs;
  /// Keep stderr in the log as well (diagnostics the report reads).
  bool captureStderr = false;
};

class StageRunner {
public:
  /// `toolDir` holds the spikec tools; `out` is the job folder; `threads`
  /// goes to the tools' OpenMP/BLAS pools (fixed for reproducible results).
  StageRunner(std::string toolDir, std::string out, int64_t threads,
              int64_t totalStages, bool fresh);

  /// Runs the stage unless it is complete with the same key and no stage
  /// before it ran in this job. On failure
  /// prints one error line naming the stage and its log, and returns false.
  bool run(const Stage &stage);

  /// One entry per stage, in order: name, command, log, wall seconds, and
  /// whether an earlier run's result was reused.
  const nlohmann::json &stages() const { return stages_; }

  /// Path of a log file of a stage.
  std::string logPath(const Stage &stage) const;

private:
  void saveState() const;

  std::string toolDir_, out_;
  int64_t threads_, total_, index_ = 0;
  uint64_t chainKey_ = 0;
  bool ranOne_ = false; ///< once a stage runs, every later one runs too
  nlohmann::json state_ = nlohmann::json::object();
  nlohmann::json stages_ = nlohmann::json::array();
};

/// A file name for a stage: "plan fp" -> "plan-fp".
std::string stageSlug(const std::string &name);

} // namespace spikec

#endif // SPIKEC_STAGERUNNER_H
