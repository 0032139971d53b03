//===- DialectTest.cpp - C++ API tests of the qnn and spike dialects ------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/core/Neuron/Neuron.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class DialectTest : public ::testing::Test {
protected:
  DialectTest() {
    DialectRegistry registry;
    spike::registerAllDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }
  MLIRContext ctx;
};

TEST_F(DialectTest, TrainTypeCarriesTimesteps) {
  auto tensor = RankedTensorType::get({8, 64}, Float32Type::get(&ctx));
  auto train = spike::spk::TrainType::get(&ctx, int64_t(4), tensor);
  EXPECT_EQ(train.getTimesteps(), 4);
  EXPECT_EQ(train.getTensor(), tensor);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << Type(train);
  EXPECT_EQ(text, "!spike.train<4 x tensor<8x64xf32>>");
}

TEST_F(DialectTest, TrainTypeRejectsZeroSteps) {
  auto tensor = RankedTensorType::get({8}, Float32Type::get(&ctx));
  auto loc = UnknownLoc::get(&ctx);
  EXPECT_FALSE(spike::spk::TrainType::getChecked([&] { return emitError(loc); },
                                                 &ctx, int64_t(0), tensor));
}

// The quantize folder must compute exactly spike::neuron::quantize, the
// function the runtime uses, on every element, including the half-way points
// where round-half-up and round-half-even differ.
TEST_F(DialectTest, QuantizeFolderMatchesNeuronMath) {
  const char *ir = R"mlir(
    func.func @f() -> tensor<8xf32> {
      %c = qnn.weight dense<[-100.0, -0.125, 0.125, 0.375, 1.0, 2.5, 3.125, 100.0]> : tensor<8xf32>
      %q = qnn.quantize %c site "blk0.x" bits 4 scale [0.25, 0.5] : tensor<8xf32>
      return %q : tensor<8xf32>
    })mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &ctx);
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  spike::qnn::QuantizeOp q = *func.getOps<spike::qnn::QuantizeOp>().begin();
  auto input = cast<DenseFPElementsAttr>(
      q.getInput().getDefiningOp<spike::qnn::WeightOp>().getValue());
  SmallVector<Attribute> operands = {input};
  SmallVector<OpFoldResult> results;
  ASSERT_TRUE(succeeded(q->fold(operands, results)));
  auto folded = cast<DenseFPElementsAttr>(cast<Attribute>(results[0]));
  auto grid = spike::neuron::quantGrid(4, true);
  int i = 0;
  for (auto [x, y] :
       llvm::zip(input.getValues<float>(), folded.getValues<float>())) {
    float scale = i++ < 4 ? 0.25f : 0.5f;
    EXPECT_EQ(y, spike::neuron::quantize(x, scale, grid)) << "x = " << x;
  }
  // Spot checks: round half up (0.125 / 0.25 = 0.5 -> 1), clip to [-8, 7].
  EXPECT_EQ(folded.getValues<float>()[0], -8 * 0.25f);
  EXPECT_EQ(folded.getValues<float>()[2], 0.25f);
  EXPECT_EQ(folded.getValues<float>()[7], 7 * 0.5f);
}

} // namespace
