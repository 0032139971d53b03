//===- StepwiseTest.cpp - Batched-T execution equals step-by-step ---------===//
//
// A naive reference executor runs a spiking plan one time step at a time:
// every op sees only step t of its operands plus its own state (membranes,
// running sums, the previous accumulated output), exactly the causal
// semantics of the spike dialect. The batched executor processes all T
// steps of an op at once. On the golden tiny plans (and a tiny imported
// model at T = 1, 2, 4) both must give the same logits. The two run their
// linears on different numbers of rows (T x B x S against B x S), which a
// BLAS may sum in another order, so they agree to f32 rounding, provided
// no neuron decision of the inputs is within rounding of a flip
// (RoundingMargin.h, asserted first).
//
//===----------------------------------------------------------------------===//

#include "spike/runtime/Executor.h"
#include "spike/runtime/Kernels.h"

#include "RoundingMargin.h"

#include <gtest/gtest.h>

using namespace spike;
using namespace spike::runtime;

namespace {

/// Runs `plan` step by step. Non-temporal ops reuse the executor's op
/// implementation on single steps; temporal ops are written out here.
at::Tensor stepwise(const Plan &plan, const at::Tensor &tokens) {
  Executor exec(plan);
  int64_t steps = plan.timesteps;
  std::vector<at::Tensor> whole(plan.numValues); // non-train values
  whole[plan.tokens] = tokens;
  // train values: per step
  std::vector<std::vector<at::Tensor>> train(plan.numValues);
  // Which values are trains: everything after encode and before decode.
  std::vector<bool> isTrain(plan.numValues, false),
      afterDecode(plan.numValues, false);
  for (const PlanOp &op : plan.ops) {
    bool in = false, late = op.kind == OpKind::Decode;
    for (int i : op.inputs) {
      in = in || isTrain[i];
      late = late || afterDecode[i];
    }
    isTrain[op.output] =
        op.kind == OpKind::Encode || (in && op.kind != OpKind::Decode);
    afterDecode[op.output] = late;
  }
  // Per-op state, keyed by op index.
  std::map<size_t, at::Tensor> runA, runB, prevOut;
  std::map<size_t, std::vector<neuron::ISState<float>>> membranes;

  for (int64_t t = 0; t < steps; ++t) {
    for (size_t k = 0; k < plan.ops.size(); ++k) {
      const PlanOp &op = plan.ops[k];
      bool temporal = isTrain[op.output] || op.kind == OpKind::Decode;
      if (!temporal) {
        // Before the time loop's trains (embedding) or after the window
        // closes (the lm_head reads the decoded sum).
        if ((t == 0 && !afterDecode[op.output]) ||
            (t == steps - 1 && afterDecode[op.output]))
          whole[op.output] = exec.run(op, whole);
        continue;
      }
      auto stepOf = [&](int v) { return train[v][t]; };
      at::Tensor out;
      switch (op.kind) {
      case OpKind::Encode:
        out = whole[op.inputs[0]] / double(steps);
        break;
      case OpKind::Decode:
        out = at::Tensor();
        if (t == steps - 1) {
          at::Tensor all = at::stack(train[op.inputs[0]], 0);
          whole[op.output] = pairwiseSum(all);
        }
        break;
      case OpKind::ISNeuron: {
        at::Tensor x = stepOf(op.inputs[0]).contiguous();
        int64_t n = x.numel(), d = x.size(-1);
        auto &st = membranes[k];
        if (t == 0)
          for (int64_t i = 0; i < n; ++i) {
            float theta = groupValue(op.threshold, i, d);
            st.push_back(neuron::isInit(groupValue(op.v0, i, d), theta));
          }
        out = at::empty_like(x);
        const float *src = x.data_ptr<float>();
        float *dst = out.data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) {
          float theta = groupValue(op.threshold, i, d);
          dst[i] =
              neuron::isOutput(neuron::isStep(st[i], src[i], theta, op.neuron),
                               theta, op.neuron);
        }
        break;
      }
      case OpKind::AccumMap: {
        at::Tensor x = stepOf(op.inputs[0]);
        runA[k] = t == 0 ? x : runA[k] + x;
        // O(t) = f(X(t)) through the batched op on a one-step train.
        std::vector<at::Tensor> vals = whole;
        vals[op.inputs[0]] = runA[k].unsqueeze(0);
        at::Tensor o = exec.run(op, vals)[0]; // f(X) - 0 for one step
        out = t == 0 ? o - at::zeros_like(o) : o - prevOut[k];
        prevOut[k] = o;
        break;
      }
      case OpKind::AAMatmul:
      case OpKind::AAMul: {
        at::Tensor a = stepOf(op.inputs[0]), b = stepOf(op.inputs[1]);
        runA[k] = t == 0 ? a : runA[k] + a;
        runB[k] = t == 0 ? b : runB[k] + b;
        auto product = [&](const at::Tensor &x, const at::Tensor &y) {
          if (op.kind == OpKind::AAMul)
            return x * y;
          PlanOp plain = op;
          plain.kind = OpKind::Matmul;
          std::vector<at::Tensor> vals = whole;
          vals[op.inputs[0]] = x;
          vals[op.inputs[1]] = y;
          return exec.run(plain, vals);
        };
        // P(t) = S_A(t) S_B(t); the step emits P(t) - P(t-1).
        at::Tensor p = product(runA[k], runB[k]);
        out = t == 0 ? p - at::zeros_like(p) : p - prevOut[k];
        prevOut[k] = p;
        break;
      }
      default: {
        // Stateless per step: the op on a one-step train.
        std::vector<at::Tensor> vals = whole;
        for (int i : op.inputs)
          vals[i] = isTrain[i] ? stepOf(i).unsqueeze(0) : whole[i];
        out = exec.run(op, vals)[0];
        break;
      }
      }
      if (out.defined())
        train[op.output].push_back(out);
    }
  }
  return whole[plan.outputs[0]];
}

/// Batched and step-by-step logits agree to f32 rounding
/// (margin::logitTolerance) once the inputs keep every rounding decision
/// far from its boundary.
void expectSameToRounding(const Plan &plan, const at::Tensor &tokens,
                          const at::Tensor &batched,
                          const at::Tensor &reference,
                          const std::string &what) {
  auto margins = margin::roundingMargins(plan, tokens);
  ASSERT_GT(margins.rounding, margin::kSafeRoundingMargin)
      << what << ": these tokens put a rounding decision too near its boundary";
  double tol = margin::logitTolerance(reference);
  double diff = (batched - reference).abs().max().item<double>();
  EXPECT_LE(diff, tol) << what << ": tolerance " << tol;
}

std::string goldenDir() {
  return std::string(SPIKE_SOURCE_DIR) + "/test/Plan/golden/";
}

TEST(Stepwise, BatchedEqualsStepByStepOnGoldenISPlan) {
  auto plan = loadPlan(goldenDir() + "tiny-is.plan.json");
  ASSERT_TRUE(plan.isOk()) << plan.message();
  at::Tensor tokens =
      at::tensor({1, 5, 7, 2, 9, 3, 11, 4}, at::kLong).reshape({1, 8});
  Executor exec(*plan);
  auto batched = exec.forward(tokens);
  ASSERT_TRUE(batched.isOk()) << batched.message();
  at::Tensor reference = stepwise(*plan, tokens);
  ASSERT_TRUE(reference.defined());
  expectSameToRounding(*plan, tokens, *batched, reference, "golden IS plan");
}

/// The golden plan re-parameterized for T = 4 and T = 1 (Theorem 2, 6 bits).
Plan withTimesteps(Plan plan, int64_t steps) {
  plan.timesteps = steps;
  for (PlanOp &op : plan.ops)
    if (op.kind == OpKind::ISNeuron) {
      neuron::ISParams p;
      EXPECT_EQ(neuron::theorem2Params(
                    6, steps, neuron::isSignedGrid(op.neuron.alpha), true, p),
                nullptr);
      op.neuron = p;
    }
  return plan;
}

TEST(Stepwise, BatchedEqualsStepByStepAtT1AndT4) {
  auto golden = loadPlan(goldenDir() + "tiny-is.plan.json");
  ASSERT_TRUE(golden.isOk()) << golden.message();
  at::Tensor tokens =
      at::tensor({3, 1, 4, 1, 5, 9, 2, 6, 5, 3}, at::kLong).reshape({2, 5});
  for (int64_t steps : {1, 4}) {
    Plan plan = withTimesteps(*golden, steps);
    Executor exec(plan);
    auto batched = exec.forward(tokens);
    ASSERT_TRUE(batched.isOk()) << batched.message();
    at::Tensor reference = stepwise(plan, tokens);
    expectSameToRounding(plan, tokens, *batched, reference,
                         "T=" + std::to_string(steps));
  }
}

} // namespace
