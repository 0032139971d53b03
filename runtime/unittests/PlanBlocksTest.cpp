//===- PlanBlocksTest.cpp - Decoder blocks of a plan, and loading them ----===//
//
// Calibration finds a plan's blocks from its dataflow (PlanBlocks.h) and,
// at scale, loads a plan only through the blocks it calibrates: that part
// must run exactly as the same ops of the whole plan.
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/PlanBlocks.h"
#include "spike/runtime/Executor.h"

#include "GoldenPlans.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

/// Runs `plan`'s ops 0..last on `tokens` as calibration does (op by op)
/// and returns the value op `last` makes.
at::Tensor runThrough(const Plan &plan, const at::Tensor &tokens, size_t last) {
  Executor exec(plan);
  std::vector<at::Tensor> v(plan.numValues);
  v[plan.tokens] = exec.withPrefix(tokens);
  for (size_t i = 0; i <= last; ++i)
    v[plan.ops[i].output] = exec.run(plan.ops[i], v);
  return v[plan.ops[last].output];
}

TEST(PlanBlocks, GoldenPlanHasOneBlockOfTwoResidualSpans) {
  auto plan = loadPlan(golden("is"));
  ASSERT_TRUE(plan) << plan.message();
  auto cuts = residualCuts(*plan);
  ASSERT_TRUE(cuts) << cuts.message();
  // After encode (the block input), after each residual add.
  ASSERT_EQ(cuts->size(), 3u);
  EXPECT_EQ(plan->ops[(*cuts)[0].afterOp].kind, OpKind::Encode);
  EXPECT_EQ(plan->ops[(*cuts)[1].afterOp].kind, OpKind::Add);
  EXPECT_EQ(plan->ops[(*cuts)[2].afterOp].kind, OpKind::Add);
  auto blocks = findBlocks(*plan, *cuts);
  ASSERT_TRUE(blocks) << blocks.message();
  ASSERT_EQ(blocks->size(), 1u);
  EXPECT_EQ((*blocks)[0].index, 0);
  EXPECT_EQ((*blocks)[0].begin, 0u);
  EXPECT_EQ((*blocks)[0].end, 2u);
  EXPECT_EQ((*blocks)[0].sites.size(), 8u); // 6 attention, 2 MLP
  // The FP plan of the same model lines up: same number of cuts.
  auto fp = loadPlan(golden("fp"));
  ASSERT_TRUE(fp) << fp.message();
  auto fpCuts = residualCuts(*fp);
  ASSERT_TRUE(fpCuts) << fpCuts.message();
  EXPECT_EQ(fpCuts->size(), cuts->size());
}

TEST(PlanBlocks, TheOpGraphAloneReadsNoTensor) {
  auto whole = loadPlan(golden("is"));
  ASSERT_TRUE(whole) << whole.message();
  PlanLoadOptions graphOnly;
  graphOnly.params = false;
  auto graph = loadPlan(golden("is"), graphOnly);
  ASSERT_TRUE(graph) << graph.message();
  ASSERT_EQ(graph->ops.size(), whole->ops.size());
  for (size_t i = 0; i < graph->ops.size(); ++i) {
    EXPECT_EQ(graph->ops[i].kind, whole->ops[i].kind);
    EXPECT_EQ(graph->ops[i].paramNames, whole->ops[i].paramNames);
    EXPECT_TRUE(graph->ops[i].params.empty()) << "op " << i;
  }
  // Its cuts and blocks are the whole plan's: one block, so calibrating
  // one block (or more) loads all of it.
  for (int64_t blocks : {1, 2}) {
    auto cut = cutAfterBlocks(*graph, blocks);
    ASSERT_TRUE(cut) << cut.message();
    EXPECT_FALSE(cut->has_value()) << blocks << " blocks";
  }
}

TEST(PlanBlocks, APlanLoadedThroughACutRunsLikeTheWholePlan) {
  at::Tensor tokens = at::tensor({1, 5, 7, 2, 9, 3}, at::kLong).view({1, 6});
  for (const std::string level : {"is", "fp"}) {
    auto whole = loadPlan(golden(level));
    ASSERT_TRUE(whole) << whole.message();
    auto cuts = residualCuts(*whole);
    ASSERT_TRUE(cuts) << cuts.message();
    // Cut 1: after the attention half of block 0.
    PlanLoadOptions throughCut1;
    throughCut1.throughCut = 1;
    auto part = loadPlan(golden(level), throughCut1);
    ASSERT_TRUE(part) << part.message();
    size_t last = (*cuts)[1].afterOp;
    ASSERT_EQ(part->ops.size(), last + 1) << level;
    EXPECT_LT(part->ops.size(), whole->ops.size());
    ASSERT_EQ(part->outputs.size(), 1u);
    EXPECT_EQ(part->outputs[0], (*cuts)[1].value);
    // The same ops on the same inputs: the same arithmetic, bit for bit.
    EXPECT_TRUE(at::equal(runThrough(*part, tokens, last),
                          runThrough(*whole, tokens, last)))
        << level;
    // It has the same cuts up to its end, so teacher and student line up.
    auto partCuts = residualCuts(*part);
    ASSERT_TRUE(partCuts) << partCuts.message();
    ASSERT_EQ(partCuts->size(), 2u);
    EXPECT_EQ((*partCuts)[1].afterOp, last);
  }
  PlanLoadOptions throughCut3;
  throughCut3.throughCut = 3;
  auto none = loadPlan(golden("is"), throughCut3);
  ASSERT_FALSE(none);
  EXPECT_NE(none.message().find("3 residual cuts, none at index 3"),
            std::string::npos)
      << none.message();
}

} // namespace
