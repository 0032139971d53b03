//===- Validators.h - CLI11 validators of the spikec tools -----*- C++ -*-===//
//
// Validators for the options of the MLIR-free tools (spike-run,
// spike-make-test-model), which parse their command lines with CLI11. Each
// checks the value's text before conversion and says what it needs, as
// "needs a positive integer, got '0'"; CLI11 prefixes the option's name.
// The integer ones are transforms (Option::transform, not check): they
// also rewrite the text as a plain decimal, which CLI11 would otherwise
// read with C's base prefixes ("010" as 8). The help shows no annotation
// for them: an option's description states its range.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TOOLS_VALIDATORS_H
#define SPIKE_TOOLS_VALIDATORS_H

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace spike::tools {

/// Reads a decimal integer >= min that is the whole text (no sign other
/// than '-', no blanks, within int64); false otherwise.
bool parseInteger(const std::string &text, int64_t min, int64_t &out);

/// A decimal integer >= 1 (a transform).
const CLI::Validator &positiveInteger();
/// A decimal integer >= 0 (a transform).
const CLI::Validator &nonNegativeInteger();
/// A decimal integer >= min (a transform).
CLI::Validator integerAtLeast(int64_t min);
/// A finite number > 0.
const CLI::Validator &positiveNumber();
/// A finite number >= 0.
const CLI::Validator &nonNegativeNumber();
/// A finite number in [lo, hi].
CLI::Validator numberIn(double lo, double hi);

} // namespace spike::tools

#endif // SPIKE_TOOLS_VALIDATORS_H
