// RUN: swin-opt %s --split-input-file --swin-fuse-patch-merging | FileCheck %s

// timm / torchvision: gather, LayerNorm over channels, bias-free reduction.
// CHECK-LABEL: func.func @merge
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x8x4xf32>, %[[G:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>, %[[W:.*]]: tensor<8x16xf32>)
// CHECK-NEXT: %[[M:.*]] = swin.patch_merging %[[X]], %[[G]], %[[B]], %[[W]] {epsilon = 9.99999974E-6 : f32} : (tensor<?x8x8x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
// CHECK-NEXT: return %[[M]]
func.func @merge(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x16xf32>) -> tensor<?x4x4x8xf32> {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.layer_norm %0, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
  %2 = swin.linear %1, %w : (tensor<?x4x4x16xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
  return %2 : tensor<?x4x4x8xf32>
}

// -----

// HF flattens the merged tokens to [B, L, 4C] first; the result keeps HF's shape.
// CHECK-LABEL: func.func @merge_flattened
// CHECK: %[[M:.*]] = swin.patch_merging %arg0, %arg1, %arg2, %arg3
// CHECK-NEXT: %[[R:.*]] = swin.reshape %[[M]] : tensor<?x4x4x8xf32> -> tensor<?x16x8xf32>
// CHECK-NEXT: return %[[R]]
func.func @merge_flattened(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x16xf32>) -> tensor<?x16x8xf32> {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.reshape %0 : tensor<?x4x4x16xf32> -> tensor<?x16x16xf32>
  %2 = swin.layer_norm %1, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x16x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x16xf32>
  %3 = swin.linear %2, %w : (tensor<?x16x16xf32>, tensor<8x16xf32>) -> tensor<?x16x8xf32>
  return %3 : tensor<?x16x8xf32>
}

// -----

// Near miss: a reduction with a bias is not Swin's merge (and has no place
// for the bias in the fused op).
// CHECK-LABEL: func.func @reduction_with_bias
// CHECK-NOT: swin.patch_merging
func.func @reduction_with_bias(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x16xf32>, %c: tensor<8xf32>) -> tensor<?x4x4x8xf32> {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.layer_norm %0, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
  %2 = swin.linear %1, %w, %c : (tensor<?x4x4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  return %2 : tensor<?x4x4x8xf32>
}

// -----

// Near miss: the normalised tensor is also returned, so the LayerNorm must
// stay materialised.
// CHECK-LABEL: func.func @norm_used_twice
// CHECK-NOT: swin.patch_merging
func.func @norm_used_twice(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x16xf32>) -> (tensor<?x4x4x8xf32>, tensor<?x4x4x16xf32>) {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.layer_norm %0, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
  %2 = swin.linear %1, %w : (tensor<?x4x4x16xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
  return %2, %1 : tensor<?x4x4x8xf32>, tensor<?x4x4x16xf32>
}

// -----

// Swin V2 (PatchMergingV2): gather, bias-free reduction, then a LayerNorm
// over the reduced channels.
// CHECK-LABEL: func.func @merge_v2
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x8x4xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>, %[[W:.*]]: tensor<8x16xf32>)
// CHECK-NEXT: %[[M:.*]] = swin.patch_merging %[[X]], %[[G]], %[[B]], %[[W]] {epsilon = 9.99999974E-6 : f32, norm_after_reduction} : (tensor<?x8x8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
// CHECK-NEXT: return %[[M]]
func.func @merge_v2(%x: tensor<?x8x8x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %w: tensor<8x16xf32>) -> tensor<?x4x4x8xf32> {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.linear %0, %w : (tensor<?x4x4x16xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
  %2 = swin.layer_norm %1, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  return %2 : tensor<?x4x4x8xf32>
}

// -----

// Near miss (V2 order): a reduction with a bias is not PatchMergingV2's.
// CHECK-LABEL: func.func @merge_v2_biased_reduction
// CHECK-NOT: swin.patch_merging
// CHECK: swin.layer_norm
func.func @merge_v2_biased_reduction(%x: tensor<?x8x8x4xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %w: tensor<8x16xf32>) -> tensor<?x4x4x8xf32> {
  %0 = swin.patch_merge %x : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
  %1 = swin.linear %0, %w, %b : (tensor<?x4x4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  %2 = swin.layer_norm %1, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x4x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x4x4x8xf32>
  return %2 : tensor<?x4x4x8xf32>
}
