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

    The name identifies the parameter (passes name sites, chip cores and NIR
    nodes after it). A parameter that reads a tensor shared with others names
    that tensor second, e.g. every block's online rotation:
    `#qnn.param<"model.layers.3.mlp.down_rotation", "model.down_rotation">`.
  }];
  let parameters = (ins StringRefParameter<"parameter name">:$name,
                        StringRefParameter<"the weight file's tensor, when "
                                           "it is not `name`", "\"\"">:$tensor,
                        AttributeSelfTypeParameter<"tensor type">:$type);
  let assemblyFormat = "`<` $name (`,` $tensor^)? `>`";
  let extraClassDeclaration = [{
    /// The tensor of the weight file that holds the values.
    ::llvm::StringRef getTensorName() const {
      return getTensor().empty() ? getName() : getTensor();
    }
  }];
  let genVerifyDecl = 1;
}

#endif // SPIKE_DIALECT_QNN_QNNATTRS_TD
