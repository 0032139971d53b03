//===- StageRunner.h - Resumable stages of a spikec job ---------*- C++ -*-===//
//
// A spikec job is a sequence of stages, each one run of a spikec tool
// (spike-translate, spike-opt, spike-run) with its stdout logged under
// OUT/logs. A stage depends on the earlier stages whose outputs its command
// names; its key hashes its command line, the keys of those stages and the
// size and time of the files outside OUT it reads. When a stage succeeds,
// its key goes to OUT/.spikec-state.json. A re-run skips every stage whose
// key is recorded, whose outputs exist and none of whose dependencies ran,
// so an interrupted job resumes where it stopped and a changed option
// (another chip, say) re-runs exactly the stages that depend on it.
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

  /// Runs the stage unless it is complete with the same key and none of the
  /// stages it depends on ran in this job. On failure
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
  std::vector<std::string> env_; ///< the tools' environment
  int64_t threads_, total_, index_ = 0;
  struct Done {
    std::vector<std::string> outputs; ///< absolute
    std::string key;
    bool ran;
  };
  std::vector<Done> earlier_; ///< the stages of this job so far
  nlohmann::json state_ = nlohmann::json::object();
  nlohmann::json stages_ = nlohmann::json::array();
};

/// A file name for a stage: "plan fp" -> "plan-fp".
std::string stageSlug(const std::string &name);

} // namespace spikec

#endif // SPIKEC_STAGERUNNER_H
