//===- ChipPlacement.cpp - The mapper's decisions, as a file --------------===//

#include "spike/core/Chip/ChipPlacement.h"
#include "spike/core/Formats/Formats.h"

#include <nlohmann/json.hpp>

namespace spike::core {

using json = nlohmann::json;

std::string renderChipPlacement(const MappingInput &input,
                                const MappingResult &result,
                                const std::string &chipName,
                                const std::string &placement, int64_t context,
                                const std::string &producer) {
  json sites = json::array(), groups = json::array(), pieces = json::array(),
       copies = json::array();
  for (const MappedSite &s : input.sites)
    sites.push_back({{"name", s.name}, {"neurons", s.neurons}});
  for (const MappedSynapses &g : input.synapses)
    groups.push_back({{"name", g.name},
                      {"site", g.site},
                      {"outputs", g.outputs},
                      {"fan_in", g.fanIn}});
  for (const Piece &p : result.pieces)
    pieces.push_back(
        {int(p.kind), p.owner, p.first, p.count, p.inFirst, p.inCount, p.core});
  for (const CopyGroup &c : result.copyGroups)
    copies.push_back({c.sitePiece, c.channel, c.core, c.axon, c.copies});
  json doc = {{"format", "spikec.chip-placement"},
              {"version", 1},
              {"producer", producer},
              {"chip", chipName},
              {"placement", placement},
              {"context", context},
              {"timesteps", input.timesteps},
              {"sites", sites},
              {"synapse_groups", groups},
              {"glue_units", int64_t(input.glue.size())},
              {"pieces", pieces},
              {"copy_groups", copies},
              {"copy_neurons", result.copyNeurons},
              {"copy_cores", result.copyCores}};
  // One line per key, and per row of the lists, so that a diff of two
  // placements shows the pieces that moved.
  std::string text = "{";
  const char *sep = "\n";
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    text += sep + (" " + json(it.key()).dump()) + ": ";
    sep = ",\n";
    if (!it->is_array() || it->empty()) {
      text += it->dump();
      continue;
    }
    const char *rowSep = "[\n  ";
    for (const json &row : *it) {
      text += rowSep + row.dump();
      rowSep = ",\n  ";
    }
    text += "\n ]";
  }
  return text + "\n}\n";
}

namespace {

std::string readPlacement(const json &doc, ChipPlacement *out) {
  ChipPlacement p;
  p.chip = doc["chip"].get<std::string>();
  p.placement = doc["placement"].get<std::string>();
  p.context = doc["context"].get<int64_t>();
  p.graph.timesteps = doc["timesteps"].get<int64_t>();
  for (const json &s : doc["sites"]) {
    MappedSite site;
    site.name = s["name"].get<std::string>();
    site.neurons = s["neurons"].get<int64_t>();
    p.graph.sites.push_back(site);
  }
  const int64_t nSites = int64_t(p.graph.sites.size());
  const json &groups = doc["synapse_groups"];
  for (size_t i = 0; i < groups.size(); ++i) {
    MappedSynapses g;
    g.name = groups[i]["name"].get<std::string>();
    int64_t site = groups[i]["site"].get<int64_t>();
    if (site >= nSites)
      return "/synapse_groups/" + std::to_string(i) +
             "/site: " + std::to_string(site) + " is not one of the " +
             std::to_string(nSites) + " sites";
    g.site = int(site);
    g.outputs = groups[i]["outputs"].get<int64_t>();
    g.fanIn = groups[i]["fan_in"].get<int64_t>();
    p.graph.synapses.push_back(g);
  }
  p.glueUnits = doc["glue_units"].get<int64_t>();
  const json &pieces = doc["pieces"];
  for (size_t i = 0; i < pieces.size(); ++i) {
    const json &a = pieces[i];
    std::string at = "/pieces/" + std::to_string(i);
    int64_t kind = a[0].get<int64_t>(), owner = a[1].get<int64_t>();
    if (kind < 0 || kind > 3)
      return at + "/0: kind " + std::to_string(kind) +
             " is not 0 (site neurons), 1 (synapse tile), 2 (relay) or 3 "
             "(glue)";
    Piece piece;
    piece.kind = Piece::Kind(kind);
    // The owner's kind and its size along the piece's range.
    int64_t owners = 0, size = 0, inSize = 0;
    const char *what = "";
    if (piece.kind == Piece::SiteNeurons) {
      owners = nSites, what = "sites";
      if (owner >= 0 && owner < owners)
        size = p.graph.sites[size_t(owner)].neurons;
    } else if (piece.kind == Piece::Glue) {
      owners = p.glueUnits, what = "glue units";
      size = 1 << 30; // a glue piece has no range
    } else {
      owners = int64_t(p.graph.synapses.size()), what = "synapse groups";
      if (owner >= 0 && owner < owners) {
        size = p.graph.synapses[size_t(owner)].outputs;
        inSize = p.graph.synapses[size_t(owner)].fanIn;
      }
    }
    if (owner < 0 || owner >= owners)
      return at + "/1: owner " + std::to_string(owner) + " is not one of the " +
             std::to_string(owners) + " " + what;
    piece.owner = int(owner);
    piece.first = a[2].get<int64_t>();
    piece.count = a[3].get<int64_t>();
    piece.inFirst = a[4].get<int64_t>();
    piece.inCount = a[5].get<int64_t>();
    piece.core = int(a[6].get<int64_t>());
    if (piece.first < 0 || piece.count < 0 || piece.first + piece.count > size)
      return at + ": [" + std::to_string(piece.first) + ", " +
             std::to_string(piece.first + piece.count) +
             ") is outside its owner, of size " + std::to_string(size);
    if (piece.kind == Piece::SynapseTile &&
        (piece.inFirst < 0 || piece.inCount < 0 ||
         piece.inFirst + piece.inCount > inSize))
      return at + ": inputs [" + std::to_string(piece.inFirst) + ", " +
             std::to_string(piece.inFirst + piece.inCount) +
             ") are outside the fan-in " + std::to_string(inSize);
    p.mapping.pieces.push_back(piece);
  }
  const json &copies = doc["copy_groups"];
  for (size_t i = 0; i < copies.size(); ++i) {
    const json &a = copies[i];
    CopyGroup c;
    int64_t piece = a[0].get<int64_t>();
    if (piece >= int64_t(p.mapping.pieces.size()) ||
        p.mapping.pieces[size_t(piece)].kind != Piece::SiteNeurons)
      return "/copy_groups/" + std::to_string(i) +
             "/0: " + std::to_string(piece) + " is not a site-neurons piece";
    c.sitePiece = int(piece);
    c.channel = a[1].get<int64_t>();
    const Piece &sp = p.mapping.pieces[size_t(piece)];
    if (c.channel < sp.first || c.channel >= sp.first + sp.count)
      return "/copy_groups/" + std::to_string(i) + "/1: channel " +
             std::to_string(c.channel) + " is not in piece " +
             std::to_string(piece);
    c.core = int(a[2].get<int64_t>());
    c.axon = a[3].get<int64_t>();
    c.copies = a[4].get<int64_t>();
    p.mapping.copyGroups.push_back(c);
  }
  p.mapping.copyNeurons = doc["copy_neurons"].get<int64_t>();
  p.mapping.copyCores = doc["copy_cores"].get<int64_t>();
  if (out)
    *out = std::move(p);
  return "";
}

} // namespace

namespace detail {
std::string readChipPlacement(const json &doc, ChipPlacement *out) {
  try {
    return readPlacement(doc, out);
  } catch (const std::exception &e) {
    return std::string("internal validation error: ") + e.what();
  }
}
} // namespace detail

Result<ChipPlacement> loadChipPlacement(const std::string &path) {
  auto doc = loadDocument(path, DocumentKind::ChipPlacement);
  if (!doc)
    return doc.status();
  ChipPlacement placement;
  if (std::string err = detail::readChipPlacement(*doc, &placement);
      !err.empty())
    return Status::error(path + ": " + err);
  return placement;
}

Status checkPlacementFits(const ChipPlacement &p, const MappingInput &input,
                          const std::string &chipName, int64_t neuronCores,
                          int64_t chips) {
  if (p.chip != chipName)
    return Status::error("it was made for chip '" + p.chip + "', not '" +
                         chipName + "'");
  if (p.graph.timesteps != input.timesteps)
    return Status::error(
        "it was made for T = " + std::to_string(p.graph.timesteps) +
        ", the graph has T = " + std::to_string(input.timesteps));
  if (p.graph.sites.size() != input.sites.size() ||
      p.graph.synapses.size() != input.synapses.size() ||
      p.glueUnits != int64_t(input.glue.size()))
    return Status::error(
        "it was made for a graph of " + std::to_string(p.graph.sites.size()) +
        " sites, " + std::to_string(p.graph.synapses.size()) +
        " synapse groups and " + std::to_string(p.glueUnits) +
        " glue units; this one has " + std::to_string(input.sites.size()) +
        ", " + std::to_string(input.synapses.size()) + " and " +
        std::to_string(input.glue.size()));
  for (size_t s = 0; s < input.sites.size(); ++s)
    if (p.graph.sites[s].name != input.sites[s].name ||
        p.graph.sites[s].neurons != input.sites[s].neurons)
      return Status::error("site " + std::to_string(s) + " is '" +
                           p.graph.sites[s].name + "' of " +
                           std::to_string(p.graph.sites[s].neurons) +
                           " neurons there, '" + input.sites[s].name + "' of " +
                           std::to_string(input.sites[s].neurons) + " here");
  for (size_t g = 0; g < input.synapses.size(); ++g) {
    const MappedSynapses &a = p.graph.synapses[g], &b = input.synapses[g];
    if (a.name != b.name || a.site != b.site || a.outputs != b.outputs ||
        a.fanIn != b.fanIn)
      return Status::error("synapse group " + std::to_string(g) + " is '" +
                           a.name + "' there, '" + b.name +
                           "' here, or differs in shape");
  }
  auto onChip = [&](int core) {
    return (core >= 0 && core < neuronCores) || core == kHost ||
           (core <= programmableCoreOf(0) &&
            core >= programmableCoreOf(int(chips) - 1));
  };
  for (size_t i = 0; i < p.mapping.pieces.size(); ++i)
    if (!onChip(p.mapping.pieces[i].core))
      return Status::error("piece " + std::to_string(i) + " is on core " +
                           std::to_string(p.mapping.pieces[i].core) +
                           ", which " + chipName + " does not have (" +
                           std::to_string(neuronCores) + " neuron cores)");
  for (size_t i = 0; i < p.mapping.copyGroups.size(); ++i)
    if (p.mapping.copyGroups[i].core >= neuronCores)
      return Status::error("copy group " + std::to_string(i) + " is on core " +
                           std::to_string(p.mapping.copyGroups[i].core) +
                           ", which " + chipName + " does not have");
  return Status::ok();
}

} // namespace spike::core
