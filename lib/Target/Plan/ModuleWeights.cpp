//===- ModuleWeights.cpp - The weight file a module names -----------------===//

#include "spike/Target/ModuleWeights.h"

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

FailureOr<std::optional<spike::core::SafetensorsFile>>
spike::openModuleWeights(ModuleOp module, const std::string &given,
                         llvm::StringRef who) {
  std::string path = given;
  if (path.empty()) {
    auto attr = module->getAttrOfType<StringAttr>("qnn.weights");
    if (!attr)
      return std::optional<core::SafetensorsFile>();
    path = attr.str();
    if (!llvm::sys::path::is_absolute(path) && !llvm::sys::fs::exists(path))
      if (auto loc = dyn_cast<FileLineColLoc>(module.getLoc())) {
        SmallString<256> candidate(
            llvm::sys::path::parent_path(loc.getFilename().getValue()));
        llvm::sys::path::append(candidate, path);
        if (llvm::sys::fs::exists(candidate))
          path = candidate.str().str();
      }
  }
  auto file = core::SafetensorsFile::open(path);
  if (!file) {
    mlir::emitError(module.getLoc()) << who << ": " << file.message();
    return failure();
  }
  return std::optional<core::SafetensorsFile>(file.take());
}

spike::qnn::ParamAttr spike::weightParam(Value v) {
  auto op = v.getDefiningOp<qnn::WeightOp>();
  return op ? dyn_cast<qnn::ParamAttr>(op.getValue()) : qnn::ParamAttr();
}

FailureOr<std::vector<float>>
spike::readParamValues(Operation *user, Value v,
                       const std::optional<core::SafetensorsFile> &file,
                       llvm::StringRef who) {
  qnn::ParamAttr param = weightParam(v);
  if (!param || !file)
    return user->emitError()
               << who
               << ": weights must come from qnn.weight parameters in the "
                  "module's weight file",
           failure();
  auto data = file->readF32(param.getTensorName().str());
  if (!data)
    return user->emitError() << who << ": " << data.message(), failure();
  return data.take();
}

FailureOr<spike::LinearWeights> spike::readLinearWeights(
    Operation *linear, Value weight, Value scale, std::optional<int64_t> bits,
    const std::optional<core::SafetensorsFile> &file, llvm::StringRef who) {
  auto read = [&](Value v) { return readParamValues(linear, v, file, who); };
  LinearWeights w;
  auto shape = cast<RankedTensorType>(weight.getType()).getShape();
  w.rows = shape[0];
  w.cols = shape[1];
  auto values = read(weight);
  if (failed(values))
    return failure();
  w.values = std::move(*values);
  if (!bits)
    return w;
  w.bits = int(*bits);
  if (scale) {
    auto s = read(scale);
    if (failed(s))
      return failure();
    w.scales = std::move(*s);
  }
  w.codes.resize(w.values.size());
  if (w.scales.empty())
    w.scales.resize(w.rows);
  for (int64_t r = 0; r < w.rows; ++r) {
    const float *row = w.values.data() + r * w.cols;
    if (!scale)
      w.scales[r] = neuron::weightScale(row, w.cols, w.bits);
    for (int64_t c = 0; c < w.cols; ++c)
      w.codes[r * w.cols + c] = neuron::weightCode(row[c], w.scales[r], w.bits);
  }
  for (size_t i = 0; i < w.values.size(); ++i)
    w.values[i] = float(w.codes[i]) * w.scales[i / w.cols];
  return w;
}
