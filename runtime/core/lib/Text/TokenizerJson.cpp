//===- TokenizerJson.cpp - HF tokenizers' tokenizer.json ------------------===//
//
// Reads a tokenizer.json (and the tokenizer_config.json beside it) into a
// byte-level or a SentencePiece-style BPE tokenizer. Every component the
// file names is implemented or refused by name, never replaced.
//
//===----------------------------------------------------------------------===//

#include "Bpe.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <limits>

namespace spike::core::detail {

namespace {

/// A tokenizer.json's pre_tokenizer as steps; errors name what spikec does
/// not implement, never replacing it with something else.
Status readPreTokenizer(const nlohmann::json &pre, const std::string &where,
                        std::vector<PreTokenizerStep> &steps) {
  std::string type = pre.value("type", "");
  if (type == "Sequence") {
    const auto &list = pre.at("pretokenizers");
    for (size_t i = 0; i < list.size(); ++i)
      if (auto st = readPreTokenizer(
              list[i], where + "/pretokenizers/" + std::to_string(i), steps);
          !st)
        return st;
    return Status::ok();
  }
  PreTokenizerStep step;
  if (type == "ByteLevel") {
    step.kind = PreTokenizerStep::ByteLevel;
    step.addPrefixSpace = pre.value("add_prefix_space", false);
    step.useRegex = pre.value("use_regex", true);
  } else if (type == "Digits") {
    step.kind = PreTokenizerStep::Digits;
    step.individualDigits = pre.value("individual_digits", false);
  } else if (type == "Split") {
    step.kind = PreTokenizerStep::Split;
    const auto &pattern = pre.at("pattern");
    std::string regex = pattern.contains("Regex")
                            ? pattern.at("Regex").get<std::string>()
                            : std::string();
    if (regex.empty() || !splitPatternOf(regex, step.pattern))
      return Status::error(where + ": Split pattern " + pattern.dump() +
                           " is not supported (supported: the GPT-2, "
                           "LLaMA-3 and Qwen2 regexes, and llama.cpp's "
                           "punctuation and digit-triple regexes)");
    if (pre.value("behavior", "") != "Isolated" || pre.value("invert", false))
      return Status::error(where + ": Split behavior '" +
                           pre.value("behavior", "") +
                           "' is not supported (supported: Isolated, not "
                           "inverted)");
  } else {
    return Status::error(where + ": pre-tokenizer '" + type +
                         "' is not supported in a byte-level BPE tokenizer "
                         "(supported: ByteLevel, Split, Digits, Sequence)");
  }
  steps.push_back(step);
  return Status::ok();
}

/// A JSON integer in [lo, hi]; nlohmann's get<int64_t>() on a float
/// beyond int64 is undefined behaviour (found by fuzz-tokenizer-json).
bool jsonInt(const nlohmann::json &v, int64_t lo, int64_t hi, int64_t &out) {
  if (!v.is_number_integer())
    return false;
  if (v.is_number_unsigned() &&
      v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    return false;
  out = v.get<int64_t>();
  return out >= lo && out <= hi;
}

/// The vocabulary (model.vocab with added_tokens over it), the added
/// tokens and the merges of a tokenizer.json.
Status readBpeTables(const nlohmann::json &doc, const std::string &path,
                     std::vector<std::string> &tokens,
                     std::vector<AddedToken> &added,
                     std::vector<std::string> &merges) {
  const auto &model = doc.at("model");
  for (auto it = model.at("vocab").begin(); it != model.at("vocab").end();
       ++it) {
    int64_t id = 0;
    if (!jsonInt(it.value(), 0, int64_t(1) << 24, id))
      return Status::error(path + ": model.vocab['" + it.key() +
                           "'] = " + it.value().dump() + " is not a token id");
    if (size_t(id) >= tokens.size())
      tokens.resize(size_t(id) + 1);
    tokens[size_t(id)] = it.key();
  }
  if (doc.contains("added_tokens"))
    for (const auto &t : doc["added_tokens"]) {
      AddedToken a;
      int64_t id = 0;
      if (!jsonInt(t.at("id"), 0, int64_t(1) << 24, id))
        return Status::error(path + ": added token id " + t.at("id").dump() +
                             " is not a token id");
      a.id = int32_t(id);
      a.content = t.at("content").get<std::string>();
      a.singleWord = t.value("single_word", false);
      a.lstrip = t.value("lstrip", false);
      a.rstrip = t.value("rstrip", false);
      a.normalized = t.value("normalized", false);
      a.special = t.value("special", false);
      if (size_t(id) >= tokens.size())
        tokens.resize(size_t(id) + 1);
      tokens[size_t(id)] = a.content;
      added.push_back(std::move(a));
    }
  for (const auto &m : model.at("merges"))
    merges.push_back(m.is_string() ? m.get<std::string>()
                                   : m.at(0).get<std::string>() + " " +
                                         m.at(1).get<std::string>());
  return Status::ok();
}

BpeModel::Options bpeOptions(const nlohmann::json &model) {
  auto optString = [&](const char *key) {
    return model.contains(key) && model[key].is_string()
               ? model[key].get<std::string>()
               : std::string();
  };
  BpeModel::Options o;
  o.unkToken = optString("unk_token");
  o.continuingSubwordPrefix = optString("continuing_subword_prefix");
  o.endOfWordSuffix = optString("end_of_word_suffix");
  o.fuseUnk = model.value("fuse_unk", false);
  o.byteFallback = model.value("byte_fallback", false);
  o.ignoreMerges = model.value("ignore_merges", false);
  o.lastDuplicateWins = true;
  return o;
}

/// A tokenizer.json's normalizer as steps (none when it is null or
/// absent); errors name what spikec does not implement.
Status readNormalizer(const nlohmann::json &doc, const std::string &path,
                      std::vector<NormalizerStep> &steps) {
  std::function<Status(const nlohmann::json &)> read =
      [&](const nlohmann::json &n) -> Status {
    std::string type = n.value("type", "");
    if (type == "Sequence") {
      for (const auto &x : n.at("normalizers"))
        if (auto st = read(x); !st)
          return st;
      return Status::ok();
    }
    NormalizerStep step;
    if (type == "Prepend") {
      step = {NormalizerStep::Prepend, n.at("prepend").get<std::string>(), ""};
    } else if (type == "Replace" && n.at("pattern").contains("String")) {
      step = {NormalizerStep::Replace,
              n["pattern"]["String"].get<std::string>(),
              n.at("content").get<std::string>()};
    } else if (type == "NFC" || type == "NFD" || type == "NFKC" ||
               type == "NFKD") {
      step.form = type == "NFC"    ? NormalForm::NFC
                  : type == "NFD"  ? NormalForm::NFD
                  : type == "NFKC" ? NormalForm::NFKC
                                   : NormalForm::NFKD;
    } else {
      return Status::error(path + ": normalizer '" + type +
                           "' is not supported (supported: NFC, NFD, NFKC, "
                           "NFKD, Prepend, Replace of a string, Sequence)");
    }
    steps.push_back(std::move(step));
    return Status::ok();
  };
  if (doc.contains("normalizer") && !doc["normalizer"].is_null())
    return read(doc["normalizer"]);
  return Status::ok();
}

/// Metaspace's prepend scheme: "prepend_scheme", or the older
/// "add_prefix_space" flag.
std::string prependScheme(const nlohmann::json &m) {
  if (m.contains("prepend_scheme"))
    return m["prepend_scheme"].get<std::string>();
  return m.value("add_prefix_space", true) ? "always" : "never";
}

Result<std::unique_ptr<Tokenizer>>
fromSentencePieceStyleJson(const nlohmann::json &doc, const std::string &path) {
  std::vector<NormalizerStep> normalizer;
  if (auto st = readNormalizer(doc, path, normalizer); !st)
    return st;
  MetaspaceOptions meta;
  if (doc.contains("pre_tokenizer") && !doc["pre_tokenizer"].is_null()) {
    const auto &p = doc["pre_tokenizer"];
    if (p.value("type", "") != "Metaspace")
      return Status::error(path + ": pre_tokenizer '" + p.value("type", "?") +
                           "' is not supported with SentencePiece-style BPE "
                           "(supported: none, Metaspace)");
    meta.present = true;
    meta.replacement = p.value("replacement", std::string("\u2581"));
    meta.split = p.value("split", true);
    meta.prependScheme = prependScheme(p);
    if (meta.prependScheme != "always" && meta.prependScheme != "first" &&
        meta.prependScheme != "never")
      return Status::error(path + ": Metaspace prepend_scheme '" +
                           meta.prependScheme + "' is not known");
  }
  std::vector<DecoderStep> decoder;
  auto step = [](DecoderStep::Kind kind, std::string a = "",
                 std::string b = "") {
    DecoderStep s;
    s.kind = kind;
    s.a = std::move(a);
    s.b = std::move(b);
    return s;
  };
  std::function<Status(const nlohmann::json &)> readDecoder =
      [&](const nlohmann::json &d) -> Status {
    std::string type = d.value("type", "");
    if (type == "Sequence") {
      for (const auto &x : d.at("decoders"))
        if (auto st = readDecoder(x); !st)
          return st;
    } else if (type == "Replace" && d.at("pattern").contains("String")) {
      decoder.push_back(step(DecoderStep::Replace,
                             d["pattern"]["String"].get<std::string>(),
                             d.at("content").get<std::string>()));
    } else if (type == "ByteFallback") {
      decoder.push_back(step(DecoderStep::ByteFallback));
    } else if (type == "Fuse") {
      decoder.push_back(step(DecoderStep::Fuse));
    } else if (type == "Strip") {
      DecoderStep s =
          step(DecoderStep::Strip, d.at("content").get<std::string>());
      for (auto [key, field] :
           {std::pair{"start", &s.start}, {"stop", &s.stop}})
        if (d.contains(key) && !jsonInt(d[key], 0, 1 << 20, *field))
          return Status::error(path + ": decoder Strip '" + key + "' " +
                               d[key].dump() + " is not a count");
      decoder.push_back(s);
    } else if (type == "Metaspace") {
      DecoderStep s = step(DecoderStep::Metaspace,
                           d.value("replacement", std::string("\u2581")));
      s.prepend = prependScheme(d) != "never";
      decoder.push_back(s);
    } else {
      return Status::error(path + ": decoder '" + type +
                           "' is not supported (supported: Replace, "
                           "ByteFallback, Fuse, Strip, Metaspace, Sequence)");
    }
    return Status::ok();
  };
  if (doc.contains("decoder") && !doc["decoder"].is_null())
    if (auto st = readDecoder(doc["decoder"]); !st)
      return st;
  std::vector<std::string> tokens, merges;
  std::vector<AddedToken> added;
  if (auto st = readBpeTables(doc, path, tokens, added, merges); !st)
    return st;
  auto model = BpeModel::build(tokens, merges, bpeOptions(doc.at("model")));
  if (!model)
    return Status::error(path + ": " + model.message());
  return makeSentencePieceStyleBPE(std::move(tokens), model.take(),
                                   std::move(added), std::move(normalizer),
                                   std::move(meta), std::move(decoder));
}

/// The id of a token by its content in a tokenizer.json: an added token's,
/// else the model vocabulary's; -1 if neither has it.
int64_t tokenIdOf(const nlohmann::json &doc, const std::string &content) {
  if (doc.contains("added_tokens"))
    for (const auto &t : doc["added_tokens"])
      if (t.value("content", "") == content)
        return t.at("id").get<int64_t>();
  const auto &vocab = doc.at("model").at("vocab");
  auto it = vocab.find(content);
  return it == vocab.end() ? -1 : it->get<int64_t>();
}

/// BOS, EOS and the special tokens of one sequence for a tokenizer.json:
/// its post_processor (TemplateProcessing's "single", inside a Sequence or
/// not; ByteLevel adds none), and the bos_token/eos_token of a
/// tokenizer_config.json beside it (HF's tokenizer.eos_token).
Status readSpecialTokens(const nlohmann::json &doc, const std::string &path,
                         Tokenizer &tok) {
  std::vector<int32_t> prefix, suffix;
  int64_t vocab = tok.vocabSize();
  std::function<Status(const nlohmann::json &, const std::string &)> read =
      [&](const nlohmann::json &p, const std::string &where) -> Status {
    std::string type = p.value("type", "");
    if (type == "Sequence") {
      const auto &list = p.at("processors");
      for (size_t i = 0; i < list.size(); ++i)
        if (auto st = read(list[i], where + "/processors/" + std::to_string(i));
            !st)
          return st;
      return Status::ok();
    }
    if (type == "ByteLevel")
      return Status::ok(); // offsets only
    if (type != "TemplateProcessing")
      return Status::error(path + ": " + where + ": post-processor '" + type +
                           "' is not supported (supported: "
                           "TemplateProcessing, ByteLevel, Sequence)");
    if (!prefix.empty() || !suffix.empty())
      return Status::error(path + ": " + where +
                           ": a second TemplateProcessing is not supported");
    bool seenSequence = false;
    const auto &single = p.at("single");
    for (size_t i = 0; i < single.size(); ++i) {
      const auto &item = single[i];
      if (item.contains("Sequence")) {
        if (seenSequence || item["Sequence"].value("id", "") != "A")
          return Status::error(path + ": " + where + "/single/" +
                               std::to_string(i) +
                               ": a template for one sequence holds $A once");
        seenSequence = true;
        continue;
      }
      std::string name = item.at("SpecialToken").at("id").get<std::string>();
      const auto &special = p.at("special_tokens");
      if (!special.contains(name))
        return Status::error(path + ": " + where + ": special token '" + name +
                             "' is not in special_tokens");
      for (const auto &v : special[name].at("ids")) {
        int64_t id = 0;
        if (!jsonInt(v, 0, vocab - 1, id))
          return Status::error(path + ": " + where + ": special token '" +
                               name + "' has id " + v.dump() +
                               ", outside the vocabulary");
        (seenSequence ? suffix : prefix).push_back(int32_t(id));
      }
    }
    if (!seenSequence)
      return Status::error(path + ": " + where + "/single: no $A sequence");
    return Status::ok();
  };
  if (doc.contains("post_processor") && !doc["post_processor"].is_null())
    if (auto st = read(doc["post_processor"], "/post_processor"); !st)
      return st;
  int64_t bos = prefix.size() == 1 ? prefix[0] : -1, eos = -1;
  size_t slash = path.find_last_of('/');
  std::string config =
      (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) +
      "tokenizer_config.json";
  // Optional: absent (or unreadable), HF has no eos_token either.
  if (auto text = readFileText(config)) {
    auto parsed = parseJson(*text, config);
    if (!parsed)
      return parsed.status();
    for (auto [key, id] : {std::pair{"bos_token", &bos}, {"eos_token", &eos}}) {
      if (!parsed->contains(key) || (*parsed)[key].is_null() ||
          (key == std::string("bos_token") && bos >= 0))
        continue;
      const auto &v = (*parsed)[key];
      if (!v.is_string() &&
          !(v.is_object() && v.contains("content") && v["content"].is_string()))
        return Status::error(config + ": " + key +
                             " is neither a string nor {\"content\": ...}");
      std::string content = v.is_string() ? v.get<std::string>()
                                          : v["content"].get<std::string>();
      *id = tokenIdOf(doc, content);
      if (*id < 0)
        return Status::error(config + ": " + key + " '" + content +
                             "' is not a token of " + path);
    }
  }
  tok.setSpecialTokens(int32_t(bos), int32_t(eos), std::move(prefix),
                       std::move(suffix));
  return Status::ok();
}

} // namespace

Result<std::unique_ptr<Tokenizer>> loadTokenizerJson(const std::string &path) {
  auto text = readFileText(path);
  if (!text)
    return text.status();
  try {
    auto parsed = parseJson(*text, path);
    if (!parsed)
      return parsed.status();
    const nlohmann::json &doc = *parsed;
    const auto &model = doc.at("model");
    if (model.value("type", "") != "BPE")
      return Status::error(path + ": model.type '" + model.value("type", "?") +
                           "' is not supported (supported: BPE)");
    if (model.contains("dropout") && !model["dropout"].is_null() &&
        model["dropout"].get<double>() != 0)
      return Status::error(path + ": model.dropout " + model["dropout"].dump() +
                           ": BPE dropout samples tokenizations and is not "
                           "supported for inference");
    // The kind the file declares: byte fallback, a Metaspace pre-tokenizer,
    // or a normalizer without a pre-tokenizer (LLaMA-2's) make it
    // SentencePiece-style; else byte-level (whose ByteLevel step is
    // checked below).
    bool hasPre =
        doc.contains("pre_tokenizer") && !doc["pre_tokenizer"].is_null();
    bool spStyle = model.value("byte_fallback", false) ||
                   (!hasPre && doc.contains("normalizer") &&
                    !doc["normalizer"].is_null()) ||
                   (hasPre && doc["pre_tokenizer"].is_object() &&
                    doc["pre_tokenizer"].value("type", "") == "Metaspace");
    if (spStyle) {
      auto tok = fromSentencePieceStyleJson(doc, path);
      if (tok)
        if (auto st = readSpecialTokens(doc, path, **tok); !st)
          return st;
      return tok;
    }
    ByteLevelOptions options;
    options.steps.clear();
    if (!hasPre)
      return Status::error(path + ": no pre_tokenizer: not a byte-level BPE "
                                  "tokenizer");
    if (auto st = readNormalizer(doc, path, options.normalizer); !st)
      return st;
    if (auto st = readPreTokenizer(doc["pre_tokenizer"],
                                   path + ": /pre_tokenizer", options.steps);
        !st)
      return st;
    bool byteLevel = false;
    for (const PreTokenizerStep &step : options.steps)
      byteLevel |= step.kind == PreTokenizerStep::ByteLevel;
    if (!byteLevel)
      return Status::error(path + ": the pre_tokenizer has no ByteLevel "
                                  "step: not a byte-level BPE tokenizer");
    // Decoding maps the byte-level symbols back to bytes: HF's ByteLevel
    // decoder. Another decoder would decode differently.
    if (doc.contains("decoder") && !doc["decoder"].is_null() &&
        doc["decoder"].value("type", "") != "ByteLevel")
      return Status::error(path + ": decoder '" +
                           doc["decoder"].value("type", "?") +
                           "' is not supported with byte-level BPE "
                           "(supported: ByteLevel)");
    BpeModel::Options mo = bpeOptions(model);
    options.unkToken = mo.unkToken;
    options.continuingSubwordPrefix = mo.continuingSubwordPrefix;
    options.endOfWordSuffix = mo.endOfWordSuffix;
    options.fuseUnk = mo.fuseUnk;
    options.ignoreMerges = mo.ignoreMerges;
    options.lastDuplicateWins = true;
    std::vector<std::string> tokens, merges;
    if (auto st = readBpeTables(doc, path, tokens, options.added, merges); !st)
      return st;
    auto tok =
        makeByteLevelBPE(std::move(tokens), merges, std::move(options), -1, -1);
    if (!tok)
      return Status::error(path + ": " + tok.message());
    if (auto st = readSpecialTokens(doc, path, **tok); !st)
      return st;
    return tok;
  } catch (const std::exception &e) {
    return Status::error(
        path + ": malformed tokenizer.json: " + std::string(e.what()));
  }
}

} // namespace spike::core::detail
