// RUN: swin-opt %s --split-input-file --swin-raise-embed-head | FileCheck %s

// timm / torchvision patch embedding: conv 4x4 stride 4, NCHW -> NHWC, LayerNorm.
// CHECK-LABEL: func.func @embed_nhwc
// CHECK-NEXT: %[[E:.*]] = swin.patch_embed %arg0, %arg1, %arg2, %arg3, %arg4 {epsilon = 9.99999974E-6 : f32} : (tensor<?x3x16x16xf32>, tensor<8x3x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
// CHECK-NEXT: return %[[E]]
func.func @embed_nhwc(%x: tensor<?x3x16x16xf32>, %w: tensor<8x3x4x4xf32>, %b: tensor<8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<?x4x4x8xf32> {
  %c = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<?x3x16x16xf32>, tensor<8x3x4x4xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  %t = swin.transpose %c {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x8xf32>
  %n = swin.layer_norm %t, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  return %n : tensor<?x4x4x8xf32>
}

// -----

// HF: flatten to [B, C, L], transpose to tokens; the result keeps HF's shape.
// CHECK-LABEL: func.func @embed_tokens
// CHECK: %[[E:.*]] = swin.patch_embed
// CHECK-NEXT: %[[T:.*]] = swin.reshape %[[E]] : tensor<?x4x4x8xf32> -> tensor<?x16x8xf32>
// CHECK-NEXT: return %[[T]]
func.func @embed_tokens(%x: tensor<?x3x16x16xf32>, %w: tensor<8x3x4x4xf32>, %b: tensor<8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<?x16x8xf32> {
  %c = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<?x3x16x16xf32>, tensor<8x3x4x4xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  %r = swin.reshape %c : tensor<?x8x4x4xf32> -> tensor<?x8x16xf32>
  %t = swin.transpose %r {perm = array<i64: 0, 2, 1>} : (tensor<?x8x16xf32>) -> tensor<?x16x8xf32>
  %n = swin.layer_norm %t, %g, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x16x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x16x8xf32>
  return %n : tensor<?x16x8xf32>
}

// -----

// Near miss: overlapping patches (stride 2 for a 4x4 kernel) are a real
// convolution.
// CHECK-LABEL: func.func @overlapping
// CHECK-NOT: swin.patch_embed
func.func @overlapping(%x: tensor<?x3x10x10xf32>, %w: tensor<8x3x4x4xf32>, %b: tensor<8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>) -> tensor<?x4x4x8xf32> {
  %c = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x10x10xf32>, tensor<8x3x4x4xf32>, tensor<8xf32>) -> tensor<?x8x4x4xf32>
  %t = swin.transpose %c {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x8x4x4xf32>) -> tensor<?x4x4x8xf32>
  %n = swin.layer_norm %t, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  return %n : tensor<?x4x4x8xf32>
}

// -----

// timm head: LayerNorm, mean over positions, linear.
// CHECK-LABEL: func.func @head_timm
// CHECK-NEXT: %[[H:.*]] = swin.classifier_head %arg0, %arg1, %arg2, %arg3, %arg4 {epsilon = 9.99999974E-6 : f32} : (tensor<?x7x7x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32>
// CHECK-NEXT: return %[[H]]
func.func @head_timm(%x: tensor<?x7x7x8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>, %w: tensor<10x8xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %n = swin.layer_norm %x, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x7x7x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x7x7x8xf32>
  %m = swin.reduce_mean %n {axes = array<i64: 1, 2>} : (tensor<?x7x7x8xf32>) -> tensor<?x8xf32>
  %y = swin.linear %m, %w, %b : (tensor<?x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// torchvision head: NCHW transpose, GlobalAveragePool, flatten, linear.
// CHECK-LABEL: func.func @head_torchvision
// CHECK-NEXT: %[[H:.*]] = swin.classifier_head %arg0
// CHECK-NEXT: return %[[H]]
func.func @head_torchvision(%x: tensor<?x7x7x8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>, %w: tensor<10x8xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %n = swin.layer_norm %x, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x7x7x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x7x7x8xf32>
  %t = swin.transpose %n {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x7x7x8xf32>) -> tensor<?x8x7x7xf32>
  %p = swin.global_avg_pool %t : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  %f = swin.reshape %p : tensor<?x8x1x1xf32> -> tensor<?x8xf32>
  %y = swin.linear %f, %w, %b : (tensor<?x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// Near miss: a max pooling is not Swin's head.
// CHECK-LABEL: func.func @head_max_pool
// CHECK-NOT: swin.classifier_head
func.func @head_max_pool(%x: tensor<?x7x7x8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>, %w: tensor<10x8xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %n = swin.layer_norm %x, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x7x7x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x7x7x8xf32>
  %m = swin.reduce_max %n {axes = array<i64: 1, 2>} : (tensor<?x7x7x8xf32>) -> tensor<?x8xf32>
  %y = swin.linear %m, %w, %b : (tensor<?x8xf32>, tensor<10x8xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

// -----

// Near miss: the pooled vector is reshaped into other rows before the
// linear, so the linear does not read [B, C].
// CHECK-LABEL: func.func @head_reshaped_rows
// CHECK-NOT: swin.classifier_head
func.func @head_reshaped_rows(%x: tensor<?x7x7x8xf32>, %g: tensor<8xf32>, %s: tensor<8xf32>, %w: tensor<10x4xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %n = swin.layer_norm %x, %g, %s {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x7x7x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x7x7x8xf32>
  %m = swin.reduce_mean %n {axes = array<i64: 1, 2>} : (tensor<?x7x7x8xf32>) -> tensor<?x8xf32>
  %r = swin.reshape %m : tensor<?x8xf32> -> tensor<?x4xf32>
  %y = swin.linear %r, %w, %b : (tensor<?x4xf32>, tensor<10x4xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}
