//===- ZeroShotTasks.h - Multiple-choice tasks as scoring requests -*- C++
//-*-===//
//
// The zero-shot tasks LLM quantization papers report (PIQA, ARC-Easy,
// ARC-Challenge, WinoGrande, HellaSwag), read from the files described in
// shared/data/zeroshot/README and turned into (context, continuation)
// choices with the lm-evaluation-harness prompts:
//   piqa       "Question: {goal}\nAnswer:" + " {sol}"
//   arc_*      "Question: {question}\nAnswer:" + " {choice}"
//   hellaswag  "{activity}: {ctx}" + " {ending}" (the derived text file keeps
//              the raw ctx: the harness capitalizes ctx_b, see README)
//   winogrande the partial-sentence form: "{sentence up to _}{option}" +
//              " {rest of the sentence}" (the context varies, not the
//              continuation)
//
//===----------------------------------------------------------------------===//

#ifndef SPIKE_CORE_TEXT_ZEROSHOTTASKS_H
#define SPIKE_CORE_TEXT_ZEROSHOTTASKS_H

#include "spike/core/Support/Status.h"

#include <string>
#include <vector>

namespace spike::core {

struct Choice {
  std::string context, continuation;
};

struct TaskItem {
  std::vector<Choice> choices;
  int gold = 0;
};

struct ZeroShotTask {
  std::string name;
  std::vector<TaskItem> items;
  /// The metric papers report: acc_norm, or acc (WinoGrande).
  bool reportsNorm = true;
};

/// lm-evaluation-harness's HellaSwag text cleanup (its hellaswag/utils.py
/// preprocess, on the query and each ending): strip, " [title]" -> ". ",
/// drop every "[...]" (to the first "]"), then each non-overlapping "  " ->
/// " ".
std::string hellaswagPreprocess(const std::string &text);

/// The task names, in the paper's column order.
const std::vector<std::string> &zeroShotTaskNames();

/// Loads `name` from `dataDir` (the zeroshot/ folder); the first `limit`
/// items when limit > 0.
Result<ZeroShotTask> loadZeroShotTask(const std::string &name,
                                      const std::string &dataDir,
                                      int64_t limit = 0);

} // namespace spike::core

#endif // SPIKE_CORE_TEXT_ZEROSHOTTASKS_H
