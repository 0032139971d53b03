//===- ChipMappingTest.cpp - Partitioning, placement, routing, cost -------===//

#include "spike/core/Chip/ChipMapping.h"
#include "spike/core/Chip/RunModes.h"

#include <gtest/gtest.h>

#include <map>

using namespace spike::core;

namespace {

/// A 4 x 4 mesh of graded cores: 64 neurons, fan-in 32, 4 kbit synapses.
ChipDescription smallChip(int payloadBits = 8) {
  ChipDescription c;
  c.name = "small";
  c.chips = 1;
  c.coresPerChip = 16;
  c.meshX = c.meshY = 4;
  CoreType t;
  t.name = "core";
  t.count = 16;
  t.maxNeurons = 64;
  t.maxFanInAxons = 32;
  t.maxFanOut = 16;
  t.synapseMemoryBits = 4096;
  t.stateMemoryBits = 64 * 16;
  t.weightBits = 8;
  t.stateBits = 16;
  t.spikePayloadBits = payloadBits;
  t.ops = {OpClass::Synaptic, OpClass::Neuron, OpClass::AccumDiff};
  c.coreTypes = {t};
  c.synopGradedPj = 2;
  c.synopBinaryPj = 1;
  c.neuronUpdatePj = 3;
  c.spikeLocalPj = 0.5;
  c.hopPj = 1;
  c.timestepNs = 100;
  return c;
}

/// A chain: site0 -> lin0 -> glue0 -> site1 -> lin1 -> glue1 -> site2 ...
MappingInput chain(int layers, int64_t width, int64_t fanIn) {
  MappingInput in;
  in.timesteps = 2;
  for (int l = 0; l <= layers; ++l)
    in.sites.push_back({"s" + std::to_string(l), fanIn, 0.5, 2.0, 1});
  for (int l = 0; l < layers; ++l) {
    in.synapses.push_back({"w" + std::to_string(l), l, l, width, fanIn});
    in.glue.push_back({"g" + std::to_string(l), OpClass::AccumDiff, {l + 1}});
  }
  return in;
}

TEST(ChipMapping, PiecesRespectEveryCapacity) {
  ChipDescription chip = smallChip();
  auto r = mapToChip(chain(2, 48, 24), chip);
  ASSERT_TRUE(r) << r.message();
  // 48 x 24 x 8 bits = 9216 > 4096: each layer splits into 3 tiles of 16.
  int tiles = 0;
  for (const Piece &p : r->pieces)
    if (p.kind == Piece::SynapseTile) {
      ++tiles;
      EXPECT_LE(p.count * p.inCount * 8, 4096);
      EXPECT_LE(p.inCount, 32);
    }
  EXPECT_EQ(tiles, 6);
  EXPECT_GE(r->neuronCores, r->lowerBoundCores);
  EXPECT_EQ(r->relayPieces, 0);
  // Synaptic ops: events x 2 steps x fan-in x outputs, per layer.
  EXPECT_DOUBLE_EQ(r->synapticOps, 2 * (0.5 * 2 * 24 * 48));
}

TEST(ChipMapping, FanInAboveTheLimitSplitsThroughRelaysOnGradedChips) {
  auto r = mapToChip(chain(1, 8, 80), smallChip());
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->relayPieces, 1); // 80 inputs: 3 partial sums, one relay
  int tiles = 0;
  for (const Piece &p : r->pieces)
    tiles += p.kind == Piece::SynapseTile;
  EXPECT_EQ(tiles, 3);

  auto binary = mapToChip(chain(1, 8, 80), smallChip(0));
  ASSERT_FALSE(binary);
  EXPECT_NE(binary.message().find("needs fan-in 80; max is 32"),
            std::string::npos)
      << binary.message();
}

TEST(ChipMapping, NegativeBinarySpikesTakeANegatedRowPerInput) {
  // Binary cores that carry a sign on negated rows: a reader of a site with
  // negative spikes holds two synapse rows per input.
  ChipDescription chip = smallChip(0);
  chip.coreTypes[0].sign = SignCarriage::NegatedRow;
  MappingInput in = chain(1, 8, 16);
  in.sites[0].negativeSpikes = true;
  auto r = mapToChip(in, chip);
  ASSERT_TRUE(r) << r.message();
  int64_t synapseBits = 0;
  for (const Piece &p : r->pieces)
    if (p.kind == Piece::SynapseTile) {
      EXPECT_EQ(p.axonsPerInput, 2);
      EXPECT_EQ(p.inCount, 16);
      synapseBits += p.count * p.inCount * p.axonsPerInput * 8;
    }
  EXPECT_EQ(synapseBits, 8 * 16 * 2 * 8);
  // 2 x 24 axons exceed the fan-in of 32, and binary spikes cannot split.
  in = chain(1, 8, 24);
  in.sites[0].negativeSpikes = true;
  auto wide = mapToChip(in, chip);
  ASSERT_FALSE(wide);
  EXPECT_NE(wide.message().find("needs fan-in 24 (two axons per input: "
                                "negated rows); max is 32"),
            std::string::npos)
      << wide.message();
  // Without a way to carry the sign: one error naming the site.
  in = chain(1, 8, 16);
  in.sites[0].negativeSpikes = true;
  chip.coreTypes[0].sign = SignCarriage::None;
  auto none = mapToChip(in, chip);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.message(), "site \"s0\" sends negative spikes; core type "
                            "core has 'sign: none', so a sign cannot travel "
                            "on it");
  // Graded cores carry the sign in the payload: one row per input.
  ChipDescription graded = smallChip(8);
  graded.coreTypes[0].sign = SignCarriage::Payload;
  auto g = mapToChip(in, graded);
  ASSERT_TRUE(g) << g.message();
  for (const Piece &p : g->pieces)
    EXPECT_EQ(p.axonsPerInput, 1);
}

TEST(ChipMapping, FanOutAboveTheLimitGetsCopyNeuronsOnFreeCores) {
  ChipDescription chip = smallChip();
  chip.coreTypes[0].maxFanOut = 1;
  // Each layer's 3 tiles sit on 3 cores, so every neuron of s0 and s1
  // reaches 3 cores: 3 copy neurons each, 21 neurons' groups per copy core.
  auto r = mapToChip(chain(2, 48, 24), chip);
  ASSERT_TRUE(r) << r.message();
  EXPECT_EQ(r->copyGroups.size(), 48u);
  EXPECT_EQ(r->copyNeurons, 144);
  EXPECT_EQ(r->copyCores, 3);
  std::map<int, int64_t> neuronsOn, axonsOn;
  for (const CopyGroup &g : r->copyGroups) {
    EXPECT_EQ(g.copies, 3);
    EXPECT_EQ(g.axon, axonsOn[g.core]++);
    neuronsOn[g.core] += g.copies;
    for (const Piece &p : r->pieces)
      EXPECT_NE(p.core, g.core) << "copy core " << g.core << " is in use";
  }
  for (auto [core, n] : neuronsOn)
    EXPECT_LE(n, chip.coreTypes[0].maxNeurons);

  // With a fan-out of 3 nothing is copied; with no free core it is an error.
  chip.coreTypes[0].maxFanOut = 3;
  auto direct = mapToChip(chain(2, 48, 24), chip);
  ASSERT_TRUE(direct) << direct.message();
  EXPECT_EQ(direct->copyNeurons, 0);
  // Copies cost a step in each of the two copied layers (of three).
  EXPECT_DOUBLE_EQ(r->latencyNs, direct->latencyNs * 5 / 3);
  chip.coreTypes[0].maxFanOut = 1;
  chip.coreTypes[0].count = chip.coresPerChip = r->neuronCores + 1;
  auto full = mapToChip(chain(2, 48, 24), chip);
  ASSERT_FALSE(full);
  EXPECT_NE(full.message().find("has no free core for its 3 copy neurons"),
            std::string::npos)
      << full.message();
}

TEST(ChipMapping, TooBigForTheChipIsAnError) {
  auto r = mapToChip(chain(20, 64, 32), smallChip());
  ASSERT_FALSE(r);
  EXPECT_NE(r.message().find("cores of type core"), std::string::npos)
      << r.message();
  // It says how many chips the graph needs at least; here that many hold it.
  size_t at = r.message().find(" chips (topology.chips)");
  ASSERT_NE(at, std::string::npos) << r.message();
  size_t from = r.message().rfind(' ', at - 1) + 1;
  ChipDescription bigger = smallChip();
  bigger.chips = std::stoll(r.message().substr(from, at - from));
  EXPECT_TRUE(mapToChip(chain(20, 64, 32), bigger));
  bigger.chips -= 1;
  EXPECT_FALSE(mapToChip(chain(20, 64, 32), bigger));
}

TEST(ChipMapping, PlacementBeatsRoundRobin) {
  ChipDescription chip = smallChip();
  MappingInput in = chain(5, 32, 24);
  auto best = mapToChip(in, chip, Placement::Optimized);
  auto naive = mapToChip(in, chip, Placement::RoundRobin);
  ASSERT_TRUE(best) << best.message();
  ASSERT_TRUE(naive) << naive.message();
  // Same pieces and messages; fewer hops.
  EXPECT_EQ(best->neuronCores, naive->neuronCores);
  EXPECT_DOUBLE_EQ(best->messages, naive->messages);
  EXPECT_LT(best->trafficHops, naive->trafficHops);
  EXPECT_LT(best->hopPj, naive->hopPj);
}

TEST(ChipMapping, MeshHopsAreXYDistances) {
  ChipDescription chip = smallChip();
  chip.chips = 2;
  EXPECT_EQ(meshHops(chip, 0, 15), 6);    // (0,0) -> (3,3)
  EXPECT_EQ(meshHops(chip, 3, 16), 1);    // chip 1 starts at x = 4
  EXPECT_EQ(meshHops(chip, kHost, 5), 2); // the host enters at (0,0)
  EXPECT_EQ(meshHops(chip, programmableCoreOf(1), 16), 0);
}

TEST(ChipMapping, EnergyAddsUpFromTheCounts) {
  ChipDescription chip = smallChip();
  auto r = mapToChip(chain(2, 16, 16), chip);
  ASSERT_TRUE(r) << r.message();
  EXPECT_DOUBLE_EQ(r->synapticPj, r->synapticOps * 2);
  EXPECT_DOUBLE_EQ(r->neuronPj, r->neuronUpdates * 3);
  EXPECT_DOUBLE_EQ(r->hopPj, r->trafficHops * 1);
  EXPECT_DOUBLE_EQ(r->latencyNs, 2 * 3 * 100.0);
}

} // namespace

/// Every energy kind against a hand count on a two-site chain: s0 (16
/// neurons, 0.5 events and 2 spikes per neuron and step) -> w0 (16 x 16)
/// -> g0 -> s1, T = 2, graded spikes.
TEST(ChipMapping, EveryEnergyKindMatchesAHandCount) {
  ChipDescription chip = smallChip();
  chip.staticMw = 5;
  chip.chips = 3; // static power is billed for the one chip in use
  chip.coreTypes[0].opEnergyPj = 4; // runs accum_diff
  CoreType x86;
  x86.name = "x86";
  x86.count = 1;
  x86.ops = {OpClass::AAProduct};
  x86.stateBits = 32;
  x86.stateMemoryBits = 32 * 1000;
  x86.opEnergyPj = 10;
  chip.coreTypes.push_back(x86);
  chip.hostOpPj = 100;
  MappingInput in = chain(1, 16, 16);
  in.context = 4;
  in.kvElementsPerPosition = 25; // 25 x 4 positions x 32 bits per sequence
  in.glueOpsByClass[int(OpClass::AccumDiff)] = 50;
  in.glueOpsByClass[int(OpClass::AAProduct)] = 7;
  in.hostOpsPerToken = 3; // the dense ends, on the host
  auto r = mapToChip(in, chip);
  ASSERT_TRUE(r) << r.message();
  // Graded synaptic ops: events x T x inputs x outputs.
  EXPECT_DOUBLE_EQ(r->synapticOps, 0.5 * 2 * 16 * 16);
  EXPECT_DOUBLE_EQ(r->synapticPj, 256 * 2.0);
  // Per spike (the SOP convention): 2 spikes, 0.5 events per neuron-step.
  EXPECT_DOUBLE_EQ(r->spikeSynapticOps, 2.0 * 2 * 16 * 16);
  EXPECT_DOUBLE_EQ(sopSnnPj(*r), 1024 * kSopAccumulatePj);
  // Neuron updates: two sites and the tile's 16 output neurons, T = 2.
  EXPECT_DOUBLE_EQ(r->neuronUpdates, (16 + 16 + 16) * 2.0);
  EXPECT_DOUBLE_EQ(r->neuronPj, 96 * 3.0);
  EXPECT_DOUBLE_EQ(r->spikePj, r->messages * 0.5);
  EXPECT_DOUBLE_EQ(r->hopPj, r->trafficHops * 1.0);
  // Glue by the class's runner: neuron cores, x86, host.
  EXPECT_DOUBLE_EQ(r->gluePjByClass[int(OpClass::AccumDiff)], 50 * 4.0);
  EXPECT_DOUBLE_EQ(r->gluePjByClass[int(OpClass::AAProduct)], 7 * 10.0);
  EXPECT_DOUBLE_EQ(r->gluePj, 200 + 70.0);
  EXPECT_DOUBLE_EQ(r->hostPj, 3 * 100.0);
  EXPECT_DOUBLE_EQ(r->unpricedGlueOps, 0);
  // Two stages of T x 1 sub-step x 100 ns; static mW x ns = pJ.
  ASSERT_EQ(r->stageNs.size(), 2u);
  EXPECT_DOUBLE_EQ(r->latencyNs, 400);
  EXPECT_DOUBLE_EQ(r->staticPj, 5 * 400.0);
  EXPECT_DOUBLE_EQ(r->meanSpikeRate, 2.0);
  EXPECT_DOUBLE_EQ(r->totalPj(),
                   512 + 288 + r->spikePj + r->hopPj + 570 + 2000);
  EXPECT_DOUBLE_EQ(r->kvBitsPerSequence, 25 * 4 * 32.0);
  EXPECT_DOUBLE_EQ(r->kvMemoryBits, 32000); // the x86 core of the chip in use

  // An op class nobody prices is counted, not priced.
  chip.hostOpPj = -1;
  auto u = mapToChip(in, chip);
  ASSERT_TRUE(u) << u.message();
  EXPECT_DOUBLE_EQ(u->unpricedGlueOps, 3);
  EXPECT_DOUBLE_EQ(u->gluePj, 270);
  EXPECT_DOUBLE_EQ(u->hostPj, 0);
}

TEST(RunModes, PipelineSharesStaticEnergyAcrossTokensInFlight) {
  ChipDescription chip = smallChip();
  chip.staticMw = 5;
  auto r = mapToChip(chain(1, 16, 16), chip);
  ASSERT_TRUE(r) << r.message();
  // No core runs the products: their K/V state is the host's, unbounded.
  RunModes m = runModes(*r, chip, /*batch=*/0, /*prompt=*/3);
  EXPECT_EQ(m.pipelineDepth, 2);
  EXPECT_EQ(m.maxBatchByMemory, -1);
  EXPECT_DOUBLE_EQ(m.decode.latencyNs, 400);
  EXPECT_DOUBLE_EQ(m.decode.staticPj, 5 * 400.0);
  EXPECT_DOUBLE_EQ(m.decode.tokensPerSecond, 1e9 / 400);
  // Two sequences in flight: max(400, 2 x 200) ns per two tokens.
  EXPECT_EQ(m.batched.batch, 2);
  EXPECT_DOUBLE_EQ(m.batched.staticPj, 5 * 400.0 / 2);
  EXPECT_DOUBLE_EQ(m.batched.tokensPerSecond, 2e9 / 400);
  // Three sequences: the slowest stage paces them, 3 x 200 ns.
  EXPECT_DOUBLE_EQ(runModes(*r, chip, 3, 1).batched.staticPj, 5 * 600.0 / 3);
  // Prefill of 3 tokens: 400 + 2 x 200 ns.
  EXPECT_DOUBLE_EQ(m.prefill.latencyNs, 800);
  EXPECT_DOUBLE_EQ(m.prefill.staticPj, 5 * 800.0 / 3);
  for (const RunMode *mode : {&m.decode, &m.batched, &m.prefill})
    EXPECT_DOUBLE_EQ(mode->dynamicPj, r->dynamicPj());
  // At its own energy a mode breaks even at the measured rate; below its
  // rate-independent part no rate does; with nothing that scales with the
  // rate, any rate does above it.
  BreakEven own = breakEven(*r, m.decode, m.decode.totalPj());
  EXPECT_EQ(own.kind, BreakEven::At);
  EXPECT_NEAR(own.rate, r->rate(), 1e-12);
  EXPECT_EQ(breakEven(*r, m.decode, m.decode.staticPj / 2).kind,
            BreakEven::None);
  MappingResult silent = *r;
  silent.synapticPj = silent.spikeTrafficPj = 0;
  EXPECT_EQ(breakEven(silent, m.decode, 2 * m.decode.totalPj()).kind,
            BreakEven::Any);
  // The references: int8 dense (the chip gives none here), the SOP
  // convention's ANN and the published edge GPU.
  chip.denseInt8MacPj = 0.25;
  std::vector<Reference> refs = references(chain(1, 16, 16), chip);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_DOUBLE_EQ(refs[0].pjPerToken, 256 * 0.25);
  EXPECT_DOUBLE_EQ(refs[1].pjPerToken, 256 * kSopMacPj);
  EXPECT_EQ(refs[2].kind, "published");
  EXPECT_GT(refs[2].tokensPerSecond, 0);
}

TEST(RunModes, TheKVMemoryBoundsTheBatch) {
  ChipDescription chip = smallChip();
  auto r = mapToChip(chain(1, 16, 16), chip);
  ASSERT_TRUE(r) << r.message();
  MappingResult kv = *r;
  kv.kvOnHost = false;
  kv.kvBitsPerSequence = 100;
  kv.kvMemoryBits = 250; // two sequences fit
  RunModes m = runModes(kv, chip, 0, 1);
  EXPECT_EQ(m.maxBatchByMemory, 2);
  EXPECT_EQ(m.batched.batch, 2); // the pipeline depth, within the bound
  EXPECT_TRUE(m.kvFits);
  // A batch above the bound is run, and flagged.
  RunModes over = runModes(kv, chip, 3, 1);
  EXPECT_EQ(over.batched.batch, 3);
  EXPECT_FALSE(over.kvFits);
  // Not even one sequence fits: batch 1, flagged.
  kv.kvMemoryBits = 50;
  RunModes none = runModes(kv, chip, 0, 1);
  EXPECT_EQ(none.maxBatchByMemory, 0);
  EXPECT_EQ(none.batched.batch, 1);
  EXPECT_FALSE(none.kvFits);
  // On the host the chip file bounds nothing.
  kv.kvOnHost = true;
  EXPECT_EQ(runModes(kv, chip, 0, 1).maxBatchByMemory, -1);
}
