//===- TestPlan.h - Plans of random LLaMA models, without MLIR --*- C++ -*-===//
//
// For machines without the compiler (the GPU machine): writes a spikec plan
// of a random LLaMA model of any shape at the fp, qann, is or if level,
// with the op graph of the golden plans (test/Plan/golden/generate.py, the
// reference examples of docs/PlanFormat.md) repeated over the layers, so
// that the runtime can be timed and checked at full size. The activation
// scales are fixed per site kind, not calibrated: the plans are for speed
// and equivalence checks, not accuracy.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_TOOLS_TESTPLAN_H
#define SPIKE_TOOLS_TESTPLAN_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace spike::tools {

/// Tensors by Hugging Face name: shape and row-major f32 values.
using Weights =
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>;

struct TestPlanOptions {
  std::string level = "is"; ///< fp, qann, is or if
  int bits = 6;             ///< weights and activations (W6A6)
  int64_t timesteps = 2;    ///< T, a power of two <= 2^(bits-1)
  int64_t layers = 0, heads = 0, kvHeads = 0;
  int64_t bos = 1, eos = 2;
  std::string name = "spikec-test-llama";
};

/// "" if `options` name a level and a Theorem-2 (bits, T), else the error.
std::string checkTestPlanOptions(const TestPlanOptions &options);

/// Writes `dir`/<level>.plan.json, reading its tensors from `dir`/`tensors`,
/// and with `writeTensors` that file too (f32 safetensors: `weights` plus
/// the per-row scales of the quantized linears, which every level's plan
/// can share). Returns "" or an error message.
std::string writeTestPlan(const TestPlanOptions &options,
                          const Weights &weights, const std::string &dir,
                          const std::string &tensors, bool writeTensors);

} // namespace spike::tools

#endif // SPIKE_TOOLS_TESTPLAN_H
