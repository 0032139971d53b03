// The quantized linears' weights stored as integer codes and row scales:
// w (absmax rule) gets w.scale, u keeps its own scales, e (unquantized)
// and the bias are copied as stored, and the module names the new file.
// RUN: rm -rf %t && python3 %S/Inputs/weight_codes.py %t
// RUN: cd %t && spike-opt %s -spike-store-weight-codes="out=codes.safetensors" -o codes.mlir
// RUN: FileCheck %s < %t/codes.mlir
// RUN: cd %t && python3 %S/Inputs/chip_codes.py --dump codes.safetensors | FileCheck %s --check-prefix=FILE
// RUN: cd %t && python3 -c "import json, struct, sys; d = open('codes.safetensors', 'rb').read(); h = json.loads(d[8:8 + struct.unpack('<Q', d[:8])[0]]); print(*sorted(k + ':' + v['dtype'] for k, v in h.items() if k != '__metadata__'))" | FileCheck %s --check-prefix=DTYPE

// Codes already stored are copied as they are: a second run writes the
// same file.
// RUN: cd %t && spike-opt codes.mlir -spike-store-weight-codes="out=again.safetensors" -o again.mlir
// RUN: cmp %t/codes.safetensors %t/again.safetensors

// With overlay=true the file holds only the new codes and scales and names
// the file it read as its base; the IR is the same but for the file name.
// Storing again over the overlay writes no tensor: every code is there.
// RUN: cd %t && spike-opt %s -spike-store-weight-codes="out=overlay.safetensors overlay=true" -o overlay.mlir
// RUN: python3 %S/../Plan/Inputs/weight_codes_edit.py own %t/overlay.safetensors | FileCheck %s --check-prefix=OVERLAY
// RUN: diff <(sed s/overlay.safetensors/codes.safetensors/ %t/overlay.mlir) %t/codes.mlir
// RUN: cd %t && spike-opt overlay.mlir -spike-store-weight-codes="out=again-overlay.safetensors overlay=true" -o /dev/null
// RUN: python3 %S/../Plan/Inputs/weight_codes_edit.py own %t/again-overlay.safetensors | FileCheck %s --check-prefix=AGAIN
// RUN: cd %t && not spike-opt overlay.mlir -spike-store-weight-codes="out=base.safetensors" 2>&1 | FileCheck %s --check-prefix=BASE
// OVERLAY: metadata {"spikec.base": "base.safetensors"}
// OVERLAY-NEXT: u I8
// OVERLAY-NEXT: w I8
// OVERLAY-NEXT: w.scale F32
// OVERLAY-NOT: {{.}}
// AGAIN: metadata {"spikec.base": "overlay.safetensors"}
// AGAIN-NOT: {{.}}
// A full copy made from an overlay holds every tensor and names no base,
// so it opens from another folder.
// RUN: cd %t && mkdir -p sub && spike-opt overlay.mlir -spike-store-weight-codes="out=sub/full.safetensors" -o sub/full.mlir
// RUN: python3 %S/../Plan/Inputs/weight_codes_edit.py own %t/sub/full.safetensors | FileCheck %s --check-prefix=FULL
// RUN: cd %t && spike-opt sub/full.mlir -spike-store-weight-codes="out=sub/again.safetensors" -o /dev/null
// FULL: metadata {}
// FULL-NEXT: bias F32
// FULL-NEXT: e F32
// BASE: error: spike-store-weight-codes: out=base.safetensors is a base of the weight file it reads ({{.*}}base.safetensors)

// CHECK: module attributes {qnn.weights = "codes.safetensors"}
// CHECK-DAG: %[[W:.*]] = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
// CHECK-DAG: %[[S:.*]] = qnn.weight #qnn.param<"w.scale"> : tensor<2xf32>
// CHECK-DAG: %[[U:.*]] = qnn.weight #qnn.param<"u"> : tensor<2x3xf32>
// CHECK-DAG: %[[US:.*]] = qnn.weight #qnn.param<"u_scale"> : tensor<2xf32>
// CHECK: qnn.linear %arg0, %[[W]] bits 3 scales %[[S]] bias
// CHECK: qnn.linear %arg0, %[[U]] bits 3 scales %[[US]] :
// CHECK: qnn.linear %arg0, %{{.*}} :

// FILE: bias [2] 0.5 -0.5
// FILE-NEXT: e [2, 3] 0.1 0.2 0.3 0.4 0.5 0.6
// FILE-NEXT: u [2, 3] 2 -2 1 2 1 -2
// FILE-NEXT: u_scale [2] 0.5 0.25
// FILE-NEXT: w [2, 3] 2 -1 3 2 1 -3
// FILE-NEXT: w.scale [2] 0.25 1
// DTYPE: bias:F32 e:F32 u:I8 u_scale:F32 w.scale:F32 w:I8
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    %u = qnn.weight #qnn.param<"u"> : tensor<2x3xf32>
    %s = qnn.weight #qnn.param<"u_scale"> : tensor<2xf32>
    %e = qnn.weight #qnn.param<"e"> : tensor<2x3xf32>
    %b = qnn.weight #qnn.param<"bias"> : tensor<2xf32>
    %y = qnn.linear %x, %w bits 3 bias %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %z = qnn.linear %x, %u bits 3 scales %s : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    %v = qnn.linear %x, %e : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %y, %z, %v : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  }
}
