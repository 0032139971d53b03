//===- ImportLlama.cpp - Import LLaMA-family checkpoints ------------------===//
//
// The importer's entry: open the checkpoint (Checkpoint.h), build the graph
// (GraphBuilder.h), check that every tensor was used, and write the weight
// file and then the IR, each complete or not at all.
//
//===----------------------------------------------------------------------===//

#include "Checkpoint.h"
#include "GraphBuilder.h"
#include "spike/InitAll.h"
#include "spike/Target/LlamaImport.h"
#include "spike/core/ModelIO/Safetensors.h"
#include "spike/core/Support/FileIO.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace core = spike::core;
namespace llama = spike::llama;

namespace {

bool fail(const std::string &message) {
  llvm::errs() << "spike-translate: error: " << message << "\n";
  return false;
}

} // namespace

bool spike::importLlama(const LlamaImportOptions &options) {
  std::unique_ptr<llama::WeightSource> source;
  llama::LlamaConfig config;
  std::string tokenizer;
  bool isDir = llvm::sys::fs::is_directory(options.input);
  if (!isDir && !llvm::sys::fs::exists(options.input))
    return fail(options.input + ": no such file or directory");
  if (isDir) {
    auto c = llama::readHFConfig(options.input);
    if (!c)
      return fail(c.message());
    config = c.take();
    auto s = llama::openHFWeights(options.input);
    if (!s)
      return fail(s.message());
    source = s.take();
    for (const char *name : {"tokenizer.json", "tokenizer.model"})
      if (llvm::sys::fs::exists(options.input + "/" + name)) {
        tokenizer = options.input + "/" + name;
        break;
      }
  } else {
    auto file = core::GgufFile::open(options.input);
    if (!file)
      return fail(file.message());
    auto c = llama::readGGUFConfig(*file);
    if (!c)
      return fail(c.message());
    config = c.take();
    source = llama::makeGGUFWeights(file.take(), config);
    tokenizer = options.input;
  }
  if (config.hidden % config.heads || config.heads % config.kvHeads ||
      config.headDim % 2)
    return fail(options.input + ": inconsistent attention shape (hidden " +
                std::to_string(config.hidden) + ", heads " +
                std::to_string(config.heads) + ", kv heads " +
                std::to_string(config.kvHeads) + ")");

  std::string weightsOut = options.weightsOut;
  if (weightsOut.empty()) {
    if (options.output == "-")
      return fail("--weights-out is required when writing the IR to stdout");
    SmallString<256> p(options.output);
    llvm::sys::path::replace_extension(p, ".safetensors");
    weightsOut = p.str().str();
  }

  MLIRContext ctx;
  DialectRegistry registry;
  spike::registerAllDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&ctx));
  core::SafetensorsWriter weights;
  weights.setMetadata("producer", spike::versionString());
  if (options.referenceCheckpoint && source->baseFile().empty())
    return fail(options.input +
                ": --reference-checkpoint needs a safetensors checkpoint "
                "(a Hugging Face directory), not GGUF");
  for (const std::string &file : source->files())
    if (llvm::sys::fs::equivalent(weightsOut, file))
      return fail(weightsOut + " is a file of the checkpoint " + options.input +
                  ": choose another --weights-out or -o");
  llama::GraphBuilder builder(&ctx, config, *source, weights, options);
  if (auto st = builder.build(*module); !st)
    return fail(st.message());
  if (builder.takenAsStored() > 0)
    weights.setMetadata(core::kBaseFileKey, source->baseFile());

  // The IR names the weight file relative to itself when they share a
  // directory, so the pair can be moved together.
  SmallString<256> irDir(options.output == "-" ? "." : options.output);
  llvm::sys::path::remove_filename(irDir);
  SmallString<256> weightsDir(weightsOut);
  llvm::sys::path::remove_filename(weightsDir);
  std::string weightsRef = irDir == weightsDir
                               ? llvm::sys::path::filename(weightsOut).str()
                               : weightsOut;
  OpBuilder b(&ctx);
  (*module)->setAttr("qnn.weights", b.getStringAttr(weightsRef));
  if (!config.name.empty())
    (*module)->setAttr("qnn.model", b.getStringAttr(config.name));
  if (!tokenizer.empty()) {
    SmallString<256> abs(tokenizer);
    llvm::sys::fs::make_absolute(abs);
    (*module)->setAttr("qnn.tokenizer", b.getStringAttr(abs.str()));
  }
  if (failed(verify(*module)))
    return fail(options.input + ": the imported graph does not verify");

  // The weights first and the IR last, each complete or not there at all:
  // an IR file in place means its weights are too. Writing the weights runs
  // the builder's producers, which read the checkpoint one tensor at a time.
  core::OutputSet outputs;
  if (auto st = weights.write(outputs, weightsOut); !st)
    return fail(st.message());
  if (auto st = source->checkAllRead(config); !st)
    return fail(st.message());
  std::string ir;
  llvm::raw_string_ostream irStream(ir);
  module->print(irStream);
  if (options.output != "-")
    if (auto st = outputs.write(options.output, ir); !st)
      return fail(st.message());
  if (auto st = outputs.commit(); !st)
    return fail(st.message());
  if (options.output == "-") {
    llvm::outs() << ir;
    llvm::outs().flush();
  }
  return true;
}
