//===- GoldenPlans.h - The tiny model's golden plans, for unit tests ------===//
//
// test/Plan/golden/ holds the plans of one tiny model at every level
// (generate.py), which the runtime's unit tests load.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_UNITTESTS_GOLDENPLANS_H
#define SPIKE_UNITTESTS_GOLDENPLANS_H

#include <string>

/// The path of the tiny model's golden plan at `level` (fp, qann, is, if).
inline std::string golden(const std::string &level) {
  return std::string(SPIKE_SOURCE_DIR) + "/test/Plan/golden/tiny-" + level +
         ".plan.json";
}

#endif // SPIKE_UNITTESTS_GOLDENPLANS_H
