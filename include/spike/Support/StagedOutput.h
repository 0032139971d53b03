//===- StagedOutput.h - A tool's -o written whole or not at all -*- C++ -*-===//
//
// MLIR's drivers (MlirOptMain, mlirTranslateMain) open `-o FILE` before any
// work: an earlier FILE is emptied at once, and a run killed part-way (by
// the OOM killer, say) leaves a partial FILE. Staging the argument fixes
// both without touching the drivers.
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_SUPPORT_STAGEDOUTPUT_H
#define SPIKE_SUPPORT_STAGEDOUTPUT_H

#include "spike/core/Support/FileIO.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace spike {

/// Runs `toolMain(argc, argv)` with its output argument (`-o FILE`,
/// `-o=FILE`, `--o FILE`, `--o=FILE`) pointed at a temporary file beside
/// FILE. When `toolMain` returns 0 the temporary is moved onto FILE;
/// otherwise it is removed and an earlier FILE is left as it was. `-o -`
/// (standard output), a FILE that is not a regular file (/dev/null, a
/// pipe: core::OutputSet writes those in place) and runs that write nothing
/// are passed through.
/// Returns `toolMain`'s exit code, or 1 when the final rename fails (the
/// error is printed as one line).
inline int runWithStagedOutput(int argc, char **argv, const char *toolName,
                               llvm::function_ref<int(int, char **)> toolMain) {
  std::vector<std::string> args(argv, argv + argc);
  core::OutputSet outputs;
  std::string staged;
  for (size_t i = 1; i < args.size(); ++i) {
    llvm::StringRef a = args[i];
    std::string *value = nullptr;
    if ((a == "-o" || a == "--o") && i + 1 < args.size())
      value = &args[++i];
    else if (a.starts_with("-o=") || a.starts_with("--o=")) {
      size_t eq = args[i].find('=');
      std::string path = args[i].substr(eq + 1);
      if (path != "-") {
        staged = outputs.stage(path);
        args[i] = args[i].substr(0, eq + 1) + staged;
      }
      continue;
    }
    if (value && *value != "-") {
      staged = outputs.stage(*value);
      *value = staged;
    }
  }
  std::vector<char *> ptrs;
  for (auto &a : args)
    ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  int rc = toolMain(argc, ptrs.data());
  if (rc != 0 || staged.empty() || !llvm::sys::fs::exists(staged))
    return rc; // the destructor removes the temporary
  if (auto st = outputs.commit(); !st) {
    llvm::errs() << toolName << ": error: " << st.message() << "\n";
    return 1;
  }
  return 0;
}

} // namespace spike

#endif // SPIKE_SUPPORT_STAGEDOUTPUT_H
