//===- Formats.cpp - Versioned file formats and their validators ----------===//

#include "spike/core/Formats/Formats.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/ModelIO/WeightCodes.h"
#include "spike/core/Neuron/Neuron.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include "JsonSchema.h"
#include "PlanShapes.h"
#include "spike/core/Formats/PlanTensors.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace spike::core {

namespace detail {
// Defined in the SchemaData.cpp that CMake generates from schemas/*.json.
extern const char *const kSchema_common;
extern const char *const kSchema_plan;
extern const char *const kSchema_activation_stats;
extern const char *const kSchema_calibration;
extern const char *const kSchema_firing_rates;
extern const char *const kSchema_chip_program;
extern const char *const kSchema_nir_manifest;
extern const char *const kSchema_chip_placement;
} // namespace detail

namespace {
using json = nlohmann::json;

struct KindRow {
  DocumentKind kind;
  const char *format;
  int64_t version; ///< the one this build writes (and the newest it reads)
  const char *const *schema;
  int64_t oldest = 0; ///< the oldest it reads; 0: only `version`
};
const KindRow kKinds[] = {
    // Plan version 2 added the spike code (`coding`, `unsigned`, an
    // if_neuron's `bits`), version 3 the shared weight file (`weights`),
    // version 4 weights stored as integer codes; versions 1 to 3 still read.
    {DocumentKind::Plan, "spikec.plan", 4, &detail::kSchema_plan, 1},
    {DocumentKind::ActivationStats, "spikec.activation-stats", 1,
     &detail::kSchema_activation_stats},
    {DocumentKind::Calibration, "spikec.calibration", 1,
     &detail::kSchema_calibration},
    {DocumentKind::FiringRates, "spikec.firing-rates", 1,
     &detail::kSchema_firing_rates},
    {DocumentKind::ChipProgram, "spikec.chip-program", 1,
     &detail::kSchema_chip_program},
    {DocumentKind::NirManifest, "spikec.nir-manifest", 2,
     &detail::kSchema_nir_manifest},
    {DocumentKind::ChipPlacement, "spikec.chip-placement", 1,
     &detail::kSchema_chip_placement},
};

const KindRow &row(DocumentKind kind) {
  for (const auto &r : kKinds)
    if (r.kind == kind)
      return r;
  return kKinds[0];
}

/// The schema of a kind with the common $defs merged in (parsed once).
const json &schemaFor(DocumentKind kind) {
  static const std::map<DocumentKind, json> schemas = [] {
    std::map<DocumentKind, json> out;
    json common = json::parse(detail::kSchema_common);
    for (const auto &r : kKinds) {
      json s = json::parse(*r.schema);
      for (auto it = common["$defs"].begin(); it != common["$defs"].end(); ++it)
        if (!s["$defs"].contains(it.key()))
          s["$defs"][it.key()] = it.value();
      out.emplace(r.kind, std::move(s));
    }
    return out;
  }();
  return schemas.at(kind);
}

std::string dirOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// Checks an attribute value against a kind from x-spikec-attr-kinds.
std::string checkAttrKind(const json &v, const std::string &kind) {
  auto isNum = [&] { return v.is_number(); };
  if (kind == "positive")
    return isNum() && v.get<double>() > 0 ? "" : "expected a number > 0";
  if (kind == "nonnegative")
    return isNum() && v.get<double>() >= 0 ? "" : "expected a number >= 0";
  if (kind == "count")
    return v.is_number_integer() && v.get<int64_t>() >= 1
               ? ""
               : "expected an integer >= 1";
  if (kind == "bits")
    return v.is_number_integer() && v.get<int64_t>() >= neuron::kMinBits &&
                   v.get<int64_t>() <= neuron::kMaxBits
               ? ""
               : "expected an integer in [2, 8]";
  if (kind == "bool")
    return v.is_boolean() ? "" : "expected true or false";
  if (kind == "string")
    return v.is_string() ? "" : "expected a string";
  if (kind == "array" || kind == "positive_array") {
    if (!v.is_array() || v.empty())
      return "expected a non-empty array of numbers";
    for (const auto &x : v) {
      if (!x.is_number())
        return "expected a non-empty array of numbers";
      if (kind == "positive_array" && !(x.get<double>() > 0))
        return "every element must be > 0";
    }
    return "";
  }
  if (kind == "accum_fn")
    return v == "silu" || v == "softmax" || v == "rmsnorm"
               ? ""
               : "expected one of silu, softmax, rmsnorm";
  if (kind == "schedule")
    return v == "integrate-then-fire" || v == "uniform"
               ? ""
               : "expected one of integrate-then-fire, uniform";
  if (kind == "coding") {
    neuron::SpikeCoding coding;
    return v.is_string() && neuron::parseCoding(v.get<std::string>(), coding)
               ? ""
               : "expected one of offset, signed";
  }
  if (kind == "rope_scaling")
    return v == "linear" || v == "llama3" || v == "factors"
               ? ""
               : "expected one of linear, llama3, factors";
  return "schema error: unknown attribute kind '" + kind + "'";
}

bool contains(const json &list, const std::string &s) {
  for (const auto &x : list)
    if (x == s)
      return true;
  return false;
}

/// Rules of the IS neuron that the schema cannot state (eqs 8-10, Thm 2),
/// on a plan op's attrs or a NIR manifest's neuron; errors start with the
/// pointer below that object.
std::string checkNeuronAttrs(const json &attrs, int64_t timesteps) {
  int bits = attrs.contains("bits") ? attrs["bits"].get<int>() : 0;
  neuron::SpikeCoding coding = neuron::SpikeCoding::Offset;
  if (attrs.contains("coding")) // its kind is checked before
    neuron::parseCoding(attrs["coding"].get<std::string>(), coding);
  if (auto err = neuron::checkISParams(
          attrs["levels"].get<int64_t>(), attrs["alpha"].get<double>(), bits,
          timesteps, coding, attrs.contains("budget"),
          attrs.value("bidirectional", false), attrs.value("unsigned", false)))
    return "/" + err.field + ": " + err.message;
  if (!attrs.contains("v0"))
    return ""; // if_collect: no membrane
  size_t groups = attrs["threshold"].size();
  size_t v0 = attrs["v0"].size();
  if (v0 != 1 && v0 != groups)
    return "/v0: needs 1 or " + std::to_string(groups) +
           " entries (one per threshold group), has " + std::to_string(v0);
  if (coding == neuron::SpikeCoding::Signed)
    for (size_t g = 0; g < groups; ++g)
      if (!neuron::signedV0Silent(attrs["v0"][v0 == 1 ? 0 : g].get<double>(),
                                  attrs["threshold"][g].get<double>()))
        return "/v0/" + std::to_string(v0 == 1 ? 0 : g) +
               ": the signed code needs v0 in [0, threshold), so that a zero "
               "input fires nothing";
  return "";
}

/// A plan op's params and attributes against its spec (the schema's
/// x-spikec-ops): required ones present, no unknown ones, attribute kinds;
/// records each param's tensor in `tensorUse`.
std::string checkOpFields(const json &op, const json &spec,
                          const std::string &name, const std::string &ptr,
                          std::map<std::string, std::string> &tensorUse) {
  json params = op.value("params", json::object());
  json required = spec.value("params", json::array());
  json optional = spec.value("optional_params", json::array());
  for (const auto &p : required)
    if (!params.contains(p.get<std::string>()))
      return ptr + "/params: '" + name + "' needs param " + p.dump();
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (!contains(required, it.key()) && !contains(optional, it.key()))
      return ptr + "/params/" + it.key() + ": unknown param of '" + name + "'";
    tensorUse.emplace(it.value().get<std::string>(),
                      ptr + "/params/" + it.key());
  }

  json attrs = op.value("attrs", json::object());
  json reqAttrs = spec.value("attrs", json::object());
  json optAttrs = spec.value("optional_attrs", json::object());
  for (auto it = reqAttrs.begin(); it != reqAttrs.end(); ++it)
    if (!attrs.contains(it.key()))
      return ptr + "/attrs: '" + name + "' needs attribute '" + it.key() + "'";
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    const json *kind = reqAttrs.contains(it.key())   ? &reqAttrs[it.key()]
                       : optAttrs.contains(it.key()) ? &optAttrs[it.key()]
                                                     : nullptr;
    if (!kind)
      return ptr + "/attrs/" + it.key() + ": unknown attribute of '" + name +
             "'";
    if (auto err = checkAttrKind(it.value(), kind->get<std::string>());
        !err.empty())
      return ptr + "/attrs/" + it.key() + ": " + err;
  }
  return "";
}

/// The rules of one plan op that involve several fields: neuron parameters,
/// RoPE scaling, a spiking linear's bias steps, IF levels against the
/// sub-steps, accum_map rmsnorm's weight and eps.
std::string checkOpRules(const json &op, const std::string &name,
                         const std::string &ptr, int64_t timesteps,
                         int64_t substeps) {
  json params = op.value("params", json::object());
  json attrs = op.value("attrs", json::object());
  if (name == "is_neuron" || name == "if_neuron" || name == "if_collect")
    if (auto err = checkNeuronAttrs(attrs, timesteps); !err.empty())
      return ptr + "/attrs" + err;
  // RoPE scaling and its parameters go together (qnn.rope's verifier).
  if (name == "rope") {
    std::string scaling = attrs.value("scaling", "");
    bool factor = attrs.contains("factor"),
         factors = attrs.contains("freq_factors"),
         llama3 = attrs.contains("low_freq_factor") ||
                  attrs.contains("high_freq_factor") ||
                  attrs.contains("original_max_position");
    bool llama3All = attrs.contains("low_freq_factor") &&
                     attrs.contains("high_freq_factor") &&
                     attrs.contains("original_max_position");
    bool ok = scaling.empty()       ? !factor && !factors && !llama3
              : scaling == "linear" ? factor && !factors && !llama3
              : scaling == "llama3" ? factor && llama3All && !factors
                                    : factors && !factor && !llama3;
    if (!ok)
      return ptr + "/attrs: RoPE scaling '" + scaling +
             "' takes: linear factor; llama3 factor, low_freq_factor, "
             "high_freq_factor, original_max_position; factors "
             "freq_factors; none without scaling";
  }
  // A spiking linear spreads its bias over the plan's T steps.
  if (name == "linear" && attrs.contains("bias_steps")) {
    if (!params.contains("bias"))
      return ptr + "/attrs/bias_steps: given without a bias";
    if (attrs["bias_steps"].get<int64_t>() != timesteps)
      return ptr + "/attrs/bias_steps: " + attrs["bias_steps"].dump() +
             " differs from the plan's timesteps (" +
             std::to_string(timesteps) + ")";
  }
  if (name == "if_neuron" && attrs.value("coding", "") == "signed" &&
      attrs["schedule"] != "integrate-then-fire")
    return ptr + "/attrs/schedule: the signed code needs integrate-then-fire";
  if (name == "if_neuron" && attrs["levels"].get<int64_t>() > substeps)
    return ptr + "/attrs/levels: exceeds the plan's substeps (" +
           std::to_string(substeps) + ")";
  if (name == "accum_map" && attrs["fn"] == "rmsnorm" &&
      (!params.contains("weight") || !attrs.contains("eps")))
    return ptr + ": accum_map rmsnorm needs param 'weight' and attr 'eps'";
  return "";
}

/// The tensors that may be stored as integer codes, with their bit width:
/// those that only quantized linears with explicit row scales read as
/// their weight, all at one width and with the same scales (0: not
/// allowed).
std::map<std::string, int> codeTensors(const json &plan) {
  std::map<std::string, std::pair<int, std::string>> use; // bits, scales
  for (const json &op : plan["ops"]) {
    json params = op.value("params", json::object());
    json attrs = op.value("attrs", json::object());
    bool quantized = op["op"] == "linear" && attrs.contains("weight_bits") &&
                     params.contains("weight_scale");
    for (auto it = params.begin(); it != params.end(); ++it) {
      std::pair<int, std::string> u{0, ""};
      if (quantized && it.key() == "weight")
        u = {attrs["weight_bits"].get<int>(), params["weight_scale"]};
      auto [at, first] = use.emplace(it.value().get<std::string>(), u);
      if (!first && at->second != u)
        at->second.first = 0;
    }
  }
  std::map<std::string, int> bits;
  for (const auto &[tensor, u] : use)
    bits[tensor] = u.first;
  return bits;
}

/// Every tensor a plan names exists in one of its tensor files (its own,
/// then the shared weight file), is floating point or, from version 4, a
/// quantized linear's stored codes, and has the shape its op needs.
std::string
checkPlanTensors(const json &plan, const std::string &path,
                 const std::map<std::string, std::string> &tensorUse) {
  auto files = PlanTensors::open(plan, path);
  if (!files)
    return files.message();
  std::map<std::string, int> codes = codeTensors(plan);
  for (const auto &[tensor, where] : tensorUse) {
    const SafetensorsFile *file = files->fileOf(tensor);
    if (!file) {
      const auto &f = files->files();
      return where + ": tensor '" + tensor + "' is " +
             (f.size() == 1
                  ? "missing from " + f[0].path()
                  : "in neither " + f[0].path() + " nor " + f[1].path());
    }
    DType dtype = file->find(tensor)->dtype;
    if (isCodeDType(dtype)) {
      std::string at = where + ": tensor '" + tensor + "' in " + file->path();
      if (plan["version"] < 4)
        return at + " holds integer codes, which need plan version 4";
      int bits = codes[tensor];
      if (bits == 0)
        return at + " holds integer codes, but only the weight of quantized "
                    "linears with weight_scale may (all with the same "
                    "width and scales)";
      if (dtype != codeDType(bits))
        return at + " is " + dtypeName(dtype) + "; " + std::to_string(bits) +
               "-bit codes are stored as " + dtypeName(codeDType(bits));
      continue;
    }
    if (dtype != DType::F32 && dtype != DType::F16 && dtype != DType::BF16 &&
        dtype != DType::F64)
      return where + ": tensor '" + tensor + "' in " + file->path() +
             " is not floating point";
  }
  if (std::string err = detail::checkPlanShapes(plan, *files); !err.empty())
    return err;
  return "";
}

std::string checkPlan(const json &plan, const std::string &path,
                      const ValidateOptions &options) {
  const json &ops = schemaFor(DocumentKind::Plan)["x-spikec-ops"];
  std::string level = plan["level"];
  int64_t timesteps = plan["time"]["timesteps"];
  int64_t substeps = plan["time"]["substeps"];
  if ((level == "fp" || level == "qann") && timesteps != 1)
    return "/time/timesteps: must be 1 at level " + level;
  if (level != "if" && substeps != 1)
    return "/time/substeps: must be 1 below the IF level";
  bool version1 = plan["version"] == 1;
  if (plan.contains("weights") && plan["version"] < 3)
    return "/weights: a shared weight file needs plan version 3";

  std::set<std::string> defined;
  for (const auto &in : plan["inputs"])
    if (!defined.insert(in.get<std::string>()).second)
      return "/inputs: duplicate value " + in.dump();

  std::set<std::string> sites;
  std::map<std::string, std::string> tensorUse;   // tensor -> op pointer
  std::map<std::string, const json *> producerOf; // value -> its op
  for (size_t i = 0; i < plan["ops"].size(); ++i) {
    const json &op = plan["ops"][i];
    std::string ptr = "/ops/" + std::to_string(i);
    std::string name = op["op"];
    auto specIt = ops.find(name);
    if (specIt == ops.end())
      return ptr + "/op: unknown op '" + name + "'";
    const json &spec = *specIt;
    if (!contains(spec["levels"], level))
      return ptr + "/op: '" + name + "' is not allowed at level " + level;
    if (op["inputs"].size() != spec["inputs"].get<size_t>())
      return ptr + "/inputs: '" + name + "' takes " + spec["inputs"].dump() +
             " input(s), has " + std::to_string(op["inputs"].size());
    for (size_t k = 0; k < op["inputs"].size(); ++k) {
      if (!defined.count(op["inputs"][k]))
        return ptr + "/inputs/" + std::to_string(k) + ": value " +
               op["inputs"][k].dump() + " is used before it is defined";
      // IF spikes ([T x L] binary sub-steps) are read by the if_collect of
      // the same neurons only.
      auto producer = producerOf.find(op["inputs"][k].get<std::string>());
      bool spikes = producer != producerOf.end() &&
                    (*producer->second)["op"] == "if_neuron";
      if (spikes != (name == "if_collect"))
        return ptr + "/inputs/" + std::to_string(k) + ": " +
               (spikes ? "IF spikes are read only by if_collect"
                       : "if_collect reads the spikes of an if_neuron");
      if (spikes) {
        const json &from = (*producer->second)["attrs"];
        const json &to = op.value("attrs", json::object());
        for (const char *key : {"levels", "alpha", "threshold"})
          if (!to.contains(key) || from[key] != to[key])
            return ptr + "/attrs/" + key + ": differs from the if_neuron " +
                   "whose spikes it collects";
      }
    }
    for (const auto &out : op["outputs"]) {
      if (!defined.insert(out.get<std::string>()).second)
        return ptr + "/outputs: value " + out.dump() + " is defined twice";
      producerOf[out.get<std::string>()] = &op;
    }

    if (auto err = checkOpFields(op, spec, name, ptr, tensorUse); !err.empty())
      return err;
    // What version 2 added: the spike code, and an if_neuron's grid.
    if (version1 && op.contains("attrs"))
      for (std::string key : {"coding", "unsigned", "bits"})
        if (op["attrs"].contains(key) && (key != "bits" || name == "if_neuron"))
          return ptr + "/attrs/" + key +
                 ": the spike code needs plan version 2";
    if (auto err = checkOpRules(op, name, ptr, timesteps, substeps);
        !err.empty())
      return err;
    bool needsSite = spec.value("site", false);
    if (needsSite && !op.contains("site"))
      return ptr + ": '" + name + "' needs a site name";
    if (!needsSite && op.contains("site"))
      return ptr + "/site: '" + name + "' carries no site";
    if (needsSite && !sites.insert(op["site"].get<std::string>()).second)
      return ptr + "/site: duplicate site " + op["site"].dump();
  }
  for (size_t k = 0; k < plan["outputs"].size(); ++k)
    if (!defined.count(plan["outputs"][k]))
      return "/outputs/" + std::to_string(k) + ": value " +
             plan["outputs"][k].dump() + " is never defined";

  if (options.checkTensors)
    return checkPlanTensors(plan, path, tensorUse);
  return "";
}

std::string checkCalibration(const json &doc) {
  for (auto it = doc["sites"].begin(); it != doc["sites"].end(); ++it) {
    size_t groups = it.value()["threshold"].size();
    size_t v0 = it.value()["v0"].size();
    if (v0 != 1 && v0 != groups)
      return "/sites/" + it.key() + "/v0: needs 1 or " +
             std::to_string(groups) + " entries, has " + std::to_string(v0);
  }
  return "";
}

std::string checkFiringRates(const json &doc) {
  double steps = doc["timesteps"].get<double>() *
                 doc["substeps"].get<double>() * doc["tokens"].get<double>();
  for (auto it = doc["sites"].begin(); it != doc["sites"].end(); ++it) {
    const json &s = it.value();
    double expect =
        s["spikes"].get<double>() / (s["neurons"].get<double>() * steps);
    double rate = s["rate"].get<double>();
    if (std::fabs(rate - expect) > 1e-6 * std::max(1.0, expect))
      return "/sites/" + it.key() + "/rate: " + std::to_string(rate) +
             " disagrees with spikes / (neurons * tokens * timesteps * "
             "substeps) = " +
             std::to_string(expect);
    if (s.contains("per_neuron") &&
        s["per_neuron"].size() != s["neurons"].get<size_t>())
      return "/sites/" + it.key() + "/per_neuron: needs " +
             s["neurons"].dump() + " entries";
  }
  return "";
}

std::string checkStats(const json &doc) {
  for (auto it = doc["sites"].begin(); it != doc["sites"].end(); ++it) {
    const json &s = it.value();
    double absmax = s["absmax"].get<double>() * (1 + 1e-6);
    if (s["ema_absmax"].get<double>() > absmax)
      return "/sites/" + it.key() + "/ema_absmax: exceeds absmax";
    if (s.contains("channel_absmax"))
      for (const auto &c : s["channel_absmax"])
        if (c.get<double>() > absmax)
          return "/sites/" + it.key() +
                 "/channel_absmax: a channel exceeds absmax";
  }
  return "";
}

/// The NIR manifest's rules beyond its schema: graph files unique, present
/// beside the manifest and HDF5 (when files are checked); an IF graph has
/// its neuron and a linear graph none; sites and output nodes unique; the
/// neuron's rules as for a plan's if_neuron, its groups dividing its
/// channels.
std::string checkNirManifest(const json &doc, const std::string &path,
                             const ValidateOptions &options) {
  std::set<std::string> files, sites;
  const json &graphs = doc["graphs"];
  for (size_t g = 0; g < graphs.size(); ++g) {
    const json &graph = graphs[g];
    std::string ptr = "/graphs/" + std::to_string(g);
    std::string file = graph["file"];
    if (!files.insert(file).second)
      return ptr + "/file: '" + file + "' is listed twice";
    if (options.checkTensors) {
      std::string at = dirOf(path) + "/" + file;
      // The HDF5 signature at offset 0 (HDF5 File Format Specification,
      // superblock); spikec writes no user block.
      static const char kHdf5Magic[8] = {'\x89', 'H',  'D',    'F',
                                         '\r',   '\n', '\x1a', '\n'};
      std::ifstream in(at, std::ios::binary);
      char head[8] = {};
      if (!in)
        return ptr + "/file: " + at + ": cannot open";
      if (!in.read(head, 8) || !std::equal(head, head + 8, kHdf5Magic))
        return ptr + "/file: " + at + " is not an HDF5 file";
    }
    if (graph.contains("if_site") != graph.contains("neuron"))
      return ptr + ": an IF graph has both 'if_site' and 'neuron', a linear "
                   "graph neither";
    if (graph.contains("if_site") &&
        !sites.insert(graph["if_site"].get<std::string>()).second)
      return ptr + "/if_site: '" + graph["if_site"].get<std::string>() +
             "' has two graphs";
    std::set<std::string> nodes;
    for (size_t o = 0; o < graph["outputs"].size(); ++o) {
      const json &out = graph["outputs"][o];
      std::string optr = ptr + "/outputs/" + std::to_string(o);
      if (!nodes.insert(out["node"].get<std::string>()).second)
        return optr + "/node: '" + out["node"].get<std::string>() +
               "' is named twice";
      if (out.contains("linear") == out.contains("spikes_of"))
        return optr + ": an output is either a linear's or the spikes of a "
                      "site";
    }
    if (!graph.contains("neuron"))
      continue;
    const json &n = graph["neuron"];
    if (auto err = checkNeuronAttrs(n, n["timesteps"].get<int64_t>());
        !err.empty())
      return ptr + "/neuron" + err;
    int64_t channels = n["channels"], groups = n["threshold"].size();
    if (channels % groups != 0)
      return ptr + "/neuron/threshold: " + std::to_string(groups) +
             " groups do not divide " + std::to_string(channels) + " channels";
  }
  return "";
}
} // namespace

const char *formatName(DocumentKind kind) { return row(kind).format; }
const char *schemaText(DocumentKind kind) { return *row(kind).schema; }

bool isValidSiteName(const std::string &name) {
  static const std::regex re("^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$");
  return std::regex_match(name, re);
}

namespace detail {
Result<DocumentKind> checkDocument(const json &doc, const std::string &path,
                                   const ValidateOptions &options) {
  if (!doc.is_object() || !doc.contains("format") ||
      !doc["format"].is_string()) {
    std::string known;
    for (const auto &r : kKinds)
      known += std::string(known.empty() ? "" : ", ") + r.format;
    return Status::error("/format: missing; expected one of " + known);
  }
  const KindRow *kind = nullptr;
  for (const auto &r : kKinds)
    if (doc["format"] == r.format)
      kind = &r;
  if (!kind)
    return Status::error("/format: unknown format " + doc["format"].dump());
  int64_t oldest = kind->oldest ? kind->oldest : kind->version;
  if (doc.contains("version") && doc["version"].is_number_integer() &&
      (doc["version"].get<int64_t>() < oldest ||
       doc["version"].get<int64_t>() > kind->version))
    return Status::error("/version: " + doc["version"].dump() +
                         " is not supported by this build (supported: " +
                         (oldest == kind->version
                              ? std::to_string(kind->version)
                              : std::to_string(oldest) + " to " +
                                    std::to_string(kind->version)) +
                         ")");
  try {
    std::string err = detail::validateAgainstSchema(doc, schemaFor(kind->kind));
    if (err.empty()) {
      switch (kind->kind) {
      case DocumentKind::Plan:
        err = checkPlan(doc, path, options);
        break;
      case DocumentKind::ActivationStats:
        err = checkStats(doc);
        break;
      case DocumentKind::Calibration:
        err = checkCalibration(doc);
        break;
      case DocumentKind::FiringRates:
        err = checkFiringRates(doc);
        break;
      case DocumentKind::ChipPlacement: // rules: Chip/ChipPlacement.cpp
      case DocumentKind::ChipProgram:
        break; // its rules need the tables: Chip/ChipProgram.cpp
      case DocumentKind::NirManifest:
        err = checkNirManifest(doc, path, options);
        break;
      }
    }
    if (!err.empty())
      return Status::error(err);
  } catch (const std::exception &e) {
    return Status::error(std::string("internal validation error: ") + e.what());
  }
  return kind->kind;
}
} // namespace detail

Result<json> loadDocument(const std::string &path, DocumentKind kind,
                          const ValidateOptions &options) {
  auto doc = readJsonFile(path);
  if (!doc)
    return doc.status();
  auto got = detail::checkDocument(*doc, path, options);
  if (!got)
    return Status::error(path + ": " + got.message());
  if (*got != kind)
    return Status::error(path + ": is a " + std::string(formatName(*got)) +
                         " file, not " + formatName(kind));
  return doc;
}

} // namespace spike::core
