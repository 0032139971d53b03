// RUN: spike-opt %s -spike-lower-is-to-if -verify-diagnostics

// Binary IF neurons cannot emit correction spikes: the lowering refuses an
// IS neuron that has them, naming its site.
func.func @bidirectional(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'spike.is_neuron' op at site "blk0.attn.norm" emits correction spikes, which binary IF neurons cannot; keep it at the IS level for a graded-spike target or convert without bidirectional}}
  %n = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.05] v0 [0.025] budget 63 bits 6 bidirectional : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}
