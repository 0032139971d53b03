//===- JsonSchema.cpp - A small JSON Schema interpreter -------------------===//

#include "JsonSchema.h"

#include <regex>

namespace spike::core::detail {

namespace {
using json = nlohmann::json;

class Validator {
public:
  explicit Validator(const json &root) : root_(root) {}

  std::string check(const json &doc, const json &schema,
                    const std::string &ptr) {
    if (schema.is_boolean())
      return schema.get<bool>() ? "" : at(ptr, "is not allowed");
    if (auto it = schema.find("$ref"); it != schema.end()) {
      const json *target = resolve(it->get<std::string>());
      if (!target)
        return at(ptr, "schema error: unresolved $ref " + it->dump());
      if (auto err = check(doc, *target, ptr); !err.empty())
        return err;
    }
    if (auto it = schema.find("type"); it != schema.end())
      if (!hasType(doc, *it))
        return at(ptr, "expected " + typeList(*it) + ", got " + describe(doc));
    if (auto it = schema.find("const"); it != schema.end())
      if (doc != *it)
        return at(ptr, "expected " + it->dump() + ", got " + doc.dump());
    if (auto it = schema.find("enum"); it != schema.end()) {
      bool found = false;
      for (const auto &v : *it)
        found = found || v == doc;
      if (!found)
        return at(ptr, "expected one of " + it->dump() + ", got " + doc.dump());
    }
    if (doc.is_number()) {
      double v = doc.get<double>();
      if (auto it = schema.find("minimum"); it != schema.end())
        if (v < it->get<double>())
          return at(ptr, doc.dump() + " is below the minimum " + it->dump());
      if (auto it = schema.find("maximum"); it != schema.end())
        if (v > it->get<double>())
          return at(ptr, doc.dump() + " is above the maximum " + it->dump());
      if (auto it = schema.find("exclusiveMinimum"); it != schema.end())
        if (v <= it->get<double>())
          return at(ptr, doc.dump() + " must be greater than " + it->dump());
    }
    if (doc.is_string()) {
      const std::string &s = doc.get_ref<const std::string &>();
      if (auto it = schema.find("minLength"); it != schema.end())
        if (s.size() < it->get<size_t>())
          return at(ptr, "string is too short");
      if (auto it = schema.find("pattern"); it != schema.end())
        if (!std::regex_search(s, std::regex(it->get<std::string>())))
          return at(ptr, doc.dump() + " does not match " + it->dump());
    }
    if (doc.is_array())
      return checkArray(doc, schema, ptr);
    if (doc.is_object())
      return checkObject(doc, schema, ptr);
    return "";
  }

private:
  const json &root_;

  static std::string at(const std::string &ptr, const std::string &what) {
    return (ptr.empty() ? std::string("/") : ptr) + ": " + what;
  }

  static std::string escape(const std::string &key) {
    std::string out;
    for (char c : key)
      out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  const json *resolve(const std::string &ref) const {
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0)
      return nullptr;
    auto defs = root_.find("$defs");
    if (defs == root_.end())
      return nullptr;
    auto it = defs->find(ref.substr(prefix.size()));
    return it == defs->end() ? nullptr : &*it;
  }

  static bool hasOneType(const json &doc, const std::string &t) {
    if (t == "object")
      return doc.is_object();
    if (t == "array")
      return doc.is_array();
    if (t == "string")
      return doc.is_string();
    if (t == "integer")
      return doc.is_number_integer();
    if (t == "number")
      return doc.is_number();
    if (t == "boolean")
      return doc.is_boolean();
    if (t == "null")
      return doc.is_null();
    return false;
  }

  static bool hasType(const json &doc, const json &type) {
    if (type.is_string())
      return hasOneType(doc, type.get<std::string>());
    for (const auto &t : type)
      if (hasOneType(doc, t.get<std::string>()))
        return true;
    return false;
  }

  static std::string typeList(const json &type) {
    if (type.is_string())
      return type.get<std::string>();
    std::string out;
    for (const auto &t : type)
      out += (out.empty() ? "" : " or ") + t.get<std::string>();
    return out;
  }

  static std::string describe(const json &doc) {
    switch (doc.type()) {
    case json::value_t::object:
      return "object";
    case json::value_t::array:
      return "array";
    case json::value_t::string:
      return "string " + doc.dump();
    case json::value_t::boolean:
      return "boolean " + doc.dump();
    case json::value_t::null:
      return "null";
    default:
      return "number " + doc.dump();
    }
  }

  std::string checkArray(const json &doc, const json &schema,
                         const std::string &ptr) {
    if (auto it = schema.find("minItems"); it != schema.end())
      if (doc.size() < it->get<size_t>())
        return at(ptr, "needs at least " + it->dump() + " item(s), has " +
                           std::to_string(doc.size()));
    if (auto it = schema.find("maxItems"); it != schema.end())
      if (doc.size() > it->get<size_t>())
        return at(ptr, "allows at most " + it->dump() + " item(s), has " +
                           std::to_string(doc.size()));
    if (auto it = schema.find("items"); it != schema.end())
      for (size_t i = 0; i < doc.size(); ++i)
        if (auto err = check(doc[i], *it, ptr + "/" + std::to_string(i));
            !err.empty())
          return err;
    return "";
  }

  std::string checkObject(const json &doc, const json &schema,
                          const std::string &ptr) {
    if (auto it = schema.find("required"); it != schema.end())
      for (const auto &key : *it)
        if (!doc.contains(key.get<std::string>()))
          return at(ptr, "missing required field " + key.dump());
    auto props = schema.find("properties");
    auto names = schema.find("propertyNames");
    auto extra = schema.find("additionalProperties");
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      std::string childPtr = ptr + "/" + escape(it.key());
      if (names != schema.end())
        if (auto err = check(json(it.key()), *names, childPtr); !err.empty())
          return at(childPtr,
                    "invalid name: " + err.substr(err.find(": ") + 2));
      if (props != schema.end() && props->contains(it.key())) {
        if (auto err = check(it.value(), (*props)[it.key()], childPtr);
            !err.empty())
          return err;
      } else if (extra != schema.end()) {
        if (extra->is_boolean() && !extra->get<bool>())
          return at(childPtr, "unknown field");
        if (auto err = check(it.value(), *extra, childPtr); !err.empty())
          return err;
      }
    }
    return "";
  }
};
} // namespace

std::string validateAgainstSchema(const nlohmann::json &doc,
                                  const nlohmann::json &schema) {
  return Validator(schema).check(doc, schema, "");
}

} // namespace spike::core::detail
