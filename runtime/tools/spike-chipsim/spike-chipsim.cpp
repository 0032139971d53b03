//===- spike-chipsim.cpp - Run a chip program, event by event -------------===//
//
// spike-chipsim PROGRAM.json --inputs TRACE.safetensors [--check] [-o OUT]
//
// Simulates a spikec.chip-program on the fixed-point charges of a trace
// (`spike-run exec --chip-numerics CHIP --chip-trace TRACE`). --check
// compares every spike train and accumulation with the trace's, bit for
// bit. Needs no libtorch and no MLIR.
//
//===----------------------------------------------------------------------===//

#include "spike/core/Chip/ChipSimulator.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using namespace spike::core;

namespace {

/// Compares a simulated tensor with the trace's tensor of the same name.
std::string compare(const std::string &name, const IntTensor &t,
                    const SafetensorsFile &trace) {
  const TensorInfo *info = trace.find(name);
  if (!info)
    return "the trace has no \"" + name + "\"";
  if (info->dtype != t.dtype || info->shape != t.shape)
    return "\"" + name + "\": dtype or shape differs from the trace's";
  const uint8_t *p = trace.data(*info);
  for (size_t i = 0; i < t.data.size(); ++i) {
    int64_t v = 0;
    if (t.dtype == DType::U8)
      v = p[i];
    else if (t.dtype == DType::I8)
      v = int8_t(p[i]);
    else
      std::memcpy(&v, p + 8 * i, 8);
    if (v != t.data[i])
      return "\"" + name + "\": element " + std::to_string(i) + " is " +
             std::to_string(t.data[i]) + " on the chip, " + std::to_string(v) +
             " in the trace";
  }
  return "";
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app("spike-chipsim - runs a chip program event by event",
               "spike-chipsim");
  app.get_formatter()->column_width(30);
  std::string program, inputs, out;
  bool check = false;
  app.add_option("PROGRAM", program,
                 "The chip program (spike-translate --emit-chip-program)")
      ->type_name("PROGRAM.json")
      ->required();
  app.add_option("--inputs", inputs,
                 "The fixed-point charges of a trace (spike-run exec "
                 "--chip-numerics CHIP --chip-trace TRACE)")
      ->type_name("TRACE.safetensors")
      ->required();
  app.add_flag("--check", check,
               "Compare each site's spikes and each linear's accumulations "
               "with the trace's, bit for bit");
  app.add_option("-o", out, "Write the spikes and accumulations")
      ->type_name("OUT.safetensors");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e); // --help
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr,
                 "spike-chipsim: error: %s (see spike-chipsim --help)\n",
                 e.what());
    return 2;
  }
  auto trace = SafetensorsFile::open(inputs);
  if (!trace) {
    std::fprintf(stderr, "spike-chipsim: error: %s\n", trace.message().c_str());
    return 1;
  }
  auto r = simulateChipProgram(program, *trace);
  if (!r) {
    std::fprintf(stderr, "spike-chipsim: error: %s\n", r.message().c_str());
    return 1;
  }
  std::printf("simulated %s: %lld spike events, %lld routed messages, %lld "
              "synaptic ops, %lld partial sums to relays, %lld copied "
              "spikes, %lld saturated membranes\n",
              program.c_str(), (long long)r->spikes, (long long)r->deliveries,
              (long long)r->synapticOps, (long long)r->relayMessages,
              (long long)r->copies, (long long)r->saturations);
  // The check comes first: a failed one leaves no output file.
  int64_t sites = 0, linears = 0;
  if (check)
    for (const auto &[name, t] : r->tensors) {
      std::string diff = compare(name, t, *trace);
      if (!diff.empty()) {
        std::fprintf(stderr, "spike-chipsim: mismatch: %s\n", diff.c_str());
        return 1;
      }
      bool train = name.size() > 7 && name.substr(name.size() - 7) == ".spikes";
      (train ? sites : linears) += 1;
    }
  if (!out.empty()) {
    SafetensorsWriter w;
    for (const auto &[name, t] : r->tensors) {
      std::vector<uint8_t> bytes;
      if (t.dtype == DType::U8 || t.dtype == DType::I8) {
        for (int64_t v : t.data)
          bytes.push_back(uint8_t(v));
      } else {
        bytes.resize(t.data.size() * 8);
        std::memcpy(bytes.data(), t.data.data(), bytes.size());
      }
      if (auto st = w.add(name, t.dtype, t.shape, bytes.data(), bytes.size());
          !st)
        return std::fprintf(stderr, "spike-chipsim: error: %s\n",
                            st.message().c_str()),
               1;
    }
    if (auto st = w.write(out); !st) {
      std::fprintf(stderr, "spike-chipsim: error: %s\n", st.message().c_str());
      return 1;
    }
  }
  if (check)
    std::printf("identical to the trace: %lld spike trains, %lld "
                "accumulations\n",
                (long long)sites, (long long)linears);
  return 0;
}
