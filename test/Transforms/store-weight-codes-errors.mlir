// spike-store-weight-codes refuses what its codes could not serve, with one
// diagnostic and no file written.
// RUN: rm -rf %t && python3 %S/Inputs/weight_codes.py %t
// RUN: cd %t && spike-opt %s -split-input-file -verify-diagnostics -spike-store-weight-codes="out=codes.safetensors"
// RUN: cd %t && not spike-opt %s -split-input-file -spike-store-weight-codes 2>&1 | FileCheck %s --check-prefix=NOOUT
// RUN: cd %t && not spike-opt %s -split-input-file -spike-store-weight-codes="out=base.safetensors" 2>&1 | FileCheck %s --check-prefix=SELF
// RUN: test ! -e %t/codes.safetensors
// NOOUT: error: spike-store-weight-codes: no output file given (out=PATH)
// SELF: error: spike-store-weight-codes: out=base.safetensors is the weight file it reads

// One weight at two widths: its codes could serve only one.
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    // expected-error@+1 {{spike-store-weight-codes: reads tensor 'w', whose codes other linears need}}
    %y = qnn.linear %x, %w bits 3 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    %z = qnn.linear %x, %w bits 4 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
  }
}

// -----

// A quantized linear's weight that an unquantized one reads as floats.
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    %y = qnn.linear %x, %w bits 3 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    // expected-error@+1 {{spike-store-weight-codes: reads tensor 'w', whose codes other linears need}}
    %z = qnn.linear %x, %w : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
  }
}

// -----

// The same width with different scales.
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    %s = qnn.weight #qnn.param<"u_scale"> : tensor<2xf32>
    // expected-error@+1 {{spike-store-weight-codes: reads tensor 'w', whose codes other linears need}}
    %y = qnn.linear %x, %w bits 3 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    %z = qnn.linear %x, %w bits 3 scales %s : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
  }
}

// -----

// expected-error@+1 {{spike-store-weight-codes: the module names no weight file (qnn.weights)}}
module {
  func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
    return %x : tensor<?x3xf32>
  }
}

// -----

// expected-error@+1 {{spike-store-weight-codes: base.safetensors: missing tensor 'absent'}}
module attributes {qnn.weights = "base.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
    %w = qnn.weight #qnn.param<"absent"> : tensor<2x3xf32>
    %y = qnn.linear %x, %w bits 3 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

// expected-error@+1 {{spike-store-weight-codes: scaled.safetensors: already has a tensor 'w.scale'}}
module attributes {qnn.weights = "scaled.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
    %w = qnn.weight #qnn.param<"w"> : tensor<2x3xf32>
    %y = qnn.linear %x, %w bits 3 : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

// expected-error@+1 {{spike-store-weight-codes: short.safetensors: tensor 'u_scale' has 3 scales for the 2 rows of 'u'}}
module attributes {qnn.weights = "short.safetensors"} {
  func.func @f(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
    %u = qnn.weight #qnn.param<"u"> : tensor<2x3xf32>
    %s = qnn.weight #qnn.param<"u_scale"> : tensor<2xf32>
    %y = qnn.linear %x, %u bits 3 scales %s : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}
