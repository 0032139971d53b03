//===- ChipSimulator.cpp - Event-driven simulation of a chip program ------===//

#include "spike/core/ChipSimulator.h"

#include "spike/core/FileIO.h"
#include "spike/core/Neuron.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <functional>

namespace spike::core {

namespace {

using json = nlohmann::json;

/// One core: its tables, indexed for event delivery.
struct Core {
  std::vector<int64_t> neurons;    ///< (site, channel, v0) triples
  std::vector<int64_t> copyOf;     ///< CSR offsets by input axon
  std::vector<int32_t> copyRoutes; ///< copy neurons' (core, axon) pairs
  std::vector<int64_t> routeOf;    ///< CSR offsets by local neuron
  std::vector<int32_t> routes;     ///< (core, axon) pairs
  /// Synapse blocks by first axon: [in, out] weight codes.
  struct Block {
    int64_t axonBase, accBase, in, out;
    std::vector<int64_t> codes;
  };
  std::vector<Block> blocks;
  std::vector<int64_t> acc; ///< accumulators
};

/// A [rows, 3] integer table of the program's tensors, widened to int64.
Result<std::vector<int64_t>> table(const SafetensorsFile &f,
                                   const std::string &name) {
  const TensorInfo *info = f.find(name);
  if (!info)
    return std::vector<int64_t>();
  if (info->shape.size() != 2 || info->shape[1] != 3 ||
      (info->dtype != DType::I64 && info->dtype != DType::I32))
    return Status::error(f.path() + ": " + name +
                         ": expected an I32 or I64 [n, 3] table");
  std::vector<int64_t> out(size_t(info->numElements()));
  const uint8_t *p = f.data(*info);
  for (size_t i = 0; i < out.size(); ++i) {
    if (info->dtype == DType::I64) {
      int64_t v;
      std::memcpy(&v, p + 8 * i, 8);
      out[i] = v;
    } else {
      int32_t v;
      std::memcpy(&v, p + 4 * i, 4);
      out[i] = v;
    }
  }
  return out;
}

/// CSR index of (key, a, b) triples by key < n: offsets and (a, b) pairs.
Status index(const std::vector<int64_t> &triples, int64_t n,
             std::vector<int64_t> &offsets, std::vector<int32_t> &pairs,
             const std::string &what) {
  offsets.assign(size_t(n + 1), 0);
  for (size_t i = 0; i < triples.size(); i += 3) {
    if (triples[i] < 0 || triples[i] >= n)
      return Status::error(what + ": index " + std::to_string(triples[i]) +
                           " out of range [0, " + std::to_string(n) + ")");
    ++offsets[size_t(triples[i] + 1)];
  }
  for (int64_t k = 0; k < n; ++k)
    offsets[size_t(k + 1)] += offsets[size_t(k)];
  pairs.assign(triples.size() / 3 * 2, 0);
  std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
  for (size_t i = 0; i < triples.size(); i += 3) {
    int64_t at = next[size_t(triples[i])]++;
    pairs[size_t(2 * at)] = int32_t(triples[i + 1]);
    pairs[size_t(2 * at + 1)] = int32_t(triples[i + 2]);
  }
  return Status::ok();
}

} // namespace

Result<ChipSimResult> simulateChipProgram(const std::string &manifestPath,
                                          const SafetensorsFile &inputs) {
  auto text = readFileText(manifestPath);
  if (!text)
    return text.status();
  json m = json::parse(*text, nullptr, false);
  if (m.is_discarded() || !m.is_object() ||
      m.value("format", "") != "spikec.chip-program")
    return Status::error(manifestPath + ": not a spikec.chip-program file");
  try {
    std::string dir = manifestPath.substr(0, manifestPath.rfind('/') + 1);
    if (manifestPath.find('/') == std::string::npos)
      dir.clear();
    auto program =
        SafetensorsFile::open(dir + m.at("tensors").get<std::string>());
    if (!program)
      return program.status();
    int stateBits = m.at("numerics").at("state_bits").get<int>();
    int64_t steps = m.at("timesteps").get<int64_t>();

    std::map<int, Core> cores;
    for (const json &c : m.at("cores")) {
      int id = c.at("id").get<int>();
      std::string base = "core" + std::to_string(id) + ".";
      Core core;
      auto neurons = table(*program, base + "neurons");
      auto routes = table(*program, base + "routes");
      for (auto *r : {&neurons, &routes})
        if (!*r)
          return r->status();
      core.neurons = neurons.take();
      if (auto st = index(*routes, int64_t(core.neurons.size() / 3),
                          core.routeOf, core.routes, base + "routes");
          !st)
        return st;
      int64_t axons = c.at("axons").get<int64_t>();
      auto copies = table(*program, base + "copies");
      if (!copies)
        return copies.status();
      if (auto st = index(*copies, axons, core.copyOf, core.copyRoutes,
                          base + "copies");
          !st)
        return st;
      const json &blocks = c.at("blocks");
      for (size_t j = 0; j < blocks.size(); ++j) {
        Core::Block b{blocks[j].at("axon_base").get<int64_t>(),
                      blocks[j].at("accumulator_base").get<int64_t>(),
                      blocks[j].at("in").get<int64_t>(),
                      blocks[j].at("out").get<int64_t>(),
                      {}};
        std::string name = base + "block" + std::to_string(j);
        const TensorInfo *info = program->find(name);
        if (!info || info->numElements() != b.in * b.out ||
            b.axonBase + b.in > axons)
          return Status::error(program->path() + ": \"" + name +
                               "\" is missing or does not match the manifest");
        auto codes = program->readF32(name);
        if (!codes)
          return codes.status();
        b.codes.assign(codes->begin(), codes->end());
        core.blocks.push_back(std::move(b));
      }
      core.acc.assign(size_t(c.at("accumulators").get<int64_t>()), 0);
      cores[id] = std::move(core);
    }
    for (auto &[id, core] : cores)
      for (size_t i = 0; i < core.routes.size(); i += 2)
        if (!cores.count(core.routes[i]))
          return Status::error(manifestPath + ": core " + std::to_string(id) +
                               " routes to core " +
                               std::to_string(core.routes[i]) +
                               ", which the program does not hold");

    ChipSimResult result;
    for (const json &site : m.at("sites")) {
      std::string name = site.at("name").get<std::string>();
      int64_t siteIndex = site.at("index").get<int64_t>();
      neuron::ISParams p;
      p.levels = site.at("levels").get<int64_t>();
      p.alpha = site.at("alpha").get<double>();
      p.budget = site.at("budget").get<int64_t>();
      p.bidirectional = site.value("bidirectional", false);
      // IS sites send one graded spike (the count) per step; IF sites up to
      // L binary spikes over the step's sub-steps.
      bool graded = site.value("kind", "if") == "is";
      int64_t slots = graded ? 1 : p.levels;
      int64_t one = site.at("threshold_raw").get<int64_t>();
      const TensorInfo *charge = inputs.find(name + ".charge");
      if (!charge || charge->dtype != DType::I64 || charge->shape.size() != 3 ||
          charge->shape[0] != steps)
        return Status::error(inputs.path() + ": needs \"" + name +
                             ".charge\", int64 [" + std::to_string(steps) +
                             ", rows, width]");
      int64_t rows = charge->shape[1], width = charge->shape[2];
      if (width != site.at("width").get<int64_t>())
        return Status::error(inputs.path() + ": \"" + name + ".charge\" is " +
                             std::to_string(width) +
                             " wide; the program's "
                             "site has " +
                             std::to_string(site.at("width").get<int64_t>()));
      const uint8_t *q = inputs.data(*charge);
      auto chargeAt = [&](int64_t t, int64_t r, int64_t c) {
        int64_t v;
        std::memcpy(&v, q + 8 * ((t * rows + r) * width + c), 8);
        return v;
      };
      // The site's neurons: (core, local index, channel, v0).
      struct Cell {
        int core;
        int64_t local, channel, v0;
      };
      std::vector<Cell> cells;
      for (auto &[id, core] : cores)
        for (size_t i = 0; i < core.neurons.size(); i += 3)
          if (core.neurons[i] == siteIndex)
            cells.push_back(
                {id, int64_t(i / 3), core.neurons[i + 1], core.neurons[i + 2]});
      if (int64_t(cells.size()) != width)
        return Status::error(manifestPath + ": site \"" + name + "\" has " +
                             std::to_string(cells.size()) + " neurons, not " +
                             std::to_string(width));
      IntTensor spikes{
          graded ? DType::I64 : DType::U8, {steps * slots, rows, width}, {}};
      spikes.data.assign(size_t(steps * slots * rows * width), 0);
      std::vector<const json *> readers;
      for (const json &l : m.at("linears"))
        if (l.at("site").get<std::string>() == name)
          readers.push_back(&l);
      std::vector<IntTensor> accums;
      for (const json *l : readers) {
        int64_t outRows = l->at("rows").get<int64_t>();
        accums.push_back({DType::I64, {steps, rows, outRows}, {}});
        accums.back().data.assign(size_t(steps * rows * outRows), 0);
      }
      std::vector<uint8_t> raster(size_t(p.levels));
      // An event at (core, axon): the axon's synapse block adds its row to
      // the accumulators; copy neurons on the axon re-send it at once.
      std::function<void(int, int64_t, int64_t)> deliver =
          [&](int coreId, int64_t axon, int64_t payload) {
            Core &dst = cores.at(coreId);
            ++result.deliveries;
            auto it = std::upper_bound(
                dst.blocks.begin(), dst.blocks.end(), axon,
                [](int64_t a, const Core::Block &b) { return a < b.axonBase; });
            if (it != dst.blocks.begin() &&
                axon < (it - 1)->axonBase + (it - 1)->in) {
              const Core::Block &blk = *(it - 1);
              const int64_t *row =
                  blk.codes.data() + (axon - blk.axonBase) * blk.out;
              for (int64_t o = 0; o < blk.out; ++o) {
                dst.acc[size_t(blk.accBase + o)] += payload * row[o];
                result.synapticOps += row[o] != 0;
              }
            }
            for (int64_t e = dst.copyOf[size_t(axon)];
                 e < dst.copyOf[size_t(axon + 1)]; ++e) {
              ++result.copies;
              deliver(dst.copyRoutes[size_t(2 * e)],
                      dst.copyRoutes[size_t(2 * e + 1)], payload);
            }
          };
      // Per neuron and slot: the spike payload (0: none).
      std::vector<std::vector<int64_t>> fired(
          cells.size(), std::vector<int64_t>(size_t(slots)));
      for (int64_t r = 0; r < rows; ++r) {
        // Each row (token position, head) is its own set of neurons.
        std::vector<neuron::ISState<int64_t>> state;
        for (const Cell &cell : cells)
          state.push_back({cell.v0, 0});
        for (int64_t t = 0; t < steps; ++t) {
          for (size_t k = 0; k < cells.size(); ++k) {
            neuron::ISState<int64_t> &st = state[k];
            int64_t charge = chargeAt(t, r, cells[k].channel);
            if (graded) {
              fired[k][0] = neuron::isStep<int64_t>(st, charge, 1, p, one);
            } else {
              neuron::ifWindow<int64_t>(st, charge, 1, p,
                                        neuron::IFSchedule::IntegrateThenFire,
                                        raster.data(), one);
              for (int64_t j = 0; j < p.levels; ++j)
                fired[k][size_t(j)] = raster[size_t(j)];
            }
            int64_t clipped = neuron::saturate(st.u, stateBits);
            result.saturations += clipped != st.u;
            st.u = clipped;
          }
          // Slot by slot, every spike is an event on the mesh; a graded
          // event carries its count.
          for (int64_t j = 0; j < slots; ++j)
            for (size_t k = 0; k < cells.size(); ++k) {
              int64_t payload = fired[k][size_t(j)];
              if (payload == 0)
                continue;
              const Cell &cell = cells[k];
              ++result.spikes;
              spikes.data[size_t(((t * slots + j) * rows + r) * width +
                                 cell.channel)] = payload;
              const Core &src = cores.at(cell.core);
              for (int64_t e = src.routeOf[size_t(cell.local)];
                   e < src.routeOf[size_t(cell.local + 1)]; ++e)
                deliver(src.routes[size_t(2 * e)],
                        src.routes[size_t(2 * e + 1)], payload);
            }
          // After the step: tiles of a split fan-in send their partial
          // sums to their relay's accumulators (one message per nonzero
          // sum); the host reads the relays and the unsplit tiles.
          for (size_t li = 0; li < readers.size(); ++li) {
            const json &linear = *readers[li];
            int64_t outRows = linear.at("rows").get<int64_t>();
            const json &relays = linear.at("relays");
            auto readOut = [&](Core &c, int64_t first, int64_t count,
                               int64_t base) {
              for (int64_t o = 0; o < count; ++o) {
                accums[li].data[size_t((t * rows + r) * outRows + first + o)] +=
                    c.acc[size_t(base + o)];
                c.acc[size_t(base + o)] = 0;
              }
            };
            for (const json &tile : linear.at("tiles")) {
              Core &c = cores.at(tile.at("core").get<int>());
              int64_t first = tile.at("out_first").get<int64_t>();
              int64_t count = tile.at("out_count").get<int64_t>();
              int64_t base = tile.at("accumulator_base").get<int64_t>();
              int64_t relay = tile.at("relay").get<int64_t>();
              if (relay < 0) {
                readOut(c, first, count, base);
                continue;
              }
              const json &rl = relays.at(size_t(relay));
              Core &rc = cores.at(rl.at("core").get<int>());
              int64_t rbase = rl.at("accumulator_base").get<int64_t>();
              for (int64_t o = 0; o < count; ++o) {
                int64_t &v = c.acc[size_t(base + o)];
                result.relayMessages += v != 0;
                rc.acc[size_t(rbase + o)] += v;
                v = 0;
              }
            }
            for (const json &rl : relays)
              readOut(cores.at(rl.at("core").get<int>()),
                      rl.at("out_first").get<int64_t>(),
                      rl.at("out_count").get<int64_t>(),
                      rl.at("accumulator_base").get<int64_t>());
          }
        }
      }
      result.tensors[name + ".spikes"] = std::move(spikes);
      for (size_t li = 0; li < readers.size(); ++li)
        result.tensors[readers[li]->at("name").get<std::string>() + ".accum"] =
            std::move(accums[li]);
    }
    return result;
  } catch (const json::exception &e) {
    return Status::error(manifestPath +
                         ": malformed chip program: " + e.what());
  }
}

} // namespace spike::core
