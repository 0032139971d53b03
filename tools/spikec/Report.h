//===- Report.h - report.json and report.md of a spikec job -----*- C++ -*-===//

#ifndef SPIKEC_REPORT_H
#define SPIKEC_REPORT_H

#include "CompileJob.h"

#include <nlohmann/json.hpp>

#include <string>

namespace spikec {

/// What the job decided and ran, beyond the files in OUT.
struct JobFacts {
  CompileOptions options;
  std::string chipName, prefix, finalGraph;
  bool binary = false, correctionSpikes = false, dataFree = false;
  std::string coding = "offset"; ///< the spike code: offset | signed
  nlohmann::json stages;         ///< StageRunner::stages()
};

/// Reads the stage results in OUT and writes OUT/report.json and
/// OUT/report.md; prints the summary table. False after an error line.
bool writeReport(const JobFacts &facts);

/// Prints the error, warning and remark lines of a stage log to stderr.
void printDiagnostics(const std::string &logPath);

} // namespace spikec

#endif // SPIKEC_REPORT_H
