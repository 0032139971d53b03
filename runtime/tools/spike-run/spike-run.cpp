//===- spike-run.cpp - The spikec simulation runtime driver ---------------===//
//
// The command line (CLI11: one subcommand per command, whose options and
// help each <Name>Command.cpp defines; shared helpers in CommandLine.h) and
// the dispatch to the command that was given.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"

#include "spike/runtime/Gemm.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <malloc.h>
#include <string>
#include <vector>

using namespace spike::run;

namespace {

constexpr const char *kFooter = R"(THREADS:
  OMP_NUM_THREADS=N  threads of the CPU kernels (default: every core this
                     process may run on); OpenBLAS, behind attention on
                     the CPU, follows OPENBLAS_NUM_THREADS.

DEVICES:
  --device cpu|cuda[:N]  where exec, generate, eval, stats and gate run
                     (default cpu). CUDA needs a spike-run built against a
                     CUDA-enabled libtorch with nvcc; its neuron,
                     accumulate-difference and causal-product kernels are
                     runtime/cuda/SpikeKernels.cu.

Each command's options: spike-run COMMAND --help.)";

/// Keeps large temporaries in the heap: glibc maps every block above its
/// mmap threshold (at most 32 MiB) afresh, and a spiking plan's attention
/// scores (T x heads x S x S floats) are larger, so each forward would
/// fault their pages in again. Without mmap and trimming, freed memory
/// stays for the next forward.
void keepTemporariesInHeap() {
  if (std::getenv("SPIKE_MALLOC_DEFAULTS"))
    return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

/// Prints a command-line error as one line, "spike-run: error: [COMMAND: ]
/// WHAT (see spike-run [COMMAND ]--help)"; returns 2.
int parseError(const CLI::App &app, const CLI::ParseError &e) {
  std::vector<CLI::App *> chosen = app.get_subcommands();
  std::string command = chosen.empty() ? "" : chosen[0]->get_name();
  if (!command.empty())
    return usageError(command, e.what());
  std::fprintf(stderr, "spike-run: error: %s (see spike-run --help)\n",
               e.what());
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  keepTemporariesInHeap();
  spike::runtime::useAllCores();
  CLI::App app("spike-run - simulation runtime of the spikec compiler",
               "spike-run");
  app.footer(kFooter);
  app.require_subcommand(1);
  app.get_formatter()->column_width(34);
  app.set_version_flag("--version", std::function<std::string()>([] {
                         return std::string("spike-run ") + SPIKE_VERSION +
                                "\nkernels: " + spike::runtime::kernelSummary();
                       }));
  std::vector<Command> commands = {
      addValidateCommand(app),  addInspectCommand(app),
      addExecCommand(app),      addGenerateCommand(app),
      addEvalCommand(app),      addStatsCommand(app),
      addCalibrateCommand(app), addZeroShotCommand(app),
      addAgreeCommand(app),     addSampleCommand(app),
      addGateCommand(app),      addRooflineCommand(app),
      addTokenizeCommand(app),  addGgufCommand(app),
      addDiffCommand(app)};

  // `spike-run help [COMMAND]` is --help.
  if (argc >= 2 && std::string(argv[1]) == "help") {
    for (const Command &c : commands)
      if (argc >= 3 && c.app->check_name(argv[2])) {
        std::fputs(c.app->help("spike-run").c_str(), stdout);
        return 0;
      }
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  if (argc < 2) {
    std::fprintf(stderr,
                 "spike-run: error: no command given (see spike-run --help)\n");
    return 2;
  }
  // A first word that is no command is named.
  auto named = [&](const Command &c) { return c.app->check_name(argv[1]); };
  if (argv[1][0] != '-' &&
      std::none_of(commands.begin(), commands.end(), named)) {
    std::fprintf(stderr,
                 "spike-run: error: unknown command '%s' (see spike-run "
                 "--help)\n",
                 argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e); // --help, --version
  } catch (const CLI::ParseError &e) {
    return parseError(app, e);
  }
  try {
    for (const Command &c : commands)
      if (c.app->parsed())
        return c.run();
  } catch (const std::exception &e) {
    std::fprintf(stderr, "spike-run: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
