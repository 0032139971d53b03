// RUN: spike-opt %s -spike-lower-is-to-if=schedule=uniform -verify-diagnostics

// The signed code fixes its direction of firing from the whole step's
// charge, so it lowers only integrate-then-fire.
func.func @signed_uniform(%x: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'spike.is_neuron' op at site "blk0.mlp.down" uses the signed code, which lowers only with schedule integrate-then-fire}}
  %n = spike.is_neuron %x site "blk0.mlp.down" levels 16 alpha 0.0 threshold [0.05] v0 [0.025] bits 6 coding signed : !spike.train<2 x tensor<?x8xf32>>
  %d = spike.decode %n : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %d : tensor<?x8xf32>
}
