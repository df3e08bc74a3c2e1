// RUN: swin-opt %s --split-input-file --swin-fuse-linear-activation | FileCheck %s

// MLP fc1: linear + GELU becomes one linear with a GELU epilogue.
// CHECK-LABEL: func.func @fc1_gelu
// CHECK-NEXT: %[[L:.*]] = swin.linear %arg0, %arg1, %arg2 {activation = #swin.activation<gelu>} : (tensor<?x49x16xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<?x49x64xf32>
// CHECK-NEXT: return %[[L]]
func.func @fc1_gelu(%x: tensor<?x49x16xf32>, %w: tensor<64x16xf32>, %b: tensor<64xf32>) -> tensor<?x49x64xf32> {
  %0 = swin.linear %x, %w, %b : (tensor<?x49x16xf32>, tensor<64x16xf32>, tensor<64xf32>) -> tensor<?x49x64xf32>
  %1 = swin.gelu %0 : tensor<?x49x64xf32>
  return %1 : tensor<?x49x64xf32>
}

// -----

// The tanh approximation maps to its own epilogue.
// CHECK-LABEL: func.func @fc1_gelu_tanh
// CHECK: swin.linear %arg0, %arg1 {activation = #swin.activation<gelu_tanh>}
// CHECK-NOT: swin.gelu
func.func @fc1_gelu_tanh(%x: tensor<4x16xf32>, %w: tensor<64x16xf32>) -> tensor<4x64xf32> {
  %0 = swin.linear %x, %w : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  %1 = swin.gelu %0 {approximation = #swin.gelu_approximation<tanh>} : tensor<4x64xf32>
  return %1 : tensor<4x64xf32>
}

// -----

// Near miss: the pre-activation is used too; fusing would compute it twice.
// CHECK-LABEL: func.func @pre_activation_used
// CHECK: %[[L:.*]] = swin.linear %arg0, %arg1 : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
// CHECK: swin.gelu %[[L]]
func.func @pre_activation_used(%x: tensor<4x16xf32>, %w: tensor<64x16xf32>) -> (tensor<4x64xf32>, tensor<4x64xf32>) {
  %0 = swin.linear %x, %w : (tensor<4x16xf32>, tensor<64x16xf32>) -> tensor<4x64xf32>
  %1 = swin.gelu %0 : tensor<4x64xf32>
  return %0, %1 : tensor<4x64xf32>, tensor<4x64xf32>
}
