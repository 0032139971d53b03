//===- LlamaLayout.cpp - LLaMA checkpoint conventions ---------------------===//

#include "spike/core/ModelIO/LlamaLayout.h"

#include <cstring>
#include <utility>

namespace spike::core {

std::string ggufTensorName(const std::string &hf) {
  static const std::pair<const char *, const char *> global[] = {
      {"model.embed_tokens.weight", "token_embd.weight"},
      {"model.norm.weight", "output_norm.weight"},
      {"lm_head.weight", "output.weight"}};
  for (auto [a, b] : global)
    if (hf == a)
      return b;
  static const std::pair<const char *, const char *> perLayer[] = {
      {"input_layernorm.weight", "attn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},
      {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},
      {"self_attn.o_proj.weight", "attn_output.weight"},
      {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},
      {"mlp.down_proj.weight", "ffn_down.weight"},
      {"self_attn.q_proj.bias", "attn_q.bias"},
      {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.bias", "attn_v.bias"},
      {"self_attn.o_proj.bias", "attn_output.bias"},
      {"mlp.gate_proj.bias", "ffn_gate.bias"},
      {"mlp.up_proj.bias", "ffn_up.bias"},
      {"mlp.down_proj.bias", "ffn_down.bias"}};
  const std::string prefix = "model.layers.";
  if (hf.rfind(prefix, 0) != 0)
    return "";
  size_t dot = hf.find('.', prefix.size());
  if (dot == std::string::npos)
    return "";
  std::string layer = hf.substr(prefix.size(), dot - prefix.size());
  std::string rest = hf.substr(dot + 1);
  for (auto [a, b] : perLayer)
    if (rest == a)
      return "blk." + layer + "." + b;
  return "";
}

std::vector<float> permuteRopeRows(const std::vector<float> &w, int64_t heads,
                                   int64_t headDim, int64_t cols, bool toGguf) {
  std::vector<float> out(w.size());
  int64_t half = headDim / 2;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t b = 0; b < half; ++b) {
        int64_t hf = h * headDim + a * half + b, gguf = h * headDim + 2 * b + a;
        int64_t from = toGguf ? hf : gguf, to = toGguf ? gguf : hf;
        std::memcpy(&out[to * cols], &w[from * cols], sizeof(float) * cols);
      }
  return out;
}

} // namespace spike::core
