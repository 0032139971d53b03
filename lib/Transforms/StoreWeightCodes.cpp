//===- StoreWeightCodes.cpp - Quantized weights as integer codes ----------===//
//
// Writes the module's weight file with each quantized linear's weight as
// its integer codes and row scales (spike-store-weight-codes, Passes.td).
//
//===----------------------------------------------------------------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Transforms/Passes.h"
#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

#include <cstring>
#include <memory>

namespace spike {
#define GEN_PASS_DEF_SPIKESTOREWEIGHTCODES
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace core = spike::core;
namespace qnn = spike::qnn;
namespace spk = spike::spk;

namespace {

/// How the quantized linears read one weight tensor: their width and the
/// scales they share (null: the absmax rule), and each linear.
struct CodedWeight {
  int bits = 0;
  std::string scaleName; ///< empty: absmax, added as NAME.scale
  SmallVector<Operation *> linears;
};

/// A linear's weight, scale and bits, at either level.
struct LinearView {
  Value weight, scale;
  std::optional<uint32_t> bits;
};
std::optional<LinearView> viewLinear(Operation *op) {
  if (auto l = dyn_cast<qnn::LinearOp>(op))
    return LinearView{l.getWeight(), l.getWeightScale(), l.getWeightBits()};
  if (auto l = dyn_cast<spk::LinearOp>(op))
    return LinearView{l.getWeight(), l.getWeightScale(), l.getWeightBits()};
  return std::nullopt;
}

struct StoreWeightCodesPass
    : public spike::impl::SpikeStoreWeightCodesBase<StoreWeightCodesPass> {
  using SpikeStoreWeightCodesBase::SpikeStoreWeightCodesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto fail = [&](const Twine &what) {
      mlir::emitError(module.getLoc(), "spike-store-weight-codes: ") << what;
      signalPassFailure();
    };
    if (out.empty())
      return fail("no output file given (out=PATH)");
    auto opened =
        spike::openModuleWeights(module, "", "spike-store-weight-codes");
    if (failed(opened))
      return signalPassFailure();
    if (!*opened)
      return fail("the module names no weight file (qnn.weights)");
    const core::SafetensorsFile &base = **opened;
    if (auto st = spike::checkOutsideChain(base, out, "out"); !st)
      return fail(st.message());

    llvm::MapVector<StringRef, CodedWeight> coded;
    if (failed(collect(coded)))
      return signalPassFailure();
    for (const auto &[name, c] : coded) {
      const core::TensorInfo *info = base.find(name.str());
      if (!info)
        return fail(base.path() + ": missing tensor '" + name + "'");
      bool stored = core::isCodeDType(info->dtype);
      if (stored && c.scaleName.empty())
        return fail(base.path() + ": tensor '" + name +
                    "' holds integer codes, but its linears have no scales "
                    "to read them with");
      if (!stored && c.scaleName.empty() &&
          base.contains(name.str() + ".scale"))
        return fail(base.path() + ": already has a tensor '" + name +
                    ".scale'");
    }

    core::SafetensorsWriter writer;
    if (overlay)
      writer.setMetadata(core::kBaseFileKey,
                         spike::overlayBaseReference(base.path(), out));
    else
      for (const auto &[key, value] : base.metadata())
        if (key != core::kBaseFileKey) // the copy holds every tensor
          writer.setMetadata(key, value);
    for (const auto &[name, info] : base.tensors()) {
      auto it = coded.find(name);
      bool copy = it == coded.end() || core::isCodeDType(info.dtype);
      if (copy && overlay)
        continue; // read through the base
      core::Status st = copy ? spike::copyStoredTensor(writer, base, name)
                             : addCodes(writer, base, name, it->second);
      if (!st)
        return fail(st.message());
    }
    pointAtScales(base, coded);
    if (auto st = writer.write(out); !st)
      return fail(st.message());
    module->setAttr("qnn.weights",
                    StringAttr::get(module.getContext(),
                                    spike::weightFileAttr(module, out)));
  }

  /// The weights of quantized linears, checked to be read by nothing else
  /// and at one width with one set of scales.
  LogicalResult collect(llvm::MapVector<StringRef, CodedWeight> &coded) {
    ModuleOp module = getOperation();
    module.walk([&](Operation *op) {
      auto l = viewLinear(op);
      if (!l || !l->bits)
        return;
      qnn::ParamAttr w = spike::weightParam(l->weight);
      if (!w)
        return;
      qnn::ParamAttr s = l->scale ? spike::weightParam(l->scale) : nullptr;
      CodedWeight &c = coded[w.getTensorName()];
      c.linears.push_back(op);
      c.bits = int(*l->bits);
      c.scaleName = s ? s.getTensorName().str() : "";
    });
    WalkResult result = module.walk([&](qnn::WeightOp op) -> WalkResult {
      auto p = dyn_cast<qnn::ParamAttr>(op.getValue());
      auto it = p ? coded.find(p.getTensorName()) : coded.end();
      if (it == coded.end())
        return WalkResult::advance();
      const CodedWeight &c = it->second;
      for (OpOperand &use : op->getUses()) {
        Operation *user = use.getOwner();
        auto l = viewLinear(user);
        qnn::ParamAttr s =
            l && l->scale ? spike::weightParam(l->scale) : nullptr;
        std::string scaleName = s ? s.getTensorName().str() : "";
        if (!l || use.getOperandNumber() != 1 || !l->bits ||
            int(*l->bits) != c.bits || scaleName != c.scaleName ||
            (l->scale && !s))
          return user->emitOpError("spike-store-weight-codes: reads tensor '")
                     << p.getTensorName()
                     << "', whose codes other linears need: a weight stored as "
                        "codes must be read only as the weight of linears of "
                        "one width with the same named scales",
                 WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// Declares the codes of float weight `name` and, for the absmax rule,
  /// its row scales `name.scale`.
  core::Status addCodes(core::SafetensorsWriter &writer,
                        const core::SafetensorsFile &base,
                        const std::string &name, const CodedWeight &c) {
    const core::TensorInfo &info = *base.find(name);
    if (info.shape.size() != 2)
      return core::Status::error(base.path() + ": tensor '" + name +
                                 "' is the weight of a linear but not a "
                                 "matrix");
    if (!c.scaleName.empty()) {
      const core::TensorInfo *s = base.find(c.scaleName);
      if (!s)
        return core::Status::error(base.path() + ": missing tensor '" +
                                   c.scaleName + "'");
      if (s->numElements() != info.shape[0])
        return core::Status::error(
            base.path() + ": tensor '" + c.scaleName + "' has " +
            std::to_string(s->numElements()) + " scales for the " +
            std::to_string(info.shape[0]) + " rows of '" + name + "'");
    }
    int bits = c.bits;
    std::string scaleName = c.scaleName;
    // The absmax scales the codes were made with, for NAME.scale, which the
    // writer's name order puts after NAME: the weight is read once.
    auto made = std::make_shared<std::vector<float>>();
    auto produce = [base, info, bits, scaleName,
                    made]() -> core::Result<std::vector<uint8_t>> {
      std::vector<float> given;
      if (!scaleName.empty()) {
        auto s = base.readF32(scaleName);
        if (!s)
          return s.status();
        given = s.take();
      }
      // The grid's codes, with the given scales or each row's absmax.
      return core::withCodeType(bits, [&](auto code) {
        using Code = decltype(code);
        std::vector<Code> k(size_t(info.numElements()));
        std::vector<float> scales(size_t(info.shape[0]));
        core::quantizeRows(base, info, given.empty() ? nullptr : given.data(),
                           bits, scales.data(), k.data());
        *made = std::move(scales);
        std::vector<uint8_t> bytes(k.size() * sizeof(Code));
        std::memcpy(bytes.data(), k.data(), bytes.size()); // little-endian
        return core::Result<std::vector<uint8_t>>(std::move(bytes));
      });
    };
    if (auto st = writer.addDeferred(name, core::codeDType(bits), info.shape,
                                     produce);
        !st)
      return st;
    if (!scaleName.empty())
      return core::Status::ok(); // copied as stored with the rest
    return writer.addDeferredF32(
        name + ".scale", {info.shape[0]},
        [base, info, bits, made]() -> core::Result<std::vector<float>> {
          int64_t rows = info.shape[0], cols = info.shape[1];
          if (int64_t(made->size()) == rows)
            return std::move(*made);
          std::vector<float> row(cols), scales(rows);
          for (int64_t r = 0; r < rows; ++r) {
            base.readF32Range(info, size_t(r * cols), size_t(cols), row.data());
            scales[r] = spike::neuron::weightScale(row.data(), cols, bits);
          }
          base.release(info);
          return scales;
        });
  }

  /// Points each linear that used the absmax rule at its new NAME.scale.
  void pointAtScales(const core::SafetensorsFile &base,
                     const llvm::MapVector<StringRef, CodedWeight> &coded) {
    for (const auto &[name, c] : coded) {
      if (!c.scaleName.empty() ||
          core::isCodeDType(base.find(name.str())->dtype))
        continue;
      std::string scaleName = name.str() + ".scale";
      for (Operation *op : c.linears)
        spike::setRowScaleParam(op, scaleName);
    }
  }
};
} // namespace
