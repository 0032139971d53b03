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
#include <string>
#include <vector>

namespace spike::run {

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

int runTokenize(const std::vector<std::string> &args) {
  std::string path, text, file, texts;
  bool decode = false, printIds = false, special = false, info = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--ids")
      printIds = true;
    else if (args[i] == "--info")
      info = true;
    else if (args[i] == "--add-special-tokens")
      special = true;
    else if (args[i] == "--texts" && i + 1 < args.size())
      texts = args[++i];
    else if (args[i] == "--tokenizer" && i + 1 < args.size())
      path = args[++i];
    else if (args[i] == "--text" && i + 1 < args.size())
      text = args[++i];
    else if (args[i] == "--file" && i + 1 < args.size())
      file = args[++i];
    else if (args[i] == "--decode")
      decode = true;
    else
      return usageError("tokenize: unexpected argument '" + args[i] + "'");
  }
  if (path.empty() || int(!text.empty()) + int(!file.empty()) +
                              int(!texts.empty()) + int(info) !=
                          1)
    return usageError("tokenize: needs --tokenizer and one of --text, --file, "
                      "--texts, --info");
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
  if (!texts.empty()) {
    auto tok = spike::core::loadTokenizer(path);
    if (!tok)
      return fail(tok.message());
    return tokenizeTexts(**tok, texts);
  }
  if (!file.empty()) {
    auto t = spike::core::readFileText(file);
    if (!t)
      return fail(t.message());
    text = *t;
  }
  auto tok = spike::core::loadTokenizer(path);
  if (!tok)
    return fail(tok.message());
  if (auto st = (*tok)->encodable(text); !st)
    return fail("tokenize: " + (file.empty() ? "--text" : file) + ": " +
                st.message());
  std::vector<int32_t> ids =
      special ? (*tok)->encodeWithSpecialTokens(text) : (*tok)->encode(text);
  if (file.empty() || printIds) {
    for (size_t i = 0; i < ids.size(); ++i)
      std::printf("%s%d", i ? " " : "", ids[i]);
    std::printf("\n");
  } else {
    std::printf("%zu tokens, %zu bytes\n", ids.size(), text.size());
  }
  if (decode) {
    if (special)
      return usageError("tokenize: --decode compares the text with the "
                        "decoded ids, without --add-special-tokens");
    if ((*tok)->decode(ids) != text)
      return fail("decode(encode(text)) differs from the text");
    std::printf("round trip: ok\n");
  }
  return 0;
}

int runGguf(const std::vector<std::string> &args) {
  std::string path, out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--out" && i + 1 < args.size())
      out = args[++i];
    else if (args[i].rfind("-", 0) == 0 || !path.empty())
      return usageError("gguf: unexpected argument '" + args[i] + "'");
    else
      path = args[i];
  }
  if (path.empty())
    return usageError("gguf: no file given");
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

int runDiff(const std::vector<std::string> &args) {
  std::vector<std::string> files;
  std::string expect;
  double tolerance = 1e-3, worstScaled = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--expect" && i + 1 < args.size())
      expect = args[++i];
    else if (args[i] == "--tolerance" && i + 1 < args.size())
      tolerance = std::strtod(args[++i].c_str(), nullptr);
    else if (args[i].rfind("-", 0) == 0)
      return usageError("diff: unknown option '" + args[i] + "'");
    else
      files.push_back(args[i]);
  }
  if (files.size() != 2)
    return usageError("diff: needs exactly two files");
  if (!expect.empty() && expect != "identical" && expect != "different" &&
      expect != "close")
    return usageError("diff: --expect takes identical, different or close");
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

} // namespace spike::run
