//===- ChipProgram.cpp - A chip program, read strictly --------------------===//

#include "spike/core/Chip/ChipProgram.h"

#include "spike/core/Formats/Formats.h"
#include "spike/core/ModelIO/Safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace spike::core {

namespace {

using json = nlohmann::json;

std::string idx(const char *list, size_t i) {
  return std::string("/") + list + "/" + std::to_string(i);
}

/// Builds a ChipProgram from a schema-valid manifest, checking each rule of
/// ChipProgram.h as it goes. Every method returns "" or the error.
class Builder {
public:
  Builder(const json &doc, const std::string &path, ChipProgram &p)
      : doc_(doc), path_(path), p_(p) {}

  std::string run(bool withTables) {
    p_.path = path_;
    p_.stateBits = doc_["numerics"]["state_bits"].get<int>();
    weightBits_ = doc_["numerics"]["weight_bits"].get<int>();
    const json &numerics = doc_["numerics"];
    negatedRows_ = numerics.value("sign", std::string()) == "negated_row" &&
                   numerics["spike_payload_bits"].get<int>() == 0;
    p_.timesteps = doc_["timesteps"].get<int64_t>();
    for (auto step : {&Builder::cores, &Builder::sites, &Builder::linears,
                      &Builder::informative})
      if (std::string err = (this->*step)(); !err.empty())
        return err;
    return withTables ? tables() : "";
  }

private:
  const json &doc_;
  const std::string &path_;
  ChipProgram &p_;
  int weightBits_ = 0;
  bool negatedRows_ = false;             ///< numerics.sign: negated_row
  std::map<int, size_t> coreAt_;         ///< core id -> manifest position
  std::map<int64_t, size_t> siteAt_;     ///< site index -> position
  std::map<std::string, size_t> siteOf_; ///< site name -> position

  std::string cores() {
    const json &cores = doc_["cores"];
    int64_t copyNeurons = 0, copyCores = 0;
    for (size_t i = 0; i < cores.size(); ++i) {
      const json &c = cores[i];
      int id = c["id"].get<int>();
      if (!coreAt_.emplace(id, i).second)
        return idx("cores", i) + "/id: core " + std::to_string(id) +
               " is listed twice";
      ChipProgram::Core &core = p_.cores[id];
      core.axons = c["axons"];
      core.accumulators = c["accumulators"];
      int64_t axonEnd = 0;
      for (size_t j = 0; j < c["blocks"].size(); ++j) {
        const json &b = c["blocks"][j];
        ChipProgram::Core::Block blk{b["axon_base"],
                                     b["accumulator_base"],
                                     b["in"],
                                     b["out"],
                                     {},
                                     b.value("negated_rows", false)};
        std::string at = idx("cores", i) + idx("blocks", j);
        if (blk.negatedRows && (!negatedRows_ || blk.in % 2 != 0))
          return at + "/negated_rows: needs numerics.sign negated_row on "
                      "binary spikes and an even count of rows";
        if (blk.axonBase < axonEnd)
          return at + "/axon_base: blocks must take increasing, disjoint "
                      "axon ranges";
        if (blk.axonBase + blk.in > core.axons)
          return at + ": axons [" + std::to_string(blk.axonBase) + ", " +
                 std::to_string(blk.axonBase + blk.in) +
                 ") beyond the core's " + std::to_string(core.axons);
        if (blk.accBase + blk.out > core.accumulators)
          return at + ": accumulators beyond the core's " +
                 std::to_string(core.accumulators);
        axonEnd = blk.axonBase + blk.in;
        core.blocks.push_back(std::move(blk));
      }
      int64_t copies = c["copy_neurons"];
      if ((copies > 0) != (c["copy_routes"].get<int64_t>() > 0))
        return idx("cores", i) + ": copy_neurons and copy_routes must be " +
               "both zero or both positive";
      copyNeurons += copies;
      copyCores += copies > 0;
    }
    if (copyNeurons != doc_["copy_neurons_total"].get<int64_t>())
      return "/copy_neurons_total: " + doc_["copy_neurons_total"].dump() +
             ", but the cores hold " + std::to_string(copyNeurons);
    if (copyCores != doc_["copy_cores"].get<int64_t>())
      return "/copy_cores: " + doc_["copy_cores"].dump() + ", but " +
             std::to_string(copyCores) + " cores hold copy neurons";
    return "";
  }

  std::string sites() {
    const json &sites = doc_["sites"];
    for (size_t i = 0; i < sites.size(); ++i) {
      const json &s = sites[i];
      std::string at = idx("sites", i);
      ChipProgram::Site site;
      site.name = s["name"];
      site.index = s["index"];
      site.width = s["width"];
      site.graded = s["kind"] == "is";
      neuron::SpikeCoding coding = neuron::SpikeCoding::Offset;
      if (s.contains("coding")) // the schema allows offset and signed only
        neuron::parseCoding(s["coding"].get<std::string>(), coding);
      int bits = s.value("bits", 0);
      bool unsignedGrid = s.value("unsigned", false);
      site.params =
          neuron::neuronParams(s["levels"], s["alpha"], s["budget"],
                               s["bidirectional"], coding, bits, unsignedGrid);
      site.thresholdRaw = s["threshold_raw"];
      if (!siteAt_.emplace(site.index, i).second)
        return at + "/index: site index " + std::to_string(site.index) +
               " is used twice";
      if (!siteOf_.emplace(site.name, i).second)
        return at + "/name: site \"" + site.name + "\" is listed twice";
      if (site.params.bidirectional && !site.graded)
        return at + "/bidirectional: correction spikes need graded (is) "
                    "neurons";
      // Either grid: on the unsigned one the negative spikes are
      // corrections (Neuron.h, SpikeCoding::Signed).
      site.negativeBinary =
          !site.graded && coding == neuron::SpikeCoding::Signed;
      if (site.negativeBinary && !negatedRows_)
        return at + "/coding: the signed code's binary spikes need "
                    "numerics.sign negated_row: binary spikes carry no sign "
                    "otherwise";
      // The offset code's Theorem-2 values are not checked here (no bits).
      int checkedBits = coding == neuron::SpikeCoding::Signed ? bits : 0;
      if (auto err = neuron::checkISParams(
              site.params.levels, site.params.alpha, checkedBits,
              coding == neuron::SpikeCoding::Signed ? p_.timesteps : 1, coding,
              site.params.budget > 0, site.params.bidirectional, unsignedGrid))
        return at + "/" + err.field + ": " + err.message;
      int frac = neuron::chipFracBits(p_.stateBits, site.params);
      if (s["frac_bits"].get<int>() != frac)
        return at + "/frac_bits: " + s["frac_bits"].dump() + ", but " +
               std::to_string(p_.stateBits) + "-bit membranes give " +
               std::to_string(frac) + " (chipFracBits)";
      if (site.thresholdRaw != (int64_t(1) << frac))
        return at + "/threshold_raw: must be 2^frac_bits = " +
               std::to_string(int64_t(1) << frac);
      // The pieces cover the channels [0, width) once each.
      std::vector<ChipProgram::Piece> pieces;
      for (size_t k = 0; k < s["pieces"].size(); ++k) {
        const json &pc = s["pieces"][k];
        ChipProgram::Piece piece{pc["core"].get<int>(), pc["first"],
                                 pc["count"], pc["neuron_base"]};
        std::string pat = at + idx("pieces", k);
        if (!p_.cores.count(piece.core))
          return pat + "/core: no core " + std::to_string(piece.core);
        if (piece.first + piece.count > site.width)
          return pat + ": channels beyond the site's width " +
                 std::to_string(site.width);
        site.pieces.push_back(piece);
      }
      pieces = site.pieces;
      std::sort(pieces.begin(), pieces.end(),
                [](const auto &a, const auto &b) { return a.first < b.first; });
      int64_t next = 0;
      for (const auto &piece : pieces) {
        if (piece.first != next)
          break;
        next += piece.count;
      }
      if (next != site.width)
        return at + "/pieces: do not cover the channels [0, " +
               std::to_string(site.width) + ") once each";
      p_.sites.push_back(std::move(site));
    }
    return "";
  }

  std::string linears() {
    const json &linears = doc_["linears"];
    std::set<std::string> names;
    for (size_t i = 0; i < linears.size(); ++i) {
      const json &l = linears[i];
      std::string at = idx("linears", i);
      ChipProgram::Linear lin{l["name"],        l["site"], l["rows"], l["cols"],
                              l["weight_bits"], {},        {}};
      if (!names.insert(lin.name).second)
        return at + "/name: linear \"" + lin.name + "\" is listed twice";
      auto site = siteOf_.find(lin.site);
      if (site == siteOf_.end())
        return at + "/site: no site \"" + lin.site + "\" on the chip";
      if (p_.sites[site->second].width != lin.cols)
        return at + "/cols: " + std::to_string(lin.cols) +
               ", but the site is " +
               std::to_string(p_.sites[site->second].width) + " wide";
      for (size_t k = 0; k < l["relays"].size(); ++k) {
        const json &r = l["relays"][k];
        ChipProgram::Relay relay{r["core"].get<int>(), r["out_first"],
                                 r["out_count"], r["accumulator_base"]};
        std::string rat = at + idx("relays", k);
        auto core = p_.cores.find(relay.core);
        if (core == p_.cores.end())
          return rat + "/core: no core " + std::to_string(relay.core);
        if (relay.outFirst + relay.outCount > lin.rows)
          return rat + ": outputs beyond the linear's " +
                 std::to_string(lin.rows) + " rows";
        if (relay.accBase + relay.outCount > core->second.accumulators)
          return rat + ": accumulators beyond the core's " +
                 std::to_string(core->second.accumulators);
        lin.relays.push_back(relay);
      }
      // Each output row is read once (an unrelayed tile or a relay), and
      // each output range sums its inputs [0, cols) once.
      std::vector<int> read(size_t(lin.rows), 0);
      for (const auto &r : lin.relays)
        for (int64_t o = r.outFirst; o < r.outFirst + r.outCount; ++o)
          ++read[size_t(o)];
      std::map<std::pair<int64_t, int64_t>,
               std::vector<std::pair<int64_t, int64_t>>>
          inputsOf;
      for (size_t k = 0; k < l["tiles"].size(); ++k) {
        const json &t = l["tiles"][k];
        ChipProgram::Tile tile{
            t["core"].get<int>(), t["relay"],     t["block"],
            t["out_first"],       t["out_count"], t["in_first"],
            t["in_count"],        t["axon_base"], t["accumulator_base"]};
        std::string tat = at + idx("tiles", k);
        auto core = p_.cores.find(tile.core);
        if (core == p_.cores.end())
          return tat + "/core: no core " + std::to_string(tile.core);
        if (tile.block >= int64_t(core->second.blocks.size()))
          return tat + "/block: core " + std::to_string(tile.core) + " has " +
                 std::to_string(core->second.blocks.size()) + " blocks";
        const auto &blk = core->second.blocks[size_t(tile.block)];
        // The tile's negative spikes have rows of their own exactly when
        // its site sends negative binary spikes.
        if (blk.negatedRows != p_.sites[site->second].negativeBinary)
          return tat + "/block: " +
                 (blk.negatedRows ? "has negated rows, but site \"" + lin.site +
                                        "\" sends no negative binary spikes"
                                  : "site \"" + lin.site +
                                        "\" sends negative binary spikes, and "
                                        "the block has no negated rows");
        if (blk.axonBase != tile.axonBase ||
            blk.in != tile.inCount * (blk.negatedRows ? 2 : 1) ||
            blk.out != tile.outCount || blk.accBase != tile.accBase)
          return tat + ": differs from its block (axons, inputs, outputs, "
                       "accumulators)";
        if (tile.outFirst + tile.outCount > lin.rows ||
            tile.inFirst + tile.inCount > lin.cols)
          return tat + ": a range beyond the linear's " +
                 std::to_string(lin.rows) + " x " + std::to_string(lin.cols);
        if (tile.relay >= int64_t(lin.relays.size()))
          return tat + "/relay: " + std::to_string(tile.relay) + " of " +
                 std::to_string(lin.relays.size()) + " relays";
        if (tile.relay >= 0) {
          const auto &r = lin.relays[size_t(tile.relay)];
          if (r.outFirst != tile.outFirst || r.outCount != tile.outCount)
            return tat + "/relay: the relay's outputs differ from the tile's";
        } else {
          for (int64_t o = tile.outFirst; o < tile.outFirst + tile.outCount;
               ++o)
            ++read[size_t(o)];
        }
        inputsOf[{tile.outFirst, tile.outCount}].push_back(
            {tile.inFirst, tile.inCount});
        lin.tiles.push_back(tile);
      }
      for (int64_t o = 0; o < lin.rows; ++o)
        if (read[size_t(o)] != 1)
          return at + ": output row " + std::to_string(o) + " is read " +
                 std::to_string(read[size_t(o)]) + " times, not once";
      for (auto &[out, ins] : inputsOf) {
        std::sort(ins.begin(), ins.end());
        int64_t next = 0;
        for (auto [first, count] : ins)
          if (first == next)
            next += count;
        if (next != lin.cols || int64_t(ins.size()) == 0)
          return at + "/tiles: outputs [" + std::to_string(out.first) + ", " +
                 std::to_string(out.first + out.second) +
                 ") do not sum the inputs [0, " + std::to_string(lin.cols) +
                 ") once each";
      }
      p_.linears.push_back(std::move(lin));
    }
    return "";
  }

  /// What the simulator does not run still has to name what exists.
  std::string informative() {
    std::set<std::string> linearNames;
    for (const auto &l : p_.linears)
      linearNames.insert(l.name);
    const json &host = doc_["host"];
    for (size_t k = 0; k < host["sites"].size(); ++k)
      if (siteOf_.count(host["sites"][k].get<std::string>()))
        return "/host/sites/" + std::to_string(k) +
               ": a site cannot be both on the host and on the chip";
    for (size_t k = 0; k < host["linears"].size(); ++k)
      if (linearNames.count(host["linears"][k].get<std::string>()))
        return "/host/linears/" + std::to_string(k) +
               ": a linear cannot be both on the host and on the chip";
    const json &rescaled = doc_["rescaled_weights"];
    for (size_t k = 0; k < rescaled.size(); ++k) {
      if (!linearNames.count(rescaled[k]["name"].get<std::string>()))
        return idx("rescaled_weights", k) + "/name: no linear " +
               rescaled[k]["name"].dump() + " on the chip";
      if (rescaled[k]["to_bits"].get<int>() >=
          rescaled[k]["from_bits"].get<int>())
        return idx("rescaled_weights", k) + ": to_bits must be below from_bits";
    }
    return "";
  }

  /// Reads the weight blocks of `core` (tensors base + "block<j>") into it,
  /// checking their shapes, codes and negated rows; counts the nonzero
  /// codes into `synapses`.
  std::string blocks(const SafetensorsFile &file, const std::string &base,
                     ChipProgram::Core &core, std::set<std::string> &expected,
                     int64_t &synapses) {
    int64_t codeTop = (int64_t(1) << (weightBits_ - 1)) - 1;
    for (size_t j = 0; j < core.blocks.size(); ++j) {
      auto &blk = core.blocks[j];
      std::string name = base + "block" + std::to_string(j);
      std::string at = file.path() + ": \"" + name + "\"";
      expected.insert(name);
      const TensorInfo *info = file.find(name);
      if (!info || info->shape != std::vector<int64_t>{blk.in, blk.out})
        return at + ": needs [" + std::to_string(blk.in) + ", " +
               std::to_string(blk.out) + "]";
      auto codes = file.readInt64(name);
      if (!codes)
        return codes.message();
      for (int64_t v : *codes) {
        if (v < -codeTop - 1 || v > codeTop)
          return at + ": code " + std::to_string(v) + " beyond " +
                 std::to_string(weightBits_) + "-bit synapses";
        synapses += v != 0;
      }
      size_t half = blk.negatedRows ? codes->size() / 2 : 0;
      for (size_t k = 0; k < half; ++k)
        if ((*codes)[half + k] != -(*codes)[k])
          return at + ": row " + std::to_string(int64_t(half + k) / blk.out) +
                 " is not the negation of row " +
                 std::to_string(int64_t(k) / blk.out);
      blk.codes = std::move(*codes);
    }
    return "";
  }

  /// Whether `axon` of `core` is the negated twin of another (the second
  /// half of a block with negated rows), which no route may name.
  static bool negatedTwin(const ChipProgram::Core &core, int64_t axon) {
    for (const auto &blk : core.blocks)
      if (blk.negatedRows && axon >= blk.axonBase + blk.in / 2 &&
          axon < blk.axonBase + blk.in)
        return true;
    return false;
  }

  std::string tables() {
    std::string dir = path_.substr(0, path_.rfind('/') + 1);
    if (path_.find('/') == std::string::npos)
      dir.clear();
    auto file = SafetensorsFile::open(dir + doc_["tensors"].get<std::string>());
    if (!file)
      return "/tensors: " + file.message();
    std::set<std::string> expected;
    // A [rows, 3] table of `name`, or none when `rows` is 0.
    auto table = [&](const std::string &name, int64_t rows,
                     std::vector<int64_t> &out) -> std::string {
      const TensorInfo *info = file->find(name);
      if (rows == 0 && !info)
        return "";
      expected.insert(name);
      if (!info || info->shape.size() != 2 || info->shape[0] != rows ||
          info->shape[1] != 3)
        return file->path() + ": \"" + name + "\": needs [" +
               std::to_string(rows) + ", 3] (the manifest's count)";
      auto v = file->readInt64(name);
      if (!v)
        return v.message();
      out = v.take();
      return "";
    };
    int64_t v0Top = int64_t(1) << (p_.stateBits - 1);
    // Which core neurons the sites' pieces claim.
    std::map<int, std::vector<int>> claimed;
    for (size_t i = 0; i < doc_["cores"].size(); ++i) {
      const json &c = doc_["cores"][i];
      int id = c["id"].get<int>();
      ChipProgram::Core &core = p_.cores.at(id);
      std::string base = "core" + std::to_string(id) + ".";
      std::vector<int64_t> routes, copies;
      if (std::string e = table(base + "neurons", c["neurons"], core.neurons);
          !e.empty())
        return e;
      if (std::string e = table(base + "routes", c["routes"], routes);
          !e.empty())
        return e;
      if (std::string e = table(base + "copies", c["copy_routes"], copies);
          !e.empty())
        return e;
      int64_t neurons = c["neurons"];
      claimed[id].assign(size_t(neurons), 0);
      for (size_t k = 0; k < core.neurons.size(); k += 3) {
        auto site = siteAt_.find(core.neurons[k]);
        std::string at = file->path() + ": \"" + base + "neurons\" row " +
                         std::to_string(k / 3);
        if (site == siteAt_.end())
          return at + ": no site with index " + std::to_string(core.neurons[k]);
        if (core.neurons[k + 1] < 0 ||
            core.neurons[k + 1] >= p_.sites[site->second].width)
          return at + ": channel " + std::to_string(core.neurons[k + 1]) +
                 " outside the site";
        if (core.neurons[k + 2] < -v0Top || core.neurons[k + 2] >= v0Top)
          return at + ": v0 does not fit the membrane register";
      }
      if (std::string e = csr(routes, neurons, core.routeOf, core.routes,
                              file->path() + ": \"" + base + "routes\"");
          !e.empty())
        return e;
      if (std::string e = csr(copies, core.axons, core.copyOf, core.copyRoutes,
                              file->path() + ": \"" + base + "copies\"");
          !e.empty())
        return e;
      int64_t synapses = 0;
      if (std::string e = blocks(*file, base, core, expected, synapses);
          !e.empty())
        return e;
      if (synapses != c["synapses"].get<int64_t>())
        return idx("cores", i) + "/synapses: " + c["synapses"].dump() +
               ", but the blocks hold " + std::to_string(synapses) +
               " nonzero codes";
    }
    // Routes and copies land on axons that exist.
    for (const auto &[id, core] : p_.cores)
      for (const auto *pairs : {&core.routes, &core.copyRoutes})
        for (size_t k = 0; k < pairs->size(); k += 2) {
          auto dst = p_.cores.find((*pairs)[k]);
          if (dst == p_.cores.end() || (*pairs)[k + 1] < 0 ||
              (*pairs)[k + 1] >= dst->second.axons)
            return file->path() + ": core " + std::to_string(id) +
                   (pairs == &core.routes ? " routes" : " copies") +
                   " to core " + std::to_string((*pairs)[k]) + ", axon " +
                   std::to_string((*pairs)[k + 1]) +
                   ", which the program does not hold";
          // A -1 spike reaches the twin itself (ChipSimulator's deliver).
          if (negatedTwin(dst->second, (*pairs)[k + 1]))
            return file->path() + ": core " + std::to_string(id) +
                   (pairs == &core.routes ? " routes" : " copies") +
                   " to core " + std::to_string((*pairs)[k]) + ", axon " +
                   std::to_string((*pairs)[k + 1]) +
                   ", a negated row (only -1 spikes reach it, through its "
                   "twin)";
        }
    // A copy neuron re-sends to synapses, never to another copy neuron: the
    // simulator's delivery then ends (no cycles).
    for (const auto &[id, core] : p_.cores)
      for (size_t k = 0; k < core.copyRoutes.size(); k += 2) {
        const auto &dst = p_.cores.at(core.copyRoutes[k]);
        size_t axon = size_t(core.copyRoutes[k + 1]);
        if (dst.copyOf[axon + 1] != dst.copyOf[axon])
          return file->path() + ": core " + std::to_string(id) +
                 " copies to core " + std::to_string(core.copyRoutes[k]) +
                 ", axon " + std::to_string(axon) +
                 ", which copies again (chains of copy neurons are not "
                 "supported)";
      }
    // Each piece names exactly its neurons, and no neuron is left over.
    for (size_t s = 0; s < p_.sites.size(); ++s)
      for (size_t k = 0; k < p_.sites[s].pieces.size(); ++k) {
        const auto &pc = p_.sites[s].pieces[k];
        const auto &core = p_.cores.at(pc.core);
        std::string at = idx("sites", s) + idx("pieces", k);
        if (pc.neuronBase + pc.count > int64_t(core.neurons.size() / 3))
          return at + ": neurons beyond core " + std::to_string(pc.core) +
                 "'s " + std::to_string(core.neurons.size() / 3);
        for (int64_t n = 0; n < pc.count; ++n) {
          size_t row = size_t(pc.neuronBase + n);
          if (core.neurons[3 * row] != p_.sites[s].index ||
              core.neurons[3 * row + 1] != pc.first + n ||
              claimed[pc.core][row]++)
            return at + ": neuron " + std::to_string(row) + " of core " +
                   std::to_string(pc.core) + " is not this piece's channel " +
                   std::to_string(pc.first + n);
        }
      }
    for (const auto &[id, marks] : claimed)
      for (size_t n = 0; n < marks.size(); ++n)
        if (!marks[n])
          return file->path() + ": neuron " + std::to_string(n) + " of core " +
                 std::to_string(id) + " belongs to no site piece";
    for (const auto &[name, info] : file->tensors())
      if (!expected.count(name))
        return file->path() + ": \"" + name +
               "\" is not a table the manifest names";
    return "";
  }

  /// CSR index of (key, a, b) triples by key < n.
  static std::string csr(const std::vector<int64_t> &triples, int64_t n,
                         std::vector<int64_t> &offsets,
                         std::vector<int32_t> &pairs, const std::string &what) {
    offsets.assign(size_t(n + 1), 0);
    for (size_t i = 0; i < triples.size(); i += 3) {
      if (triples[i] < 0 || triples[i] >= n)
        return what + ": index " + std::to_string(triples[i]) +
               " out of range [0, " + std::to_string(n) + ")";
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
    return "";
  }
};

} // namespace

namespace detail {
std::string buildChipProgram(const json &doc, const std::string &path,
                             bool withTables, ChipProgram *out) {
  // Tables sized from the manifest can exhaust memory: one error line,
  // never an escaped exception (spike-chipsim, spike-run validate).
  try {
    ChipProgram scratch;
    return Builder(doc, path, out ? *out : scratch).run(withTables);
  } catch (const std::exception &e) {
    return std::string("internal validation error: ") + e.what();
  }
}
} // namespace detail

Result<ChipProgram> loadChipProgram(const std::string &path) {
  // The schema (Formats), then every rule with the tables: the same
  // buildChipProgram that `spike-run validate` runs (Formats/Validate.cpp).
  auto doc = loadDocument(path, DocumentKind::ChipProgram);
  if (!doc)
    return doc.status();
  ChipProgram program;
  if (std::string err = detail::buildChipProgram(*doc, path, true, &program);
      !err.empty())
    return Status::error(path + ": " + err);
  return program;
}

} // namespace spike::core
