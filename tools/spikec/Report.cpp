//===- Report.cpp - report.json and report.md of a spikec job -------------===//

#include "Report.h"

#include "spike/core/Formats/Formats.h"
#include "spike/core/Support/FileIO.h"
#include "spike/core/Support/JsonReader.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace spikec {

namespace {

nlohmann::json readJson(const std::string &path) {
  auto doc = spike::core::readJsonFile(path);
  return doc ? doc.take() : nullptr;
}

struct Diagnostic {
  std::string severity, location, message;
};

/// "FILE:LINE:COL: SEVERITY: MESSAGE" lines of an MLIR diagnostic log.
std::vector<Diagnostic> readDiagnostics(const std::string &logPath) {
  std::vector<Diagnostic> out;
  std::ifstream in(logPath);
  std::string line;
  while (std::getline(in, line)) {
    for (const std::string severity : {"error", "warning", "remark"}) {
      size_t at = line.find(": " + severity + ": ");
      if (at == std::string::npos)
        continue;
      out.push_back({severity, line.substr(0, at),
                     line.substr(at + severity.size() + 4)});
      break;
    }
  }
  return out;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// The site class of a site name: "blk3.mlp.down_in" -> "mlp.down_in".
std::string siteClass(const std::string &site) {
  if (site.rfind("blk", 0) == 0) {
    size_t dot = site.find('.');
    if (dot != std::string::npos)
      return site.substr(dot + 1);
  }
  return site;
}

} // namespace

void printDiagnostics(const std::string &logPath) {
  for (const Diagnostic &d : readDiagnostics(logPath))
    if (d.severity == "error")
      std::fprintf(stderr, "%s: error: %s\n", d.location.c_str(),
                   d.message.c_str());
}

namespace {

/// The quality rows of the report: key, label, plan.
struct Level {
  const char *key, *label, *plan;
};
constexpr Level kLevels[] = {
    {"fp", "FP", "fp"},
    {"qann", "QANN", "qann"},
    {"snn_uncalibrated", "SNN, uncalibrated", "is"},
    {"snn_calibrated", "SNN, calibrated", "is-calibrated"}};

/// Spike statistics summed over a site class.
struct SiteClass {
  double spikes = 0, slots = 0, synapticOps = 0, denseMacs = 0;
};

/// report.json and report.md of a job, section by section.
class ReportWriter {
public:
  explicit ReportWriter(const JobFacts &f) : f(f), o(f.options) {}

  /// The job: model, chip, T, bits, options, calibration data.
  void describeJob();
  /// Perplexity and agreement at every level.
  void addQuality();
  /// Spike statistics of the calibrated SNN, per site class.
  void addSpikes();
  /// Legality, mapping, NIR, chip program and the artifacts.
  void addChip();
  /// report.md from the sections above.
  void renderMarkdown();
  /// Writes both files (or neither) and prints the quality table.
  bool write();

private:
  const JobFacts &f;
  const CompileOptions &o;
  // Insertion order: the report reads top to bottom like report.md.
  nlohmann::ordered_json r = {{"format", "spikec.report"}, {"version", 1}};
  std::ostringstream md;
  std::string calibData;
  nlohmann::ordered_json quality = nlohmann::ordered_json::object();
  double qannPpl = 0;
  nlohmann::json spikes, nirManifest, program;
  std::map<std::string, SiteClass> classes;
  std::vector<Diagnostic> diags;
  std::map<std::string, int> counts;

  std::string at(const std::string &rel) const { return o.out + "/" + rel; }
  void markdownQuality();
  void markdownSpikes();
  void markdownChip();
};

void ReportWriter::describeJob() {
  r["model"] = o.model;
  r["chip"] = {{"name", f.chipName},
               {"file", o.chip},
               {"spikes", f.binary ? "binary" : "graded"}};
  r["timesteps"] = o.timesteps;
  r["bits"] = {{"weights", o.bits}, {"activations", o.bits}};
  r["correction_spikes"] = f.correctionSpikes;
  r["coding"] = f.coding;
  if (f.coding == "signed")
    r["signed_cap"] = f.options.signedCap;
  r["prefix_tokens"] = f.prefix;
  r["rotation"] = o.rotate;
  r["seed"] = o.seed;
  r["threads"] = o.threads;
  calibData =
      f.dataFree
          ? "data-free: no calibration text was given, so statistics and "
            "calibration read " +
                std::to_string(o.dataFreeSamples) + " sequences of " +
                std::to_string(o.dataFreeSeqLen) +
                " tokens that the FP model sampled itself "
                "(data/calib.data-free.txt, seed " +
                std::to_string(o.seed) + ")"
          : "text: " + o.calibText;
  r["calibration"] = {{"data", calibData},
                      {"preset", o.preset},
                      {"teacher", "fp"},
                      {"file", "calib/calibration.json"},
                      {"per_block_error", "calib/calibration.layers.csv"},
                      {"plot", "calib/calibration.layers.png"}};
}

void ReportWriter::addQuality() {
  // Quality at every level.
  for (const Level &l : kLevels) {
    nlohmann::ordered_json row = nlohmann::ordered_json::object();
    nlohmann::json ppl =
        readJson(at(std::string("eval/perplexity-") + l.plan + ".json"));
    if (ppl.is_object()) {
      row["perplexity"] = ppl["perplexity"];
      if (std::string(l.key) == "qann")
        qannPpl = ppl["perplexity"].get<double>();
    }
    nlohmann::json agree =
        readJson(at(std::string("eval/agreement-") + l.plan + ".json"));
    if (agree.is_object()) {
      row["top1_match_vs_fp"] = agree["top1_match"];
      row["kl_vs_fp_nats"] = agree["kl_nats"];
    }
    quality[l.key] = row;
  }
  if (qannPpl > 0)
    for (const char *k : {"snn_uncalibrated", "snn_calibrated"})
      if (quality[k].contains("perplexity"))
        quality[k]["perplexity_over_qann"] =
            quality[k]["perplexity"].get<double>() / qannPpl;
  r["quality"] = quality;
  if (!o.evalText.empty())
    r["perplexity_text"] = {{"file", o.evalText},
                            {"tokens", o.evalTokens},
                            {"seq_len", o.evalSeqLen}};
  r["agreement_tokens"] =
      std::to_string(o.agreeSamples) + " held-out sequences of " +
      std::to_string(o.agreeSeqLen) +
      " tokens the FP model sampled (data/heldout.data-free.txt)";
}

void ReportWriter::addSpikes() {
  // Spike statistics of the calibrated SNN, per site class.
  spikes = readJson(at("eval/spikes.json"));
  if (spikes.is_object()) {
    r["spikes"] = {
        {"text", spikes["text"]},
        {"spikes_per_neuron_per_step", spikes["spikes_per_neuron_per_step"]},
        {"synaptic_ops", spikes["synaptic_ops"]},
        {"dense_macs", spikes["dense_macs"]},
        {"sops_per_mac", spikes["sops_per_mac"]},
        {"sites", spikes["sites"]}};
    for (auto &[site, s] : spikes["sites"].items()) {
      SiteClass &c = classes[siteClass(site)];
      c.spikes += s["spikes"].get<double>();
      c.slots += s["slots"].get<double>();
      c.synapticOps += s["synaptic_ops"].get<double>();
      c.denseMacs += s["dense_macs"].get<double>();
    }
  }
}

void ReportWriter::addChip() {
  // Chip legality, from the final check's diagnostics.
  for (const nlohmann::json &stage : f.stages)
    if (stage["name"] == "chip legality (final)")
      diags = readDiagnostics(stage["log"].get<std::string>());
  nlohmann::ordered_json diagJson = nlohmann::ordered_json::array();
  for (const Diagnostic &d : diags) {
    diagJson.push_back({{"severity", d.severity},
                        {"location", d.location},
                        {"message", d.message}});
    ++counts[d.severity];
  }
  r["chip_legality"] = {{"legal", counts["error"] == 0},
                        {"errors", counts["error"]},
                        {"remarks", counts["remark"]},
                        {"graph", "ir/" + f.finalGraph + ".mlir"},
                        {"diagnostics", diagJson}};
  nlohmann::json mapping = readJson(at("chip/mapping.json"));
  if (mapping.is_object())
    r["mapping"] = {{"file", "chip/mapping.json"},
                    {"resources", mapping["resources"]},
                    {"per_token", mapping["per_token"]},
                    {"energy_pj_per_token", mapping["energy_pj_per_token"]},
                    {"run_modes", mapping["run_modes"]},
                    {"references", mapping["references"]},
                    {"sop_convention", mapping["sop_convention"]}};
  r["artifacts"] = {{"ir",
                     {"ir/fp.mlir", "ir/observed.mlir", "ir/qann.mlir",
                      "ir/is.mlir", "ir/is-calibrated.mlir"}},
                    {"plan", "plans/" + f.finalGraph + ".plan.json"},
                    {"calibrated_parameters", "calib/calibration.json"},
                    {"layer_error_plot", "calib/calibration.layers.png"},
                    {"firing_rates", "chip/firing-rates.json"},
                    {"mapping", "chip/mapping.json"},
                    {"energy_plot", "chip/energy.png"},
                    {"mesh_plot", "chip/mesh.png"},
                    {"nir_manifest", "nir/manifest.json"},
                    {"chip_program", "chip/program.json"},
                    {"mapped_ir", "ir/mapped.mlir"}};
  if (f.binary)
    r["artifacts"]["ir"].push_back("ir/if.mlir");
  // Read strictly: a manifest that does not validate is not reported on.
  auto nir = spike::core::loadDocument(at("nir/manifest.json"),
                                       spike::core::DocumentKind::NirManifest);
  if (!nir)
    std::fprintf(stderr, "spikec: warning: %s (left out of the report)\n",
                 nir.message().c_str());
  nirManifest = nir ? nir.take() : nlohmann::json();
  if (nirManifest.is_object())
    r["nir"] = {{"manifest", "nir/manifest.json"},
                {"graphs", nirManifest["graphs"].size()},
                {"outside_nir", nirManifest["between_graphs"]["ops"]}};
  program = readJson(at("chip/program.json"));
  if (program.is_object())
    r["chip_program"] = {{"manifest", "chip/program.json"},
                         {"tensors", "chip/program.safetensors"},
                         {"cores", program["cores"].size()},
                         {"host", program["host"]}};

  r["stages"] = f.stages;
}

void ReportWriter::renderMarkdown() {
  // report.md
  md << "# spikec report\n\n";
  md << "- model: `" << o.model << "`\n";
  md << "- chip: " << f.chipName << " (`" << o.chip << "`, "
     << (f.binary ? "binary" : "graded") << " spikes)\n";
  md << "- T = " << o.timesteps << ", W" << o.bits << "A" << o.bits << ", "
     << (f.coding == "signed" ? "signed code (" + o.signedCap + " cap)"
                              : std::string("offset code"))
     << ", correction spikes " << (f.correctionSpikes ? "on" : "off")
     << ", prefix tokens: " << (f.prefix.empty() ? "none" : f.prefix)
     << ", rotation " << o.rotate << "\n";
  md << "- calibration: " << calibData << "; preset " << o.preset
     << ", FP teacher\n";
  md << "- seed " << o.seed << ", " << o.threads << " threads\n\n";
  markdownQuality();
  markdownSpikes();
  markdownChip();
  md << "\n## Artifacts\n\n";
  md << "- IR at every level: `ir/`\n- plans: `plans/` (final: `plans/"
     << f.finalGraph << ".plan.json`)\n- calibrated parameters: "
     << "`calib/calibration.json`; per-block error: "
     << "`calib/calibration.layers.csv`, `calib/calibration.layers.png`\n"
     << "- firing rates for the chip mapper: `chip/firing-rates.json`; "
     << "mapping and energy: `chip/mapping.json`\n"
     << "- NIR: `nir/manifest.json`, `nir/model.<k>.nir`\n"
     << "- every stage's command and output: `logs/`\n";
  md << "\n## Stages\n\n| stage | wall s | |\n|---|---|---|\n";
  double total = 0;
  for (const nlohmann::json &stage : f.stages) {
    total += stage["seconds"].get<double>();
    md << "| " << stage["name"].get<std::string>() << " | "
       << fixed(stage["seconds"], 1) << " | "
       << (stage["reused"].get<bool>() ? "from an earlier run" : "") << " |\n";
  }
  md << "| total | " << fixed(total, 1) << " | |\n";
}

void ReportWriter::markdownQuality() {
  md << "## Quality\n\n";
  md << "| level | perplexity | / QANN | top-1 vs FP | KL vs FP (nats) |\n";
  md << "|---|---|---|---|---|\n";
  for (const Level &l : kLevels) {
    const nlohmann::ordered_json &q = quality[l.key];
    md << "| " << l.label << " | "
       << (q.contains("perplexity") ? fixed(q["perplexity"], 2) : "-") << " | "
       << (q.contains("perplexity_over_qann")
               ? fixed(q["perplexity_over_qann"], 3)
               : (std::string(l.key) == "qann" && qannPpl > 0 ? "1.000" : "-"))
       << " | "
       << (q.contains("top1_match_vs_fp")
               ? fixed(100 * q["top1_match_vs_fp"].get<double>(), 1) + "%"
               : "-")
       << " | "
       << (q.contains("kl_vs_fp_nats") ? fixed(q["kl_vs_fp_nats"], 4) : "-")
       << " |\n";
  }
  md << "\n";
  if (o.evalText.empty())
    md << "No evaluation text was given, so there is no perplexity; pass "
          "`--eval-text`. ";
  else
    md << "Perplexity: `" << o.evalText << "`, first " << o.evalTokens
       << " tokens in " << o.evalSeqLen << "-token chunks. ";
  md << "Agreement: " << r["agreement_tokens"].get<std::string>() << ".\n";
  if (f.binary)
    md << "The chip runs the binary IF lowering (integrate-then-fire), "
          "which equals the IS model bit for bit; the SNN rows are the IS "
          "plans.\n";
}

void ReportWriter::markdownSpikes() {
  md << "\n## Spikes (calibrated SNN)\n\n";
  if (spikes.is_object()) {
    md << "Text: `" << spikes["text"].get<std::string>() << "`. Spikes per "
       << "neuron per step: " << fixed(spikes["spikes_per_neuron_per_step"], 3)
       << "; synaptic operations / dense MACs of the linear layers: "
       << fixed(spikes["sops_per_mac"], 3) << ".\n\n";
    md << "| site class | spikes/neuron/step | SOPs / MACs |\n|---|---|---|\n";
    for (auto &[cls, c] : classes)
      md << "| " << cls << " | "
         << (c.slots > 0 ? fixed(c.spikes / c.slots, 3) : "0") << " | "
         << (c.denseMacs > 0 ? fixed(c.synapticOps / c.denseMacs, 3) : "-")
         << " |\n";
  }
}

void ReportWriter::markdownChip() {
  md << "\n## Chip: " << f.chipName << "\n\n";
  md << "Legality of `ir/" << f.finalGraph
     << ".mlir`: " << (counts["error"] ? "**infeasible**" : "legal") << ", "
     << counts["error"] << " errors, " << counts["remark"]
     << " remarks (rewrites the back end must make: relay and copy "
        "splits, and where the non-neuron ops run).\n\n";
  std::map<std::string, int> kinds;
  for (const Diagnostic &d : diags) {
    // Group by message without its quoted names.
    std::string shape;
    bool inQuote = false;
    for (char c : d.message) {
      if (c == '"') {
        inQuote = !inQuote;
        shape += inQuote ? "\"…" : "\"";
      } else if (!inQuote) {
        shape += c;
      }
    }
    ++kinds[d.severity + ": " + shape];
  }
  for (auto &[k, n] : kinds)
    md << "- " << n << " x " << k << "\n";
  // The mapping pass renders its own readable report.
  if (auto mappingMd = spike::core::readFileText(at("chip/mapping.md")))
    md << "\n"
       << *mappingMd
       << "\n![Energy per token against the spike rate, each way to run "
          "beside the references](chip/energy.png)\n"
       << "\n![The core mesh coloured by synaptic energy, with the busiest "
          "routes](chip/mesh.png)\n";
  if (nirManifest.is_object())
    md << "\nNIR (`nir/manifest.json`): " << nirManifest["graphs"].size()
       << " NIR v1.0 graphs (`nir/model.<k>.nir`) of what NIR can express; "
          "the manifest lists the ops that run between them.\n";
  if (program.is_object())
    md << "\nChip program (`chip/program.json`, `chip/program.safetensors`): "
       << program["cores"].size()
       << " cores of neuron, synapse and routing tables in the chip's "
          "integer formats; `spike-chipsim` runs it.\n";
}

bool ReportWriter::write() {
  // The markdown first and the JSON last: both or neither.
  spike::core::OutputSet outputs;
  for (auto [name, text] : {std::pair{"report.md", md.str()},
                            std::pair{"report.json", r.dump(1) + "\n"}})
    if (auto st = outputs.write(at(name), text); !st) {
      std::fprintf(stderr, "spikec: error: %s\n", st.message().c_str());
      return false;
    }
  if (auto st = outputs.commit(); !st) {
    std::fprintf(stderr, "spikec: error: %s\n", st.message().c_str());
    return false;
  }
  // The summary on stdout: the quality table.
  std::string text = md.str();
  size_t q = text.find("## Quality");
  size_t end = text.find("\n## Spikes");
  std::printf("\n%s", text.substr(q, end - q).c_str());
  std::printf("Report: %s/report.md, %s/report.json\n", o.out.c_str(),
              o.out.c_str());
  return true;
}

} // namespace

bool writeReport(const JobFacts &f) {
  ReportWriter report(f);
  report.describeJob();
  report.addQuality();
  report.addSpikes();
  report.addChip();
  report.renderMarkdown();
  return report.write();
}

} // namespace spikec
