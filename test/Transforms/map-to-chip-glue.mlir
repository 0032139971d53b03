// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/loihi2-like.yaml context=4 report=%t.json" -o /dev/null
// RUN: FileCheck %s < %t.json
// TrueNorth-like has no core that runs glue: all 664 glue ops run on the
// host at 70 pJ, beside its 16 dense ones.
// RUN: spike-opt %s -spike-map-to-chip="chip=%spike_src/chips/truenorth-like.yaml context=4 report=%t.tn.json" -o /dev/null 2>&1 | FileCheck %s --check-prefix=HOST-REMARK
// RUN: FileCheck %s --check-prefix=HOST < %t.tn.json
// HOST-REMARK: spike-map-to-chip: truenorth-like
// HOST-DAG: "glue": 46480
// HOST-DAG: "host": 1120
// HOST-DAG: "glue_on_host": {{[1-9]}}

// Every glue op kind of a block, priced on the core type that runs it,
// against a hand count at T = 2 and context 4 (ChipGraph.cpp's element
// ops: causal products 3 MACs per output and contraction element per step,
// maps and RoPE 3 per element per step, adds 1, the host's codec once):
//   accumulate-difference, on the neurocores (81 pJ):
//     rmsnorm 3x2x8 + RoPE q 3x2x8 + RoPE k 3x2x4 + softmax 3x2x(2x4)
//     + silu 3x2x8 + add 2x8 = 48+48+24+48+48+16 = 232 ops, 18,792 pJ;
//   activation products, on the x86 cores (22 pJ):
//     q.k 3x2x(2x4)x4 + p.v 3x2x8x4 + gate.up 3x2x8 = 192+192+48 = 432
//     ops, 9,504 pJ;
//   the dense ends on the host (70 pJ): encode 8 + decode 8 = 16 ops,
//     1,120 pJ.
// K/V state: each causal matmul keeps its right operand (1 head x 4) per
// position: 8 elements x 4 positions x 32 bits = 1,024 bits a sequence.

// CHECK-DAG: "glue": 28296
// CHECK-DAG: "host": 1120
// CHECK-DAG: "host_ops": 16
// CHECK-DAG: "accum_diff": {
// CHECK-DAG: "ops": 232
// CHECK-DAG: "pj": 18792
// CHECK-DAG: "aa_product": {
// CHECK-DAG: "ops": 432
// CHECK-DAG: "pj": 9504
// CHECK-DAG: "glue_ops": 664
// CHECK-DAG: "unpriced_glue_ops": 0
// CHECK-DAG: "kv_bits_per_sequence": 1024

!t8 = !spike.train<2 x tensor<?x8xf32>>
!h2 = !spike.train<2 x tensor<2x?x4xf32>>
!h1 = !spike.train<2 x tensor<1x?x4xf32>>
!sc = !spike.train<2 x tensor<2x?x?xf32>>

func.func @block(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %g = qnn.weight dense<1.0> : tensor<8xf32>
  %wq = qnn.weight #qnn.param<"q"> : tensor<8x8xf32>
  %wk = qnn.weight #qnn.param<"k"> : tensor<4x8xf32>
  %e = spike.encode %x : tensor<?x8xf32> -> !t8
  %n = spike.accum_map rmsnorm %e, %g : tensor<8xf32> eps 1.0e-5 : !t8
  %nn = spike.is_neuron %n site "blk0.attn.norm" levels 32 alpha 16.0 threshold [0.1] v0 [0.05] budget 63 bits 6 : !t8
  %q = spike.linear %nn, %wq bits 6 : (!t8, tensor<8x8xf32>) -> !t8
  %k = spike.linear %nn, %wk bits 6 : (!t8, tensor<4x8xf32>) -> !spike.train<2 x tensor<?x4xf32>>
  %qh = spike.split_heads %q : !t8 -> !h2
  %kh = spike.split_heads %k : !spike.train<2 x tensor<?x4xf32>> -> !h1
  %qr = spike.rope %qh base 10000.0 : !h2
  %kr = spike.rope %kh base 10000.0 : !h1
  %qn = spike.is_neuron %qr site "blk0.attn.q_rope" levels 4 alpha 2.0 threshold [0.05, 0.025] v0 [0.025, 0.0125] : !h2
  %s = spike.aa_matmul %qn, %kr transpose_rhs : !h2, !h1 -> !sc
  %p = spike.accum_map softmax %s causal : !sc
  %pn = spike.is_neuron %p site "blk0.attn.softmax" levels 32 alpha 0.0 threshold [0.015625] v0 [0.0078125] budget 63 bits 6 : !sc
  %o = spike.aa_matmul %pn, %kr : !sc, !h1 -> !h2
  %om = spike.merge_heads %o : !h2 -> !t8
  %a = spike.accum_map silu %om : !t8
  %m = spike.aa_mul %a, %om : !t8
  %r = spike.add %e, %m : !t8
  %y = spike.decode %r : !t8 -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
