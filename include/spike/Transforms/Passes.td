//===- Passes.td - spikec transformation passes ------------*- tablegen -*-===//

#ifndef SPIKE_TRANSFORMS_PASSES_TD
#define SPIKE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SpikeVerifySites : Pass<"spike-verify-sites", "mlir::ModuleOp"> {
  let summary = "Check that every quantizer and neuron has a unique site name";
  let description = [{
    Site names (`blk3.attn.q_rope`) key the activation statistics, the
    calibration file and the firing-rate file, so each must name exactly one
    `qnn.quantize`, `spike.is_neuron` or `spike.if_neuron` in the module.
    The pass changes nothing; it fails with a diagnostic on the second use of
    a name and a note on the first. With `expect-prefix`, every site must
    also start with that prefix (for example `blk` in a block-only test).

    Before and after (unchanged):
    ```mlir
    %0 = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    %1 = qnn.quantize %y site "blk0.attn.norm" bits 6 scale [0.05] : tensor<?x8xf32>
    // error: site "blk0.attn.norm" is used twice
    ```
  }];
  let options = [
    Option<"expectPrefix", "expect-prefix", "std::string", /*default=*/"\"\"",
           "Require every site name to start with this prefix">
  ];
}

#endif // SPIKE_TRANSFORMS_PASSES_TD
