//===- GraphBuilder.h - A LLaMA checkpoint as a qnn graph -------*- C++ -*-===//
//
// Private to the importer: builds `func.func @forward(tokens) -> logits` in
// the qnn dialect from a checkpoint, declaring each weight in the weight
// file with a producer that reads it from the checkpoint and folds the
// optional rotations (Rotation.h) into it when the file is written, one
// tensor at a time: the model is never held in memory whole.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_LIB_TARGET_LLAMAIMPORT_GRAPHBUILDER_H
#define SPIKE_LIB_TARGET_LLAMAIMPORT_GRAPHBUILDER_H

#include "Checkpoint.h"
#include "Rotation.h"
#include "spike/Target/LlamaImport.h"
#include "spike/core/ModelIO/Safetensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace spike::llama {

class GraphBuilder {
public:
  GraphBuilder(mlir::MLIRContext *ctx, const LlamaConfig &c,
               const WeightSource &src, core::SafetensorsWriter &out,
               const LlamaImportOptions &options);

  /// Builds the graph into `module`; errors name the checkpoint file and
  /// tensor (nothing is half-built that a caller would keep).
  core::Status build(mlir::ModuleOp module);
  /// How many tensors build() took as the checkpoint stores them
  /// (referenceCheckpoint), which the weight file then reads from there.
  int takenAsStored() const { return taken; }

private:
  /// One decoder block's weights as graph values (null: absent bias).
  struct BlockWeights {
    mlir::Value ln1, wq, wk, wv, wo, ln2, wg, wu, wd, downRotation;
    mlir::Value bq, bk, bv, bo, bg, bu, bd;
  };

  mlir::OpBuilder b;
  const LlamaConfig &c;
  const WeightSource &src;
  core::SafetensorsWriter &out;
  const LlamaImportOptions &options;
  mlir::Type f32;
  mlir::Location loc;
  core::Status status = core::Status::ok();
  int taken = 0;
  /// Widths: residual, query heads, key/value heads.
  int64_t d, dq, dkv;
  /// 1/sqrt(head_dim) of the attention scores, folded into W_q.
  float qScale;
  /// The residual rotation Q and the down_proj input rotation R (d x d and
  /// ffn x ffn, factored; empty when off).
  spike::rotation::Rotation q, r;
  std::vector<float> ones;
  mlir::Value embed;

  mlir::RankedTensorType tensor(llvm::ArrayRef<int64_t> shape);

  using Producer = core::SafetensorsWriter::F32Producer;
  /// Reads a small checkpoint tensor now (a norm's gain; empty on error,
  /// recorded in `status`).
  std::vector<float> read(const std::string &name,
                          const std::vector<int64_t> &shape);
  /// A producer that reads a checkpoint tensor when the file is written.
  Producer source(const std::string &name,
                  const std::vector<int64_t> &shape) const;
  /// A producer of values already known (a gain replaced by ones).
  static Producer constant(std::vector<float> values);
  /// `p` followed by `f` on its values.
  static Producer then(Producer p,
                       std::function<std::vector<float>(std::vector<float>)> f);
  /// Declares a tensor of the weight file: a matrix in bf16 when the
  /// options ask for it and `keepF32` does not.
  void declare(const std::string &name, std::vector<int64_t> shape,
               Producer produce, bool keepF32 = false);
  /// Declares a tensor of the weight file; returns its IR value.
  mlir::Value record(const std::string &name, std::vector<int64_t> shape,
                     Producer produce);
  /// A checkpoint tensor taken unchanged. With referenceCheckpoint, where
  /// the checkpoint already stores it as the weight file would (shape and
  /// dtype), it is not copied: the weight file's base holds it.
  mlir::Value recordAsStored(const std::string &name,
                             std::vector<int64_t> shape);
  /// The dtype the weight file stores a tensor of `shape` as.
  core::DType storedDType(const std::vector<int64_t> &shape,
                          bool keepF32 = false) const;
  /// A qnn.weight of parameter `name` reading tensor `shared` ("": `name`).
  mlir::Value use(const std::string &name, const std::string &shared,
                  llvm::ArrayRef<int64_t> shape);
  mlir::Value linear(mlir::Value x, mlir::Value w, int64_t outDim,
                     mlir::Value bias = {});
  mlir::Value rope(mlir::Value x);

  bool rotated() const { return options.rotateResidual; }
  /// A consumer of the (rotated) residual stream: W diag(g) Q.
  std::vector<float> reader(const std::vector<float> &gain, int64_t rows,
                            std::vector<float> w) const;
  /// A writer into the residual stream: Q^T W.
  std::vector<float> writer(int64_t cols, std::vector<float> w) const;

  /// The build's steps, in graph order.
  void setUpRotations(mlir::ModuleOp module);
  mlir::Value embedding(mlir::Value tokens);
  BlockWeights blockWeights(int64_t layer);
  mlir::Value attention(mlir::Value x, const BlockWeights &w);
  mlir::Value mlp(mlir::Value x, const BlockWeights &w);
  mlir::Value logits(mlir::Value x);
};

} // namespace spike::llama

#endif // SPIKE_LIB_TARGET_LLAMAIMPORT_GRAPHBUILDER_H
