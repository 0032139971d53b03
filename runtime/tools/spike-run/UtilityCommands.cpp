//===- UtilityCommands.cpp - spike-run tokenize, gguf and diff ------------===//
//
// Tokenize, gguf and diff: tokenizer, GGUF and tensor-file utilities.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/core/ModelIO/Gguf.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"
#include "spike/core/Text/Tokenizer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace spike::run {

namespace {

/// `tokenize --texts FILE.json`: a JSON array of strings in, a JSON array of
/// {"ids", "decoded", "ids_special"} out (ids_special: with the special
/// tokens the tokenizer adds to one sequence), one tokenizer load for all
/// (conformance tests).
int tokenizeTexts(const spike::core::Tokenizer &tok, const std::string &file) {
  auto doc = spike::core::readJsonFile(file);
  if (!doc)
    return fail(doc.message());
  if (!doc->is_array())
    return fail(file + ": expected a JSON array of strings");
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < doc->size(); ++i) {
    if (!(*doc)[i].is_string())
      return fail(file + ": /" + std::to_string(i) + ": not a string");
    std::string text = (*doc)[i].get<std::string>();
    if (auto st = tok.encodable(text); !st)
      return fail(file + ": /" + std::to_string(i) + ": " + st.message());
    std::vector<int32_t> ids = tok.encode(text);
    out.push_back({{"ids", ids},
                   {"decoded", tok.decode(ids)},
                   {"ids_special", tok.encodeWithSpecialTokens(text)}});
  }
  std::printf("%s\n",
              out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
  return 0;
}

/// spike-run tokenize's arguments.
struct TokenizeArgs {
  std::string path, text, file, texts;
  bool decode = false, printIds = false, special = false, info = false;
  /// Which input was given (an empty --file or --texts is still one).
  bool fromFile = false, fromTexts = false;
};

int runTokenize(TokenizeArgs &args) {
  const std::string &path = args.path, &file = args.file, &texts = args.texts;
  std::string text = args.text;
  bool decode = args.decode, printIds = args.printIds, special = args.special,
       info = args.info;
  if (info) {
    auto tok = spike::core::loadTokenizer(path);
    if (!tok)
      return fail(tok.message());
    auto name = [&](int32_t id) {
      return id < 0 ? std::string("none")
                    : std::to_string(id) + " '" + (*tok)->decode({id}) + "'";
    };
    std::printf("vocabulary: %lld\nbos: %s\neos: %s\nspecial tokens of one "
                "sequence:",
                static_cast<long long>((*tok)->vocabSize()),
                name((*tok)->bos()).c_str(), name((*tok)->eos()).c_str());
    for (int32_t id : (*tok)->encodeWithSpecialTokens(""))
      std::printf(" %d", id);
    std::printf("\n");
    return 0;
  }
  if (args.fromTexts) {
    auto tok = spike::core::loadTokenizer(path);
    if (!tok)
      return fail(tok.message());
    return tokenizeTexts(**tok, texts);
  }
  if (args.fromFile) {
    auto t = spike::core::readFileText(file);
    if (!t)
      return fail(t.message());
    text = *t;
  }
  auto tok = spike::core::loadTokenizer(path);
  if (!tok)
    return fail(tok.message());
  if (auto st = (*tok)->encodable(text); !st)
    return fail("tokenize: " + (args.fromFile ? file : std::string("--text")) +
                ": " + st.message());
  std::vector<int32_t> ids =
      special ? (*tok)->encodeWithSpecialTokens(text) : (*tok)->encode(text);
  if (!args.fromFile || printIds) {
    for (size_t i = 0; i < ids.size(); ++i)
      std::printf("%s%d", i ? " " : "", ids[i]);
    std::printf("\n");
  } else {
    std::printf("%zu tokens, %zu bytes\n", ids.size(), text.size());
  }
  if (decode) {
    if (special)
      return usageError("tokenize",
                        "--decode compares the text with the "
                        "decoded ids, without --add-special-tokens");
    if ((*tok)->decode(ids) != text)
      return fail("decode(encode(text)) differs from the text");
    std::printf("round trip: ok\n");
  }
  return 0;
}

int runGguf(const std::string &path, const std::string &out) {
  auto file = spike::core::GgufFile::open(path);
  if (!file)
    return fail(file.message());
  std::printf("%s: GGUF v%u, %zu metadata keys, %zu tensors\n", path.c_str(),
              file->version(), file->metadata().size(), file->tensors().size());
  spike::core::SafetensorsWriter writer;
  for (const auto &[name, t] : file->tensors()) {
    std::string shape;
    for (int64_t d : t.shape)
      shape += (shape.empty() ? "" : "x") + std::to_string(d);
    std::printf("  %-40s %-6s %s\n", name.c_str(),
                spike::core::ggmlTypeName(t.type), shape.c_str());
    if (out.empty())
      continue;
    auto values = file->readF32(name);
    if (!values)
      return fail(values.message());
    if (auto st = writer.addF32(name, t.shape, *values); !st)
      return fail(st.message());
  }
  if (!out.empty())
    if (auto st = writer.write(out); !st)
      return fail(st.message());
  return 0;
}

/// spike-run diff's arguments.
struct DiffArgs {
  std::vector<std::string> files;
  std::string expect;
  double tolerance = 1e-3;
};

int runDiff(const DiffArgs &args) {
  const std::vector<std::string> &files = args.files;
  const std::string &expect = args.expect;
  double tolerance = args.tolerance, worstScaled = 0;
  auto a = spike::core::SafetensorsFile::open(files[0]);
  if (!a)
    return fail(a.message());
  auto b = spike::core::SafetensorsFile::open(files[1]);
  if (!b)
    return fail(b.message());
  bool identical = true;
  for (const auto &[name, info] : a->tensors()) {
    const spike::core::TensorInfo *other = b->find(name);
    if (!other || other->shape != info.shape)
      return fail(files[1] + ": tensor '" + name +
                  "' is missing or has another shape");
    auto x = a->readF32(name), y = b->readF32(name);
    if (!x || !y)
      return fail(!x ? x.message() : y.message());
    double maxAbs = 0, scale = 0;
    int64_t differ = 0;
    for (size_t i = 0; i < x->size(); ++i) {
      float p = (*x)[i], q = (*y)[i];
      scale = std::max(scale, std::fabs(double(p)));
      if (std::memcmp(&p, &q, sizeof(float)) == 0)
        continue;
      ++differ;
      maxAbs = std::max(maxAbs, std::fabs(double(p) - double(q)));
    }
    double scaled = maxAbs / std::max(scale, 1e-30);
    worstScaled = std::max(worstScaled, scaled);
    if (differ == 0) {
      std::printf("%s: identical (%zu values)\n", name.c_str(), x->size());
    } else {
      identical = false;
      std::printf("%s: %lld of %zu values differ; max |diff| %.6g (%.3g of "
                  "max |value| %.6g)\n",
                  name.c_str(), (long long)differ, x->size(), maxAbs, scaled,
                  scale);
    }
  }
  if (expect == "identical" && !identical)
    return fail("expected identical tensors");
  if (expect == "different" && identical)
    return fail("expected the tensors to differ");
  if (expect == "close" && worstScaled > tolerance)
    return fail("difference " + std::to_string(worstScaled) +
                " of the largest value exceeds the tolerance " +
                std::to_string(tolerance));
  return 0;
}

} // namespace

Command addTokenizeCommand(CLI::App &app) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App *cmd =
      app.add_subcommand("tokenize", "Print the token ids of a text");
  cmd->add_option("--tokenizer", args->path,
                  ".gguf, tokenizer.json, tokenizer.model or a model "
                  "directory")
      ->type_name("T")
      ->required();
  // Exactly one input; the group says so in the help and at parse time.
  CLI::Option_group *input =
      cmd->add_option_group("Input", "Exactly one of these");
  input->add_option("--text", args->text, "The text itself")->type_name("S");
  input
      ->add_option("--file", args->file,
                   "A text file (prints only the count unless --ids)")
      ->type_name("F");
  input
      ->add_option("--texts", args->texts,
                   "A JSON array of strings; prints a JSON array of "
                   "{\"ids\", \"decoded\", \"ids_special\"}, one per string")
      ->type_name("F.json");
  input->add_flag("--info", args->info,
                  "Print the vocabulary size, BOS and EOS");
  input->require_option(1);
  cmd->add_flag("--decode", args->decode,
                "Also check that decoding gives the text back");
  cmd->add_flag("--ids", args->printIds, "Print the ids of --file's text");
  cmd->add_flag("--add-special-tokens", args->special,
                "Wrap the ids as HF's add_special_tokens does (the "
                "tokenizer.json's post-processor)");
  return {cmd, [args, cmd] {
            args->fromFile = cmd->count("--file") > 0;
            args->fromTexts = cmd->count("--texts") > 0;
            return runTokenize(*args);
          }};
}

Command addGgufCommand(CLI::App &app) {
  auto path = std::make_shared<std::string>(),
       out = std::make_shared<std::string>();
  CLI::App *cmd =
      app.add_subcommand("gguf", "List a GGUF file's metadata and tensors");
  cmd->add_option("FILE", *path, "The GGUF file")
      ->type_name("FILE")
      ->required();
  cmd->add_option("--out", *out,
                  "Write every tensor dequantized to f32 safetensors")
      ->type_name("F.safetensors");
  return {cmd, [path, out] { return runGguf(*path, *out); }};
}

Command addDiffCommand(CLI::App &app) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App *cmd = app.add_subcommand(
      "diff", "Compare the tensors of two safetensors files bit for bit");
  cmd->add_option("FILES", args->files, "The two files")
      ->type_name("A.safetensors B.safetensors")
      ->expected(2)
      ->required();
  cmd->add_option("--expect", args->expect,
                  "Fail unless the tensors are identical, differ, or are "
                  "close (relative difference at most X)")
      ->type_name("KIND")
      ->check(CLI::IsMember({"identical", "different", "close"}));
  cmd->add_option("--tolerance", args->tolerance,
                  "Largest difference relative to the largest |value| of A "
                  "that --expect close accepts")
      ->type_name("X")
      ->check(nonNegativeNumber())
      ->capture_default_str();
  cmd->footer(
      R"(Reports the largest absolute difference, also relative to the largest
|value| of A.)");
  return {cmd, [args] { return runDiff(*args); }};
}

} // namespace spike::run
