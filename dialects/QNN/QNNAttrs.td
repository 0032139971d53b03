//===- QNNAttrs.td - qnn attributes ------------------------*- tablegen -*-===//

#ifndef SPIKE_DIALECT_QNN_QNNATTRS_TD
#define SPIKE_DIALECT_QNN_QNNATTRS_TD

include "QNN/QNNDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def QNN_ParamAttr : AttrDef<QNN_Dialect, "Param", [TypedAttrInterface]> {
  let mnemonic = "param";
  let summary = "A weight tensor named in the model's safetensors file";
  let description = [{
    Weights are referenced by name, never copied into the IR:
    `#qnn.param<"model.layers.0.mlp.up_proj.weight"> : tensor<1536x576xf32>`.
    Like a dense constant, the attribute carries its tensor type. The file
    itself is named once, by the `qnn.weights` attribute of the module.
  }];
  let parameters = (ins StringRefParameter<"tensor name">:$name,
                        AttributeSelfTypeParameter<"tensor type">:$type);
  let assemblyFormat = "`<` $name `>`";
  let genVerifyDecl = 1;
}

#endif // SPIKE_DIALECT_QNN_QNNATTRS_TD
