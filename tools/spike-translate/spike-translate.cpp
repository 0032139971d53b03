//===- spike-translate.cpp - Translate between IR and other formats -------===//
//
// Translations registered so far:
//   --import-llama P    HF directory or GGUF file -> qnn IR + safetensors
//   --emit-plan         IR (any level) -> spikec.plan + safetensors
//   --emit-site-table   IR -> JSON table of every quantizer / neuron site
//   --emit-nir          spiking IR -> NIR v1.0 HDF5 subgraphs + manifest
//   --emit-chip-program IF-level IR + chip -> per-core tables + manifest
//
//===----------------------------------------------------------------------===//

#include "spike/Dialect/QNN/QNNOps.h"
#include "spike/Dialect/Spike/SpikeOps.h"
#include "spike/InitAll.h"
#include "spike/Support/StagedOutput.h"
#include "spike/Support/ToolHelp.h"
#include "spike/Target/ChipProgram.h"
#include "spike/Target/LlamaImport.h"
#include "spike/Target/NIR.h"
#include "spike/Target/Plan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

void writeShape(llvm::json::OStream &j, RankedTensorType t) {
  j.attributeArray("shape", [&] {
    for (int64_t d : t.getShape())
      j.value(ShapedType::isDynamic(d) ? llvm::json::Value(nullptr)
                                       : llvm::json::Value(d));
  });
}

/// One JSON object per site, in IR order: what the statistics, calibration
/// and firing-rate files of that module must be keyed by.
LogicalResult emitSiteTable(ModuleOp module, llvm::raw_ostream &os) {
  llvm::json::OStream j(os, 2);
  j.objectBegin();
  j.attribute("format", "spikec.site-table");
  j.attributeArray("sites", [&] {
    module.walk([&](Operation *op) {
      if (auto q = dyn_cast<spike::qnn::QuantizeOp>(op)) {
        j.object([&] {
          j.attribute("site", q.getSite());
          j.attribute("op", "qnn.quantize");
          j.attribute("bits", q.getBits());
          j.attribute("signed", !q.getIsUnsigned());
          j.attribute("groups", int64_t(q.getScale().size()));
          writeShape(j, q.getInput().getType());
        });
      } else if (auto n = dyn_cast<spike::spk::ISNeuronOp>(op)) {
        j.object([&] {
          j.attribute("site", n.getSite());
          j.attribute("op", "spike.is_neuron");
          j.attribute("timesteps", n.getInput().getType().getTimesteps());
          j.attribute("levels", n.getLevels());
          j.attribute("groups", int64_t(n.getThreshold().size()));
          writeShape(j, n.getInput().getType().getTensor());
        });
      } else if (auto n = dyn_cast<spike::spk::IFNeuronOp>(op)) {
        j.object([&] {
          j.attribute("site", n.getSite());
          j.attribute("op", "spike.if_neuron");
          j.attribute("timesteps", n.getInput().getType().getTimesteps());
          j.attribute("groups", int64_t(n.getThreshold().size()));
          writeShape(j, n.getInput().getType().getTensor());
        });
      }
    });
  });
  j.objectEnd();
  os << "\n";
  return success();
}

} // namespace

/// The options of `--import-llama PATH -o model.mlir`, handled here rather
/// than as a translation because the input is a directory or a large
/// binary file, not IR text. Registered in every run so that --help lists
/// them; `-o` is MLIR's own outside an import.
struct ImportOptions {
  llvm::cl::OptionCategory category{
      "Import (--import-llama: a checkpoint to qnn IR and safetensors)"};
  llvm::cl::opt<std::string> input{
      "import-llama",
      llvm::cl::desc("Import a LLaMA checkpoint: a Hugging Face directory or "
                     "a GGUF file"),
      llvm::cl::value_desc("path"), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> weightsOut{
      "weights-out",
      llvm::cl::desc("Weight file to write (default: the IR file with "
                     ".safetensors)"),
      llvm::cl::value_desc("file"), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> rotate{
      "rotate",
      llvm::cl::desc("Fold orthogonal rotations into the weights: none, "
                     "residual, or residual-down (also rotate the down_proj "
                     "input online)"),
      llvm::cl::init("none"), llvm::cl::cat(category)};
  llvm::cl::opt<uint64_t> seed{"rotate-seed",
                               llvm::cl::desc("Seed of the random rotations"),
                               llvm::cl::init(0), llvm::cl::cat(category)};
  llvm::cl::opt<std::string> weightDtype{
      "weight-dtype",
      llvm::cl::desc("Element type of the weight file's matrices: f32, or "
                     "bf16 (half the disk and memory; norms and the online "
                     "rotation stay f32)"),
      llvm::cl::init("f32"), llvm::cl::cat(category)};
  llvm::cl::opt<bool> referenceCheckpoint{
      "reference-checkpoint",
      llvm::cl::desc("Read the tensors a safetensors checkpoint stores as "
                     "the weight file would (unrotated, same dtype) from the "
                     "checkpoint in place: the weight file names it as its "
                     "base instead of copying them"),
      llvm::cl::init(false), llvm::cl::cat(category)};
};

int runImport(int argc, char **argv, ImportOptions &o) {
  static llvm::cl::opt<std::string> output(
      "o", llvm::cl::desc("Output IR file"), llvm::cl::value_desc("file"),
      llvm::cl::init("-"), llvm::cl::cat(o.category));
  llvm::cl::ParseCommandLineOptions(
      argc, argv, "spike-translate --import-llama: checkpoint to qnn IR\n");
  if (o.rotate != "none" && o.rotate != "residual" &&
      o.rotate != "residual-down") {
    llvm::errs() << "spike-translate: error: --rotate must be none, residual "
                    "or residual-down, got '"
                 << o.rotate << "'\n";
    return 1;
  }
  if (o.weightDtype != "f32" && o.weightDtype != "bf16") {
    llvm::errs() << "spike-translate: error: --weight-dtype must be f32 or "
                    "bf16, got '"
                 << o.weightDtype << "'\n";
    return 1;
  }
  spike::LlamaImportOptions options{o.input, output, o.weightsOut};
  options.bf16Weights = o.weightDtype == "bf16";
  options.rotateResidual = o.rotate != "none";
  options.rotateDown = o.rotate == "residual-down";
  options.rotationSeed = o.seed;
  options.referenceCheckpoint = o.referenceCheckpoint;
  return spike::importLlama(options) ? 0 : 1;
}

/// Whether a command-line word gives option `name` (-name, --name, with or
/// without =value).
static bool givesOption(llvm::StringRef arg, llvm::StringRef name) {
  if (!arg.consume_front("--") && !arg.consume_front("-"))
    return false;
  return arg == name || arg.starts_with((name + "=").str());
}

int main(int argc, char **argv) {
  spike::hideLibraryOptions();
  ImportOptions import;
  for (int i = 1; i < argc; ++i)
    if (givesOption(argv[i], import.input.ArgStr))
      return runImport(argc, argv, import);
  // The import's own options mean nothing to a translation: refused before
  // any work.
  for (int i = 1; i < argc; ++i)
    for (const llvm::cl::Option *o :
         {static_cast<const llvm::cl::Option *>(&import.weightsOut),
          static_cast<const llvm::cl::Option *>(&import.rotate),
          static_cast<const llvm::cl::Option *>(&import.seed),
          static_cast<const llvm::cl::Option *>(&import.weightDtype)})
      if (givesOption(argv[i], o->ArgStr)) {
        llvm::errs() << "spike-translate: error: --" << o->ArgStr
                     << " is an option of --import-llama\n";
        return 1;
      }

  llvm::cl::AddExtraVersionPrinter(
      [](llvm::raw_ostream &os) { os << spike::versionString() << "\n"; });
  spike::registerPlanTranslation();
  spike::registerNIRTranslation();
  spike::registerChipProgramTranslation();
  TranslateFromMLIRRegistration siteTable(
      "emit-site-table", "Emit a JSON table of every quantizer and neuron site",
      emitSiteTable,
      [](DialectRegistry &registry) { spike::registerAllDialects(registry); });
  return spike::runWithStagedOutput(
      argc, argv, "spike-translate", [](int argc, char **argv) {
        return int(failed(mlirTranslateMain(argc, argv,
                                            "spike-translate: spikec "
                                            "translations\n")));
      });
}
