//===- ChipDescriptionTest.cpp - The shipped targets and bad input --------===//

#include "spike/core/Chip/ChipDescription.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace spike::core;

namespace {

std::string chip(const char *name) {
  return std::string(SPIKE_CHIPS_DIR) + "/" + name + ".yaml";
}

TEST(ChipDescription, ShippedTargetsLoad) {
  auto t = loadChipDescription(chip("truenorth-like"));
  ASSERT_TRUE(t) << t.message();
  EXPECT_EQ(t->coresPerChip, 4096);
  ASSERT_EQ(t->coreTypes.size(), 1u);
  EXPECT_EQ(t->coreTypes[0].maxFanInAxons, 256);
  EXPECT_EQ(t->coreTypes[0].maxFanOut, 1);
  EXPECT_EQ(t->coreTypes[0].spikePayloadBits, 0);
  EXPECT_FALSE(t->coreTypes[0].runs(OpClass::Nonlinear));
  EXPECT_EQ(t->sources.size(), 3u);
  EXPECT_DOUBLE_EQ(t->denseInt8MacPj, 0.23);
  EXPECT_DOUBLE_EQ(t->hostOpPj, 70); // everything not neuronal: the host

  auto l = loadChipDescription(chip("loihi2-like"));
  ASSERT_TRUE(l) << l.message();
  EXPECT_EQ(l->coresPerChip, 128);
  ASSERT_EQ(l->coreTypes.size(), 2u);
  EXPECT_EQ(l->coreTypes[0].spikePayloadBits, 24);
  EXPECT_EQ(l->coreTypes[0].weightExponentBits, 3);
  EXPECT_TRUE(l->coreTypes[1].runs(OpClass::AAProduct));

  EXPECT_DOUBLE_EQ(l->coreTypes[1].opEnergyPj, 22);
  EXPECT_DOUBLE_EQ(l->coreTypes[0].opEnergyPj, 81); // microcoded accum_diff

  auto s = loadChipDescription(chip("spinnaker2-like"));
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(s->coresPerChip, 152);
  EXPECT_EQ(s->coreTypes[0].weightBits, 8);

  // The binary target that holds SmolLM2: one 32-chip board, binary
  // spikes whose sign takes a negated row, glue on the x86 cores.
  auto b = loadChipDescription(chip("loihi1-like"));
  ASSERT_TRUE(b) << b.message();
  EXPECT_EQ(b->chips, 32);
  EXPECT_EQ(b->coresPerChip, 128);
  ASSERT_EQ(b->coreTypes.size(), 2u);
  EXPECT_EQ(b->coreTypes[0].spikePayloadBits, 0);
  EXPECT_EQ(b->coreTypes[0].maxNeurons, 1024);
  EXPECT_EQ(b->coreTypes[0].maxFanInAxons, 4096);
  EXPECT_EQ(b->coreTypes[0].sign, SignCarriage::NegatedRow);
  EXPECT_TRUE(b->coreTypes[1].runs(OpClass::KVState));
  EXPECT_GT(b->coreTypes[1].opEnergyPj, 0);
  EXPECT_GT(b->hostOpPj, 0);
}

/// Writes `text` to a temporary file and loads it.
std::string loadError(const std::string &text) {
  // Per process: ctest runs the sanitized copy of these tests alongside.
  std::string path =
      ::testing::TempDir() + "chip-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << text;
  auto r = loadChipDescription(path);
  EXPECT_FALSE(r) << "expected an error for:\n" << text;
  std::string m = r ? "" : r.message();
  std::remove(path.c_str());
  return m.substr(m.find(':') + 1); // drop the temporary path
}

std::string validChip() {
  std::ifstream in(chip("truenorth-like"));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string replaced(std::string text, const std::string &from,
                     const std::string &to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

/// Loads `text` from a temporary file; the description must be valid.
ChipDescription loadText(const std::string &text) {
  std::string path =
      ::testing::TempDir() + "chip-ok-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << text;
  auto r = loadChipDescription(path);
  std::remove(path.c_str());
  EXPECT_TRUE(r) << r.message();
  return r ? *r : ChipDescription{};
}

TEST(ChipDescription, SignCarriagePerTarget) {
  // The shipped targets: graded payloads carry a sign bit; the
  // TrueNorth-like neuron spikes at its positive threshold only.
  EXPECT_EQ(loadChipDescription(chip("loihi2-like"))->coreTypes[0].sign,
            SignCarriage::Payload);
  EXPECT_EQ(loadChipDescription(chip("spinnaker2-like"))->coreTypes[0].sign,
            SignCarriage::Payload);
  auto t = loadChipDescription(chip("truenorth-like"));
  EXPECT_EQ(t->coreTypes[0].sign, SignCarriage::None);
  EXPECT_FALSE(t->coreTypes[0].carriesSign());
  // Optional: the default follows the payload.
  std::string base = validChip();
  std::string noSign = replaced(base, "      sign: none", "      #");
  EXPECT_EQ(loadText(noSign).coreTypes[0].sign, SignCarriage::None);
  ChipDescription rows =
      loadText(replaced(base, "sign: none ", "sign: negated_row "));
  EXPECT_EQ(rows.coreTypes[0].sign, SignCarriage::NegatedRow);
  EXPECT_TRUE(rows.coreTypes[0].carriesSign());
  // A sign the spikes cannot have is an error at its place.
  EXPECT_NE(loadError(replaced(base, "sign: none ", "sign: payload "))
                .find("'sign' must be negated_row or none on binary spikes"),
            std::string::npos);
  EXPECT_NE(loadError(replaced(base, "sign: none ", "sign: pair "))
                .find("core_types[0].numerics: 'sign' must be negated_row or "
                      "none"),
            std::string::npos);
  std::string graded =
      replaced(base, "spike_payload_bits: 0 ", "spike_payload_bits: 8 ");
  EXPECT_NE(loadError(replaced(graded, "sign: none ", "sign: negated_row "))
                .find("'sign' must be payload or none on graded spikes"),
            std::string::npos);
  EXPECT_EQ(loadText(graded).coreTypes[0].sign, SignCarriage::None);
  EXPECT_EQ(loadText(replaced(noSign, "spike_payload_bits: 0 ",
                              "spike_payload_bits: 8 "))
                .coreTypes[0]
                .sign,
            SignCarriage::Payload);
  EXPECT_STREQ(signCarriageName(SignCarriage::NegatedRow), "negated_row");
}

TEST(ChipDescription, BadInputIsOneErrorWithItsPlace) {
  EXPECT_EQ(loadChipDescription("/nonexistent.yaml").message(),
            "/nonexistent.yaml: cannot open");
  std::string base = validChip();
  // A typo is an error, not a silent default.
  EXPECT_NE(
      loadError(replaced(base, "memory_rounding_bits:", "memory_rounding_bit:"))
          .find("core_types[0].capacity: unknown key "
                "'memory_rounding_bit'"),
      std::string::npos);
  EXPECT_NE(loadError(replaced(base, "max_fan_out:", "max_fanout:"))
                .find("core_types[0].capacity: missing 'max_fan_out'"),
            std::string::npos);
  EXPECT_NE(loadError(replaced(base, "reset: subtract", "reset: leak"))
                .find("'reset' must be subtract or zero"),
            std::string::npos);
  EXPECT_NE(loadError(replaced(base, "weight_bits: 9", "weight_bits: 99"))
                .find("'weight_bits' = 99 is outside [1, 64]"),
            std::string::npos);
  EXPECT_NE(loadError(replaced(base, "ops: [synaptic, neuron]",
                               "ops: [synaptic, teleport]"))
                .find("unknown op class"),
            std::string::npos);
  EXPECT_NE(
      loadError(replaced(base, "cores_per_chip: 4096", "cores_per_chip: 4000"))
          .find("cores_per_chip is 4000 but the neuron core types "
                "count 4096"),
      std::string::npos);
  EXPECT_NE(loadError(replaced(base, "mesh: [64, 64]", "mesh: [16, 16]"))
                .find("a 16 x 16 mesh cannot hold 4096 cores"),
            std::string::npos);
  EXPECT_NE(
      loadError(replaced(base, "synop_binary_pj: 26", "synop_binary_pj: -1"))
          .find("'synop_binary_pj' must be finite and >= 0"),
      std::string::npos);
  EXPECT_NE(loadError(replaced(base, "host_op_pj: 70", "host_op_pj: -3"))
                .find("energy: 'host_op_pj' must be finite and >= 0"),
            std::string::npos);
  EXPECT_NE(loadError(replaced(base, "    ops: [synaptic, neuron]\n",
                               "    ops: [synaptic, neuron]\n"
                               "    op_energy_pj: many\n"))
                .find("core_types[0]: 'op_energy_pj' must be a number"),
            std::string::npos);
  EXPECT_NE(loadError("format: spikec.chip\nversion: 1\nname: [\n").find(":"),
            std::string::npos); // a YAML syntax error, with its line
  // The place is line:column of the offending node.
  std::string typo =
      loadError(replaced(base, "multicast: false", "multicast: maybe"));
  EXPECT_NE(typo.find("routing: 'multicast' must be true or false"),
            std::string::npos);
  EXPECT_EQ(typo.substr(0, typo.find(':')).find_first_not_of("0123456789"),
            std::string::npos)
      << typo; // starts with the line number
}

} // namespace
