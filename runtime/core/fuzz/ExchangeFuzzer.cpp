//===- ExchangeFuzzer.cpp - libFuzzer targets of the exchange readers -----===//
//
// One libFuzzer target per reader of spikec's own formats (issue #21),
// built from this file with SPIKE_FUZZ_READER naming the reader:
//   json      core::validateText: plans (with their shape rules against the
//             golden tensor file), calibration, activation statistics,
//             firing rates, chip-program manifests, chip placements and
//             NIR manifests; the files they name resolve beside
//             SPIKE_FUZZ_ANCHOR (a path; default the golden plans), e.g. a
//             chip program's tables or a NIR export's graph files
//   chip      core::loadChipDescription (YAML)
// Every input must return: an error or a value, never a crash, a leak, a
// hang or undefined behaviour (ASan and UBSan are on).
//
//===----------------------------------------------------------------------===//

#include "spike/core/Chip/ChipDescription.h"
#include "spike/core/Formats/Validate.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

/// Where relative files resolve: beside SPIKE_FUZZ_ANCHOR, or the golden
/// plans.
std::string anchor() {
  if (const char *path = std::getenv("SPIKE_FUZZ_ANCHOR"))
    return path;
  return std::string(SPIKE_GOLDEN_DIR) + "/tiny-is.plan.json";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
#if SPIKE_FUZZ_CHIP
  // The YAML reader takes a path: one scratch file per process.
  static const std::string path =
      "/tmp/spike-fuzz-chip-" + std::to_string(getpid()) + ".yaml";
  if (FILE *f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    (void)spike::core::loadChipDescription(path);
  }
#else
  static const std::string path = anchor();
  (void)spike::core::validateText(text, path);
#endif
  return 0;
}
