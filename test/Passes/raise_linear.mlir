// RUN: swin-opt %s --split-input-file --swin-raise-linear | FileCheck %s

// MatMul by a [K, N] constant plus a per-feature bias (how every exporter
// writes nn.Linear) becomes one swin.linear with the weight transposed.
// CHECK-LABEL: func.func @matmul_plus_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x49x2xf32>)
// CHECK-DAG: %[[W:.*]] = swin.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00], [5.000000e-01, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.*]] = swin.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = swin.linear %[[X]], %[[W]], %[[B]] : (tensor<?x49x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x49x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @matmul_plus_bias(%x: tensor<?x49x2xf32>) -> tensor<?x49x3xf32> {
  %w = swin.constant dense<[[1.0, 2.0, 0.5], [3.0, 4.0, 6.0]]> : tensor<2x3xf32>
  %b = swin.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %0 = swin.matmul %x, %w : (tensor<?x49x2xf32>, tensor<2x3xf32>) -> tensor<?x49x3xf32>
  %1 = swin.add %b, %0 : (tensor<3xf32>, tensor<?x49x3xf32>) -> tensor<?x49x3xf32>
  return %1 : tensor<?x49x3xf32>
}

// -----

// A [1, 1, N] bias broadcasts only along features: still a bias.
// CHECK-LABEL: func.func @bias_with_unit_dims
// CHECK: swin.linear %arg0, %{{.*}}, %{{.*}} : (tensor<?x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<?x4x16xf32>
// CHECK-NOT: swin.add
func.func @bias_with_unit_dims(%x: tensor<?x4x8xf32>) -> tensor<?x4x16xf32> {
  %w = swin.constant dense<0.5> : tensor<8x16xf32>
  %b = swin.constant dense<0.25> : tensor<1x1x16xf32>
  %0 = swin.matmul %x, %w : (tensor<?x4x8xf32>, tensor<8x16xf32>) -> tensor<?x4x16xf32>
  %1 = swin.add %0, %b : (tensor<?x4x16xf32>, tensor<1x1x16xf32>) -> tensor<?x4x16xf32>
  return %1 : tensor<?x4x16xf32>
}

// -----

// No bias (the patch-merging reduction).
// CHECK-LABEL: func.func @no_bias
// CHECK: %[[Y:.*]] = swin.linear %arg0, %{{.*}} : (tensor<?x784x128xf32>, tensor<64x128xf32>) -> tensor<?x784x64xf32>
// CHECK-NEXT: return %[[Y]]
func.func @no_bias(%x: tensor<?x784x128xf32>) -> tensor<?x784x64xf32> {
  %w = swin.constant dense<1.0> : tensor<128x64xf32>
  %0 = swin.matmul %x, %w : (tensor<?x784x128xf32>, tensor<128x64xf32>) -> tensor<?x784x64xf32>
  return %0 : tensor<?x784x64xf32>
}

// -----

// Near miss: attention's q @ k^T multiplies two activations; it stays.
// CHECK-LABEL: func.func @activation_product
// CHECK: swin.matmul
// CHECK-NOT: swin.linear
func.func @activation_product(%q: tensor<?x3x49x32xf32>, %k: tensor<?x3x32x49xf32>) -> tensor<?x3x49x49xf32> {
  %0 = swin.matmul %q, %k : (tensor<?x3x49x32xf32>, tensor<?x3x32x49xf32>) -> tensor<?x3x49x49xf32>
  return %0 : tensor<?x3x49x49xf32>
}

// -----

// Near miss: a constant that varies along rows is not a bias; the product
// becomes a linear and the add stays.
// CHECK-LABEL: func.func @row_varying_addend
// CHECK: %[[L:.*]] = swin.linear %arg0, %{{.*}} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
// CHECK: swin.add %[[L]], %{{.*}} : (tensor<4x16xf32>, tensor<4x1xf32>) -> tensor<4x16xf32>
func.func @row_varying_addend(%x: tensor<4x8xf32>) -> tensor<4x16xf32> {
  %w = swin.constant dense<0.5> : tensor<8x16xf32>
  %c = swin.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %0 = swin.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = swin.add %0, %c : (tensor<4x16xf32>, tensor<4x1xf32>) -> tensor<4x16xf32>
  return %1 : tensor<4x16xf32>
}

// -----

// Near miss: the product is used twice, so the add cannot absorb it.
// CHECK-LABEL: func.func @product_used_twice
// CHECK: %[[L:.*]] = swin.linear %arg0, %{{.*}} : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
// CHECK: swin.add %[[L]]
// CHECK: return
func.func @product_used_twice(%x: tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %w = swin.constant dense<0.5> : tensor<8x16xf32>
  %b = swin.constant dense<1.0> : tensor<16xf32>
  %0 = swin.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %1 = swin.add %0, %b : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// Near miss: a batched (rank-3) constant right operand is not a Linear.
// CHECK-LABEL: func.func @batched_constant
// CHECK: swin.matmul
// CHECK-NOT: swin.linear
func.func @batched_constant(%x: tensor<2x4x8xf32>) -> tensor<2x4x16xf32> {
  %w = swin.constant dense<0.5> : tensor<2x8x16xf32>
  %0 = swin.matmul %x, %w : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}
