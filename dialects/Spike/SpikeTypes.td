//===- SpikeTypes.td - spike types -------------------------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKETYPES_TD
#define SPIKE_DIALECT_SPIKE_SPIKETYPES_TD

include "Spike/SpikeDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Spike_TrainType : TypeDef<Spike_Dialect, "Train"> {
  let mnemonic = "train";
  let summary = "A spike train: T time steps of a tensor";
  let description = [{
    `!spike.train<2 x tensor<8x64xf32>>` is two steps of an 8x64 tensor.
  }];
  let parameters = (ins "int64_t":$timesteps,
                        "::mlir::RankedTensorType":$tensor);
  let assemblyFormat = "`<` $timesteps `x` $tensor `>`";
  let genVerifyDecl = 1;
}

def Spike_Train : Type<CPred<"::mlir::isa<::spike::spk::TrainType>($_self)">,
                       "spike train", "::spike::spk::TrainType">;

#endif // SPIKE_DIALECT_SPIKE_SPIKETYPES_TD
