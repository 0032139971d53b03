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

int main(int argc, char **argv) {
  // A first word that is not an option must name a command.
  if (argc > 1 && argv[1][0] != '-' && llvm::StringRef(argv[1]) != "compile") {
    std::fprintf(stderr,
                 "spikec: error: unknown command '%s' (see spikec --help)\n",
                 argv[1]);
    return 2;
  }
  spikec::CompileOptions options;
  if (!spikec::parseCommandLine(argc, argv, options))
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
