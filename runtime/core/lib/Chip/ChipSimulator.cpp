//===- ChipSimulator.cpp - Event-driven simulation of a chip program ------===//

#include "spike/core/Chip/ChipSimulator.h"

#include "spike/core/Neuron/Neuron.h"

#include <algorithm>
#include <cstring>

namespace spike::core {

namespace {

/// One site of a chip program simulated over every row (token position,
/// head) and step: its neurons fire, each spike is delivered along the
/// routes (and through copy neurons), and after each step the accumulators
/// of the linears that read the site are read out.
class SiteSimulator {
public:
  SiteSimulator(const ChipProgram &program, const ChipProgram::Site &site,
                std::map<int, std::vector<int64_t>> &acc, ChipSimResult &result)
      : program(program), cores(program.cores), site(site), p(site.params),
        acc(acc), result(result), graded(site.graded),
        slots(graded ? 1 : p.levels), one(site.thresholdRaw), width(site.width),
        steps(program.timesteps) {}

  /// Checks and maps the site's input charges ("<site>.charge", int64
  /// [T, rows, width]).
  Status readCharges(const SafetensorsFile &inputs);
  /// Runs every row and step; the spikes and accumulator read-outs go to
  /// the result's tensors.
  void run();

private:
  /// A neuron of the site: (core, local index, channel, v0).
  struct Cell {
    int core;
    int64_t local, channel, v0;
  };
  const ChipProgram &program;
  const std::map<int, ChipProgram::Core> &cores;
  const ChipProgram::Site &site;
  const neuron::ISParams &p;
  std::map<int, std::vector<int64_t>> &acc;
  ChipSimResult &result;
  // IS sites send one graded spike (the count) per step; IF sites up to L
  // binary spikes over the step's sub-steps.
  const bool graded;
  const int64_t slots, one, width, steps;
  int64_t rows = 0;
  const uint8_t *charges = nullptr;
  std::vector<Cell> cells;
  std::vector<const ChipProgram::Linear *> readers;
  std::vector<IntTensor> accums;
  IntTensor spikes;
  /// Per neuron and slot: the spike payload (0: none).
  std::vector<std::vector<int64_t>> fired;

  int64_t chargeAt(int64_t t, int64_t r, int64_t c) const {
    int64_t v;
    std::memcpy(&v, charges + 8 * ((t * rows + r) * width + c), 8);
    return v;
  }
  void deliver(int coreId, int64_t axon, int64_t payload);
  void stepNeurons(int64_t t, int64_t r,
                   std::vector<neuron::ISState<int64_t>> &state,
                   std::vector<int8_t> &raster);
  void sendSpikes(int64_t t, int64_t r);
  void readOut(int64_t t, int64_t r);
};

Status SiteSimulator::readCharges(const SafetensorsFile &inputs) {
  const TensorInfo *charge = inputs.find(site.name + ".charge");
  if (!charge || charge->dtype != DType::I64 || charge->shape.size() != 3 ||
      charge->shape[0] != steps || charge->shape[2] != width)
    return Status::error(inputs.path() + ": needs \"" + site.name +
                         ".charge\", int64 [" + std::to_string(steps) +
                         ", rows, " + std::to_string(width) + "]");
  rows = charge->shape[1];
  charges = inputs.data(*charge);
  return Status::ok();
}

/// An event at (core, axon): the axon's synapse block adds its row to the
/// accumulators; copy neurons on the axon re-send it at once.
void SiteSimulator::deliver(int coreId, int64_t axon, int64_t payload) {
  const ChipProgram::Core &dst = cores.at(coreId);
  std::vector<int64_t> &dstAcc = acc.at(coreId);
  ++result.deliveries;
  auto it = std::upper_bound(dst.blocks.begin(), dst.blocks.end(), axon,
                             [](int64_t a, const ChipProgram::Core::Block &b) {
                               return a < b.axonBase;
                             });
  if (it != dst.blocks.begin() && axon < (it - 1)->axonBase + (it - 1)->in) {
    const ChipProgram::Core::Block &blk = *(it - 1);
    int64_t rowIndex = axon - blk.axonBase, weight = payload;
    // A negative binary spike is a plain spike on the negated row.
    if (blk.negatedRows && payload < 0)
      rowIndex += blk.in / 2, weight = -payload;
    const int64_t *row = blk.codes.data() + rowIndex * blk.out;
    for (int64_t o = 0; o < blk.out; ++o) {
      dstAcc[size_t(blk.accBase + o)] += weight * row[o];
      result.synapticOps += row[o] != 0;
    }
  }
  for (int64_t e = dst.copyOf[size_t(axon)]; e < dst.copyOf[size_t(axon + 1)];
       ++e) {
    ++result.copies;
    deliver(dst.copyRoutes[size_t(2 * e)], dst.copyRoutes[size_t(2 * e + 1)],
            payload);
  }
}

void SiteSimulator::stepNeurons(int64_t t, int64_t r,
                                std::vector<neuron::ISState<int64_t>> &state,
                                std::vector<int8_t> &raster) {
  for (size_t k = 0; k < cells.size(); ++k) {
    neuron::ISState<int64_t> &st = state[k];
    int64_t in = chargeAt(t, r, cells[k].channel);
    if (graded) {
      fired[k][0] = neuron::isStep<int64_t>(st, in, 1, p, one);
    } else {
      if (p.coding == neuron::SpikeCoding::Signed)
        neuron::signedIfWindow<int64_t>(st, in, 1, p, raster.data(), one);
      else
        neuron::ifWindow<int64_t>(
            st, in, 1, p, neuron::IFSchedule::IntegrateThenFire,
            reinterpret_cast<uint8_t *>(raster.data()), one);
      for (int64_t j = 0; j < p.levels; ++j)
        fired[k][size_t(j)] = raster[size_t(j)];
    }
    int64_t clipped = neuron::saturate(st.u, program.stateBits);
    result.saturations += clipped != st.u;
    st.u = clipped;
  }
}

/// Slot by slot, every spike is an event on the mesh; a graded event
/// carries its count.
void SiteSimulator::sendSpikes(int64_t t, int64_t r) {
  for (int64_t j = 0; j < slots; ++j)
    for (size_t k = 0; k < cells.size(); ++k) {
      int64_t payload = fired[k][size_t(j)];
      if (payload == 0)
        continue;
      const Cell &cell = cells[k];
      ++result.spikes;
      spikes.data[size_t(((t * slots + j) * rows + r) * width + cell.channel)] =
          payload;
      const ChipProgram::Core &src = cores.at(cell.core);
      for (int64_t e = src.routeOf[size_t(cell.local)];
           e < src.routeOf[size_t(cell.local + 1)]; ++e)
        deliver(src.routes[size_t(2 * e)], src.routes[size_t(2 * e + 1)],
                payload);
    }
}

/// After the step: tiles of a split fan-in send their partial sums to
/// their relay's accumulators (one message per nonzero sum); the host
/// reads the relays and the unsplit tiles.
void SiteSimulator::readOut(int64_t t, int64_t r) {
  for (size_t li = 0; li < readers.size(); ++li) {
    const ChipProgram::Linear &linear = *readers[li];
    auto take = [&](std::vector<int64_t> &c, int64_t first, int64_t count,
                    int64_t base) {
      for (int64_t o = 0; o < count; ++o) {
        accums[li].data[size_t((t * rows + r) * linear.rows + first + o)] +=
            c[size_t(base + o)];
        c[size_t(base + o)] = 0;
      }
    };
    for (const ChipProgram::Tile &tile : linear.tiles) {
      std::vector<int64_t> &c = acc.at(tile.core);
      if (tile.relay < 0) {
        take(c, tile.outFirst, tile.outCount, tile.accBase);
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
      take(acc.at(rl.core), rl.outFirst, rl.outCount, rl.accBase);
  }
}

void SiteSimulator::run() {
  for (const ChipProgram::Piece &pc : site.pieces)
    for (int64_t n = 0; n < pc.count; ++n) {
      int64_t local = pc.neuronBase + n;
      cells.push_back({pc.core, local, pc.first + n,
                       cores.at(pc.core).neurons[size_t(3 * local + 2)]});
    }
  DType spikeType = graded                                    ? DType::I64
                    : p.coding == neuron::SpikeCoding::Signed ? DType::I8
                                                              : DType::U8;
  spikes = {spikeType, {steps * slots, rows, width}, {}};
  spikes.data.assign(size_t(steps * slots * rows * width), 0);
  for (const ChipProgram::Linear &l : program.linears)
    if (l.site == site.name)
      readers.push_back(&l);
  for (const ChipProgram::Linear *l : readers) {
    accums.push_back({DType::I64, {steps, rows, l->rows}, {}});
    accums.back().data.assign(size_t(steps * rows * l->rows), 0);
  }
  std::vector<int8_t> raster(size_t(p.levels));
  fired.assign(cells.size(), std::vector<int64_t>(size_t(slots)));
  for (int64_t r = 0; r < rows; ++r) {
    // Each row (token position, head) is its own set of neurons.
    std::vector<neuron::ISState<int64_t>> state;
    for (const Cell &cell : cells)
      state.push_back({cell.v0, 0});
    for (int64_t t = 0; t < steps; ++t) {
      stepNeurons(t, r, state, raster);
      sendSpikes(t, r);
      readOut(t, r);
    }
  }
  result.tensors[site.name + ".spikes"] = std::move(spikes);
  for (size_t li = 0; li < readers.size(); ++li)
    result.tensors[readers[li]->name + ".accum"] = std::move(accums[li]);
}

} // namespace

Result<ChipSimResult> simulateChipProgram(const ChipProgram &program,
                                          const SafetensorsFile &inputs) {
  // The loader has checked every index and range of `program`.
  // The accumulators of each core.
  std::map<int, std::vector<int64_t>> acc;
  for (const auto &[id, core] : program.cores)
    acc[id].assign(size_t(core.accumulators), 0);
  ChipSimResult result;
  for (const ChipProgram::Site &site : program.sites) {
    SiteSimulator sim(program, site, acc, result);
    if (auto st = sim.readCharges(inputs); !st)
      return st;
    sim.run();
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
