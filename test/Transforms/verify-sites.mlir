// RUN: spike-opt %s -split-input-file -spike-verify-sites -verify-diagnostics | FileCheck %s
// RUN: not spike-opt %s -split-input-file -spike-verify-sites="expect-prefix=blk" 2>&1 | FileCheck %s --check-prefix=PREFIX

// Unique sites pass unchanged.
// CHECK-LABEL: func.func @unique
// CHECK: site "blk0.attn.norm"
// CHECK: site "blk0.mlp.norm"
func.func @unique(%x: tensor<?x8xf32>, %t: !spike.train<2 x tensor<?x8xf32>>) -> tensor<?x8xf32> {
  %a = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  %n = spike.is_neuron %t site "blk0.mlp.norm" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] : !spike.train<2 x tensor<?x8xf32>>
  return %a : tensor<?x8xf32>
}

// -----

func.func @duplicate(%x: tensor<?x8xf32>, %t: !spike.train<2 x tensor<?x8xf32>>) {
  // expected-note @+1 {{first use of the site}}
  %a = qnn.quantize %x site "blk0.attn.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  // expected-error @+1 {{site "blk0.attn.norm" is used twice}}
  %n = spike.if_neuron %t site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] schedule "integrate-then-fire" : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<64 x tensor<?x8xf32>>
  return
}

// -----

// PREFIX: error: site "final.norm" does not start with "blk"
func.func @prefix(%x: tensor<?x8xf32>) {
  %a = qnn.quantize %x site "final.norm" bits 6 scale [0.1] : tensor<?x8xf32>
  return
}
