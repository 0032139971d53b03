//===- spike-make-test-model.cpp - Tiny random LLaMA checkpoints ----------===//
//
// Writes a LLaMA-architecture model with random weights, in the formats
// spikec imports: tiny ones for the test suite, and the real shapes of
// LLaMA-2-7B and LLaMA-3.1-8B (--shape) for the scale bench. Each tensor is
// generated from its own seeded stream when it is written, so no format
// holds the model in memory whole:
//   --format hf     config.json, sharded safetensors (F32 or BF16) + index,
//                   tokenizer.json
//   --format gguf   a GGUF v3 file (F32, F16, Q8_0 or Q4_1 weights), with
//                   Q/K rows permuted as llama.cpp's converter does
//   --format plan   spikec plans (TestPlan.h) at the given levels sharing
//                   one tensor file, and tokenizer.json: for machines
//                   without the compiler (the GPU check's bench)
// Both carry the same weights for the same seed, and a tiny byte-level BPE
// vocabulary (256 bytes, two special tokens, a few merges), padded with
// unreachable tokens to --vocab. --arch qwen2
// makes the Qwen2 layout (LLaMA plus q/k/v biases); --bias adds LLaMA's
// optional attention (q/k/v/o) or MLP biases.
//
//===----------------------------------------------------------------------===//

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/ModelIO/LlamaLayout.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Text/Tokenizer.h"

#include "TestPlan.h"

#include "../common/Validators.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <sys/stat.h>

using namespace spike::core;

namespace {

struct Config {
  int64_t layers = 2, hidden = 64, heads = 4, kvHeads = 2, ffn = 128;
  int64_t vocab = 0; ///< 0: the tiny tokenizer's size
  uint64_t seed = 1;
  bool tied = true;
  double ropeTheta = 10000;
  std::string arch = "llama"; ///< llama or qwen2
  /// LLaMA-3's RoPE scaling (factor 8, low 1, high 4, 8192 positions): in
  /// config.json, or as GGUF's rope_freqs.weight.
  bool llama3Rope = false;
  bool qkvBias = false, oBias = false, mlpBias = false;
  int64_t headDim() const { return hidden / heads; }
};

/// The real shapes (--shape); flags given explicitly override them.
struct Shape {
  const char *name;
  int64_t layers, hidden, heads, kvHeads, ffn, vocab;
  double ropeTheta;
  bool llama3Rope;
};
const Shape kShapes[] = {
    // Llama-2-7b-hf's config.json: multi-head attention (KV heads 0: as
    // many as the query heads), no RoPE scaling.
    {"llama2-7b", 32, 4096, 32, 0, 11008, 32000, 10000, false},
    // Llama-3.1-8B's: GQA with 8 KV heads, rope_type llama3.
    {"llama3.1-8b", 32, 4096, 32, 8, 14336, 128256, 500000, true}};

const char *kMerges[] = {"Ġ t", "t h", "h e", "Ġt he", "i n", "e r",
                         "a n", "Ġ a", "o n", "r e",   "Ġ s", "e n"};

/// The tiny vocabulary, padded to `size` with tokens no text produces.
std::vector<std::string> vocabulary(int64_t size = 0) {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b)
    tokens.push_back(bytesToByteLevel(std::string(1, char(b))));
  tokens.push_back("<|endoftext|>");
  tokens.push_back("<s>");
  for (const char *m : kMerges) {
    std::string s = m;
    tokens.push_back(s.substr(0, s.find(' ')) + s.substr(s.find(' ') + 1));
  }
  for (int64_t i = int64_t(tokens.size()); i < size; ++i)
    tokens.push_back("<|pad_" + std::to_string(i) + "|>");
  return tokens;
}

/// One tensor of the model: Hugging Face name, row-major [out, in] shape,
/// and its distribution; `index` seeds its own stream.
struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  float stddev, mean;
  uint64_t index;
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

std::vector<TensorSpec> tensorSpecs(const Config &c, int64_t vocab) {
  std::vector<TensorSpec> specs;
  auto add = [&](const std::string &name, std::vector<int64_t> shape,
                 float stddev, float mean = 0) {
    specs.push_back({name, std::move(shape), stddev, mean, specs.size()});
  };
  int64_t d = c.hidden, dkv = c.kvHeads * c.headDim();
  float s = 1.f / std::sqrt(float(d));
  add("model.embed_tokens.weight", {vocab, d}, 1.f);
  for (int64_t i = 0; i < c.layers; ++i) {
    std::string p = "model.layers." + std::to_string(i) + ".";
    add(p + "input_layernorm.weight", {d}, 0.1f, 1.f);
    add(p + "self_attn.q_proj.weight", {d, d}, s);
    add(p + "self_attn.k_proj.weight", {dkv, d}, s);
    add(p + "self_attn.v_proj.weight", {dkv, d}, s);
    add(p + "self_attn.o_proj.weight", {d, d}, s);
    add(p + "post_attention_layernorm.weight", {d}, 0.1f, 1.f);
    add(p + "mlp.gate_proj.weight", {c.ffn, d}, s);
    add(p + "mlp.up_proj.weight", {c.ffn, d}, s);
    add(p + "mlp.down_proj.weight", {d, c.ffn}, 1.f / std::sqrt(float(c.ffn)));
    // Biases large enough to change every logit.
    if (c.qkvBias) {
      add(p + "self_attn.q_proj.bias", {d}, 0.5f);
      add(p + "self_attn.k_proj.bias", {dkv}, 0.5f);
      add(p + "self_attn.v_proj.bias", {dkv}, 0.5f);
    }
    if (c.oBias)
      add(p + "self_attn.o_proj.bias", {d}, 0.5f);
    if (c.mlpBias) {
      add(p + "mlp.gate_proj.bias", {c.ffn}, 0.5f);
      add(p + "mlp.up_proj.bias", {c.ffn}, 0.5f);
      add(p + "mlp.down_proj.bias", {d}, 0.5f);
    }
  }
  add("model.norm.weight", {d}, 0.1f, 1.f);
  if (!c.tied)
    add("lm_head.weight", {vocab, d}, s);
  return specs;
}

/// A tensor's values: the same for the same seed in every format.
std::vector<float> generate(const TensorSpec &t, uint64_t seed) {
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(t.index)};
  std::mt19937_64 rng(seq);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<float> v(size_t(t.numel()));
  for (float &x : v)
    x = t.mean + t.stddev * normal(rng);
  return v;
}

/// Every tensor in memory (the plans of tiny models).
spike::tools::Weights weights(const Config &c, int64_t vocab) {
  spike::tools::Weights w;
  for (const TensorSpec &t : tensorSpecs(c, vocab))
    w[t.name] = {t.shape, generate(t, c.seed)};
  return w;
}

int fail(const std::string &message) {
  std::fprintf(stderr, "spike-make-test-model: error: %s\n", message.c_str());
  return 1;
}

/// The tiny byte-level BPE vocabulary as a Hugging Face tokenizer.json.
std::string tokenizerJson(int64_t size) {
  std::vector<std::string> tokens = vocabulary(size);
  nlohmann::json vocab = nlohmann::json::object();
  for (size_t t = 0; t < tokens.size(); ++t)
    if (t != 256 && t != 257)
      vocab[tokens[t]] = t;
  nlohmann::json tok = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 256}, {"content", tokens[256]}, {"special", true}},
        {{"id", 257}, {"content", tokens[257]}, {"special", true}}}},
      {"pre_tokenizer",
       {{"type", "ByteLevel"},
        {"add_prefix_space", false},
        {"use_regex", true}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model",
       {{"type", "BPE"},
        {"vocab", vocab},
        {"merges",
         std::vector<std::string>(std::begin(kMerges), std::end(kMerges))}}}};
  return tok.dump(1);
}

/// Shards of at most this many bytes (Hugging Face's default 5 GB), and at
/// least two, so that tiny models exercise the index too.
constexpr int64_t kShardBytes = int64_t(5) << 30;

int writeHF(const Config &c, const std::string &dir, bool bf16) {
  ::mkdir(dir.c_str(), 0755);
  std::vector<std::string> tokens = vocabulary(c.vocab);
  std::vector<TensorSpec> specs = tensorSpecs(c, int64_t(tokens.size()));
  bool qwen2 = c.arch == "qwen2";
  nlohmann::json config = {
      {"architectures", {qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"}},
      {"model_type", c.arch},
      {"_name_or_path", "spikec-tiny-" + c.arch},
      {"vocab_size", tokens.size()},
      {"hidden_size", c.hidden},
      {"intermediate_size", c.ffn},
      {"num_hidden_layers", c.layers},
      {"num_attention_heads", c.heads},
      {"num_key_value_heads", c.kvHeads},
      {"rms_norm_eps", 1e-5},
      {"rope_theta", c.ropeTheta},
      {"tie_word_embeddings", c.tied},
      {"torch_dtype", bf16 ? "bfloat16" : "float32"},
      {"bos_token_id", 257},
      {"eos_token_id", 256}};
  if (!qwen2) {
    config["attention_bias"] = c.qkvBias;
    config["mlp_bias"] = c.mlpBias;
  }
  if (c.llama3Rope)
    config["rope_scaling"] = {{"rope_type", "llama3"},
                              {"factor", 8.0},
                              {"low_freq_factor", 1.0},
                              {"high_freq_factor", 4.0},
                              {"original_max_position_embeddings", 8192}};
  if (auto st = writeFileAtomic(dir + "/config.json", config.dump(1)); !st)
    return fail(st.message());
  // Shards in tensor name order, each tensor generated as it is written.
  std::sort(
      specs.begin(), specs.end(),
      [](const TensorSpec &a, const TensorSpec &b) { return a.name < b.name; });
  int64_t elementBytes = bf16 ? 2 : 4, total = 0;
  for (const TensorSpec &t : specs)
    total += t.numel() * elementBytes;
  size_t count = std::max<size_t>(
      2, std::min<size_t>(specs.size(),
                          size_t((total + kShardBytes - 1) / kShardBytes)));
  std::vector<SafetensorsWriter> shards(count);
  auto shardName = [&](size_t s) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", s + 1,
                  count);
    return std::string(name);
  };
  nlohmann::json index = {{"metadata", {{"total_size", total}}},
                          {"weight_map", nlohmann::json::object()}};
  int64_t before = 0;
  uint64_t seed = c.seed;
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec &t = specs[i];
    // Even byte ranges; tiny models: even tensor counts.
    size_t shard = total >= int64_t(2 * kShardBytes)
                       ? size_t(before * int64_t(count) / total)
                       : i * count / specs.size();
    before += t.numel() * elementBytes;
    auto values = [t, seed]() -> Result<std::vector<float>> {
      return generate(t, seed);
    };
    Status st = bf16 ? shards[shard].addDeferredBF16(t.name, t.shape, values)
                     : shards[shard].addDeferredF32(t.name, t.shape, values);
    if (!st)
      return fail(st.message());
    index["weight_map"][t.name] = shardName(shard);
  }
  for (size_t s = 0; s < count; ++s)
    if (auto st = shards[s].write(dir + "/" + shardName(s)); !st)
      return fail(st.message());
  if (auto st =
          writeFileAtomic(dir + "/model.safetensors.index.json", index.dump(1));
      !st)
    return fail(st.message());
  if (auto st = writeFileAtomic(dir + "/tokenizer.json",
                                tokenizerJson(int64_t(tokens.size())));
      !st)
    return fail(st.message());
  return 0;
}

int writePlans(const Config &c, const std::string &dir,
               spike::tools::TestPlanOptions o,
               const std::vector<std::string> &levels) {
  // Check every level before writing anything: no partial output.
  for (const std::string &level : levels) {
    o.level = level;
    if (std::string e = spike::tools::checkTestPlanOptions(o); !e.empty())
      return fail(e);
  }
  ::mkdir(dir.c_str(), 0755);
  int64_t vocab = std::max<int64_t>(c.vocab, int64_t(vocabulary().size()));
  auto w = weights(c, vocab);
  o.layers = c.layers;
  o.heads = c.heads;
  o.kvHeads = c.kvHeads;
  o.bos = 257;
  o.eos = 256;
  for (size_t i = 0; i < levels.size(); ++i) {
    o.level = levels[i];
    if (std::string e =
            spike::tools::writeTestPlan(o, w, dir, "model.safetensors", i == 0);
        !e.empty())
      return fail(e);
  }
  if (auto st = writeFileAtomic(dir + "/tokenizer.json", tokenizerJson(0)); !st)
    return fail(st.message());
  return 0;
}

int writeGGUF(const Config &c, const std::string &path, GgmlType type) {
  std::vector<std::string> tokens = vocabulary(c.vocab);
  GgufWriter g;
  const std::string a = c.arch + ".";
  g.set("general.architecture", c.arch);
  g.set("general.name", "spikec-tiny-" + c.arch);
  g.set(a + "block_count", uint64_t(c.layers));
  g.set(a + "context_length", uint64_t(2048));
  g.set(a + "embedding_length", uint64_t(c.hidden));
  g.set(a + "feed_forward_length", uint64_t(c.ffn));
  g.set(a + "attention.head_count", uint64_t(c.heads));
  g.set(a + "attention.head_count_kv", uint64_t(c.kvHeads));
  g.set(a + "rope.freq_base", c.ropeTheta);
  g.set(a + "rope.dimension_count", uint64_t(c.headDim()));
  g.set(a + "attention.layer_norm_rms_epsilon", 1e-5);
  g.set(a + "vocab_size", uint64_t(tokens.size()));
  g.set("tokenizer.ggml.model", std::string("gpt2"));
  g.set("tokenizer.ggml.pre", std::string("default"));
  g.set("tokenizer.ggml.tokens", tokens);
  std::vector<int64_t> types(tokens.size(), 1);
  types[256] = types[257] = 3;
  g.set("tokenizer.ggml.token_type", types);
  g.set("tokenizer.ggml.merges",
        std::vector<std::string>(std::begin(kMerges), std::end(kMerges)));
  g.set("tokenizer.ggml.bos_token_id", uint64_t(257));
  g.set("tokenizer.ggml.eos_token_id", uint64_t(256));
  // Each tensor is generated and stored in `type` when the file is
  // written, one at a time: the writer holds one tensor, not the model.
  for (const TensorSpec &t : tensorSpecs(c, int64_t(tokens.size()))) {
    // Norms stay F32, as llama.cpp stores them.
    GgmlType gt = t.shape.size() == 1 ? GgmlType::F32 : type;
    auto produce = [t, c]() -> spike::core::Result<std::vector<float>> {
      std::vector<float> values = generate(t, c.seed);
      // llama.cpp permutes q/k rows (weights and biases) for its LLaMA
      // architecture only.
      int64_t cols = t.shape.size() == 2 ? t.shape[1] : 1;
      if (c.arch == "llama" &&
          t.name.find("self_attn.q_proj") != std::string::npos)
        values = permuteRopeRows(values, c.heads, c.headDim(), cols, true);
      if (c.arch == "llama" &&
          t.name.find("self_attn.k_proj") != std::string::npos)
        values = permuteRopeRows(values, c.kvHeads, c.headDim(), cols, true);
      return values;
    };
    if (auto st = g.addDeferred(ggufTensorName(t.name), t.shape, gt, produce);
        !st)
      return fail(st.message());
  }
  if (c.llama3Rope) {
    // llama.cpp's converter: a divisor per frequency, from the same rule.
    std::vector<float> factors;
    int64_t d = c.headDim();
    for (int64_t i = 0; i < d / 2; ++i) {
      double freq = 1.0 / std::pow(c.ropeTheta, double(2 * i) / double(d));
      double wavelen = 2 * M_PI / freq, low = 8192.0 / 1.0, high = 8192.0 / 4.0;
      double f = 1.0;
      if (wavelen > low) {
        f = 8.0;
      } else if (wavelen >= high) {
        double smooth = (8192.0 / wavelen - 1.0) / (4.0 - 1.0);
        f = 1.0 / ((1 - smooth) / 8.0 + smooth);
      }
      factors.push_back(float(f));
    }
    if (auto st = g.add("rope_freqs.weight", {d / 2}, factors, GgmlType::F32);
        !st)
      return fail(st.message());
  }
  if (auto st = g.write(path); !st)
    return fail(st.message());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  using spike::tools::positiveInteger;
  std::string format, out, dtype = "f32", bias, shapeName;
  Config c;
  spike::tools::TestPlanOptions planOptions;
  std::vector<std::string> levels = {"fp", "qann", "is", "if"};
  bool untied = false;
  CLI::App app("spike-make-test-model - a tiny random LLaMA-family model "
               "as a checkpoint or as plans, for the tests",
               "spike-make-test-model");
  app.get_formatter()->column_width(30);
  app.add_option("--format", format,
                 "hf (safetensors + config.json + tokenizer.json), gguf, or "
                 "plan (a plan per level)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"hf", "gguf", "plan"}))
      ->required();
  app.add_option("--out", out, "The folder (hf, plan) or file (gguf)")
      ->type_name("PATH")
      ->required();
  app.add_option("--dtype", dtype,
                 "Tensor type: f32 or bf16 (hf); f32, f16, q8_0 or q4_1 "
                 "(gguf)")
      ->type_name("TYPE")
      ->check(CLI::IsMember({"f32", "bf16", "f16", "q8_0", "q4_1"}))
      ->capture_default_str();
  app.add_option("--shape", shapeName,
                 "A real model's shape: llama2-7b (MHA, 32K vocabulary) or "
                 "llama3.1-8b (GQA, 128K vocabulary, llama3 RoPE); the "
                 "shape flags given override it")
      ->type_name("NAME")
      ->check(CLI::IsMember({"llama2-7b", "llama3.1-8b"}));
  app.add_option("--seed", c.seed, "Seed of the weights")
      ->type_name("N")
      ->transform(spike::tools::nonNegativeInteger())
      ->capture_default_str();
  app.add_flag("--untied", untied,
               "An LM head of its own instead of the embedding's");
  app.add_option("--arch", c.arch, "Architecture (hf, gguf)")
      ->type_name("ARCH")
      ->check(CLI::IsMember({"llama", "qwen2"}))
      ->capture_default_str();
  app.add_option("--bias", bias, "LLaMA linear biases (hf, gguf)")
      ->type_name("WHERE")
      ->check(CLI::IsMember({"attention", "mlp", "all"}));
  app.add_flag("--llama3-rope", c.llama3Rope,
               "LLaMA-3's RoPE scaling (hf, gguf)");
  const struct {
    const char *flag;
    int64_t *dim;
    const char *what;
  } shape[] = {{"--layers", &c.layers, "Decoder blocks"},
               {"--hidden", &c.hidden, "Hidden size"},
               {"--heads", &c.heads, "Attention heads"},
               {"--kv-heads", &c.kvHeads, "Key/value heads"},
               {"--ffn", &c.ffn, "MLP width"},
               {"--vocab", &c.vocab,
                "Vocabulary size (default: the tiny tokenizer's; hf and "
                "gguf pad the tokenizer to it)"}};
  for (const auto &s : shape)
    app.add_option(s.flag, *s.dim, s.what)
        ->type_name("N")
        ->transform(positiveInteger())
        ->default_str(*s.dim ? std::to_string(*s.dim) : "");
  app.add_option("--levels", levels,
                 "Levels of the plans, comma-separated (plan; default "
                 "fp,qann,is,if)")
      ->type_name("LIST")
      ->delimiter(',');
  app.add_option("--bits", planOptions.bits, "Bits of the plans' grids (plan)")
      ->type_name("B")
      ->transform(positiveInteger())
      ->capture_default_str();
  app.add_option("--timesteps", planOptions.timesteps, "T of the plans (plan)")
      ->type_name("T")
      ->transform(positiveInteger())
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e); // --help
  } catch (const CLI::ParseError &e) {
    fail(std::string(e.what()) + " (see spike-make-test-model --help)");
    return 2;
  }
  c.tied = !untied;
  for (const Shape &s : kShapes)
    if (shapeName == s.name) {
      // Real checkpoints of these shapes have a head of their own.
      c.tied = false;
      c.ropeTheta = s.ropeTheta;
      c.llama3Rope = c.llama3Rope || s.llama3Rope;
      const std::pair<const char *, int64_t> dims[] = {
          {"--layers", s.layers}, {"--hidden", s.hidden},
          {"--heads", s.heads},   {"--kv-heads", s.kvHeads},
          {"--ffn", s.ffn},       {"--vocab", s.vocab}};
      for (const auto &[flag, value] : dims)
        if (!app.count(flag))
          for (const auto &f : shape)
            if (std::string(f.flag) == flag)
              *f.dim = value;
      if (s.kvHeads == 0 && !app.count("--kv-heads"))
        c.kvHeads = c.heads;
    }
  bool hfType = dtype == "f32" || dtype == "bf16";
  if (format == "hf" && !hfType)
    return fail("--dtype " + dtype + " is for gguf; hf takes f32 or bf16");
  if (format == "gguf" && dtype == "bf16")
    return fail("--dtype bf16 is for hf; gguf takes f32, f16, q8_0 or q4_1");
  if (format != "plan" && c.vocab && c.vocab < int64_t(vocabulary().size()))
    return fail("--vocab must be at least the tiny tokenizer's " +
                std::to_string(vocabulary().size()) + " tokens");
  if (!bias.empty()) {
    c.qkvBias = c.oBias = bias != "mlp";
    c.mlpBias = bias != "attention";
  }
  if (c.arch == "qwen2") {
    if (c.oBias || c.mlpBias)
      return fail("--bias is LLaMA's; qwen2 has q/k/v biases only");
    c.qkvBias = true;
  }
  if (format == "plan" && (c.qkvBias || c.oBias || c.mlpBias))
    return fail("--arch qwen2 and --bias are for --format hf and gguf");
  if (c.hidden % c.heads || c.heads % c.kvHeads)
    return fail("--hidden must be a multiple of --heads, and --heads of "
                "--kv-heads");
  if (format == "hf")
    return writeHF(c, out, dtype == "bf16");
  if (format == "plan")
    return writePlans(c, out, planOptions, levels);
  std::map<std::string, GgmlType> types = {{"f32", GgmlType::F32},
                                           {"f16", GgmlType::F16},
                                           {"q8_0", GgmlType::Q8_0},
                                           {"q4_1", GgmlType::Q4_1}};
  return writeGGUF(c, out, types[dtype]);
}
