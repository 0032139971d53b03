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

GraphBuilder::Producer
GraphBuilder::source(const std::string &name,
                     const std::vector<int64_t> &shape) const {
  const WeightSource *s = &src;
  return [s, name, shape] { return s->read(name, shape); };
}

GraphBuilder::Producer GraphBuilder::constant(std::vector<float> values) {
  return [values = std::move(values)]() -> core::Result<std::vector<float>> {
    return values;
  };
}

GraphBuilder::Producer
GraphBuilder::then(Producer p,
                   std::function<std::vector<float>(std::vector<float>)> f) {
  return [p = std::move(p),
          f = std::move(f)]() -> core::Result<std::vector<float>> {
    auto values = p();
    if (!values)
      return values.status();
    return f(values.take());
  };
}

void GraphBuilder::declare(const std::string &name, std::vector<int64_t> shape,
                           Producer produce, bool keepF32) {
  if (!status.isOk())
    return;
  core::Status st = core::Status::ok();
  if (storedDType(shape, keepF32) == core::DType::BF16)
    st = out.addDeferredBF16(name, std::move(shape), std::move(produce));
  else
    st = out.addDeferredF32(name, std::move(shape), std::move(produce));
  if (!st)
    status = st;
}

Value GraphBuilder::record(const std::string &name, std::vector<int64_t> shape,
                           Producer produce) {
  declare(name, shape, std::move(produce));
  if (!status.isOk())
    return {};
  return use(name, "", shape);
}

core::DType GraphBuilder::storedDType(const std::vector<int64_t> &shape,
                                      bool keepF32) const {
  return options.bf16Weights && shape.size() == 2 && !keepF32
             ? core::DType::BF16
             : core::DType::F32;
}

Value GraphBuilder::recordAsStored(const std::string &name,
                                   std::vector<int64_t> shape) {
  if (options.referenceCheckpoint && status.isOk() &&
      src.takeAsStored(name, shape, storedDType(shape))) {
    ++taken;
    return use(name, "", shape);
  }
  return record(name, shape, source(name, shape));
}

Value GraphBuilder::use(const std::string &name, const std::string &shared,
                        llvm::ArrayRef<int64_t> shape) {
  return qnn::WeightOp::create(
      b, loc, tensor(shape),
      qnn::ParamAttr::get(b.getContext(), name, shared, tensor(shape)));
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
  if (!rotated())
    return w;
  rot::scaleColumns(w, rows, gain);
  return q.timesRight(w, rows);
}

std::vector<float> GraphBuilder::writer(int64_t cols,
                                        std::vector<float> w) const {
  return rotated() ? q.transposeTimes(w, cols) : w;
}

void GraphBuilder::setUpRotations(ModuleOp module) {
  if (options.rotateResidual) {
    q = rot::Rotation::forWidth(d, options.rotationSeed);
    module->setAttr("qnn.rotated_residual", b.getStringAttr(q.kind()));
  }
  if (options.rotateDown) {
    r = rot::Rotation::forWidth(c.ffn, options.rotationSeed + 1);
    module->setAttr("qnn.rotated_down_proj_input", b.getStringAttr(r.kind()));
  }
}

Value GraphBuilder::embedding(Value tokens) {
  Producer raw = source("model.embed_tokens.weight", {c.vocab, d});
  embed = rotated() ? record("model.embed_tokens.weight", {c.vocab, d},
                             then(raw,
                                  [this](std::vector<float> w) {
                                    return q.timesRight(w, c.vocab);
                                  }))
                    : recordAsStored("model.embed_tokens.weight", {c.vocab, d});
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
  // A consumer of the residual stream (W diag(g) Q), and a writer into it
  // (Q^T W), each applied when the file is written.
  auto readerOf = [&](const std::string &name, int64_t rows,
                      const std::vector<float> &gain, float scale = 1.f) {
    if (!rotate && scale == 1.f)
      return recordAsStored(p + name, {rows, d});
    return record(p + name, {rows, d},
                  then(source(p + name, {rows, d}),
                       [this, rows, gain, scale](std::vector<float> v) {
                         v = reader(gain, rows, std::move(v));
                         if (scale != 1.f)
                           for (float &x : v)
                             x *= scale;
                         return v;
                       }));
  };
  auto writerOf = [&](const std::string &name, int64_t cols, bool down) {
    if (!rotate && !(down && options.rotateDown))
      return recordAsStored(p + name, {d, cols});
    return record(p + name, {d, cols},
                  then(source(p + name, {d, cols}),
                       [this, cols, down](std::vector<float> v) {
                         v = writer(cols, std::move(v));
                         if (down && options.rotateDown)
                           v = r.timesRight(v, d);
                         return v;
                       }));
  };
  w.ln1 =
      record(p + "input_layernorm.weight", {d}, constant(rotate ? ones : g1));
  w.wq = readerOf("self_attn.q_proj.weight", dq, g1, qScale);
  w.wk = readerOf("self_attn.k_proj.weight", dkv, g1);
  w.wv = readerOf("self_attn.v_proj.weight", dkv, g1);
  w.wo = writerOf("self_attn.o_proj.weight", dq, false);
  w.ln2 = record(p + "post_attention_layernorm.weight", {d},
                 constant(rotate ? ones : g2));
  w.wg = readerOf("mlp.gate_proj.weight", c.ffn, g2);
  w.wu = readerOf("mlp.up_proj.weight", c.ffn, g2);
  if (options.rotateDown) {
    // linear(h, R^T) computes h R, the online rotation. Every block uses
    // the same R: one tensor of the weight file, which each block's
    // parameter names.
    if (layer == 0)
      declare(
          "model.down_rotation", {c.ffn, c.ffn},
          [this]() -> core::Result<std::vector<float>> {
            std::vector<float> dense = r.dense(), rt(c.ffn * c.ffn);
            for (int64_t a = 0; a < c.ffn; ++a)
              for (int64_t k = 0; k < c.ffn; ++k)
                rt[a * c.ffn + k] = dense[k * c.ffn + a];
            return rt;
          },
          /*keepF32=*/true);
    w.downRotation =
        use(p + "mlp.down_rotation", "model.down_rotation", {c.ffn, c.ffn});
  }
  w.wd = writerOf("mlp.down_proj.weight", c.ffn, true);
  // Biases, in the same frames as their weights: q's carries the folded
  // 1/sqrt(d); the writers' (o, down) are rotated with their rows (Q^T b);
  // the readers' outputs are not rotated.
  auto bias = [&](bool present, const std::string &name, int64_t n,
                  float scale = 1.f, bool writes = false) -> Value {
    if (!present)
      return {};
    if (scale == 1.f && !(writes && rotate))
      return recordAsStored(p + name, {n});
    return record(p + name, {n},
                  then(source(p + name, {n}),
                       [this, scale, writes](std::vector<float> v) {
                         for (float &x : v)
                           x *= scale;
                         return writes ? writer(1, std::move(v)) : v;
                       }));
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
  Value lnf = record("model.norm.weight", {d}, constant(rotated() ? ones : gf));
  Value head;
  bool separateHead = !c.tied && src.has("lm_head.weight");
  if (rotated()) {
    // The head reads the rotated, gain-free stream: W diag(g) Q (untied).
    head = record("lm_head.weight", {c.vocab, d},
                  then(separateHead
                           ? source("lm_head.weight", {c.vocab, d})
                           : source("model.embed_tokens.weight", {c.vocab, d}),
                       [this, gf](std::vector<float> w) {
                         return reader(gf, c.vocab, std::move(w));
                       }));
  } else {
    head =
        separateHead ? recordAsStored("lm_head.weight", {c.vocab, d}) : embed;
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
