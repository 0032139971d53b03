//===- ChipDescription.cpp - Declarative neuromorphic targets -------------===//

#include "spike/core/Chip/ChipDescription.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <set>

namespace spike::core {

const char *signCarriageName(SignCarriage s) {
  switch (s) {
  case SignCarriage::Payload:
    return "payload";
  case SignCarriage::NegatedRow:
    return "negated_row";
  case SignCarriage::None:
    break;
  }
  return "none";
}

const char *opClassName(OpClass c) {
  switch (c) {
  case OpClass::Synaptic:
    return "synaptic";
  case OpClass::Neuron:
    return "neuron";
  case OpClass::Nonlinear:
    return "nonlinear";
  case OpClass::AccumDiff:
    return "accum_diff";
  case OpClass::AAProduct:
    return "aa_product";
  case OpClass::KVState:
    return "kv_state";
  }
  return "";
}

const CoreType *ChipDescription::neuronCore() const {
  const CoreType *best = nullptr;
  for (const CoreType &c : coreTypes)
    if (c.runs(OpClass::Synaptic) &&
        (!best || c.maxFanInAxons > best->maxFanInAxons))
      best = &c;
  return best;
}

bool CoreType::runs(OpClass c) const {
  for (OpClass o : ops)
    if (o == c)
      return true;
  return false;
}

namespace {

/// Reads one mapping with position-tagged errors; every key must be read
/// (`finish` rejects the rest), so a typo is an error, not a silent default.
class Reader {
public:
  Reader(const std::string &file, const YAML::Node &node, std::string where)
      : file_(file), node_(node), where_(std::move(where)) {}

  std::string at(const YAML::Node &n) const {
    YAML::Mark m = n.Mark();
    return file_ + ":" + std::to_string(m.line + 1) + ":" +
           std::to_string(m.column + 1);
  }
  Status error(const YAML::Node &n, const std::string &what) const {
    return Status::error(at(n) + ": " + where_ + ": " + what);
  }

  Status checkMap() const {
    if (!node_.IsMap())
      return error(node_, "expected a mapping");
    return Status::ok();
  }

  /// The node of `key`, or an error if required and missing.
  Result<YAML::Node> get(const char *key, bool required) {
    seen_.insert(key);
    YAML::Node n = node_[key];
    if (!n && required)
      return error(node_, std::string("missing '") + key + "'");
    return n;
  }

  /// Reads `key` into `out` (left as is when optional and absent); `node`
  /// receives the key's node, null when absent.
  template <typename T>
  Status scalar(const char *key, T &out, bool required, const char *mustBe,
                YAML::Node &node) {
    auto n = get(key, required);
    if (!n)
      return n.status();
    node = *n;
    if (!node)
      return Status::ok();
    try {
      if (!node.IsScalar())
        throw YAML::Exception(node.Mark(), "not a scalar");
      out = node.as<T>();
    } catch (const std::exception &) {
      return error(node, std::string("'") + key + "' must be " + mustBe);
    }
    return Status::ok();
  }

  Status integer(const char *key, int64_t &out, int64_t lo, int64_t hi,
                 bool required = true) {
    YAML::Node n;
    if (Status st = scalar(key, out, required, "an integer", n); !st || !n)
      return st;
    if (out < lo || out > hi)
      return error(n, std::string("'") + key + "' = " + std::to_string(out) +
                          " is outside [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
    return Status::ok();
  }
  Status integer(const char *key, int &out, int lo, int hi,
                 bool required = true) {
    int64_t v = out;
    if (Status st = integer(key, v, lo, hi, required); !st)
      return st;
    out = int(v);
    return Status::ok();
  }
  Status number(const char *key, double &out, bool required = true) {
    YAML::Node n;
    if (Status st = scalar(key, out, required, "a number", n); !st || !n)
      return st;
    if (!std::isfinite(out) || out < 0)
      return error(n, std::string("'") + key + "' must be finite and >= 0");
    return Status::ok();
  }
  Status boolean(const char *key, bool &out, bool required = true) {
    YAML::Node n;
    return scalar(key, out, required, "true or false", n);
  }
  Status string(const char *key, std::string &out, bool required = true) {
    YAML::Node n;
    return scalar(key, out, required, "a string", n);
  }

  /// Errors on keys nobody read, and on a key given twice (YAML 1.2 forbids
  /// it; yaml-cpp keeps both and reads the first).
  Status finish() const {
    std::set<std::string> keys;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      if (!it->first.IsScalar())
        return error(it->first, "a key must be a scalar");
      std::string key = it->first.as<std::string>();
      if (!keys.insert(key).second)
        return error(it->first, "duplicate key '" + key + "'");
      if (!seen_.count(key))
        return error(it->first, "unknown key '" + key + "'");
    }
    return Status::ok();
  }

  const std::string &file() const { return file_; }
  const std::string &where() const { return where_; }

private:
  std::string file_;
  YAML::Node node_;
  std::string where_;
  std::set<std::string> seen_;
};

#define SPIKE_TRY(expr)                                                        \
  if (Status st_ = (expr); !st_)                                               \
    return st_;

constexpr int64_t kBig = int64_t(1) << 50;
/// Cores of a whole system: 2^24, above the largest machines built (about
/// 5 M cores), and within the 32-bit core ids of a chip program.
constexpr int64_t kMaxCores = int64_t(1) << 24;

Status readCoreType(const std::string &file, const YAML::Node &node,
                    const std::string &where, CoreType &c) {
  Reader r(file, node, where);
  SPIKE_TRY(r.checkMap());
  SPIKE_TRY(r.string("name", c.name));
  SPIKE_TRY(r.integer("count", c.count, 1, kBig));
  auto ops = r.get("ops", true);
  if (!ops)
    return ops.status();
  if (!ops->IsSequence() || ops->size() == 0)
    return r.error(*ops, "'ops' must be a non-empty list of op classes");
  static const std::map<std::string, OpClass> kOps = {
      {"synaptic", OpClass::Synaptic},    {"neuron", OpClass::Neuron},
      {"nonlinear", OpClass::Nonlinear},  {"accum_diff", OpClass::AccumDiff},
      {"aa_product", OpClass::AAProduct}, {"kv_state", OpClass::KVState}};
  for (const YAML::Node &o : *ops) {
    auto it = kOps.find(o.IsScalar() ? o.as<std::string>() : "");
    if (it == kOps.end())
      return r.error(o, "unknown op class (synaptic, neuron, nonlinear, "
                        "accum_diff, aa_product, kv_state)");
    c.ops.push_back(it->second);
  }

  SPIKE_TRY(r.number("op_energy_pj", c.opEnergyPj, false));

  auto cap = r.get("capacity", true);
  if (!cap)
    return cap.status();
  Reader rc(file, *cap, where + ".capacity");
  SPIKE_TRY(rc.checkMap());
  SPIKE_TRY(rc.integer("max_neurons", c.maxNeurons, 0, kBig));
  SPIKE_TRY(rc.integer("max_fan_in_axons", c.maxFanInAxons, 0, kBig));
  SPIKE_TRY(rc.integer("max_fan_out", c.maxFanOut, 0, kBig));
  SPIKE_TRY(rc.integer("synapse_memory_bits", c.synapseMemoryBits, 0, kBig));
  SPIKE_TRY(rc.integer("state_memory_bits", c.stateMemoryBits, 0, kBig));
  SPIKE_TRY(
      rc.integer("memory_rounding_bits", c.memoryRoundingBits, 1, 4096, false));
  SPIKE_TRY(rc.finish());

  auto num = r.get("numerics", true);
  if (!num)
    return num.status();
  Reader rn(file, *num, where + ".numerics");
  SPIKE_TRY(rn.checkMap());
  SPIKE_TRY(rn.integer("weight_bits", c.weightBits, 1, 64));
  SPIKE_TRY(
      rn.integer("weight_exponent_bits", c.weightExponentBits, 0, 16, false));
  SPIKE_TRY(rn.integer("state_bits", c.stateBits, 1, 64));
  SPIKE_TRY(rn.integer("threshold_bits", c.thresholdBits, 1, 64));
  SPIKE_TRY(rn.integer("spike_payload_bits", c.spikePayloadBits, 0, 64));
  SPIKE_TRY(rn.integer("max_spikes_per_step", c.maxSpikesPerStep, 1, kBig));
  std::string reset;
  SPIKE_TRY(rn.string("reset", reset));
  if (reset != "subtract" && reset != "zero")
    return rn.error(*rn.get("reset", true), "'reset' must be subtract or zero");
  c.subtractiveReset = reset == "subtract";
  std::string sign =
      c.spikePayloadBits > 0 ? "payload" : signCarriageName(SignCarriage::None);
  SPIKE_TRY(rn.string("sign", sign, false));
  if (sign == "payload" && c.spikePayloadBits > 0)
    c.sign = SignCarriage::Payload;
  else if (sign == "negated_row" && c.spikePayloadBits == 0)
    c.sign = SignCarriage::NegatedRow;
  else if (sign == "none")
    c.sign = SignCarriage::None;
  else
    return rn.error(*rn.get("sign", true),
                    c.spikePayloadBits > 0
                        ? "'sign' must be payload or none on graded spikes"
                        : "'sign' must be negated_row or none on binary "
                          "spikes (spike_payload_bits: 0)");
  SPIKE_TRY(rn.finish());
  // A neuron core needs slots, inputs and a destination; the mapper divides
  // by all three (found by the mutation campaign, issue #21).
  if (c.runs(OpClass::Synaptic) || c.runs(OpClass::Neuron))
    for (auto [key, value] : {std::pair{"max_neurons", c.maxNeurons},
                              {"max_fan_in_axons", c.maxFanInAxons},
                              {"max_fan_out", c.maxFanOut}})
      if (value == 0)
        return r.error(*cap, std::string("a core type that runs synaptic or "
                                         "neuron ops needs ") +
                                 key + " > 0");
  return r.finish();
}

} // namespace

Result<ChipDescription> loadChipDescription(const std::string &path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile &) {
    return Status::error(path + ": cannot open");
  } catch (const YAML::Exception &e) {
    return Status::error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  ChipDescription chip;
  chip.path = path;
  try {
    Reader r(path, root, "chip");
    SPIKE_TRY(r.checkMap());
    std::string format;
    SPIKE_TRY(r.string("format", format));
    if (format != "spikec.chip")
      return r.error(root["format"], "format must be spikec.chip");
    int64_t version = 0;
    SPIKE_TRY(r.integer("version", version, 1, 1));
    SPIKE_TRY(r.string("name", chip.name));
    SPIKE_TRY(r.string("description", chip.description, false));

    auto sources = r.get("sources", true);
    if (!sources)
      return sources.status();
    if (!sources->IsMap() || sources->size() == 0)
      return r.error(*sources, "'sources' must map citation ids to citations");
    std::set<std::string> ids;
    for (auto it = sources->begin(); it != sources->end(); ++it) {
      if (!it->first.IsScalar() || !it->second.IsScalar())
        return r.error(it->first, "a source is 'id: citation text'");
      std::string id = it->first.as<std::string>();
      if (!ids.insert(id).second)
        return r.error(it->first, "duplicate source id '" + id + "'");
      chip.sources.push_back(id + ": " + it->second.as<std::string>());
    }

    auto topo = r.get("topology", true);
    if (!topo)
      return topo.status();
    Reader rt(path, *topo, "topology");
    SPIKE_TRY(rt.checkMap());
    SPIKE_TRY(rt.integer("chips", chip.chips, 1, kBig));
    SPIKE_TRY(rt.integer("cores_per_chip", chip.coresPerChip, 1, kBig));
    auto mesh = rt.get("mesh", true);
    if (!mesh)
      return mesh.status();
    if (!mesh->IsSequence() || mesh->size() != 2)
      return rt.error(*mesh, "'mesh' must be [x, y]");
    chip.meshX = (*mesh)[0].as<int64_t>();
    chip.meshY = (*mesh)[1].as<int64_t>();
    if (chip.meshX < 1 || chip.meshY < 1)
      return rt.error(*mesh, "mesh dimensions must be >= 1");
    SPIKE_TRY(rt.number("hop_latency_ns", chip.hopLatencyNs));
    SPIKE_TRY(rt.number("hop_energy_pj", chip.hopEnergyPj));
    SPIKE_TRY(rt.finish());

    auto cores = r.get("core_types", true);
    if (!cores)
      return cores.status();
    if (!cores->IsSequence() || cores->size() == 0)
      return r.error(*cores, "'core_types' must be a non-empty list");
    std::set<std::string> names;
    for (size_t i = 0; i < cores->size(); ++i) {
      CoreType c;
      std::string where = "core_types[" + std::to_string(i) + "]";
      SPIKE_TRY(readCoreType(path, (*cores)[i], where, c));
      if (!names.insert(c.name).second)
        return r.error((*cores)[i],
                       "core type '" + c.name + "' is defined twice");
      chip.coreTypes.push_back(std::move(c));
    }
    int64_t meshCores = 0;
    for (const CoreType &c : chip.coreTypes)
      if (c.runs(OpClass::Synaptic) || c.runs(OpClass::Neuron))
        meshCores += c.count;
    if (meshCores != chip.coresPerChip)
      return rt.error(*topo, "cores_per_chip is " +
                                 std::to_string(chip.coresPerChip) +
                                 " but the neuron core types count " +
                                 std::to_string(meshCores));
    // Core ids are 32-bit in the mapping and the chip program's tables.
    if (chip.chips > kMaxCores / chip.coresPerChip)
      return rt.error(
          *topo, std::to_string(chip.chips) + " chips x " +
                     std::to_string(chip.coresPerChip) + " cores exceed the " +
                     std::to_string(kMaxCores) + " cores spikec maps onto");
    if (chip.meshX * chip.meshY < chip.coresPerChip)
      return rt.error(*mesh, "a " + std::to_string(chip.meshX) + " x " +
                                 std::to_string(chip.meshY) +
                                 " mesh cannot hold " +
                                 std::to_string(chip.coresPerChip) + " cores");

    auto routing = r.get("routing", true);
    if (!routing)
      return routing.status();
    Reader rr(path, *routing, "routing");
    SPIKE_TRY(rr.checkMap());
    SPIKE_TRY(rr.integer("table_entries", chip.routingTableEntries, 1, kBig));
    SPIKE_TRY(rr.boolean("multicast", chip.multicast));
    SPIKE_TRY(rr.finish());

    auto timing = r.get("timing", true);
    if (!timing)
      return timing.status();
    Reader rti(path, *timing, "timing");
    SPIKE_TRY(rti.checkMap());
    SPIKE_TRY(rti.number("timestep_ns", chip.timestepNs));
    SPIKE_TRY(rti.number("barrier_ns", chip.barrierNs));
    SPIKE_TRY(rti.finish());

    auto energy = r.get("energy", true);
    if (!energy)
      return energy.status();
    Reader re(path, *energy, "energy");
    SPIKE_TRY(re.checkMap());
    SPIKE_TRY(re.number("synop_binary_pj", chip.synopBinaryPj));
    SPIKE_TRY(re.number("synop_graded_pj", chip.synopGradedPj));
    SPIKE_TRY(re.number("neuron_update_pj", chip.neuronUpdatePj));
    SPIKE_TRY(re.number("spike_local_pj", chip.spikeLocalPj));
    SPIKE_TRY(re.number("hop_pj", chip.hopPj));
    SPIKE_TRY(re.number("static_mw", chip.staticMw));
    SPIKE_TRY(re.number("host_op_pj", chip.hostOpPj, false));
    SPIKE_TRY(re.number("dense_int8_mac_pj", chip.denseInt8MacPj, false));
    SPIKE_TRY(re.number("dense_sram_byte_pj", chip.denseSramBytePj, false));
    SPIKE_TRY(re.finish());
    SPIKE_TRY(r.finish());
  } catch (const YAML::Exception &e) {
    return Status::error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                         std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return chip;
}

} // namespace spike::core
