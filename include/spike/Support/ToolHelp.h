//===- ToolHelp.h - --help that shows a tool's own options -----*- C++ -*-===//
//
// Debian's libLLVM registers hundreds of options when it loads (Polly,
// ThinLTO, the code generators), and `--help` listed them all before the
// tool's own. Hiding what exists at the start of main keeps the options
// that the tool and MLIR's drivers register afterwards, as CIRCT's tools
// do with llvm::cl::HideUnrelatedOptions.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_SUPPORT_TOOLHELP_H
#define SPIKE_SUPPORT_TOOLHELP_H

#include "llvm/Support/CommandLine.h"

namespace spike {

/// Hides from --help every option registered so far except --help and
/// --version: called first in main, that is every option the linked
/// libraries made at load time. Options registered later (MLIR's driver
/// options, the pass list, the tool's own) stay listed. Hidden options
/// still work, and `--help-hidden` lists them.
inline void hideLibraryOptions() {
  for (auto &entry : llvm::cl::getRegisteredOptions()) {
    llvm::StringRef name = entry.first;
    if (name == "help" || name == "version" || name == "help-list")
      continue;
    if (entry.second->getOptionHiddenFlag() == llvm::cl::NotHidden)
      entry.second->setHiddenFlag(llvm::cl::Hidden);
  }
}

} // namespace spike

#endif // SPIKE_SUPPORT_TOOLHELP_H
