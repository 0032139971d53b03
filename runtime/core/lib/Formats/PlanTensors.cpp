//===- PlanTensors.cpp - The tensor files a plan reads --------------------===//

#include "spike/core/Formats/PlanTensors.h"

#include <nlohmann/json.hpp>

namespace spike::core {

Result<PlanTensors> PlanTensors::open(const nlohmann::json &plan,
                                      const std::string &planPath) {
  size_t slash = planPath.find_last_of('/');
  std::string dir =
      slash == std::string::npos ? "" : planPath.substr(0, slash + 1);
  PlanTensors out;
  for (const char *field : {"tensors", "weights"}) {
    if (!plan.contains(field))
      continue;
    std::string name = plan[field].get<std::string>();
    auto file = SafetensorsFile::open(name.front() == '/' ? name : dir + name);
    if (!file)
      return Status::error(std::string("/") + field + ": " + file.message());
    out.files_.push_back(file.take());
  }
  return out;
}

const SafetensorsFile *PlanTensors::fileOf(const std::string &name) const {
  for (const SafetensorsFile &f : files_)
    if (f.contains(name))
      return &f;
  return nullptr;
}

const TensorInfo *PlanTensors::find(const std::string &name) const {
  const SafetensorsFile *f = fileOf(name);
  return f ? f->find(name) : nullptr;
}

} // namespace spike::core
