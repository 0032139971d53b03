//===- PlanWeightsTest.cpp - Quantized linears held as integer codes ------===//
//
// A loaded plan holds each quantized linear as int8 codes and per-row
// scales, not as f32: linearWeight() must give back quantizeWeight's f32
// weight (Neuron.h) bit for bit, and exactLinear the same sums from int8
// codes as from f32 ones.
//
//===----------------------------------------------------------------------===//

#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Neuron/Neuron.h"
#include "spike/runtime/ExactProduct.h"
#include "spike/runtime/Plan.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace spike::runtime;
namespace neuron = spike::neuron;

namespace {

std::string goldenDir() {
  return std::string(SPIKE_SOURCE_DIR) + "/test/Plan/golden/";
}

TEST(PlanWeights, QuantizedLinearsAreInt8CodesThatGiveTheGridWeight) {
  auto plan = loadPlan(goldenDir() + "tiny-qann.plan.json");
  ASSERT_TRUE(plan.isOk()) << plan.message();
  int quantized = 0;
  for (const PlanOp &op : plan->ops) {
    if (op.kind != OpKind::Linear || op.bits == 0)
      continue;
    ++quantized;
    EXPECT_FALSE(op.params.count("weight"));
    const at::Tensor &codes = op.params.at("weight_codes");
    EXPECT_EQ(codes.scalar_type(), at::kChar);
    const std::string &name = op.paramNames.at("weight");
    auto raw = plan->tensors.fileOf(name)->readF32(name);
    ASSERT_TRUE(raw.isOk());
    at::Tensor w = linearWeight(op).contiguous();
    ASSERT_EQ(w.numel(), int64_t(raw->size()));
    const float *scale = op.params.at("weight_row_scale").data_ptr<float>();
    int64_t cols = w.size(1);
    for (int64_t i = 0; i < w.numel(); ++i) {
      float want =
          neuron::quantizeWeight((*raw)[i], scale[i / cols], int(op.bits));
      ASSERT_EQ(std::memcmp(&want, w.data_ptr<float>() + i, 4), 0)
          << op.paramNames.at("weight") << "[" << i << "]";
    }
  }
  EXPECT_GT(quantized, 0);
}

TEST(PlanWeights, ExactLinearGivesTheSameSumsFromInt8Codes) {
  at::manual_seed(3);
  at::Tensor codes = at::randint(-31, 32, {24, 300}, at::kFloat);
  at::Tensor x = at::randint(-63, 64, {5, 300}, at::kFloat) * 0.125f;
  at::Tensor outScale = at::rand({24}, at::kFloat);
  for (int64_t perSynapse : {int64_t(63 * 31), int64_t(1) << 20}) {
    at::Tensor a = exactLinear(x, 0.125f, codes, outScale, perSynapse);
    at::Tensor b =
        exactLinear(x, 0.125f, codeTensor(codes, 6), outScale, perSynapse);
    EXPECT_TRUE(at::equal(a, b)) << "perSynapse " << perSynapse;
  }
  EXPECT_EQ(codeTensor(codes, 6).scalar_type(), at::kChar);
  EXPECT_EQ(codeTensor(codes, 12).scalar_type(), at::kShort);
  EXPECT_EQ(codeTensor(codes, 20).scalar_type(), at::kInt);
}

} // namespace
