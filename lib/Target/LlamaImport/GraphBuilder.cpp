//===- GraphBuilder.cpp - A LLaMA checkpoint as a qnn graph ---------------===//

#include "GraphBuilder.h"
#include "Rotation.h"
#include "spike/Dialect/QNN/QNNOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;

namespace spike::llama {

namespace rot = spike::rotation;

static constexpr int64_t kDyn = ShapedType::kDynamic;

GraphBuilder::GraphBuilder(MLIRContext *ctx, const LlamaConfig &c,
                           const WeightSource &src,
                           core::SafetensorsWriter &out,
                           const LlamaImportOptions &options)
    : b(ctx), c(c), src(src), out(out), options(options), f32(b.getF32Type()),
      loc(UnknownLoc::get(ctx)), d(c.hidden), dq(c.heads * c.headDim),
      dkv(c.kvHeads * c.headDim),
      qScale(float(1.0 / std::sqrt(double(c.headDim)))), ones(c.hidden, 1.f) {}

RankedTensorType GraphBuilder::tensor(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, f32);
}

std::vector<float> GraphBuilder::read(const std::string &name,
                                      const std::vector<int64_t> &shape) {
  if (!status.isOk())
    return {};
  auto values = src.read(name, shape);
  if (!values) {
    status = values.status();
    return {};
  }
  return values.take();
}

Value GraphBuilder::record(const std::string &name, std::vector<int64_t> shape,
                           const std::vector<float> &values) {
  if (!status.isOk())
    return {};
  if (auto st = out.addF32(name, shape, values); !st) {
    status = st;
    return {};
  }
  SmallVector<int64_t> s(shape.begin(), shape.end());
  return qnn::WeightOp::create(
      b, loc, tensor(s), qnn::ParamAttr::get(b.getContext(), name, tensor(s)));
}

Value GraphBuilder::linear(Value x, Value w, int64_t outDim, Value bias) {
  return qnn::LinearOp::create(b, loc, tensor({kDyn, outDim}), x, w, Value(),
                               bias, IntegerAttr());
}

Value GraphBuilder::rope(Value x) {
  auto op = qnn::RoPEOp::create(
      b, loc, x, b.getF64FloatAttr(c.ropeBase), StringAttr(), FloatAttr(),
      FloatAttr(), FloatAttr(), IntegerAttr(), DenseF64ArrayAttr());
  if (c.ropeScaling == "factors") {
    op.setScalingAttr(b.getStringAttr(c.ropeScaling));
    op.setFreqFactorsAttr(b.getDenseF64ArrayAttr(c.freqFactors));
  } else if (!c.ropeScaling.empty()) {
    op.setScalingAttr(b.getStringAttr(c.ropeScaling));
    op.setFactorAttr(b.getF64FloatAttr(c.ropeFactor));
    if (c.ropeScaling == "llama3") {
      op.setLowFreqFactorAttr(b.getF64FloatAttr(c.lowFreq));
      op.setHighFreqFactorAttr(b.getF64FloatAttr(c.highFreq));
      op.setOriginalMaxPositionAttr(b.getI64IntegerAttr(c.originalMaxPosition));
    }
  }
  return op;
}

std::vector<float> GraphBuilder::reader(const std::vector<float> &gain,
                                        int64_t rows,
                                        std::vector<float> w) const {
  if (!rotated() || w.empty())
    return w;
  rot::scaleColumns(w, rows, gain);
  return rot::timesRight(w, rows, d, q);
}

std::vector<float> GraphBuilder::writer(int64_t cols,
                                        std::vector<float> w) const {
  return rotated() && !w.empty() ? rot::transposeTimes(q, d, w, cols) : w;
}

void GraphBuilder::setUpRotations(ModuleOp module) {
  const char *kind = nullptr;
  if (options.rotateResidual) {
    q = rot::rotationFor(d, options.rotationSeed, kind);
    module->setAttr("qnn.rotated_residual", b.getStringAttr(kind));
  }
  if (options.rotateDown) {
    r = rot::rotationFor(c.ffn, options.rotationSeed + 1, kind);
    module->setAttr("qnn.rotated_down_proj_input", b.getStringAttr(kind));
  }
}

Value GraphBuilder::embedding(Value tokens) {
  embedRaw = read("model.embed_tokens.weight", {c.vocab, d});
  embed = record("model.embed_tokens.weight", {c.vocab, d},
                 rotated() && !embedRaw.empty()
                     ? rot::timesRight(embedRaw, c.vocab, d, q)
                     : embedRaw);
  if (!status.isOk())
    return {};
  return qnn::EmbeddingOp::create(b, loc, tensor({kDyn, d}), tokens, embed);
}

GraphBuilder::BlockWeights GraphBuilder::blockWeights(int64_t layer) {
  const std::string p = "model.layers." + std::to_string(layer) + ".";
  const bool rotate = rotated();
  BlockWeights w;
  std::vector<float> g1 = read(p + "input_layernorm.weight", {d});
  std::vector<float> g2 = read(p + "post_attention_layernorm.weight", {d});
  std::vector<float> wqv =
      reader(g1, dq, read(p + "self_attn.q_proj.weight", {dq, d}));
  for (float &v : wqv)
    v *= qScale;
  w.ln1 = record(p + "input_layernorm.weight", {d}, rotate ? ones : g1);
  w.wq = record(p + "self_attn.q_proj.weight", {dq, d}, wqv);
  w.wk = record(p + "self_attn.k_proj.weight", {dkv, d},
                reader(g1, dkv, read(p + "self_attn.k_proj.weight", {dkv, d})));
  w.wv = record(p + "self_attn.v_proj.weight", {dkv, d},
                reader(g1, dkv, read(p + "self_attn.v_proj.weight", {dkv, d})));
  w.wo = record(p + "self_attn.o_proj.weight", {d, dq},
                writer(dq, read(p + "self_attn.o_proj.weight", {d, dq})));
  w.ln2 =
      record(p + "post_attention_layernorm.weight", {d}, rotate ? ones : g2);
  w.wg =
      record(p + "mlp.gate_proj.weight", {c.ffn, d},
             reader(g2, c.ffn, read(p + "mlp.gate_proj.weight", {c.ffn, d})));
  w.wu = record(p + "mlp.up_proj.weight", {c.ffn, d},
                reader(g2, c.ffn, read(p + "mlp.up_proj.weight", {c.ffn, d})));
  std::vector<float> wdv =
      writer(c.ffn, read(p + "mlp.down_proj.weight", {d, c.ffn}));
  if (options.rotateDown && !wdv.empty()) {
    wdv = rot::timesRight(wdv, d, c.ffn, r);
    // linear(h, R^T) computes h R, the online rotation.
    std::vector<float> rt(c.ffn * c.ffn);
    for (int64_t a = 0; a < c.ffn; ++a)
      for (int64_t k = 0; k < c.ffn; ++k)
        rt[a * c.ffn + k] = r[k * c.ffn + a];
    w.downRotation = record(p + "mlp.down_rotation", {c.ffn, c.ffn}, rt);
  }
  w.wd = record(p + "mlp.down_proj.weight", {d, c.ffn}, wdv);
  // Biases, in the same frames as their weights: q's carries the folded
  // 1/sqrt(d); the writers' (o, down) are rotated with their rows (Q^T b);
  // the readers' outputs are not rotated.
  auto bias = [&](bool present, const std::string &name, int64_t n,
                  float scale = 1.f, bool writes = false) -> Value {
    if (!present)
      return {};
    std::vector<float> v = read(p + name, {n});
    for (float &x : v)
      x *= scale;
    return record(p + name, {n}, writes ? writer(1, v) : v);
  };
  w.bq = bias(c.qkvBias, "self_attn.q_proj.bias", dq, qScale);
  w.bk = bias(c.qkvBias, "self_attn.k_proj.bias", dkv);
  w.bv = bias(c.qkvBias, "self_attn.v_proj.bias", dkv);
  w.bo = bias(c.oBias, "self_attn.o_proj.bias", d, 1.f, true);
  w.bg = bias(c.mlpBias, "mlp.gate_proj.bias", c.ffn);
  w.bu = bias(c.mlpBias, "mlp.up_proj.bias", c.ffn);
  w.bd = bias(c.mlpBias, "mlp.down_proj.bias", d, 1.f, true);
  return w;
}

Value GraphBuilder::attention(Value x, const BlockWeights &w) {
  auto eps = b.getF64FloatAttr(c.eps);
  Value n = qnn::RMSNormOp::create(b, loc, x, w.ln1, eps);
  Value qh = qnn::SplitHeadsOp::create(
      b, loc, tensor({c.heads, kDyn, c.headDim}), linear(n, w.wq, dq, w.bq));
  Value k = qnn::SplitHeadsOp::create(
      b, loc, tensor({c.kvHeads, kDyn, c.headDim}), linear(n, w.wk, dkv, w.bk));
  Value v = qnn::SplitHeadsOp::create(
      b, loc, tensor({c.kvHeads, kDyn, c.headDim}), linear(n, w.wv, dkv, w.bv));
  qh = rope(qh);
  k = rope(k);
  Value s = qnn::MatmulOp::create(b, loc, tensor({c.heads, kDyn, kDyn}), qh, k,
                                  /*transpose_rhs=*/true);
  Value pr = qnn::SoftmaxOp::create(b, loc, s, /*causal=*/true);
  Value o = qnn::MatmulOp::create(b, loc, tensor({c.heads, kDyn, c.headDim}),
                                  pr, v, false);
  Value om = qnn::MergeHeadsOp::create(b, loc, tensor({kDyn, dq}), o);
  return qnn::AddOp::create(b, loc, x, linear(om, w.wo, d, w.bo));
}

Value GraphBuilder::mlp(Value x, const BlockWeights &w) {
  auto eps = b.getF64FloatAttr(c.eps);
  Value n2 = qnn::RMSNormOp::create(b, loc, x, w.ln2, eps);
  Value g = qnn::SiLUOp::create(b, loc, linear(n2, w.wg, c.ffn, w.bg));
  Value h = qnn::MulOp::create(b, loc, g, linear(n2, w.wu, c.ffn, w.bu));
  if (w.downRotation)
    h = linear(h, w.downRotation, c.ffn);
  return qnn::AddOp::create(b, loc, x, linear(h, w.wd, d, w.bd));
}

Value GraphBuilder::logits(Value x) {
  std::vector<float> gf = read("model.norm.weight", {d});
  Value lnf = record("model.norm.weight", {d}, rotated() ? ones : gf);
  Value head;
  bool separateHead = !c.tied && src.has("lm_head.weight");
  if (rotated()) {
    // The head reads the rotated, gain-free stream: W diag(g) Q (untied).
    std::vector<float> h =
        separateHead ? read("lm_head.weight", {c.vocab, d}) : embedRaw;
    head = record("lm_head.weight", {c.vocab, d}, reader(gf, c.vocab, h));
  } else {
    head = separateHead ? record("lm_head.weight", {c.vocab, d},
                                 read("lm_head.weight", {c.vocab, d}))
                        : embed;
  }
  if (!status.isOk())
    return {};
  Value xf = qnn::RMSNormOp::create(b, loc, x, lnf, b.getF64FloatAttr(c.eps));
  return linear(xf, head, c.vocab);
}

core::Status GraphBuilder::build(ModuleOp module) {
  b.setInsertionPointToEnd(module.getBody());
  auto tokensType = RankedTensorType::get({kDyn}, b.getI64Type());
  auto logitsType = tensor({kDyn, c.vocab});
  auto func = func::FuncOp::create(
      b, loc, "forward", b.getFunctionType({tokensType}, {logitsType}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  module->setAttr("qnn.attention_scale_folded_into", b.getStringAttr("q_proj"));
  setUpRotations(module);

  Value x = embedding(body->getArgument(0));
  if (!status.isOk())
    return status;
  for (int64_t i = 0; i < c.layers; ++i) {
    BlockWeights w = blockWeights(i);
    if (!status.isOk())
      return status;
    x = attention(x, w);
    x = mlp(x, w);
  }
  Value out = logits(x);
  if (!status.isOk())
    return status;
  func::ReturnOp::create(b, loc, out);
  return core::Status::ok();
}

} // namespace spike::llama
