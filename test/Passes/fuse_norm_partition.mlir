// RUN: swin-opt %s --split-input-file --swin-fuse-norm-partition | FileCheck %s

// Shifted block: LayerNorm on tokens [B, L, C] (HF), back to the image,
// roll, partition.
// CHECK-LABEL: func.func @shifted
// CHECK: %[[I:.*]] = swin.reshape %arg0 : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
// CHECK-NEXT: %[[W:.*]] = swin.norm_partition %[[I]], %arg1, %arg2 {epsilon = 9.99999974E-6 : f32, shifts = array<i64: -2, -2>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
// CHECK-NEXT: return %[[W]]
func.func @shifted(%t: tensor<?x64x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x16x4xf32> {
  %n = swin.layer_norm %t, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %x = swin.reshape %n : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
  %s = swin.roll %x {shifts = array<i64: 0, -2, -2, 0>} : tensor<?x8x8x4xf32>
  %w = swin.window_partition %s {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w : tensor<?x16x4xf32>
}

// -----

// Unshifted block on the image (timm, torchvision): zero shifts.
// CHECK-LABEL: func.func @unshifted
// CHECK-NEXT: swin.norm_partition %arg0, %arg1, %arg2 {epsilon = 9.99999974E-6 : f32, shifts = array<i64: 0, 0>, window = array<i64: 4, 4>}
func.func @unshifted(%x: tensor<?x8x8x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<?x16x4xf32> {
  %n = swin.layer_norm %x, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  %w = swin.window_partition %n {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w : tensor<?x16x4xf32>
}

// -----

// Near miss: the normalised image is also needed unpartitioned, so the
// LayerNorm stays and only the partition becomes the fused op (no norm).
// CHECK-LABEL: func.func @norm_shared
// CHECK: %[[N:.*]] = swin.layer_norm %arg0
// CHECK-NEXT: %[[W:.*]] = swin.norm_partition %[[N]] {shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
// CHECK-NEXT: return %[[W]], %[[N]]
func.func @norm_shared(%x: tensor<?x8x8x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<?x16x4xf32>, tensor<?x8x8x4xf32>) {
  %n = swin.layer_norm %x, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  %w = swin.window_partition %n {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w, %n : tensor<?x16x4xf32>, tensor<?x8x8x4xf32>
}

// -----

// Near miss: a LayerNorm over rows and channels is not a token LayerNorm;
// it stays before a partition without norm.
// CHECK-LABEL: func.func @wide_norm
// CHECK: %[[N:.*]] = swin.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64
// CHECK-NEXT: swin.norm_partition %[[N]] {shifts
func.func @wide_norm(%x: tensor<?x8x8x4xf32>, %g: tensor<8x4xf32>, %b: tensor<8x4xf32>) -> tensor<?x16x4xf32> {
  %n = swin.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x8x8x4xf32>, tensor<8x4xf32>, tensor<8x4xf32>) -> tensor<?x8x8x4xf32>
  %w = swin.window_partition %n {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w : tensor<?x16x4xf32>
}

// -----

// Swin V2's post-norm block partitions the residual stream itself: shift
// and partition, no LayerNorm.
// CHECK-LABEL: func.func @post_norm_block
// CHECK-NEXT: %[[W:.*]] = swin.norm_partition %arg0 {shifts = array<i64: -2, -2>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
// CHECK-NEXT: return %[[W]]
func.func @post_norm_block(%x: tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32> {
  %s = swin.roll %x {shifts = array<i64: 0, -2, -2, 0>} : tensor<?x8x8x4xf32>
  %w = swin.window_partition %s {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w : tensor<?x16x4xf32>
}

// -----

// Near miss: a roll over the channels is not a cyclic shift of the image.
// CHECK-LABEL: func.func @channel_roll
// CHECK: swin.roll
// CHECK-NEXT: swin.window_partition
// CHECK-NOT: swin.norm_partition
func.func @channel_roll(%x: tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32> {
  %s = swin.roll %x {shifts = array<i64: 0, -2, -2, 1>} : tensor<?x8x8x4xf32>
  %w = swin.window_partition %s {window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %w : tensor<?x16x4xf32>
}
