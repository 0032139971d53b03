//===- TestPlan.cpp - Plans of random LLaMA models, without MLIR ----------===//

#include "TestPlan.h"

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Support/FileIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace spike::tools {

namespace {

using Json = nlohmann::ordered_json;

/// Builds the op list of one plan, as generate.py's Graph does.
class PlanGraph {
public:
  PlanGraph(const TestPlanOptions &o)
      : o_(o), spiking_(o.level == "is" || o.level == "if") {}

  std::string op(const std::string &name, std::vector<std::string> inputs,
                 Json params = nullptr, Json attrs = nullptr,
                 const std::string &site = "") {
    std::string out = "v" + std::to_string(++n_);
    Json j = {{"op", name}, {"inputs", inputs}, {"outputs", {out}}};
    if (!params.is_null())
      j["params"] = params;
    if (!attrs.is_null())
      j["attrs"] = attrs;
    if (!site.empty())
      j["site"] = site;
    ops_.push_back(j);
    return out;
  }

  /// An activation quantizer (qann) or neuron (is, if) at `site`; the
  /// neuron parameters of Theorem 2 (spike/core/Neuron/Neuron.h).
  std::string act(const std::string &x, const std::string &site, double scale,
                  bool isSigned = true) {
    int64_t maxCode = (int64_t(1) << o_.bits) - 1;
    if (o_.level == "qann")
      return op("quantize", {x}, nullptr,
                {{"scale", {scale}}, {"bits", o_.bits}, {"signed", isSigned}},
                site);
    if (!spiking_)
      return x;
    neuron::ISParams p;
    neuron::theorem2Params(o_.bits, o_.timesteps, isSigned, true, p);
    Json attrs = {{"levels", p.levels},
                  {"alpha", p.alpha},
                  {"threshold", {scale}},
                  {"v0", {scale / 2}},
                  {"budget", maxCode}};
    if (o_.level == "is") {
      attrs["bits"] = o_.bits;
      return op("is_neuron", {x}, nullptr, attrs, site);
    }
    attrs["schedule"] = "integrate-then-fire";
    std::string spikes = op("if_neuron", {x}, nullptr, attrs, site);
    return op(
        "if_collect", {spikes}, nullptr,
        {{"levels", p.levels}, {"alpha", p.alpha}, {"threshold", {scale}}});
  }

  std::string nonlinear(const std::string &fn, const std::string &x,
                        const std::string &weight = "") {
    if (spiking_) {
      Json attrs = {{"fn", fn}};
      Json params = nullptr;
      if (fn == "rmsnorm") {
        attrs["eps"] = 1e-5;
        params = {{"weight", weight}};
      }
      if (fn == "softmax")
        attrs["causal"] = true;
      return op("accum_map", {x}, params, attrs);
    }
    if (fn == "rmsnorm")
      return op("rmsnorm", {x}, {{"weight", weight}}, {{"eps", 1e-5}});
    if (fn == "softmax")
      return op("softmax", {x}, nullptr, {{"causal", true}});
    return op(fn, {x});
  }

  std::string linear(const std::string &x, const std::string &weight,
                     bool quantized = true) {
    Json params = {{"weight", weight}};
    Json attrs = nullptr;
    if (quantized && o_.level != "fp") {
      params["weight_scale"] = weight + "_scale";
      attrs = {{"weight_bits", o_.bits}};
    }
    return op("linear", {x}, params, attrs);
  }

  std::string matmul(const std::string &a, const std::string &b,
                     bool transpose) {
    return op(spiking_ ? "aa_matmul" : "matmul", {a, b}, nullptr,
              {{"transpose_rhs", transpose}});
  }

  bool spiking() const { return spiking_; }
  Json &ops() { return ops_; }

private:
  const TestPlanOptions &o_;
  bool spiking_;
  Json ops_ = Json::array();
  int n_ = 0;
};

Json planOf(const TestPlanOptions &o, const Weights &w,
            const std::string &tensors) {
  PlanGraph g(o);
  std::string x =
      g.op("embedding", {"tokens"}, {{"table", "model.embed_tokens.weight"}});
  if (g.spiking())
    x = g.op("encode", {x});
  double softmaxStep = 1.0 / double((int64_t(1) << o.bits) - 1);
  for (int64_t i = 0; i < o.layers; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    std::string s = "blk" + std::to_string(i) + ".";
    std::string n = g.nonlinear("rmsnorm", x, p + "input_layernorm.weight");
    n = g.act(n, s + "attn.norm", 0.05);
    auto heads = [&](const char *proj, int64_t count) {
      return g.op("split_heads",
                  {g.linear(n, p + "self_attn." + proj + ".weight")}, nullptr,
                  {{"heads", count}});
    };
    std::string q = heads("q_proj", o.heads), k = heads("k_proj", o.kvHeads),
                v = heads("v_proj", o.kvHeads);
    Json rope = {{"base", 10000.0}};
    q = g.act(g.op("rope", {q}, nullptr, rope), s + "attn.q_rope", 0.04);
    k = g.act(g.op("rope", {k}, nullptr, rope), s + "attn.k_rope", 0.04);
    v = g.act(v, s + "attn.v", 0.04);
    std::string a = g.act(g.nonlinear("softmax", g.matmul(q, k, true)),
                          s + "attn.softmax", softmaxStep, /*isSigned=*/false);
    std::string o2 = g.op("merge_heads", {g.matmul(a, v, false)});
    o2 = g.act(o2, s + "attn.o_in", 0.03);
    x = g.op("add", {x, g.linear(o2, p + "self_attn.o_proj.weight")});
    n = g.nonlinear("rmsnorm", x, p + "post_attention_layernorm.weight");
    n = g.act(n, s + "mlp.norm", 0.05);
    std::string gate =
        g.nonlinear("silu", g.linear(n, p + "mlp.gate_proj.weight"));
    std::string up = g.linear(n, p + "mlp.up_proj.weight");
    std::string h = g.op(g.spiking() ? "aa_mul" : "mul", {gate, up});
    h = g.act(h, s + "mlp.down_in", 0.02);
    x = g.op("add", {x, g.linear(h, p + "mlp.down_proj.weight")});
  }
  x = g.nonlinear("rmsnorm", x, "model.norm.weight");
  if (g.spiking())
    x = g.op("decode", {x});
  std::string head = w.count("lm_head.weight") ? "lm_head.weight"
                                               : "model.embed_tokens.weight";
  g.op("linear", {x}, {{"weight", head}});
  g.ops().back()["outputs"] = {"logits"};

  neuron::ISParams p;
  neuron::theorem2Params(o.bits, o.timesteps, true, true, p);
  return {{"format", "spikec.plan"},
          {"version", 2},
          {"producer", "spike-make-test-model"},
          {"level", o.level},
          {"time",
           {{"timesteps", g.spiking() ? o.timesteps : 1},
            {"substeps", o.level == "if" ? p.levels : 1}}},
          {"model",
           {{"name", o.name},
            {"vocab_size", w.at("model.embed_tokens.weight").first[0]},
            {"bos_token_id", o.bos},
            {"eos_token_id", o.eos}}},
          {"tensors", tensors},
          {"inputs", {"tokens"}},
          {"outputs", {"logits"}},
          {"ops", g.ops()}};
}

/// Per-row scales of a quantized linear (Neuron.h weightScale).
std::vector<float>
rowScales(const std::pair<std::vector<int64_t>, std::vector<float>> &w,
          int bits) {
  int64_t rows = w.first[0], cols = w.first[1];
  std::vector<float> s(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r)
    s[size_t(r)] = neuron::weightScale(w.second.data() + r * cols, cols, bits);
  return s;
}

} // namespace

std::string checkTestPlanOptions(const TestPlanOptions &o) {
  if (o.level != "fp" && o.level != "qann" && o.level != "is" &&
      o.level != "if")
    return "--level must be fp, qann, is or if, not '" + o.level + "'";
  neuron::ISParams p;
  if (const char *why =
          neuron::theorem2Params(o.bits, o.timesteps, true, true, p))
    return std::string("--bits/--timesteps: ") + why;
  return "";
}

std::string writeTestPlan(const TestPlanOptions &o, const Weights &w,
                          const std::string &dir, const std::string &tensors,
                          bool writeTensors) {
  if (std::string err = checkTestPlanOptions(o); !err.empty())
    return err;
  if (o.layers < 1 || o.heads < 1 || o.kvHeads < 1 || o.heads % o.kvHeads)
    return "needs layers >= 1 and heads a multiple of kv-heads";
  if (writeTensors) {
    core::SafetensorsWriter out;
    for (const auto &[name, t] : w) {
      if (auto st = out.addF32(name, t.first, t.second); !st)
        return st.message();
      bool quantized = name.find(".self_attn.") != std::string::npos ||
                       name.find(".mlp.") != std::string::npos;
      if (quantized)
        if (auto st =
                out.addF32(name + "_scale", {t.first[0]}, rowScales(t, o.bits));
            !st)
          return st.message();
    }
    if (auto st = out.write(dir + "/" + tensors); !st)
      return st.message();
  }
  std::string path = dir + "/" + o.level + ".plan.json";
  if (auto st =
          core::writeFileAtomic(path, planOf(o, w, tensors).dump(1) + "\n");
      !st)
    return st.message();
  return "";
}

} // namespace spike::tools
