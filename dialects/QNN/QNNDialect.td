//===- QNNDialect.td - The quantized-ANN dialect -----------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_QNN_QNNDIALECT_TD
#define SPIKE_DIALECT_QNN_QNNDIALECT_TD

include "mlir/IR/OpBase.td"

def QNN_Dialect : Dialect {
  let name = "qnn";
  let cppNamespace = "::spike::qnn";
  let summary = "LLaMA-family graphs at full precision and statically quantized";
  let description = [{
    The entry level of spikec. An imported checkpoint is an FP graph of `qnn`
    ops; static quantization inserts `qnn.quantize` at PrefixQuant's sites and
    attaches weight-quantization parameters to `qnn.linear`. Every value is
    an f32 tensor; quantization is expressed as exact fake-quantization
    (values on the quantizer's grid), which is what the spiking level must
    reproduce.

    Layouts: token activations are `tensor<S x D>`; attention activations
    are head-major `tensor<H x S x Dh>`, produced by `qnn.split_heads`.
    Weights are `qnn.weight` values that name a tensor in the model's
    safetensors file (`#qnn.param<"...">`) or hold an inline constant.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

class QNN_Op<string mnemonic, list<Trait> traits = []>
    : Op<QNN_Dialect, mnemonic, traits>;

#endif // SPIKE_DIALECT_QNN_QNNDIALECT_TD
