//===- InitAll.cpp - Register spikec dialects and passes ------------------===//

#include "spike/InitAll.h"
#include "spike/Dialect/QNN/QNNDialect.h"
#include "spike/Dialect/Spike/SpikeDialect.h"
#include "spike/Conversion/Passes.h"
#include "spike/Transforms/Passes.h"
#include "spike/Transforms/Pipeline.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/Passes.h"

#ifndef SPIKE_VERSION
#define SPIKE_VERSION "unknown"
#endif

void spike::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::func::FuncDialect, qnn::QNNDialect,
                  spk::SpikeDialect>();
}

void spike::registerAllPasses() {
  registerSpikePasses();
  registerSpikeConversionPasses();
  registerSpikePipeline();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
}

const char *spike::versionString() { return "spikec " SPIKE_VERSION; }
