//===- ZeroShotTasks.cpp - Multiple-choice tasks as scoring requests ------===//

#include "spike/core/Text/ZeroShotTasks.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace spike::core {

namespace {

using json = nlohmann::json;

Result<std::vector<std::string>> readLines(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    return Status::error(path + ": cannot open");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

Result<std::vector<std::string>> readBz2Lines(const std::string &path) {
  auto text = readBz2Text(path);
  if (!text)
    return text.status();
  std::vector<std::string> lines;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string strip(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

/// Calls `item(doc, where)` per JSON line; stops at `limit` items.
template <typename F>
Status forEachJsonLine(const std::vector<std::string> &lines,
                       const std::string &path, int64_t limit, F item) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (limit > 0 && int64_t(i) >= limit)
      break;
    if (strip(lines[i]).empty())
      continue;
    std::string where = path + ":" + std::to_string(i + 1);
    try {
      auto parsed = parseJson(lines[i], where);
      if (!parsed)
        return parsed.status();
      if (Status st = item(*parsed, where); !st)
        return st;
    } catch (const std::exception &e) {
      std::string what = e.what();
      return Status::error(where + ": " + what.substr(0, what.find('\n')));
    }
  }
  return Status::ok();
}

Status loadPiqa(ZeroShotTask &task, const std::string &dir, int64_t limit) {
  std::string path = dir + "/piqa/valid.jsonl";
  auto lines = readLines(path);
  if (!lines)
    return lines.status();
  auto labels = readLines(dir + "/piqa/valid-labels.lst");
  if (!labels)
    return labels.status();
  size_t k = 0;
  return forEachJsonLine(
      *lines, path, limit, [&](const json &d, const std::string &where) {
        if (k >= labels->size())
          return Status::error(where + ": no label in valid-labels.lst");
        TaskItem item;
        std::string context =
            "Question: " + d.at("goal").get<std::string>() + "\nAnswer:";
        for (const char *sol : {"sol1", "sol2"})
          item.choices.push_back({context, " " + d.at(sol).get<std::string>()});
        item.gold = std::stoi((*labels)[k++]);
        task.items.push_back(std::move(item));
        return Status::ok();
      });
}

Status loadArc(ZeroShotTask &task, const std::string &path, int64_t limit) {
  auto lines = readLines(path);
  if (!lines)
    return lines.status();
  return forEachJsonLine(
      *lines, path, limit, [&](const json &d, const std::string &where) {
        TaskItem item;
        std::string context =
            "Question: " + d.at("question").get<std::string>() + "\nAnswer:";
        const json &choices = d.at("choices");
        std::string key = d.at("answerKey");
        item.gold = -1;
        for (size_t i = 0; i < choices.at("text").size(); ++i) {
          item.choices.push_back(
              {context, " " + choices["text"][i].get<std::string>()});
          if (choices.at("label").at(i) == key)
            item.gold = int(i);
        }
        if (item.gold < 0)
          return Status::error(where + ": answerKey '" + key +
                               "' is not among the labels");
        task.items.push_back(std::move(item));
        return Status::ok();
      });
}

Status loadWinogrande(ZeroShotTask &task, const std::string &dir,
                      int64_t limit) {
  std::string path = dir + "/winogrande/dev.jsonl";
  auto lines = readLines(path);
  if (!lines)
    return lines.status();
  return forEachJsonLine(
      *lines, path, limit, [&](const json &d, const std::string &where) {
        std::string sentence = d.at("sentence");
        size_t blank = sentence.find('_');
        if (blank == std::string::npos)
          return Status::error(where + ": the sentence has no '_'");
        TaskItem item;
        std::string rest = " " + strip(sentence.substr(blank + 1));
        for (const char *option : {"option1", "option2"})
          item.choices.push_back(
              {sentence.substr(0, blank) + d.at(option).get<std::string>(),
               rest});
        item.gold = std::stoi(d.at("answer").get<std::string>()) - 1;
        task.items.push_back(std::move(item));
        return Status::ok();
      });
}

Status loadHellaswag(ZeroShotTask &task, const std::string &dir,
                     int64_t limit) {
  std::string path = dir + "/hellaswag/hellaswag_val_full.txt.bz2";
  auto lines = readBz2Lines(path);
  if (!lines)
    return lines.status();
  if (lines->size() % 6 != 0)
    return Status::error(path + ": " + std::to_string(lines->size()) +
                         " lines, not 6 per task");
  for (size_t i = 0; i + 6 <= lines->size(); i += 6) {
    if (limit > 0 && int64_t(task.items.size()) >= limit)
      break;
    TaskItem item;
    const std::string &gold = (*lines)[i + 1];
    if (gold.size() != 1 || gold[0] < '0' || gold[0] > '3')
      return Status::error(path + ":" + std::to_string(i + 2) +
                           ": gold label '" + gold + "' is not 0-3");
    item.gold = gold[0] - '0';
    std::string query = hellaswagPreprocess((*lines)[i]);
    for (size_t j = 2; j < 6; ++j)
      item.choices.push_back(
          {query, " " + hellaswagPreprocess((*lines)[i + j])});
    task.items.push_back(std::move(item));
  }
  return Status::ok();
}

} // namespace

std::string hellaswagPreprocess(const std::string &text) {
  std::string s = strip(text);
  // Python's str.replace: left to right, non-overlapping.
  auto replaceAll = [](std::string in, const std::string &from,
                       const std::string &to) {
    std::string out;
    size_t at = 0;
    for (size_t hit; (hit = in.find(from, at)) != std::string::npos;
         at = hit + from.size())
      out += in.substr(at, hit - at) + to;
    return out + in.substr(at);
  };
  s = replaceAll(s, " [title]", ". ");
  std::string kept;
  for (size_t i = 0; i < s.size(); ++i) {
    size_t close = s[i] == '[' ? s.find(']', i + 1) : std::string::npos;
    if (close == std::string::npos)
      kept += s[i];
    else
      i = close; // re.sub(r"\[.*?\]", "", s)
  }
  return replaceAll(kept, "  ", " ");
}

const std::vector<std::string> &zeroShotTaskNames() {
  static const std::vector<std::string> names = {
      "piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande"};
  return names;
}

Result<ZeroShotTask> loadZeroShotTask(const std::string &name,
                                      const std::string &dataDir,
                                      int64_t limit) {
  ZeroShotTask task;
  task.name = name;
  Status st = Status::ok();
  if (name == "piqa")
    st = loadPiqa(task, dataDir, limit);
  else if (name == "arc_easy")
    st = loadArc(task, dataDir + "/arc_easy/ARC-Easy-test.jsonl", limit);
  else if (name == "arc_challenge")
    st = loadArc(task, dataDir + "/arc_challenge/ARC-Challenge-test.jsonl",
                 limit);
  else if (name == "hellaswag")
    st = loadHellaswag(task, dataDir, limit);
  else if (name == "winogrande") {
    task.reportsNorm = false;
    st = loadWinogrande(task, dataDir, limit);
  } else
    return Status::error("unknown zero-shot task '" + name +
                         "' (piqa, arc_easy, arc_challenge, hellaswag, "
                         "winogrande)");
  if (!st)
    return st;
  if (task.items.empty())
    return Status::error(dataDir + ": task " + name + " has no items");
  return task;
}

} // namespace spike::core
