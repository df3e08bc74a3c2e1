// RUN: swin-opt %s --split-input-file --swin-fuse-residual | FileCheck %s

// Attention branch of a shifted block (timm layout): projection, window
// reverse, reverse shift, residual.
// CHECK-LABEL: func.func @attention_branch
// CHECK-NEXT: %[[O:.*]] = swin.attention_output %arg0, %arg1, %arg2, %arg3 {shifts = array<i64: 2, 2>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention_branch(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32> {
  %p = swin.linear %a, %w, %b : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %r = swin.window_reverse %p {window = array<i64: 4, 4>} : (tensor<?x16x4xf32>) -> tensor<?x8x8x4xf32>
  %u = swin.roll %r {shifts = array<i64: 0, 2, 2, 0>} : tensor<?x8x8x4xf32>
  %y = swin.add %x, %u : (tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %y : tensor<?x8x8x4xf32>
}

// -----

// HF keeps the residual as tokens [B, L, C]: it is viewed as the image and
// the result viewed back.
// CHECK-LABEL: func.func @attention_branch_tokens
// CHECK: %[[R:.*]] = swin.reshape %arg3 : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
// CHECK-NEXT: %[[O:.*]] = swin.attention_output %arg0, %arg1, %arg2, %[[R]] {shifts = array<i64: 0, 0>, window = array<i64: 4, 4>}
// CHECK-NEXT: %[[T:.*]] = swin.reshape %[[O]] : tensor<?x8x8x4xf32> -> tensor<?x64x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @attention_branch_tokens(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>) -> tensor<?x64x4xf32> {
  %p = swin.linear %a, %w, %b : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %r = swin.window_reverse %p {window = array<i64: 4, 4>} : (tensor<?x16x4xf32>) -> tensor<?x8x8x4xf32>
  %t = swin.reshape %r : tensor<?x8x8x4xf32> -> tensor<?x64x4xf32>
  %y = swin.add %t, %x : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}

// -----

// MLP branch: fc2 plus its residual.
// CHECK-LABEL: func.func @mlp_branch
// CHECK-NEXT: %[[O:.*]] = swin.residual_linear %arg0, %arg1, %arg2, %arg3 : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
// CHECK-NEXT: return %[[O]]
func.func @mlp_branch(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>) -> tensor<?x64x4xf32> {
  %f = swin.linear %h, %w, %b : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %x, %f : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}

// -----

// Near miss: the projected windows are also used elsewhere.
// CHECK-LABEL: func.func @projection_shared
// CHECK-NOT: swin.attention_output
// CHECK-NOT: swin.residual_linear
func.func @projection_shared(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x8x8x4xf32>) -> (tensor<?x8x8x4xf32>, tensor<?x16x4xf32>) {
  %p = swin.linear %a, %w, %b : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %r = swin.window_reverse %p {window = array<i64: 4, 4>} : (tensor<?x16x4xf32>) -> tensor<?x8x8x4xf32>
  %y = swin.add %x, %r : (tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %y, %p : tensor<?x8x8x4xf32>, tensor<?x16x4xf32>
}

// -----

// Near miss: a broadcasting add (a bias, not a residual).
// CHECK-LABEL: func.func @broadcast_add
// CHECK-NOT: swin.residual_linear
func.func @broadcast_add(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %c: tensor<1x1x4xf32>) -> tensor<?x64x4xf32> {
  %f = swin.linear %h, %w, %b : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %f, %c : (tensor<?x64x4xf32>, tensor<1x1x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}

// -----

// Swin V2's post-norm attention branch: LayerNorm of the reversed, rolled
// back projection, then the residual (timm, torchvision).
// CHECK-LABEL: func.func @attention_post_norm
// CHECK-NEXT: %[[O:.*]] = swin.attention_output %arg0, %arg1, %arg2, %arg3 post_norm(%arg4, %arg5) {norm_epsilon = 9.99999974E-6 : f32, shifts = array<i64: 2, 2>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
// CHECK-NEXT: return %[[O]]
func.func @attention_post_norm(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x8x8x4xf32>, %g: tensor<4xf32>, %e: tensor<4xf32>) -> tensor<?x8x8x4xf32> {
  %p = swin.linear %a, %w, %b : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %r = swin.window_reverse %p {window = array<i64: 4, 4>} : (tensor<?x16x4xf32>) -> tensor<?x8x8x4xf32>
  %u = swin.roll %r {shifts = array<i64: 0, 2, 2, 0>} : tensor<?x8x8x4xf32>
  %n = swin.layer_norm %u, %g, %e {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  %y = swin.add %x, %n : (tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %y : tensor<?x8x8x4xf32>
}

// -----

// HF's Swin V2 normalises the branch as tokens [B, L, C] and adds it to the
// token residual.
// CHECK-LABEL: func.func @attention_post_norm_tokens
// CHECK: %[[R:.*]] = swin.reshape %arg3 : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
// CHECK-NEXT: %[[O:.*]] = swin.attention_output %arg0, %arg1, %arg2, %[[R]] post_norm(%arg4, %arg5)
// CHECK-NEXT: %[[T:.*]] = swin.reshape %[[O]] : tensor<?x8x8x4xf32> -> tensor<?x64x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @attention_post_norm_tokens(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>, %g: tensor<4xf32>, %e: tensor<4xf32>) -> tensor<?x64x4xf32> {
  %p = swin.linear %a, %w, %b : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %r = swin.window_reverse %p {window = array<i64: 4, 4>} : (tensor<?x16x4xf32>) -> tensor<?x8x8x4xf32>
  %t = swin.reshape %r : tensor<?x8x8x4xf32> -> tensor<?x64x4xf32>
  %n = swin.layer_norm %t, %g, %e {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %n, %x : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}

// -----

// Swin V2's post-norm MLP branch: LayerNorm of fc2, then the residual.
// CHECK-LABEL: func.func @mlp_post_norm
// CHECK-NEXT: %[[O:.*]] = swin.residual_linear %arg0, %arg1, %arg2, %arg3 post_norm(%arg4, %arg5) {norm_epsilon = 9.99999974E-6 : f32} : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
// CHECK-NEXT: return %[[O]]
func.func @mlp_post_norm(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>, %g: tensor<4xf32>, %e: tensor<4xf32>) -> tensor<?x64x4xf32> {
  %f = swin.linear %h, %w, %b : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %n = swin.layer_norm %f, %g, %e {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %x, %n : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}

// -----

// Near miss: the normalised branch is also used elsewhere, so the
// LayerNorm cannot move inside the residual op.
// CHECK-LABEL: func.func @post_norm_shared
// CHECK-NOT: post_norm(
// CHECK: swin.layer_norm
// CHECK: swin.add
func.func @post_norm_shared(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>, %g: tensor<4xf32>, %e: tensor<4xf32>) -> (tensor<?x64x4xf32>, tensor<?x64x4xf32>) {
  %f = swin.linear %h, %w, %b : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %n = swin.layer_norm %f, %g, %e {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %x, %n : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y, %n : tensor<?x64x4xf32>, tensor<?x64x4xf32>
}

// -----

// Near miss: a LayerNorm over tokens and channels is not a post-norm.
// CHECK-LABEL: func.func @post_norm_wide
// CHECK-NOT: post_norm(
// CHECK: swin.layer_norm
func.func @post_norm_wide(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>, %g: tensor<64x4xf32>, %e: tensor<64x4xf32>) -> tensor<?x64x4xf32> {
  %f = swin.linear %h, %w, %b : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  %n = swin.layer_norm %f, %g, %e {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x64x4xf32>, tensor<64x4xf32>, tensor<64x4xf32>) -> tensor<?x64x4xf32>
  %y = swin.add %x, %n : (tensor<?x64x4xf32>, tensor<?x64x4xf32>) -> tensor<?x64x4xf32>
  return %y : tensor<?x64x4xf32>
}
