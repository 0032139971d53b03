//===- ModuleWeights.h - The weight file a module names ---------*- C++ -*-===//

#ifndef SPIKE_TARGET_MODULEWEIGHTS_H
#define SPIKE_TARGET_MODULEWEIGHTS_H

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/core/ModelIO/Safetensors.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace spike {

/// Opens `path`, else the safetensors file the module's `qnn.weights`
/// attribute names (relative: the working directory first, then the IR
/// file's directory). Nothing when neither is given (inline constants
/// only). Errors are emitted on the module, prefixed by `who`.
mlir::FailureOr<std::optional<core::SafetensorsFile>>
openModuleWeights(mlir::ModuleOp module, const std::string &path,
                  llvm::StringRef who);

/// How a module names a weight file `path` it is pointed at (qnn.weights):
/// just the file's name when it lies beside the module's IR file, so that
/// the directory can move (as the importer writes it), else as given.
std::string weightFileAttr(mlir::ModuleOp module, llvm::StringRef path);

/// How an overlay written to `out` names its base `basePath`
/// (core::kBaseFileKey): the file's name alone when the two lie in one
/// directory, so that the pair can move together; else an absolute path
/// (the real directory and the file's own name, so a link in a hub cache
/// keeps the shards beside it).
std::string overlayBaseReference(llvm::StringRef basePath, llvm::StringRef out);

/// Refuses to write `out` where it would replace `base` or a file of its
/// overlay chain (which the new file, or files beside it, still read):
/// returns an error "OPTION=out is the weight file it reads" (or "a base
/// of ..."), else ok.
core::Status checkOutsideChain(const core::SafetensorsFile &base,
                               llvm::StringRef out, llvm::StringRef option);

/// Declares in `writer` a copy of tensor `name` of `from`, byte for byte in
/// its stored dtype, made when the file is written (copies of a
/// SafetensorsFile share its memory map, so one tensor is held at a time).
core::Status copyStoredTensor(core::SafetensorsWriter &writer,
                              const core::SafetensorsFile &from,
                              const std::string &name);

/// Makes `linear` (a qnn.linear or spike.linear) read its row scales from
/// the parameter `tensor` of the weight file (a new qnn.weight before it,
/// tensor<rows x f32>).
void setRowScaleParam(mlir::Operation *linear, llvm::StringRef tensor);

/// The named parameter `v` is (a qnn.weight of a #qnn.param), or null for
/// an inline constant or any other value.
qnn::ParamAttr weightParam(mlir::Value v);

/// The f32 values of a qnn.weight parameter `v` (a weight, scale or bias
/// operand of `user`) from `file`, row-major; errors are emitted on `user`,
/// prefixed by `who`.
mlir::FailureOr<std::vector<float>>
readParamValues(mlir::Operation *user, mlir::Value v,
                const std::optional<core::SafetensorsFile> &file,
                llvm::StringRef who);

/// A linear's weight on its grid: integer codes (row-major [rows, cols])
/// and each row's scale, so the weight is codes * scale (the runtime's
/// quantization, spike::neuron::weightCode). Unquantized linears have
/// bits = 0 and their float values in `values`.
struct LinearWeights {
  int64_t rows = 0, cols = 0;
  int bits = 0;
  std::vector<int64_t> codes;
  std::vector<float> scales, values;
};

/// Reads the weight (and scale) operands of `linear` from qnn.weight
/// parameters in `file`; errors are emitted on the op, prefixed by `who`.
mlir::FailureOr<LinearWeights>
readLinearWeights(mlir::Operation *linear, mlir::Value weight,
                  mlir::Value scale, std::optional<int64_t> bits,
                  const std::optional<core::SafetensorsFile> &file,
                  llvm::StringRef who);

} // namespace spike

#endif // SPIKE_TARGET_MODULEWEIGHTS_H
