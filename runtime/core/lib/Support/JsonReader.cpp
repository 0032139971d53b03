//===- JsonReader.cpp - Bounded, strict JSON parsing ----------------------===//

#include "spike/core/Support/JsonReader.h"

#include "spike/core/Support/FileIO.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

namespace spike::core {

int jsonNestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  return deepest;
}

std::string checkJsonDepth(std::string_view text, const JsonLimits &limits) {
  int depth = jsonNestingDepth(text);
  if (depth > limits.maxDepth)
    return "JSON nested " + std::to_string(depth) + " deep (at most " +
           std::to_string(limits.maxDepth) + ")";
  return "";
}

Result<nlohmann::json> parseJson(std::string_view text,
                                 const std::string &where,
                                 const JsonLimits &limits) {
  if (std::string err = checkJsonDepth(text, limits); !err.empty())
    return Status::error(where + ": " + err);
  // The keys seen in each open object, to refuse duplicates.
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  auto callback = [&](int, nlohmann::json::parse_event_t event,
                      nlohmann::json &parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start)
      keys.emplace_back();
    else if (event == E::object_end && !keys.empty())
      keys.pop_back();
    else if (event == E::key && !keys.empty() &&
             !keys.back().insert(parsed.get<std::string>()).second &&
             duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    nlohmann::json doc = nlohmann::json::parse(text, callback);
    if (!duplicate.empty())
      return Status::error(where + ": duplicate key \"" + duplicate + "\"");
    return doc;
  } catch (const nlohmann::json::exception &e) {
    // parse_error, or out_of_range for a number beyond double. Drop
    // nlohmann's "[json.exception.parse_error.101] " tag.
    std::string what = e.what();
    size_t tag = what.find("] ");
    return Status::error(
        where + ": malformed JSON: " +
        (tag == std::string::npos ? what : what.substr(tag + 2)));
  }
}

Result<nlohmann::json> readJsonFile(const std::string &path,
                                    const JsonLimits &limits) {
  auto text = readFileText(path);
  if (!text)
    return text.status();
  return parseJson(*text, path, limits);
}

} // namespace spike::core
