// RUN: spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=4" -verify-diagnostics
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 bits=9" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=2 bits=8" 2>&1 | FileCheck %s --check-prefix=BITS
// RUN: not spike-opt %s -split-input-file -convert-qnn-to-spike="timesteps=0" 2>&1 | FileCheck %s --check-prefix=ZERO

// RANGE: error: convert-qnn-to-spike: bits=9 is out of range [2, 8]
// BITS: error: 'qnn.quantize' op uses 2 bits, but the pipeline asks for bits=8
// ZERO: error: convert-qnn-to-spike: timesteps must be >= 1, got 0

// Bad T for the bit width (Theorem 2 needs T <= 2^(n-1)).
func.func @bad_timesteps(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{'qnn.quantize' op cannot become an IS neuron with 2 bits and T=4 (Theorem 2): T must be at most 2^(bits-1)}}
  %q = qnn.quantize %x site "blk0.a" bits 2 scale [0.1] : tensor<?x8xf32>
  return %q : tensor<?x8xf32>
}

// -----

// A residual add with a weight: not an activation x activation sum.
func.func @add_weight(%x: tensor<8xf32>) -> tensor<8xf32> {
  %w = qnn.weight dense<1.0> : tensor<8xf32>
  // expected-error @+1 {{'qnn.add' op cannot convert to the spiking level: operand #1 is not an activation in the time domain}}
  %y = qnn.add %x, %w : tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// An op of another dialect that consumes a train has no spiking form.
func.func @foreign(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'func.call' op has no spiking form: convert-qnn-to-spike cannot convert it}}
  %y = func.call @g(%x) : (tensor<8xf32>) -> tensor<8xf32>
  return %y : tensor<8xf32>
}
func.func private @g(tensor<8xf32>) -> tensor<8xf32>
