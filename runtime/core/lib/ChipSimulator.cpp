//===- ChipSimulator.cpp - Event-driven simulation of a chip program ------===//

#include "spike/core/ChipSimulator.h"

#include "spike/core/Neuron.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace spike::core {

Result<ChipSimResult> simulateChipProgram(const ChipProgram &program,
                                          const SafetensorsFile &inputs) {
  // The loader has checked every index and range of `program`.
  const std::map<int, ChipProgram::Core> &cores = program.cores;
  // The accumulators of each core.
  std::map<int, std::vector<int64_t>> acc;
  for (const auto &[id, core] : cores)
    acc[id].assign(size_t(core.accumulators), 0);
  int64_t steps = program.timesteps;
  ChipSimResult result;
  for (const ChipProgram::Site &site : program.sites) {
    const std::string &name = site.name;
    const neuron::ISParams &p = site.params;
    // IS sites send one graded spike (the count) per step; IF sites up to
    // L binary spikes over the step's sub-steps.
    bool graded = site.graded;
    int64_t slots = graded ? 1 : p.levels;
    int64_t one = site.thresholdRaw;
    int64_t width = site.width;
    const TensorInfo *charge = inputs.find(name + ".charge");
    if (!charge || charge->dtype != DType::I64 || charge->shape.size() != 3 ||
        charge->shape[0] != steps || charge->shape[2] != width)
      return Status::error(inputs.path() + ": needs \"" + name +
                           ".charge\", int64 [" + std::to_string(steps) +
                           ", rows, " + std::to_string(width) + "]");
    int64_t rows = charge->shape[1];
    const uint8_t *q = inputs.data(*charge);
    auto chargeAt = [&](int64_t t, int64_t r, int64_t c) {
      int64_t v;
      std::memcpy(&v, q + 8 * ((t * rows + r) * width + c), 8);
      return v;
    };
    // The site's neurons, by its pieces: (core, local index, channel, v0).
    struct Cell {
      int core;
      int64_t local, channel, v0;
    };
    std::vector<Cell> cells;
    for (const ChipProgram::Piece &pc : site.pieces)
      for (int64_t n = 0; n < pc.count; ++n) {
        int64_t local = pc.neuronBase + n;
        cells.push_back({pc.core, local, pc.first + n,
                         cores.at(pc.core).neurons[size_t(3 * local + 2)]});
      }
    IntTensor spikes{
        graded ? DType::I64 : DType::U8, {steps * slots, rows, width}, {}};
    spikes.data.assign(size_t(steps * slots * rows * width), 0);
    std::vector<const ChipProgram::Linear *> readers;
    for (const ChipProgram::Linear &l : program.linears)
      if (l.site == name)
        readers.push_back(&l);
    std::vector<IntTensor> accums;
    for (const ChipProgram::Linear *l : readers) {
      accums.push_back({DType::I64, {steps, rows, l->rows}, {}});
      accums.back().data.assign(size_t(steps * rows * l->rows), 0);
    }
    std::vector<uint8_t> raster(size_t(p.levels));
    // An event at (core, axon): the axon's synapse block adds its row to
    // the accumulators; copy neurons on the axon re-send it at once.
    std::function<void(int, int64_t, int64_t)> deliver = [&](int coreId,
                                                             int64_t axon,
                                                             int64_t payload) {
      const ChipProgram::Core &dst = cores.at(coreId);
      std::vector<int64_t> &dstAcc = acc.at(coreId);
      ++result.deliveries;
      auto it =
          std::upper_bound(dst.blocks.begin(), dst.blocks.end(), axon,
                           [](int64_t a, const ChipProgram::Core::Block &b) {
                             return a < b.axonBase;
                           });
      if (it != dst.blocks.begin() &&
          axon < (it - 1)->axonBase + (it - 1)->in) {
        const ChipProgram::Core::Block &blk = *(it - 1);
        const int64_t *row = blk.codes.data() + (axon - blk.axonBase) * blk.out;
        for (int64_t o = 0; o < blk.out; ++o) {
          dstAcc[size_t(blk.accBase + o)] += payload * row[o];
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
          int64_t in = chargeAt(t, r, cells[k].channel);
          if (graded) {
            fired[k][0] = neuron::isStep<int64_t>(st, in, 1, p, one);
          } else {
            neuron::ifWindow<int64_t>(st, in, 1, p,
                                      neuron::IFSchedule::IntegrateThenFire,
                                      raster.data(), one);
            for (int64_t j = 0; j < p.levels; ++j)
              fired[k][size_t(j)] = raster[size_t(j)];
          }
          int64_t clipped = neuron::saturate(st.u, program.stateBits);
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
            const ChipProgram::Core &src = cores.at(cell.core);
            for (int64_t e = src.routeOf[size_t(cell.local)];
                 e < src.routeOf[size_t(cell.local + 1)]; ++e)
              deliver(src.routes[size_t(2 * e)], src.routes[size_t(2 * e + 1)],
                      payload);
          }
        // After the step: tiles of a split fan-in send their partial sums
        // to their relay's accumulators (one message per nonzero sum); the
        // host reads the relays and the unsplit tiles.
        for (size_t li = 0; li < readers.size(); ++li) {
          const ChipProgram::Linear &linear = *readers[li];
          auto readOut = [&](std::vector<int64_t> &c, int64_t first,
                             int64_t count, int64_t base) {
            for (int64_t o = 0; o < count; ++o) {
              accums[li]
                  .data[size_t((t * rows + r) * linear.rows + first + o)] +=
                  c[size_t(base + o)];
              c[size_t(base + o)] = 0;
            }
          };
          for (const ChipProgram::Tile &tile : linear.tiles) {
            std::vector<int64_t> &c = acc.at(tile.core);
            if (tile.relay < 0) {
              readOut(c, tile.outFirst, tile.outCount, tile.accBase);
              continue;
            }
            const ChipProgram::Relay &rl = linear.relays[size_t(tile.relay)];
            std::vector<int64_t> &rc = acc.at(rl.core);
            for (int64_t o = 0; o < tile.outCount; ++o) {
              int64_t &v = c[size_t(tile.accBase + o)];
              result.relayMessages += v != 0;
              rc[size_t(rl.accBase + o)] += v;
              v = 0;
            }
          }
          for (const ChipProgram::Relay &rl : linear.relays)
            readOut(acc.at(rl.core), rl.outFirst, rl.outCount, rl.accBase);
        }
      }
    }
    result.tensors[name + ".spikes"] = std::move(spikes);
    for (size_t li = 0; li < readers.size(); ++li)
      result.tensors[readers[li]->name + ".accum"] = std::move(accums[li]);
  }
  return result;
}

Result<ChipSimResult> simulateChipProgram(const std::string &manifestPath,
                                          const SafetensorsFile &inputs) {
  auto program = loadChipProgram(manifestPath);
  if (!program)
    return program.status();
  return simulateChipProgram(*program, inputs);
}

} // namespace spike::core
