// RUN: not spike-translate --emit-plan %s --plan-tensors %t.safetensors -o %t.json 2>&1 | FileCheck %s
// RUN: not ls %t.json

// A model has one T (spike::spk::getModelTimesteps, the one accessor of the
// plan emitter, the chip graph and the chip emitter): trains that disagree
// are refused at the first that differs.
// CHECK: error: 'spike.encode' op has T = 4 where the model has T = 2
func.func @main(%x: tensor<?x8xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %a = spike.encode %x : tensor<?x8xf32> -> !spike.train<2 x tensor<?x8xf32>>
  %b = spike.encode %x : tensor<?x8xf32> -> !spike.train<4 x tensor<?x8xf32>>
  %da = spike.decode %a : !spike.train<2 x tensor<?x8xf32>> -> tensor<?x8xf32>
  %db = spike.decode %b : !spike.train<4 x tensor<?x8xf32>> -> tensor<?x8xf32>
  return %da, %db : tensor<?x8xf32>, tensor<?x8xf32>
}
