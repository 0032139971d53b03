//===- InsertObservers.cpp - Mark quantizer sites on FP LLaMA graphs ------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Target/ModuleWeights.h"
#include "spike/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace spike {
#define GEN_PASS_DEF_SPIKEINSERTOBSERVERS
#include "spike/Transforms/Passes.h.inc"
} // namespace spike

using namespace mlir;
namespace qnn = spike::qnn;

namespace {

/// Block index and role of a checkpoint weight name
/// "model.layers.{i}.{role}", e.g. (3, "self_attn.q_proj.weight").
std::optional<std::pair<int64_t, std::string>> layerRole(Value w) {
  qnn::ParamAttr param = spike::weightParam(w);
  if (!param)
    return std::nullopt;
  StringRef name = param.getName();
  if (!name.consume_front("model.layers."))
    return std::nullopt;
  auto [index, role] = name.split('.');
  int64_t i;
  if (index.getAsInteger(10, i))
    return std::nullopt;
  return std::make_pair(i, role.str());
}

/// The role of the linear whose output reaches `v` through split_heads
/// (q_proj, k_proj, v_proj), or "".
std::optional<std::pair<int64_t, std::string>> projectionOf(Value v) {
  if (auto rope = v.getDefiningOp<qnn::RoPEOp>())
    v = rope.getInput();
  auto split = v.getDefiningOp<qnn::SplitHeadsOp>();
  auto linear =
      split ? split.getInput().getDefiningOp<qnn::LinearOp>() : nullptr;
  return linear ? layerRole(linear.getWeight()) : std::nullopt;
}

struct InsertObserversPass
    : public spike::impl::SpikeInsertObserversBase<InsertObserversPass> {
  void runOnOperation() override {
    SmallVector<std::pair<Value, std::string>> sites;
    auto site = [](int64_t i, StringRef what) {
      return "blk" + std::to_string(i) + "." + what.str();
    };
    bool failedAny = false;
    getOperation().walk([&](Operation *op) {
      if (auto n = dyn_cast<qnn::RMSNormOp>(op)) {
        if (auto lr = layerRole(n.getWeight())) {
          if (lr->second == "input_layernorm.weight")
            sites.push_back({n.getResult(), site(lr->first, "attn.norm")});
          else if (lr->second == "post_attention_layernorm.weight")
            sites.push_back({n.getResult(), site(lr->first, "mlp.norm")});
        }
      } else if (auto r = dyn_cast<qnn::RoPEOp>(op)) {
        auto p = projectionOf(r.getResult());
        if (p && p->second == "self_attn.q_proj.weight")
          sites.push_back({r.getResult(), site(p->first, "attn.q_rope")});
        else if (p && p->second == "self_attn.k_proj.weight")
          sites.push_back({r.getResult(), site(p->first, "attn.k_rope")});
      } else if (auto s = dyn_cast<qnn::SplitHeadsOp>(op)) {
        auto l = s.getInput().getDefiningOp<qnn::LinearOp>();
        auto lr = l ? layerRole(l.getWeight()) : std::nullopt;
        if (lr && lr->second == "self_attn.v_proj.weight")
          sites.push_back({s.getResult(), site(lr->first, "attn.v")});
      } else if (auto sm = dyn_cast<qnn::SoftmaxOp>(op)) {
        auto mm = sm.getInput().getDefiningOp<qnn::MatmulOp>();
        auto p = mm ? projectionOf(mm.getLhs()) : std::nullopt;
        if (!p) {
          sm.emitOpError("spike-insert-observers: cannot tell which block "
                         "this attention belongs to");
          failedAny = true;
          return;
        }
        sites.push_back({sm.getResult(), site(p->first, "attn.softmax")});
      } else if (auto l = dyn_cast<qnn::LinearOp>(op)) {
        auto lr = layerRole(l.getWeight());
        if (lr && lr->second == "self_attn.o_proj.weight")
          sites.push_back({l.getInput(), site(lr->first, "attn.o_in")});
        else if (lr && lr->second == "mlp.down_proj.weight")
          sites.push_back({l.getInput(), site(lr->first, "mlp.down_in")});
      }
    });
    if (failedAny)
      return signalPassFailure();
    for (auto &[value, name] : sites) {
      OpBuilder b(value.getContext());
      b.setInsertionPointAfterValue(value);
      auto observe = qnn::ObserveOp::create(b, value.getLoc(), value,
                                            b.getStringAttr(name));
      value.replaceAllUsesExcept(observe.getResult(), observe);
    }
  }
};
} // namespace
