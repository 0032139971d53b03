//===- PlanShapes.cpp - Shape rules of a plan -----------------------------===//

#include "PlanShapes.h"

#include <map>

namespace spike::core::detail {

namespace {

using json = nlohmann::json;

/// The last dimensions of a value, which is all the rules need: token ids;
/// features [..., width]; or heads [..., heads, S, headDim], where headDim
/// is -1 for attention scores (the key positions: known only at run time).
struct Shape {
  enum Kind { Ids, Features, Heads } kind = Features;
  int64_t width = 0, heads = 0, headDim = 0;

  /// The innermost dimension, over which per-group parameters are spread
  /// (-1: only known at run time).
  int64_t last() const { return kind == Heads ? headDim : width; }
  bool operator==(const Shape &o) const {
    return kind == o.kind && width == o.width && heads == o.heads &&
           headDim == o.headDim;
  }
  std::string str() const {
    if (kind == Ids)
      return "token ids";
    if (kind == Features)
      return "width " + std::to_string(width);
    return std::to_string(heads) + " heads of " +
           (headDim < 0 ? std::string("key positions")
                        : "dim " + std::to_string(headDim));
  }
};

class ShapeChecker {
public:
  ShapeChecker(const json &plan, const PlanTensors &tensors)
      : plan_(plan), tensors_(tensors) {}

  std::string run() {
    for (const auto &in : plan_["inputs"])
      shapes_[in.get<std::string>()] = {Shape::Ids};
    const json &ops = plan_["ops"];
    for (size_t i = 0; i < ops.size(); ++i) {
      ptr_ = "/ops/" + std::to_string(i);
      Shape out;
      if (std::string err = op(ops[i], out); !err.empty())
        return ptr_ + err;
      shapes_[ops[i]["outputs"][0].get<std::string>()] = out;
    }
    return outputs();
  }

private:
  const json &plan_;
  const PlanTensors &tensors_;
  std::map<std::string, Shape> shapes_;
  std::string ptr_;
  int64_t vocab_ = 0; ///< rows of the embedding table

  const TensorInfo &tensor(const json &op, const char *role) {
    // The validator has checked that every named tensor exists.
    return *tensors_.find(op["params"][role].get<std::string>());
  }

  /// Per-group values (`attr`) must split the innermost dimension evenly
  /// (Neuron.h groupOf); where it is only known at run time, one group.
  std::string groups(const json &op, const char *attr, const Shape &s) {
    if (!op.contains("attrs") || !op["attrs"].contains(attr))
      return "";
    int64_t n = int64_t(op["attrs"][attr].size()), d = s.last();
    if (d < 0 && n != 1)
      return "/attrs/" + std::string(attr) + ": " + std::to_string(n) +
             " groups over " + s.str() + "; needs 1";
    if (d > 0 && (n > d || d % n != 0))
      return "/attrs/" + std::string(attr) + ": " + std::to_string(n) +
             " groups do not divide " + s.str();
    return "";
  }

  std::string op(const json &op, Shape &out) {
    std::string name = op["op"];
    std::vector<Shape> in;
    for (const auto &v : op["inputs"])
      in.push_back(shapes_.at(v.get<std::string>()));
    auto expect = [&](bool ok, const std::string &what) {
      return ok ? std::string() : what;
    };
    bool notIds = in[0].kind != Shape::Ids;
    if (name != "embedding" && !notIds)
      return "/inputs/0: '" + name + "' cannot take token ids";
    out = in[0];

    if (name == "embedding") {
      if (notIds)
        return "/inputs/0: embedding takes token ids, not " + in[0].str();
      const TensorInfo &t = tensor(op, "table");
      if (t.shape.size() != 2)
        return "/params/table: needs a [vocab, width] table";
      vocab_ = t.shape[0];
      out = {Shape::Features, t.shape[1]};
      return vocabulary(op["params"]["table"].get<std::string>(), vocab_);
    }
    if (name == "rmsnorm" ||
        (name == "accum_map" && op["attrs"]["fn"] == "rmsnorm")) {
      const TensorInfo &w = tensor(op, "weight");
      return expect(in[0].kind == Shape::Features &&
                        w.numElements() == in[0].width,
                    "/params/weight: " + std::to_string(w.numElements()) +
                        " weights for " + in[0].str());
    }
    if (name == "linear") {
      const TensorInfo &w = tensor(op, "weight");
      if (w.shape.size() != 2)
        return "/params/weight: needs a [out, in] matrix";
      if (in[0].kind != Shape::Features || in[0].width != w.shape[1])
        return "/params/weight: " + std::to_string(w.shape[1]) +
               " columns for an input of " + in[0].str();
      if (op["params"].contains("weight_scale") &&
          tensor(op, "weight_scale").numElements() != w.shape[0])
        return "/params/weight_scale: needs one scale per row (" +
               std::to_string(w.shape[0]) + ")";
      if (op["params"].contains("bias") &&
          tensor(op, "bias").shape != std::vector<int64_t>{w.shape[0]})
        return "/params/bias: needs one value per row, [" +
               std::to_string(w.shape[0]) + "]";
      out = {Shape::Features, w.shape[0]};
      return "";
    }
    if (name == "split_heads") {
      int64_t h = op["attrs"]["heads"];
      if (in[0].kind != Shape::Features || in[0].width % h != 0)
        return "/attrs/heads: " + std::to_string(h) + " heads do not divide " +
               in[0].str();
      out = {Shape::Heads, in[0].width, h, in[0].width / h};
      return "";
    }
    if (name == "merge_heads") {
      if (in[0].kind != Shape::Heads || in[0].headDim < 0)
        return "/inputs/0: merge_heads needs heads of a known dim, not " +
               in[0].str();
      out = {Shape::Features, in[0].heads * in[0].headDim};
      return "";
    }
    if (name == "rope") {
      if (in[0].kind != Shape::Heads || in[0].headDim <= 0 ||
          in[0].headDim % 2 != 0)
        return "/inputs/0: rope needs heads of an even dim, not " + in[0].str();
      const json &attrs = op["attrs"];
      if (attrs.contains("freq_factors") &&
          int64_t(attrs["freq_factors"].size()) != in[0].headDim / 2)
        return "/attrs/freq_factors: needs " +
               std::to_string(in[0].headDim / 2) +
               " entries (head dim / 2), has " +
               std::to_string(attrs["freq_factors"].size());
      out = in[0];
      return "";
    }
    if (name == "matmul" || name == "aa_matmul") {
      const Shape &a = in[0], &b = in[1];
      if (a.kind != Shape::Heads || b.kind != Shape::Heads ||
          a.heads % b.heads != 0)
        return "/inputs: " + name + " needs heads on both sides, the left " +
               "a multiple of the right (" + a.str() + "; " + b.str() + ")";
      bool transpose = op["attrs"].value("transpose_rhs", false);
      if (transpose ? (a.headDim < 0 || a.headDim != b.headDim)
                    : (a.headDim >= 0 || b.headDim < 0))
        return "/inputs: " + name + (transpose ? " Q K^T" : " A V") + " of " +
               a.str() + " and " + b.str();
      out = {Shape::Heads, a.width, a.heads, transpose ? -1 : b.headDim};
      return "";
    }
    if (name == "mul" || name == "add" || name == "aa_mul")
      return expect(in[0] == in[1], "/inputs: " + name + " of " + in[0].str() +
                                        " and " + in[1].str());
    if (name == "quantize")
      return groups(op, "scale", in[0]);
    if (name == "is_neuron" || name == "if_neuron" || name == "if_collect") {
      if (std::string err = groups(op, "threshold", in[0]); !err.empty())
        return err;
      return groups(op, "v0", in[0]);
    }
    // softmax, silu, observe, encode, decode, accum_map: shape kept.
    return "";
  }

  std::string vocabulary(const std::string &table, int64_t rows) {
    if (plan_.contains("model") && plan_["model"].contains("vocab_size") &&
        plan_["model"]["vocab_size"].get<int64_t>() != rows)
      return "/params/table: tensor '" + table + "' has " +
             std::to_string(rows) + " rows but /model/vocab_size is " +
             plan_["model"]["vocab_size"].dump();
    if (plan_.contains("prefix_tokens"))
      for (size_t k = 0; k < plan_["prefix_tokens"].size(); ++k)
        if (plan_["prefix_tokens"][k].get<int64_t>() >= rows) {
          ptr_ = "";
          return "/prefix_tokens/" + std::to_string(k) + ": id " +
                 plan_["prefix_tokens"][k].dump() + " outside the " +
                 std::to_string(rows) + "-token vocabulary";
        }
    for (const char *key : {"bos_token_id", "eos_token_id"})
      if (plan_.contains("model") && plan_["model"].contains(key) &&
          plan_["model"][key].get<int64_t>() >= rows) {
        ptr_ = "";
        return "/model/" + std::string(key) + ": id " +
               plan_["model"][key].dump() + " outside the " +
               std::to_string(rows) + "-token vocabulary";
      }
    return "";
  }

  /// The first output is the logits: one per vocabulary entry.
  std::string outputs() {
    const Shape &logits = shapes_.at(plan_["outputs"][0].get<std::string>());
    if (logits.kind != Shape::Features || (vocab_ && logits.width != vocab_))
      return "/outputs/0: the logits have " + logits.str() +
             ", not the vocabulary's " + std::to_string(vocab_);
    return "";
  }
};

} // namespace

std::string checkPlanShapes(const json &plan, const PlanTensors &tensors) {
  return ShapeChecker(plan, tensors).run();
}

} // namespace spike::core::detail
