// Learnt weights (spike-run calibrate --learn weights): the pass writes
// the module's weight file with the learnt tensor replaced and its row
// scales added, and the learnt linear reads those scales.
// RUN: rm -rf %t && python3 %S/Inputs/learnt_weights.py %t
// RUN: cd %t && spike-opt %s -spike-apply-calibration="file=%t/learnt.json weights-out=out.safetensors" | FileCheck %s
// RUN: cd %t && python3 %S/Inputs/chip_codes.py --dump out.safetensors | FileCheck %s --check-prefix=FILE
// RUN: cd %t && not spike-opt %s -spike-apply-calibration="file=%t/learnt.json" 2>&1 | FileCheck %s --check-prefix=NOOUT
// RUN: cd %t && not spike-opt %s -spike-apply-calibration="file=%t/stray.json weights-out=x.safetensors" 2>&1 | FileCheck %s --check-prefix=STRAY
// RUN: cd %t && not spike-opt %s -spike-apply-calibration="file=%t/shape.json weights-out=x.safetensors" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: cd %t && not spike-opt %s -spike-apply-calibration="file=%t/noscale.json weights-out=x.safetensors" 2>&1 | FileCheck %s --check-prefix=NOSCALE
// RUN: test ! -e %t/x.safetensors

// With overlay=true the new file holds only the learnt weight and its
// scales and reads the rest from the module's file; the pair reads as the
// full copy does. A weights-out in the module's chain is refused.
// RUN: cd %t && spike-opt %s -spike-apply-calibration="file=%t/learnt.json weights-out=out.safetensors" -o full.mlir
// RUN: cd %t && spike-opt %s -spike-apply-calibration="file=%t/learnt.json weights-out=ov.safetensors overlay=true" -o ov.mlir
// RUN: python3 %S/../Plan/Inputs/weight_codes_edit.py own %t/ov.safetensors | FileCheck %s --check-prefix=OVERLAY
// RUN: cd %t && spike-opt full.mlir -spike-store-weight-codes="out=full-codes.safetensors" -o /dev/null
// RUN: cd %t && spike-opt ov.mlir -spike-store-weight-codes="out=ov-codes.safetensors" -o /dev/null
// RUN: cd %t && python3 %S/Inputs/chip_codes.py --dump full-codes.safetensors > full.txt
// RUN: cd %t && python3 %S/Inputs/chip_codes.py --dump ov-codes.safetensors > ov.txt
// RUN: diff %t/full.txt %t/ov.txt
// RUN: cd %t && not spike-opt %s -spike-apply-calibration="file=%t/learnt.json weights-out=base.safetensors overlay=true" 2>&1 | FileCheck %s --check-prefix=ONTO

// CHECK: module attributes {qnn.weights = "out.safetensors"}
// CHECK: %[[W:.*]] = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
// CHECK: %[[U:.*]] = qnn.weight #qnn.param<"u"> : tensor<2x3xf32>
// CHECK: %[[S:.*]] = qnn.weight #qnn.param<"w.scale"> : tensor<2xf32>
// CHECK-NEXT: spike.linear %arg0, %[[W]] bits 3 scales %[[S]] bias
// CHECK: spike.linear %arg0, %[[U]] bits 3 :

// The learnt w replaced the module's; u and the bias are copied.
// FILE: bias [2] 0.5 -0.5
// FILE-NEXT: u [2, 3] 1 2 3 4 5 6
// FILE-NEXT: w [2, 3] 0.1 -0.1 0.3 0.4 0.2 -0.6
// FILE-NEXT: w.scale [2] 0.1 0.2

// OVERLAY: metadata {"spikec.base": "base.safetensors"}
// OVERLAY-NEXT: w F32
// OVERLAY-NEXT: w.scale F32
// OVERLAY-NOT: {{.}}
// ONTO: error: spike-apply-calibration: weights-out=base.safetensors is the weight file it reads

// NOOUT: error: spike-apply-calibration: {{.*}}learnt.json: has learnt weights; give weights-out=PATH, the weight file to write
// STRAY: error: spike-apply-calibration: {{.*}}learnt.safetensors: tensor 'bias' is the weight of no linear in the module
// SHAPE: error: 'spike.linear' op spike-apply-calibration: {{.*}}shape.safetensors: tensor 'w' does not fit this linear (it needs weight bits, an f32 weight of its shape and an f32 scale per row)
// NOSCALE: error: spike-apply-calibration: {{.*}}noscale.safetensors: has no tensor 'w.scale'
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: !spike.train<2 x tensor<?x3xf32>>) -> (!spike.train<2 x tensor<?x2xf32>>, !spike.train<2 x tensor<?x2xf32>>) {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    %u = qnn.weight #qnn.param<"u"> : tensor<2x3xf32>
    %b = qnn.weight #qnn.param<"bias"> : tensor<2xf32>
    %y = spike.linear %x, %w bits 3 bias %b : (!spike.train<2 x tensor<?x3xf32>>, tensor<2x3xf32>, tensor<2xf32>) -> !spike.train<2 x tensor<?x2xf32>>
    %z = spike.linear %x, %u bits 3 : (!spike.train<2 x tensor<?x3xf32>>, tensor<2x3xf32>) -> !spike.train<2 x tensor<?x2xf32>>
    return %y, %z : !spike.train<2 x tensor<?x2xf32>>, !spike.train<2 x tensor<?x2xf32>>
  }
}
