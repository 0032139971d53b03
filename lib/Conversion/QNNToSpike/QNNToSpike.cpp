//===- QNNToSpike.cpp - QANN graph to IS-neuron spiking graph -------------===//
//
// The dual ANN-to-SNN conversion. Walks each function once in program order,
// keeping a map from every activation (a tensor) to the spike train that
// carries it, and replaces each qnn op by its spiking form. Weights, the token
// input and the embedding lookup stay tensors; the lm_head reads the decoded
// sum. Everything else that touches a train must have a spiking form, or the
// pass fails with a diagnostic on that op.
//
//===----------------------------------------------------------------------===//

#include "spike/Conversion/Passes.h"
#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

namespace spike {
#define GEN_PASS_DEF_CONVERTQNNTOSPIKE
#include "spike/Conversion/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace qnn = spike::qnn;
namespace spk = spike::spk;

namespace {

class FunctionConverter {
public:
  FunctionConverter(func::FuncOp func, int64_t timesteps, bool budget,
                    bool bidirectional, spike::neuron::SpikeCoding coding,
                    bool fullCap)
      : func(func), builder(func.getContext()), timesteps(timesteps),
        budget(budget), bidirectional(bidirectional), coding(coding),
        fullCap(fullCap) {}

  LogicalResult run();

private:
  func::FuncOp func;
  OpBuilder builder;
  int64_t timesteps;
  bool budget;
  bool bidirectional;
  /// The code of every site.
  spike::neuron::SpikeCoding coding;
  /// The signed code's per-step cap L: the grid's width (signedMaxLevels),
  /// which never binds, instead of signedCodeParams' smallest.
  bool fullCap;
  /// Activation tensor -> the train that carries it.
  DenseMap<Value, Value> trains;
  /// Original ops that were replaced, erased at the end.
  SmallVector<Operation *> replaced;

  spk::TrainType trainType(Type tensor) {
    return spk::TrainType::get(func.getContext(), timesteps,
                               cast<RankedTensorType>(tensor));
  }
  Value train(Value v) { return trains.lookup(v); }
  bool isTrain(Value v) { return trains.count(v); }

  /// Records `to` as the spiking form of `from`'s result.
  void map(Operation *from, Value to) {
    trains[from->getResult(0)] = to;
    replaced.push_back(from);
  }

  Value encode(Value tensor, Location loc) {
    return spk::EncodeOp::create(builder, loc, trainType(tensor.getType()),
                                 tensor);
  }

  LogicalResult convert(Operation *op);
  LogicalResult convertQuantize(qnn::QuantizeOp op);
  LogicalResult convertLinear(qnn::LinearOp op);
  LogicalResult convertReturn(func::ReturnOp op);
};

LogicalResult FunctionConverter::run() {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("convert-qnn-to-spike expects a single-block "
                            "function body");
  Block &body = func.getBody().front();

  // Float arguments are activations entering the time domain.
  builder.setInsertionPointToStart(&body);
  for (BlockArgument arg : body.getArguments()) {
    auto t = dyn_cast<RankedTensorType>(arg.getType());
    if (t && isa<FloatType>(t.getElementType()))
      trains[arg] = encode(arg, arg.getLoc());
  }

  SmallVector<Operation *> ops;
  for (Operation &op : body)
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (isa<spk::EncodeOp>(op))
      continue; // inserted above
    builder.setInsertionPoint(op);
    if (failed(convert(op)))
      return failure();
  }
  for (Operation *op : llvm::reverse(replaced))
    op->erase();
  return success();
}

LogicalResult FunctionConverter::convert(Operation *op) {
  Location loc = op->getLoc();
  auto needTrains = [&](ValueRange operands) -> LogicalResult {
    for (Value v : operands)
      if (!isTrain(v))
        return op->emitOpError("cannot convert to the spiking level: "
                               "operand #")
               << llvm::find(op->getOperands(), v) - op->operand_begin()
               << " is not an activation in the time domain";
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<qnn::WeightOp>([](auto) { return success(); })
      .Case<qnn::EmbeddingOp>([&](auto emb) {
        builder.setInsertionPointAfter(emb);
        trains[emb.getResult()] = encode(emb.getResult(), loc);
        return success();
      })
      .Case<qnn::QuantizeOp>([&](auto q) { return convertQuantize(q); })
      .Case<qnn::LinearOp>([&](auto l) { return convertLinear(l); })
      .Case<qnn::RMSNormOp>([&](auto n) {
        if (failed(needTrains(n.getInput())))
          return failure();
        map(n, spk::AccumMapOp::create(builder, loc, spk::AccumFn::rmsnorm,
                                       train(n.getInput()), n.getWeight(),
                                       n.getEpsAttr(), /*causal=*/false));
        return success();
      })
      .Case<qnn::SoftmaxOp>([&](auto s) {
        if (failed(needTrains(s.getInput())))
          return failure();
        map(s, spk::AccumMapOp::create(builder, loc, spk::AccumFn::softmax,
                                       train(s.getInput()), Value(),
                                       FloatAttr(), s.getCausal()));
        return success();
      })
      .Case<qnn::SiLUOp>([&](auto s) {
        if (failed(needTrains(s.getInput())))
          return failure();
        map(s, spk::AccumMapOp::create(builder, loc, spk::AccumFn::silu,
                                       train(s.getInput()), Value(),
                                       FloatAttr(), false));
        return success();
      })
      .Case<qnn::MatmulOp>([&](auto m) {
        if (failed(needTrains(m->getOperands())))
          return failure();
        map(m, spk::AAMatmulOp::create(builder, loc, trainType(m.getType()),
                                       train(m.getLhs()), train(m.getRhs()),
                                       m.getTransposeRhs()));
        return success();
      })
      .Case<qnn::MulOp>([&](auto m) {
        if (failed(needTrains(m->getOperands())))
          return failure();
        map(m, spk::AAMulOp::create(builder, loc, train(m.getLhs()),
                                    train(m.getRhs())));
        return success();
      })
      .Case<qnn::AddOp>([&](auto a) {
        if (failed(needTrains(a->getOperands())))
          return failure();
        map(a, spk::AddOp::create(builder, loc, train(a.getLhs()),
                                  train(a.getRhs())));
        return success();
      })
      .Case<qnn::RoPEOp>([&](auto r) {
        if (failed(needTrains(r.getInput())))
          return failure();
        map(r, spk::RoPEOp::create(
                   builder, loc, train(r.getInput()), r.getBaseAttr(),
                   r.getScalingAttr(), r.getFactorAttr(),
                   r.getLowFreqFactorAttr(), r.getHighFreqFactorAttr(),
                   r.getOriginalMaxPositionAttr(), r.getFreqFactorsAttr()));
        return success();
      })
      .Case<qnn::SplitHeadsOp>([&](auto s) {
        if (failed(needTrains(s.getInput())))
          return failure();
        map(s, spk::SplitHeadsOp::create(builder, loc, trainType(s.getType()),
                                         train(s.getInput())));
        return success();
      })
      .Case<qnn::MergeHeadsOp>([&](auto m) {
        if (failed(needTrains(m.getInput())))
          return failure();
        map(m, spk::MergeHeadsOp::create(builder, loc, trainType(m.getType()),
                                         train(m.getInput())));
        return success();
      })
      .Case<func::ReturnOp>([&](auto r) { return convertReturn(r); })
      .Default([&](Operation *other) -> LogicalResult {
        for (Value v : other->getOperands())
          if (isTrain(v))
            return other->emitOpError(
                "has no spiking form: convert-qnn-to-spike cannot convert it");
        return success();
      });
}

LogicalResult FunctionConverter::convertQuantize(qnn::QuantizeOp q) {
  if (!isTrain(q.getInput()))
    return q.emitOpError("cannot convert to the spiking level: its input is "
                         "not an activation in the time domain");
  bool isSigned = !q.getIsUnsigned();
  bool signedCode = coding == spike::neuron::SpikeCoding::Signed;
  spike::neuron::ISParams p;
  if (signedCode) {
    if (const char *err = spike::neuron::signedCodeParams(
            int(q.getBits()), timesteps, p, /*unsignedGrid=*/!isSigned))
      return q.emitOpError("cannot become a signed-code IS neuron with ")
             << q.getBits() << " bits and T=" << timesteps << ": " << err;
    if (fullCap)
      p.levels = spike::neuron::signedMaxLevels(int(q.getBits()));
  } else if (const char *err = spike::neuron::theorem2Params(
                 int(q.getBits()), timesteps, isSigned, budget, p)) {
    return q.emitOpError("cannot become an IS neuron with ")
           << q.getBits() << " bits and T=" << timesteps
           << " (Theorem 2): " << err;
  }
  SmallVector<double> v0;
  for (double s : q.getScale())
    v0.push_back(s / 2);
  MLIRContext *ctx = q.getContext();
  // The signed code has neither a budget nor correction spikes.
  bool withBudget = budget && !signedCode;
  bool withCorrection = bidirectional && !signedCode;
  auto neuron = spk::ISNeuronOp::create(
      builder, q.getLoc(), train(q.getInput()), q.getSiteAttr(),
      builder.getI64IntegerAttr(p.levels), builder.getF64FloatAttr(p.alpha),
      q.getScaleAttr(), DenseF64ArrayAttr::get(ctx, v0),
      withBudget ? builder.getI64IntegerAttr(p.budget) : IntegerAttr(),
      q.getBitsAttr(), withCorrection ? builder.getUnitAttr() : UnitAttr(),
      signedCode ? spk::CodingAttr::get(ctx, spk::Coding::Signed)
                 : spk::CodingAttr(),
      signedCode && !isSigned ? builder.getUnitAttr() : UnitAttr());
  map(q, neuron);
  return success();
}

LogicalResult FunctionConverter::convertLinear(qnn::LinearOp l) {
  if (!isTrain(l.getInput()))
    return l.emitOpError("cannot convert to the spiking level: its input is "
                         "not an activation in the time domain");
  if (l.isLmHead()) {
    // The lm_head reads the decoded sum: one dense matmul instead of T.
    Value sum = spk::DecodeOp::create(
        builder, l.getLoc(), l.getInput().getType(), train(l.getInput()));
    l.getInputMutable().assign(sum);
    return success();
  }
  map(l, spk::LinearOp::create(builder, l.getLoc(), trainType(l.getType()),
                               train(l.getInput()), l.getWeight(),
                               l.getWeightScale(), l.getBias(),
                               l.getWeightBitsAttr()));
  return success();
}

LogicalResult FunctionConverter::convertReturn(func::ReturnOp r) {
  for (OpOperand &operand : r->getOpOperands())
    if (isTrain(operand.get()))
      operand.set(spk::DecodeOp::create(
          builder, r.getLoc(), operand.get().getType(), train(operand.get())));
  return success();
}

struct ConvertQNNToSpikePass
    : public spike::impl::ConvertQNNToSpikeBase<ConvertQNNToSpikePass> {
  using ConvertQNNToSpikeBase::ConvertQNNToSpikeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (timesteps < 1) {
      mlir::emitError(module.getLoc(),
                      "convert-qnn-to-spike: timesteps must be >= 1, got ")
          << int64_t(timesteps);
      return signalPassFailure();
    }
    if (bits != 0 &&
        (bits < spike::neuron::kMinBits || bits > spike::neuron::kMaxBits)) {
      mlir::emitError(module.getLoc(), "convert-qnn-to-spike: bits=")
          << int64_t(bits) << " is out of range [2, 8]";
      return signalPassFailure();
    }
    if (bits != 0) {
      WalkResult walk = module.walk([&](qnn::QuantizeOp q) {
        if (int64_t(q.getBits()) != bits) {
          q.emitOpError("uses ") << q.getBits() << " bits, but the pipeline "
                                 << "asks for bits=" << int64_t(bits);
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
    }
    spike::neuron::SpikeCoding code;
    if (!spike::neuron::parseCoding(coding, code)) {
      module.emitError("convert-qnn-to-spike: unknown coding '")
          << coding << "' (offset, signed)";
      return signalPassFailure();
    }
    if (signedCap != "even" && signedCap != "full") {
      module.emitError("convert-qnn-to-spike: unknown signed-cap '")
          << signedCap << "' (even, full)";
      return signalPassFailure();
    }
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() &&
          failed(FunctionConverter(func, timesteps, budget, bidirectional, code,
                                   signedCap == "full")
                     .run()))
        return signalPassFailure();
  }
};

} // namespace
