//===- Validators.cpp - CLI11 validators of the spikec tools --------------===//

#include "Validators.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>

namespace spike::tools {

bool parseInteger(const std::string &text, int64_t min, int64_t &out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  errno = 0;
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE || v < min)
    return false;
  out = v;
  return true;
}

namespace {

/// A finite number, the whole text.
bool parseNumber(const std::string &text, double &out) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v))
    return false;
  out = v;
  return true;
}

/// A validator that accepts what `accepts` does and otherwise says
/// "needs WHAT, got 'TEXT'". The help shows no annotation for it: the
/// option's description states the range.
CLI::Validator validator(std::function<bool(const std::string &)> accepts,
                         const std::string &what, const std::string &name) {
  return CLI::Validator(
      [accepts, what](std::string &text) {
        return accepts(text) ? std::string()
                             : "needs " + what + ", got '" + text + "'";
      },
      /*validator_desc=*/"", name);
}

} // namespace

CLI::Validator integerAtLeast(int64_t min) {
  std::string what = min == 1   ? "a positive integer"
                     : min == 0 ? "a non-negative integer"
                                : "an integer >= " + std::to_string(min);
  // A transform: the text becomes the integer's canonical decimal form,
  // since CLI11 would read "010" as octal.
  return CLI::Validator(
      [min, what](std::string &text) {
        int64_t x;
        if (!parseInteger(text, min, x))
          return "needs " + what + ", got '" + text + "'";
        text = std::to_string(x);
        return std::string();
      },
      /*validator_desc=*/"", "integer");
}

const CLI::Validator &positiveInteger() {
  static const CLI::Validator v = integerAtLeast(1);
  return v;
}

const CLI::Validator &nonNegativeInteger() {
  static const CLI::Validator v = integerAtLeast(0);
  return v;
}

const CLI::Validator &positiveNumber() {
  static const CLI::Validator v = validator(
      [](const std::string &t) {
        double x;
        return parseNumber(t, x) && x > 0;
      },
      "a positive number", "> 0");
  return v;
}

const CLI::Validator &nonNegativeNumber() {
  static const CLI::Validator v = validator(
      [](const std::string &t) {
        double x;
        return parseNumber(t, x) && x >= 0;
      },
      "a number >= 0", ">= 0");
  return v;
}

CLI::Validator numberIn(double lo, double hi) {
  std::ostringstream range;
  range << '[' << lo << ", " << hi << ']';
  return validator(
      [lo, hi](const std::string &t) {
        double x;
        return parseNumber(t, x) && x >= lo && x <= hi;
      },
      "a number in " + range.str(), "in " + range.str());
}

} // namespace spike::tools
