//===- SpikeDialect.td - The spiking dialect ---------------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_SPIKE_SPIKEDIALECT_TD
#define SPIKE_DIALECT_SPIKE_SPIKEDIALECT_TD

include "mlir/IR/OpBase.td"

def Spike_Dialect : Dialect {
  let name = "spike";
  let cppNamespace = "::spike::spk";
  let summary = "Spiking neural networks over a discrete time grid";
  let description = [{
    Values of type `!spike.train<T x tensor<...>>` are spike trains: T time
    steps of a tensor. Step t carries the value emitted at t (for an IS
    neuron, `(s(t) - alpha) * theta`). The model's value is the sum over T
    (`spike.decode`). Every op is causal: step t depends only on steps <= t
    of its operands, which is what lets the runtime process all T steps of
    an op at once.
  }];
  let useDefaultTypePrinterParser = 1;
}

class Spike_Op<string mnemonic, list<Trait> traits = []>
    : Op<Spike_Dialect, mnemonic, traits>;

#endif // SPIKE_DIALECT_SPIKE_SPIKEDIALECT_TD
