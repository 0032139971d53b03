//===- spikec.cpp - The spikec driver -------------------------------------===//
//
// `spikec compile MODEL --chip CHIP -o OUT`: a LLaMA-family checkpoint to a
// calibrated spiking model for a chip, with its report. The driver runs the
// spikec tools that sit next to it; see docs/Driver.md.
//
//===----------------------------------------------------------------------===//

#include "CompileJob.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

const char *kHelp =
    R"(OVERVIEW: spikec - quantized LLaMA models to spiking networks for chips

USAGE: spikec compile MODEL --chip CHIP -o OUT [options]

  MODEL                 a Hugging Face LLaMA directory or a GGUF file
  --chip CHIP           a chip description (chips/*.yaml, docs/ChipFormat.md)
  -o OUT                the output folder; a re-run resumes its finished
                        stages (--fresh: start over)

Conversion:
  -T N                  time steps of the IS neurons (default 2)
  --bits N              weight and activation bits of the QANN (default 6)
  --correction-spikes on|off|auto
                        SpikeZIP-TF-style negative spikes (auto: on for
                        graded-spike chips, off for binary ones)
  --prefix auto|none|"ID ..."
                        PrefixQuant prefix tokens (auto: the start token
                        and "\n"; none on binary chips)
  --rotate R            rotation at import (default residual-down)

Data:
  --calib-text F        statistics and calibration text; without it the FP
                        model samples its own (data-free) sequences
  --eval-text F         perplexity text (first --eval-tokens tokens, default
                        4096, in --eval-seq-len chunks, default 512)
  --preset cpu|paper    calibration preset (default cpu: 16 x 256 x 2 epochs)
  --calib-samples N, --calib-seq-len S, --calib-epochs E
                        override the preset
  --stats-tokens N, --stats-seq-len S
                        activation statistics (default 8192 tokens of the
                        calibration text, or all data-free tokens; 512)
  --data-free-samples N, --data-free-seq-len S
                        data-free calibration text (default 16 x 256, the
                        cpu preset's calibration set)
  --agree-samples N, --agree-seq-len S
                        held-out sequences for agreement (default 8 x 128)

Run:
  --seed N              seed of sampling and calibration (default 0)
  --threads N           threads of every stage (default: all cores); a
                        fixed seed and thread count give identical files
  --fresh               ignore earlier runs in OUT

OUT holds ir/ (every level), plans/, calib/ (statistics, calibrated
parameters, per-block error CSV and plot), eval/, chip/ (legality, firing
rates), logs/ (each stage's command and output), report.json and report.md.
)";

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf("%s", kHelp);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::printf("spikec %s\n", SPIKEC_VERSION);
    return 0;
  }
  if (args[0] != "compile") {
    std::fprintf(stderr,
                 "spikec: error: unknown command '%s' (see spikec --help)\n",
                 args[0].c_str());
    return 2;
  }
  args.erase(args.begin());
  spikec::CompileOptions options;
  if (!spikec::parseCompileOptions(args, options))
    return 2;
  std::string self = llvm::sys::fs::getMainExecutable(argv[0], (void *)&main);
  std::string toolDir = llvm::sys::path::parent_path(self).str();
  try {
    return spikec::runCompile(options, toolDir);
  } catch (const std::exception &e) {
    // A stage result that is not what its tool writes (edited by hand).
    std::fprintf(stderr, "spikec: error: %s\n", e.what());
    return 1;
  }
}
