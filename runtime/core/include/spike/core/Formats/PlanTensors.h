//===- PlanTensors.h - The tensor files a plan reads ------------*- C++ -*-===//
//
// A plan names its parameters by tensor name (docs/PlanFormat.md). They live
// in the plan's own file ("tensors": constants and whatever the emitter
// copied) and, from plan version 3, in the model's weight file ("weights"),
// which the plans of every level of one model share instead of each
// holding a copy. A name resolves in the plan's own file first.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_FORMATS_PLANTENSORS_H
#define SPIKE_CORE_FORMATS_PLANTENSORS_H

#include "spike/core/ModelIO/Safetensors.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace spike::core {

/// The opened tensor files of one plan: its own file, then the shared
/// weight file if the plan names one. Copies share the memory maps.
class PlanTensors {
public:
  /// Opens the files that `plan` (a schema-valid plan document read from
  /// `planPath`) names, relative to the plan's directory unless absolute.
  /// Errors name the plan field ("/tensors" or "/weights") and the file.
  static Result<PlanTensors> open(const nlohmann::json &plan,
                                  const std::string &planPath);

  /// The file that holds `name` (the plan's own first), or null.
  const SafetensorsFile *fileOf(const std::string &name) const;
  /// The header entry of `name`, or null.
  const TensorInfo *find(const std::string &name) const;
  /// The plan's own file, then the weight file if any.
  const std::vector<SafetensorsFile> &files() const { return files_; }

private:
  std::vector<SafetensorsFile> files_;
};

} // namespace spike::core

#endif // SPIKE_CORE_FORMATS_PLANTENSORS_H
