// RUN: spike-opt %s | spike-opt | FileCheck %s
// RUN: spike-opt %s --mlir-print-op-generic | spike-opt | FileCheck %s

// Every spike op and the train type, printed, reparsed and printed again.

!t8 = !spike.train<2 x tensor<?x8xf32>>
!h2 = !spike.train<2 x tensor<2x?x4xf32>>
!h1 = !spike.train<2 x tensor<1x?x4xf32>>
!sc = !spike.train<2 x tensor<2x?x?xf32>>

// CHECK-LABEL: func.func @block
func.func @block(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %g = qnn.weight dense<1.0> : tensor<8xf32>
  %wq = qnn.weight #qnn.param<"q"> : tensor<8x8xf32>
  %wk = qnn.weight #qnn.param<"k"> : tensor<4x8xf32>
  %sq = qnn.weight #qnn.param<"q.scale"> : tensor<8xf32>
  // CHECK: spike.encode %{{.*}} : tensor<?x8xf32> -> !spike.train<2 x tensor<?x8xf32>>
  %e = spike.encode %x : tensor<?x8xf32> -> !t8
  // CHECK: spike.accum_map rmsnorm %{{.*}}, %{{.*}} : tensor<8xf32> eps 1.000000e-05 : !spike.train<2 x tensor<?x8xf32>>
  %n = spike.accum_map rmsnorm %e, %g : tensor<8xf32> eps 1.0e-5 : !t8
  // CHECK: spike.is_neuron %{{.*}} site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [1.234567890123e-01] v0 [6.172839450615e-02] budget 63 bits 6 : !spike.train<2 x tensor<?x8xf32>>
  %nn = spike.is_neuron %n site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.1234567890123] v0 [0.06172839450615] budget 63 bits 6 : !t8
  // CHECK: spike.linear %{{.*}}, %{{.*}} bits 6 scales %{{.*}} : (!spike.train<2 x tensor<?x8xf32>>, tensor<8x8xf32>, tensor<8xf32>) -> !spike.train<2 x tensor<?x8xf32>>
  %q = spike.linear %nn, %wq bits 6 scales %sq : (!t8, tensor<8x8xf32>, tensor<8xf32>) -> !t8
  // CHECK: spike.linear %{{.*}}, %{{.*}} bias %{{.*}} : (!spike.train<2 x tensor<?x8xf32>>, tensor<4x8xf32>, tensor<4xf32>) -> !spike.train<2 x tensor<?x4xf32>>
  %bk = qnn.weight #qnn.param<"kb"> : tensor<4xf32>
  %k = spike.linear %nn, %wk bias %bk : (!t8, tensor<4x8xf32>, tensor<4xf32>) -> !spike.train<2 x tensor<?x4xf32>>
  // CHECK: spike.split_heads %{{.*}} : !spike.train<2 x tensor<?x8xf32>> -> !spike.train<2 x tensor<2x?x4xf32>>
  %qh = spike.split_heads %q : !t8 -> !h2
  %kh = spike.split_heads %k : !spike.train<2 x tensor<?x4xf32>> -> !h1
  // CHECK: spike.rope %{{.*}} base 1.000000e+04 : !spike.train<2 x tensor<2x?x4xf32>>
  %qr = spike.rope %qh base 10000.0 : !h2
  %kr = spike.rope %kh base 10000.0 : !h1
  // CHECK: spike.is_neuron %{{.*}} site "blk0.attn.q_rope" levels 4 alpha 2.000000e+00 threshold [5.000000e-02, 2.500000e-02] v0 [2.500000e-02, 1.250000e-02] : !spike.train<2 x tensor<2x?x4xf32>>
  %qn = spike.is_neuron %qr site "blk0.attn.q_rope" levels 4 alpha 2.0 threshold [0.05, 0.025] v0 [0.025, 0.0125] : !h2
  // CHECK: spike.aa_matmul %{{.*}}, %{{.*}} transpose_rhs : !spike.train<2 x tensor<2x?x4xf32>>, !spike.train<2 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
  %s = spike.aa_matmul %qn, %kr transpose_rhs : !h2, !h1 -> !sc
  // CHECK: spike.accum_map softmax %{{.*}} causal : !spike.train<2 x tensor<2x?x?xf32>>
  %p = spike.accum_map softmax %s causal : !sc
  // CHECK: spike.if_neuron %{{.*}} site "blk0.attn.softmax" levels 32 alpha 0.000000e+00 threshold [1.562500e-02] v0 [7.812500e-03] budget 63 schedule "integrate-then-fire" : !spike.train<2 x tensor<2x?x?xf32>> -> !spike.train<64 x tensor<2x?x?xf32>>
  %ps = spike.if_neuron %p site "blk0.attn.softmax" levels 32 alpha 0.0 threshold [0.015625] v0 [0.0078125] budget 63 schedule "integrate-then-fire" : !sc -> !spike.train<64 x tensor<2x?x?xf32>>
  // CHECK: spike.if_collect %{{.*}} levels 32 alpha 0.000000e+00 threshold [1.562500e-02] : !spike.train<64 x tensor<2x?x?xf32>> -> !spike.train<2 x tensor<2x?x?xf32>>
  %pn = spike.if_collect %ps levels 32 alpha 0.0 threshold [0.015625] : !spike.train<64 x tensor<2x?x?xf32>> -> !sc
  // CHECK: schedule uniform :
  %pu = spike.if_neuron %p site "blk0.attn.softmax_u" levels 32 alpha 0.0 threshold [0.015625] v0 [0.0078125] schedule "uniform" : !sc -> !spike.train<64 x tensor<2x?x?xf32>>
  // CHECK: spike.aa_matmul %{{.*}}, %{{.*}} : !spike.train<2 x tensor<2x?x?xf32>>, !spike.train<2 x tensor<1x?x4xf32>> -> !spike.train<2 x tensor<2x?x4xf32>>
  %o = spike.aa_matmul %pn, %kr : !sc, !h1 -> !h2
  // CHECK: spike.merge_heads %{{.*}} : !spike.train<2 x tensor<2x?x4xf32>> -> !spike.train<2 x tensor<?x8xf32>>
  %om = spike.merge_heads %o : !h2 -> !t8
  // CHECK: spike.accum_map silu %{{.*}} : !spike.train<2 x tensor<?x8xf32>>
  %a = spike.accum_map silu %om : !t8
  // CHECK: spike.aa_mul %{{.*}}, %{{.*}} : !spike.train<2 x tensor<?x8xf32>>
  %m = spike.aa_mul %a, %om : !t8
  // CHECK: spike.add %{{.*}}, %{{.*}} : !spike.train<2 x tensor<?x8xf32>>
  %r = spike.add %e, %m : !t8
  // CHECK: spike.decode %{{.*}} : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  %y = spike.decode %r : !t8 -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// CHECK-LABEL: func @bidirectional_neuron
// CHECK: spike.is_neuron %{{.*}} site "blk0.attn.norm" levels 32 alpha 1.600000e+01 threshold [5.000000e-02] v0 [2.500000e-02] budget 63 bits 6 bidirectional :
func.func @bidirectional_neuron(%x: !spike.train<2 x tensor<?x8xf32>>) -> !spike.train<2 x tensor<?x8xf32>> {
  %y = spike.is_neuron %x site "blk0.attn.norm" levels 32 alpha 16.0
         threshold [0.05] v0 [0.025] budget 63 bits 6 bidirectional
         : !spike.train<2 x tensor<?x8xf32>>
  return %y : !spike.train<2 x tensor<?x8xf32>>
}
