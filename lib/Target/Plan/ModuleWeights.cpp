//===- ModuleWeights.cpp - The weight file a module names -----------------===//

#include "spike/Target/ModuleWeights.h"

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/IR/Builders.h"
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

std::string spike::weightFileAttr(ModuleOp module, llvm::StringRef path) {
  auto loc = dyn_cast<FileLineColLoc>(module.getLoc());
  if (!loc)
    return path.str();
  StringRef dir = llvm::sys::path::parent_path(loc.getFilename().getValue());
  SmallString<256> irDir, out;
  if (llvm::sys::fs::real_path(dir.empty() ? "." : dir, irDir) ||
      llvm::sys::fs::real_path(path, out) ||
      llvm::sys::path::parent_path(out) != irDir)
    return path.str();
  return llvm::sys::path::filename(out).str();
}

std::string spike::overlayBaseReference(llvm::StringRef basePath,
                                        llvm::StringRef out) {
  SmallString<256> baseDir, outDir, absolute(basePath);
  StringRef from = llvm::sys::path::parent_path(basePath);
  StringRef to = llvm::sys::path::parent_path(out);
  llvm::sys::fs::make_absolute(absolute);
  if (llvm::sys::fs::real_path(from.empty() ? "." : from, baseDir) ||
      llvm::sys::fs::real_path(to.empty() ? "." : to, outDir))
    return absolute.str().str();
  if (baseDir == outDir)
    return llvm::sys::path::filename(basePath).str();
  llvm::sys::path::append(baseDir, llvm::sys::path::filename(basePath));
  return baseDir.str().str();
}

spike::core::Status spike::checkOutsideChain(const core::SafetensorsFile &base,
                                             llvm::StringRef out,
                                             llvm::StringRef option) {
  for (const std::string &read : base.files())
    if (llvm::sys::fs::equivalent(out, read))
      return core::Status::error(
          (option + "=" + out + " is ").str() +
          (read == base.path()
               ? "the weight file it reads"
               : "a base of the weight file it reads (" + read + ")"));
  return core::Status::ok();
}

spike::core::Status spike::copyStoredTensor(core::SafetensorsWriter &writer,
                                            const core::SafetensorsFile &from,
                                            const std::string &name) {
  const core::TensorInfo *info = from.find(name);
  return writer.addDeferred(
      name, info->dtype, info->shape,
      [from, info = *info]() -> core::Result<std::vector<uint8_t>> {
        const uint8_t *p = from.data(info);
        std::vector<uint8_t> bytes(p, p + (info.end - info.begin));
        from.release(info);
        return bytes;
      });
}

void spike::setRowScaleParam(Operation *linear, llvm::StringRef tensor) {
  OpBuilder b(linear);
  int64_t rows =
      cast<RankedTensorType>(linear->getOperand(1).getType()).getShape()[0];
  auto type = RankedTensorType::get({rows}, b.getF32Type());
  Value scale = qnn::WeightOp::create(
      b, linear->getLoc(), type,
      qnn::ParamAttr::get(b.getContext(), tensor, "", type));
  if (auto l = dyn_cast<qnn::LinearOp>(linear))
    l.getWeightScaleMutable().assign(scale);
  else
    cast<spk::LinearOp>(linear).getWeightScaleMutable().assign(scale);
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
  std::string name = param.getTensorName().str();
  // Stored codes mean nothing without their linear's scales.
  if (const core::TensorInfo *info = file->find(name);
      info && core::isCodeDType(info->dtype))
    return user->emitError()
               << who << ": " << file->path() << ": tensor '" << name
               << "' holds integer weight codes (spike-store-weight-codes); "
                  "this needs the float weights: use the weight file they "
                  "were made from",
           failure();
  auto data = file->readF32(name);
  if (!data)
    return user->emitError() << who << ": " << data.message(), failure();
  return data.take();
}

/// Fills `w`'s codes and scales from the codes a weight file stores for
/// `weight` (written by spike-store-weight-codes) and the linear's row
/// scales; leaves them empty when the weight is stored as floats.
static LogicalResult
readStoredCodes(Operation *linear, Value weight, Value scale,
                std::optional<int64_t> bits,
                const std::optional<spike::core::SafetensorsFile> &file,
                llvm::StringRef who, spike::LinearWeights &w) {
  spike::qnn::ParamAttr param = spike::weightParam(weight);
  if (!param || !file)
    return success();
  std::string name = param.getTensorName().str();
  const spike::core::TensorInfo *info = file->find(name);
  if (!info || !spike::core::isCodeDType(info->dtype))
    return success();
  if (!bits || !scale)
    return linear->emitError()
           << who << ": " << file->path() << ": tensor '" << name
           << "' holds integer codes, but this linear has no "
           << (bits ? "scales" : "weight bits") << " to read them with";
  if (info->shape != std::vector<int64_t>{w.rows, w.cols})
    return linear->emitError()
           << who << ": " << file->path() << ": tensor '" << name
           << "' holds codes of another shape than the linear's weight ["
           << w.rows << ", " << w.cols << "]";
  auto scales = spike::readParamValues(linear, scale, file, who);
  if (failed(scales))
    return failure();
  if (int64_t(scales->size()) != w.rows)
    return linear->emitError()
           << who << ": the scales of tensor '" << name << "' have "
           << scales->size() << " values, its rows " << w.rows;
  w.bits = int(*bits);
  w.codes.resize(size_t(w.rows * w.cols));
  if (auto st =
          spike::core::readCodes(*file, name, *info, w.bits, w.codes.data());
      !st)
    return linear->emitError() << who << ": " << st.message();
  w.scales = std::move(*scales);
  return success();
}

FailureOr<spike::LinearWeights> spike::readLinearWeights(
    Operation *linear, Value weight, Value scale, std::optional<int64_t> bits,
    const std::optional<core::SafetensorsFile> &file, llvm::StringRef who) {
  auto read = [&](Value v) { return readParamValues(linear, v, file, who); };
  LinearWeights w;
  auto shape = cast<RankedTensorType>(weight.getType()).getShape();
  w.rows = shape[0];
  w.cols = shape[1];
  if (failed(readStoredCodes(linear, weight, scale, bits, file, who, w)))
    return failure();
  if (w.codes.empty()) { // stored as floats: put them on the grid
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
        w.codes[r * w.cols + c] =
            neuron::weightCode(row[c], w.scales[r], w.bits);
    }
  }
  // The weight on its grid, quantizeWeight's f32 product.
  w.values.resize(w.codes.size());
  for (size_t i = 0; i < w.values.size(); ++i)
    w.values[i] = float(w.codes[i]) * w.scales[i / w.cols];
  return w;
}
