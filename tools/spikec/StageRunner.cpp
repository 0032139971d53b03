//===- StageRunner.cpp - Resumable stages of a spikec job -----------------===//

#include "StageRunner.h"

#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/xxhash.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

extern char **environ;

namespace spikec {

namespace {

const char *kStateFile = ".spikec-state.json";

/// A shell-readable rendering of a command line, for logs and the report.
std::string quoted(const std::vector<std::string> &argv) {
  std::string s;
  for (const std::string &a : argv) {
    if (!s.empty())
      s += ' ';
    bool plain =
        !a.empty() && a.find_first_of(" \"'$\\;&|<>*?()") == std::string::npos;
    s += plain ? a : "'" + a + "'";
  }
  return s;
}

} // namespace

std::string stageSlug(const std::string &name) {
  std::string s;
  for (char c : name)
    s += (std::isalnum((unsigned char)c) || c == '-') ? c : '-';
  return s;
}

StageRunner::StageRunner(std::string toolDir, std::string out, int64_t threads,
                         int64_t totalStages, bool fresh)
    : toolDir_(std::move(toolDir)), out_(std::move(out)), threads_(threads),
      total_(totalStages) {
  llvm::sys::fs::create_directories(out_ + "/logs");
  // The tools' environment: this one, with the thread pools pinned.
  for (char **e = environ; *e; ++e) {
    llvm::StringRef v(*e);
    if (!v.starts_with("OMP_NUM_THREADS=") &&
        !v.starts_with("OPENBLAS_NUM_THREADS="))
      env_.push_back(v.str());
  }
  env_.push_back("OMP_NUM_THREADS=" + std::to_string(threads_));
  env_.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(threads_));
  if (fresh) {
    llvm::sys::fs::remove(out_ + "/" + kStateFile);
    return;
  }
  std::ifstream in(out_ + "/" + kStateFile);
  if (!in)
    return;
  std::stringstream text;
  text << in.rdbuf();
  // A damaged state file only costs a full re-run.
  auto parsed = spike::core::parseJson(text.str(), out_ + "/" + kStateFile);
  nlohmann::json state = parsed ? parsed.take() : nlohmann::json();
  if (state.is_object() && state.value("format", "") == "spikec.job-state")
    state_ = state["stages"];
  if (!state_.is_object())
    state_ = nlohmann::json::object();
}

std::string StageRunner::logPath(const Stage &stage) const {
  char prefix[8];
  std::snprintf(prefix, sizeof prefix, "%02lld-", (long long)index_);
  return out_ + "/logs/" + prefix + stageSlug(stage.name) + ".log";
}

void StageRunner::saveState() const {
  nlohmann::json doc = {
      {"format", "spikec.job-state"}, {"version", 1}, {"stages", state_}};
  // Best effort: without it the next run only repeats work.
  (void)spike::core::writeFileAtomic(out_ + "/" + kStateFile,
                                     doc.dump(1) + "\n");
}

bool StageRunner::run(const Stage &stage) {
  ++index_;
  std::vector<std::string> argv = {stage.tool};
  argv.insert(argv.end(), stage.args.begin(), stage.args.end());
  std::string command = quoted(argv);
  // Dependencies: earlier stages whose outputs this command names.
  std::string fingerprint = command;
  bool depRan = false;
  for (const Done &d : earlier_) {
    bool uses = false;
    for (const std::string &o : d.outputs)
      for (const std::string &a : stage.args)
        uses = uses || a.find(o) != std::string::npos;
    if (uses) {
      fingerprint += "#" + d.key;
      depRan = depRan || d.ran;
    }
  }
  for (const std::string &in : stage.inputs) {
    llvm::sys::fs::file_status st;
    if (!llvm::sys::fs::status(in, st))
      fingerprint +=
          "#" + std::to_string(st.getSize()) + "@" +
          std::to_string(
              st.getLastModificationTime().time_since_epoch().count());
  }
  std::string key = llvm::utohexstr(llvm::xxh3_64bits(fingerprint));
  Done self{{}, key, false};
  for (const std::string &o : stage.outputs)
    self.outputs.push_back(out_ + "/" + o);

  std::printf("[%2lld/%lld] %-22s ", (long long)index_, (long long)total_,
              stage.name.c_str());
  std::fflush(stdout);
  auto record = [&](const std::string &log, double seconds, bool reused) {
    stages_.push_back({{"name", stage.name},
                       {"command", command},
                       {"log", log},
                       {"seconds", seconds},
                       {"reused", reused}});
  };
  const nlohmann::json *done =
      state_.contains(stage.name) ? &state_[stage.name] : nullptr;
  bool complete = !depRan && done && done->value("key", "") == key;
  for (const std::string &o : self.outputs)
    complete = complete && llvm::sys::fs::exists(o);
  if (complete) {
    earlier_.push_back(self);
    record(logPath(stage), done->value("seconds", 0.0), /*reused=*/true);
    std::printf("done earlier\n");
    return true;
  }
  std::printf("\n");
  std::fflush(stdout);
  self.ran = true;
  earlier_.push_back(self);
  // Until it succeeds, the stage is not done (a killed run re-runs it).
  state_.erase(stage.name);
  saveState();

  std::string program = toolDir_ + "/" + stage.tool;
  std::vector<llvm::StringRef> args(argv.begin(), argv.end());
  args[0] = program;
  std::vector<llvm::StringRef> envRefs(env_.begin(), env_.end());

  std::string log = logPath(stage);
  {
    std::ofstream header(log);
    header << "$ " << command << "\n";
  }
  // stdout (tables, summaries) goes to the log; stderr (progress bars and
  // errors) stays on the terminal unless the stage's diagnostics are data.
  std::string body = log + ".out";
  std::optional<llvm::StringRef> redirects[3] = {
      std::nullopt, llvm::StringRef(body),
      stage.captureStderr ? std::optional<llvm::StringRef>(body)
                          : std::nullopt};
  std::string error;
  bool execFailed = false;
  auto t0 = std::chrono::steady_clock::now();
  int rc = llvm::sys::ExecuteAndWait(program, args, envRefs, redirects, 0, 0,
                                     &error, &execFailed);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  {
    std::ifstream in(body);
    std::ofstream outLog(log, std::ios::app);
    outLog << in.rdbuf();
  }
  llvm::sys::fs::remove(body);
  if (execFailed) {
    std::fprintf(stderr, "spikec: error: stage '%s': cannot run %s: %s\n",
                 stage.name.c_str(), program.c_str(), error.c_str());
    return false;
  }
  if (rc != 0) {
    std::fprintf(stderr,
                 "spikec: error: stage '%s' failed (exit %d); its command "
                 "and output are in %s\n",
                 stage.name.c_str(), rc, log.c_str());
    return false;
  }
  record(log, seconds, /*reused=*/false);
  state_[stage.name] = {{"key", key}, {"seconds", seconds}};
  saveState();
  std::printf("         done in %.1f s\n", seconds);
  return true;
}

} // namespace spikec
