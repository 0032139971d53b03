//===- FormatsTest.cpp - Schemas and validators of the exchange files -----===//

#include "spike/core/Formats/PlanTensors.h"
#include "spike/core/Formats/Validate.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

using namespace spike::core;

namespace {

class FormatsTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = testing::TempDir() + "/formats_" + std::to_string(::getpid());
    ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
    SafetensorsWriter w;
    ASSERT_TRUE(w.addF32("embed", {4, 2}, std::vector<float>(8, 1)).isOk());
    ASSERT_TRUE(w.addF32("head", {4, 2}, std::vector<float>(8, 1)).isOk());
    ASSERT_TRUE(w.write(dir + "/t.safetensors").isOk());
  }
  void TearDown() override {
    ASSERT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
  }

  Result<DocumentKind> check(const std::string &text) {
    return validateText(text, dir + "/doc.json");
  }

  std::string plan(const std::string &level, const std::string &ops,
                   int timesteps = 1) {
    return R"({"format":"spikec.plan","version":1,"level":")" + level +
           R"(","time":{"timesteps":)" + std::to_string(timesteps) +
           R"(,"substeps":1},"tensors":"t.safetensors","inputs":["tokens"],)"
           R"("outputs":["y"],"ops":[)" +
           ops + "]}";
  }

  std::string dir;
};

const char *kEmbed =
    R"({"op":"embedding","inputs":["tokens"],"outputs":["x"],"params":{"table":"embed"}})";
const char *kHead =
    R"({"op":"linear","inputs":["q"],"outputs":["y"],"params":{"weight":"head"}})";

TEST_F(FormatsTest, ValidPlans) {
  std::string q =
      R"({"op":"quantize","inputs":["x"],"outputs":["q"],"site":"blk0.attn.norm","attrs":{"scale":[0.5],"bits":6,"signed":true}})";
  auto r = check(plan("qann", std::string(kEmbed) + "," + q + "," + kHead));
  ASSERT_TRUE(r.isOk()) << r.message();
  EXPECT_EQ(*r, DocumentKind::Plan);

  std::string is =
      R"({"op":"encode","inputs":["x"],"outputs":["e"]},)"
      R"({"op":"is_neuron","inputs":["e"],"outputs":["n"],"site":"blk0.attn.norm","attrs":{"levels":32,"alpha":16,"threshold":[0.5],"v0":[0.25],"budget":63,"bits":6}},)"
      R"({"op":"decode","inputs":["n"],"outputs":["q"]})";
  r = check(plan("is", std::string(kEmbed) + "," + is + "," + kHead, 2));
  EXPECT_TRUE(r.isOk()) << r.message();
}

TEST_F(FormatsTest, PlanErrorsNameTheField) {
  struct Case {
    std::string doc, expect;
  } cases[] = {
      {"{", "malformed JSON"},
      {R"({"format":"other"})", "/format: unknown format"},
      {R"({"format":"spikec.plan","version":5})",
       "/version: 5 is not supported by this build (supported: 1 to 4)"},
      {plan("qann", std::string(kEmbed) +
                        R"(,{"op":"nope","inputs":["x"],"outputs":["q"]},)" +
                        kHead),
       "/ops/1/op: unknown op 'nope'"},
      {plan("fp", std::string(kHead)),
       "/ops/0/inputs/0: value \"q\" is used before it is defined"},
      {plan("fp", std::string(kEmbed)),
       "/outputs/0: value \"y\" is never defined"},
      {plan(
           "fp",
           std::string(kEmbed) +
               R"(,{"op":"linear","inputs":["x"],"outputs":["y"],"params":{"weight":"absent"}})"),
       "/ops/1/params/weight: tensor 'absent' is missing"},
      {plan("fp", std::string(kEmbed) +
                      R"(,{"op":"linear","inputs":["x"],"outputs":["y"]})"),
       "/ops/1/params: 'linear' needs param \"weight\""},
      {plan("fp", std::string(kEmbed) +
                      R"(,{"op":"encode","inputs":["x"],"outputs":["y"]})"),
       "/ops/1/op: 'encode' is not allowed at level fp"},
      {plan("fp", std::string(kEmbed), 2),
       "/time/timesteps: must be 1 at level fp"},
      {plan(
           "is",
           std::string(kEmbed) +
               R"(,{"op":"encode","inputs":["x"],"outputs":["e"]},{"op":"is_neuron","inputs":["e"],"outputs":["y"],"site":"a","attrs":{"levels":32,"alpha":16,"threshold":[0.5],"v0":[0.25],"bits":6}})",
           3),
       "/ops/2/attrs/bits: Theorem-2 parameterization with 6 bits and T=3: T "
       "must be a power of two"},
      {plan(
           "is",
           std::string(kEmbed) +
               R"(,{"op":"encode","inputs":["x"],"outputs":["e"]},{"op":"is_neuron","inputs":["e"],"outputs":["y"],"site":"a","attrs":{"levels":4,"alpha":5,"threshold":[0.5],"v0":[0.25]}})",
           2),
       "/ops/2/attrs/alpha: alpha must be in [0, L] = [0, 4], got 5"},
      {plan(
           "qann",
           std::string(kEmbed) +
               R"(,{"op":"quantize","inputs":["x"],"outputs":["y"],"site":"Bad Name","attrs":{"scale":[1],"bits":6,"signed":true}})"),
       "/ops/1/site: \"Bad Name\" does not match"},
      {plan(
           "qann",
           std::string(kEmbed) +
               R"(,{"op":"quantize","inputs":["x"],"outputs":["y"],"site":"a","attrs":{"scale":[0],"bits":6,"signed":true}})"),
       "/ops/1/attrs/scale: every element must be > 0"},
      {plan(
           "qann",
           std::string(kEmbed) +
               R"(,{"op":"quantize","inputs":["x"],"outputs":["q"],"site":"a","attrs":{"scale":[1],"bits":6,"signed":true}},{"op":"quantize","inputs":["q"],"outputs":["y"],"site":"a","attrs":{"scale":[1],"bits":6,"signed":true}})"),
       "/ops/2/site: duplicate site \"a\""},
  };
  for (const Case &c : cases) {
    auto r = check(c.doc);
    ASSERT_FALSE(r.isOk()) << c.expect;
    EXPECT_NE(r.message().find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in: " << r.message();
    EXPECT_EQ(r.message().find('\n'), std::string::npos) << r.message();
  }
}

TEST_F(FormatsTest, SideFiles) {
  auto ok = [&](const std::string &text) {
    auto r = check(text);
    EXPECT_TRUE(r.isOk()) << r.message();
  };
  auto bad = [&](const std::string &text, const std::string &expect) {
    auto r = check(text);
    ASSERT_FALSE(r.isOk()) << expect;
    EXPECT_NE(r.message().find(expect), std::string::npos) << r.message();
  };
  ok(R"({"format":"spikec.activation-stats","version":1,"source":{"text":"valid.txt","tokens":512},"ema":0.99,"sites":{"blk0.attn.norm":{"absmax":2.0,"ema_absmax":1.5,"batches":4}}})");
  bad(R"({"format":"spikec.activation-stats","version":1,"source":{"text":"v","tokens":1},"sites":{"a":{"absmax":1.0,"ema_absmax":1.5,"batches":1}}})",
      "/sites/a/ema_absmax: exceeds absmax");
  ok(R"({"format":"spikec.calibration","version":1,"timesteps":2,"group_size":-1,"teacher":"fp","sites":{"blk0.mlp.down_in":{"threshold":[0.1,0.2],"v0":[0.05]}}})");
  bad(R"({"format":"spikec.calibration","version":1,"timesteps":2,"sites":{"a":{"threshold":[0.1,0.2,0.3],"v0":[0.05,0.1]}}})",
      "/sites/a/v0: needs 1 or 3 entries");
  bad(R"({"format":"spikec.calibration","version":1,"timesteps":2,"sites":{"a":{"threshold":[-1],"v0":[0]}}})",
      "/sites/a/threshold/0: -1 must be greater than 0");
  // The end-to-end pass (spike-run calibrate --end-to-end), also from the
  // plan's values (source.epochs 0).
  ok(R"({"format":"spikec.calibration","version":1,"timesteps":4,"source":{"epochs":0},"end_to_end":{"objective":"kl","epochs":2,"lr":0.001,"steps":32,"kl_before":1.7,"kl_after":1.6},"sites":{}})");
  bad(R"({"format":"spikec.calibration","version":1,"timesteps":4,"end_to_end":{"objective":"mse","epochs":2,"lr":0.001,"steps":32,"kl_before":1.7,"kl_after":1.6},"sites":{}})",
      "/end_to_end/objective");
  bad(R"({"format":"spikec.calibration","version":1,"timesteps":4,"end_to_end":{"objective":"kl","epochs":0,"lr":0.001,"steps":0,"kl_before":1.7,"kl_after":1.6},"sites":{}})",
      "/end_to_end/epochs");
  bad(R"({"format":"spikec.calibration","version":1,"timesteps":4,"end_to_end":{"objective":"kl","epochs":2,"lr":0.001,"steps":32},"sites":{}})",
      "/end_to_end: missing required field \"kl_before\"");
  ok(R"({"format":"spikec.firing-rates","version":1,"level":"is","timesteps":2,"substeps":1,"tokens":10,"sites":{"a":{"neurons":4,"spikes":40,"rate":0.5}}})");
  bad(R"({"format":"spikec.firing-rates","version":1,"level":"is","timesteps":2,"substeps":1,"tokens":10,"sites":{"a":{"neurons":4,"spikes":40,"rate":0.7}}})",
      "/sites/a/rate: 0.700000 disagrees");
  bad(R"({"format":"spikec.firing-rates","version":1,"level":"is","timesteps":2,"substeps":1,"tokens":10})",
      "/: missing required field \"sites\"");
}

TEST_F(FormatsTest, SiteNames) {
  EXPECT_TRUE(isValidSiteName("blk3.attn.q_rope"));
  EXPECT_TRUE(isValidSiteName("final.norm"));
  EXPECT_FALSE(isValidSiteName("Blk3"));
  EXPECT_FALSE(isValidSiteName("blk3..q"));
  EXPECT_FALSE(isValidSiteName(""));
}

} // namespace

namespace {

/// A plan's parameters resolve in its own file first, then in the shared
/// weight file (version 3); a name in neither is not found.
TEST_F(FormatsTest, PlanTensorsResolveTheOwnFileFirst) {
  SafetensorsWriter own;
  ASSERT_TRUE(own.addF32("head", {4, 2}, std::vector<float>(8, 2)).isOk());
  ASSERT_TRUE(own.write(dir + "/own.safetensors").isOk());
  auto doc = nlohmann::json::parse(
      R"({"tensors":"own.safetensors","weights":"t.safetensors"})");
  auto files = PlanTensors::open(doc, dir + "/p.plan.json");
  ASSERT_TRUE(files.isOk()) << files.message();
  ASSERT_EQ(files->files().size(), 2u);
  EXPECT_EQ(files->fileOf("head"), &files->files()[0]);
  EXPECT_EQ(files->fileOf("embed"), &files->files()[1]);
  EXPECT_EQ(files->find("absent"), nullptr);

  doc["weights"] = "absent.safetensors";
  auto missing = PlanTensors::open(doc, dir + "/p.plan.json");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.message().rfind("/weights: ", 0), 0u) << missing.message();
}

} // namespace
