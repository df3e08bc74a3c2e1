// RUN: swin-opt %s --split-input-file --swin-sink-reshapes | FileCheck %s

// timm's MLP half-block: image -> tokens -> LayerNorm, fc1, fc2 + residual
// -> image. The row-wise ops move before the reshapes, which then cancel.
// CHECK-LABEL: func.func @mlp_half_block
// CHECK-NOT: swin.reshape
// CHECK: %[[N:.*]] = swin.layer_norm %arg0, %arg1, %arg2 {axis = 3 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
// CHECK: %[[H:.*]] = swin.linear %[[N]], %arg3, %arg4 {activation = #swin.activation<gelu>} : (tensor<?x8x8x4xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
// CHECK: %[[Y:.*]] = swin.residual_linear %[[H]], %arg5, %arg6, %arg0 : (tensor<?x8x8x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
// CHECK-NOT: swin.reshape
// CHECK: return %[[Y]]
func.func @mlp_half_block(%x: tensor<?x8x8x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>, %w1: tensor<16x4xf32>, %b1: tensor<16xf32>, %w2: tensor<4x16xf32>, %b2: tensor<4xf32>) -> tensor<?x8x8x4xf32> {
  %t = swin.reshape %x : tensor<?x8x8x4xf32> -> tensor<?x64x4xf32>
  %n = swin.layer_norm %t, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %h = swin.linear %n, %w1, %b1 {activation = #swin.activation<gelu>} : (tensor<?x64x4xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<?x64x16xf32>
  %y = swin.residual_linear %h, %w2, %b2, %t : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  %i = swin.reshape %y : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
  return %i : tensor<?x8x8x4xf32>
}

// -----

// Near miss: a reshape that changes the channels does not commute with a
// channel LayerNorm.
// CHECK-LABEL: func.func @channels_change
// CHECK: swin.reshape %arg0
// CHECK-NEXT: swin.layer_norm
func.func @channels_change(%x: tensor<?x8x8xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x16x4xf32> {
  %t = swin.reshape %x : tensor<?x8x8xf32> -> tensor<?x16x4xf32>
  %n = swin.layer_norm %t, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x16x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  return %n : tensor<?x16x4xf32>
}
