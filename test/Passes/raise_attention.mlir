// RUN: swin-opt %s --split-input-file --swin-raise-attention | FileCheck %s

// timm (TorchScript exporter): one qkv linear, reshape [W, N, 3, h, hd],
// transpose [2, 0, 3, 1, 4], unbind by slices, q * scale, + position bias,
// shift mask on [B, nW, h, N, N], softmax, @ v, heads merged.
// CHECK-LABEL: func.func @timm_shifted_block
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>)
// CHECK: %[[A:.*]] = swin.window_attention %[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 2 : i64, scale = 5.000000e-01 : f32} : (tensor<?x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>, tensor<2x4x4xf32>, tensor<3x4x4xf32>) -> tensor<?x4x8xf32>
// CHECK-NEXT: return %[[A]]
func.func @timm_shifted_block(%x: tensor<?x4x8xf32>) -> tensor<?x4x8xf32> {
  %w = swin.constant dense<0.1> : tensor<24x8xf32>
  %b = swin.constant dense<0.2> : tensor<24xf32>
  %scale = swin.constant dense<0.5> : tensor<f32>
  %bias = swin.constant dense<0.3> : tensor<1x2x4x4xf32>
  %mask = swin.constant dense<-100.0> : tensor<1x3x1x4x4xf32>
  %qkv = swin.linear %x, %w, %b : (tensor<?x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<?x4x24xf32>
  %0 = swin.reshape %qkv : tensor<?x4x24xf32> -> tensor<?x4x3x2x4xf32>
  %1 = swin.transpose %0 {perm = array<i64: 2, 0, 3, 1, 4>} : (tensor<?x4x3x2x4xf32>) -> tensor<3x?x2x4x4xf32>
  %q5 = swin.slice %1 {offsets = array<i64: 0, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %k5 = swin.slice %1 {offsets = array<i64: 1, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %v5 = swin.slice %1 {offsets = array<i64: 2, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %q = swin.reshape %q5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %k = swin.reshape %k5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %v = swin.reshape %v5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %qs = swin.mul %q, %scale : (tensor<?x2x4x4xf32>, tensor<f32>) -> tensor<?x2x4x4xf32>
  %kt = swin.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %s = swin.matmul %qs, %kt : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %sb = swin.add %s, %bias : (tensor<?x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %s5 = swin.reshape %sb : tensor<?x2x4x4xf32> -> tensor<?x3x2x4x4xf32>
  %sm = swin.add %s5, %mask : (tensor<?x3x2x4x4xf32>, tensor<1x3x1x4x4xf32>) -> tensor<?x3x2x4x4xf32>
  %s4 = swin.reshape %sm : tensor<?x3x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %p = swin.softmax %s4 {axis = 3 : i64} : tensor<?x2x4x4xf32>
  %o = swin.matmul %p, %v : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x2x4x4xf32>) -> tensor<?x4x2x4xf32>
  %r = swin.reshape %t : tensor<?x4x2x4xf32> -> tensor<?x4x8xf32>
  return %r : tensor<?x4x8xf32>
}

// -----

// HF (TorchScript exporter): three linears, k transposed to k^T in one
// permutation [0, 2, 3, 1], the scale split as sqrt on q and on k^T, no mask.
// The fused weight stacks the q, k and v rows.
// CHECK-LABEL: func.func @hf_block
// CHECK: %[[W:.*]] = swin.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00], [2.000000e+00, 2.000000e+00], [3.000000e+00, 3.000000e+00], [3.000000e+00, 3.000000e+00]]> : tensor<6x2xf32>
// CHECK: swin.window_attention %arg0, %[[W]], %{{.*}}, %{{.*}} {num_heads = 1 : i64, scale = 2.500000e-01 : f32} : (tensor<?x3x2xf32>, tensor<6x2xf32>, tensor<6xf32>, tensor<1x3x3xf32>) -> tensor<?x3x2xf32>
func.func @hf_block(%x: tensor<?x3x2xf32>) -> tensor<?x3x2xf32> {
  %wq = swin.constant dense<1.0> : tensor<2x2xf32>
  %wk = swin.constant dense<2.0> : tensor<2x2xf32>
  %wv = swin.constant dense<3.0> : tensor<2x2xf32>
  %b = swin.constant dense<0.5> : tensor<2xf32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %bias = swin.constant dense<0.1> : tensor<1x1x3x3xf32>
  %lq = swin.linear %x, %wq, %b : (tensor<?x3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x3x2xf32>
  %lk = swin.linear %x, %wk, %b : (tensor<?x3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<?x3x2xf32>
  %lv = swin.linear %x, %wv : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %q4 = swin.reshape %lq : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %k4 = swin.reshape %lk : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %v4 = swin.reshape %lv : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %q = swin.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %kt = swin.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x2x3xf32>
  %v = swin.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %qs = swin.mul %q, %half : (tensor<?x1x3x2xf32>, tensor<f32>) -> tensor<?x1x3x2xf32>
  %ks = swin.mul %kt, %half : (tensor<?x1x2x3xf32>, tensor<f32>) -> tensor<?x1x2x3xf32>
  %s = swin.matmul %qs, %ks : (tensor<?x1x3x2xf32>, tensor<?x1x2x3xf32>) -> tensor<?x1x3x3xf32>
  %sb = swin.add %bias, %s : (tensor<1x1x3x3xf32>, tensor<?x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  %p = swin.softmax %sb {axis = 3 : i64} : tensor<?x1x3x3xf32>
  %o = swin.matmul %p, %v : (tensor<?x1x3x3xf32>, tensor<?x1x3x2xf32>) -> tensor<?x1x3x2xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x3x2xf32>) -> tensor<?x3x1x2xf32>
  %r = swin.reshape %t : tensor<?x3x1x2xf32> -> tensor<?x3x2xf32>
  return %r : tensor<?x3x2xf32>
}

// -----

// Near miss: k projects another input than q and v.
// CHECK-LABEL: func.func @k_from_other_input
// CHECK-NOT: swin.window_attention
// CHECK: swin.softmax
func.func @k_from_other_input(%x: tensor<?x3x2xf32>, %y: tensor<?x3x2xf32>) -> tensor<?x3x2xf32> {
  %w = swin.constant dense<1.0> : tensor<2x2xf32>
  %lq = swin.linear %x, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %lk = swin.linear %y, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %lv = swin.linear %x, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %q4 = swin.reshape %lq : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %k4 = swin.reshape %lk : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %v4 = swin.reshape %lv : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %q = swin.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %kt = swin.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x2x3xf32>
  %v = swin.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %s = swin.matmul %q, %kt : (tensor<?x1x3x2xf32>, tensor<?x1x2x3xf32>) -> tensor<?x1x3x3xf32>
  %p = swin.softmax %s {axis = 3 : i64} : tensor<?x1x3x3xf32>
  %o = swin.matmul %p, %v : (tensor<?x1x3x3xf32>, tensor<?x1x3x2xf32>) -> tensor<?x1x3x2xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x3x2xf32>) -> tensor<?x3x1x2xf32>
  %r = swin.reshape %t : tensor<?x3x1x2xf32> -> tensor<?x3x2xf32>
  return %r : tensor<?x3x2xf32>
}

// -----

// Near miss: q is read with the wrong head layout (tokens and head dim
// swapped), so it is not a head view of the projection.
// CHECK-LABEL: func.func @wrong_head_layout
// CHECK-NOT: swin.window_attention
func.func @wrong_head_layout(%x: tensor<?x2x2xf32>) -> tensor<?x2x2xf32> {
  %w = swin.constant dense<1.0> : tensor<2x2xf32>
  %lq = swin.linear %x, %w : (tensor<?x2x2xf32>, tensor<2x2xf32>) -> tensor<?x2x2xf32>
  %lv = swin.linear %x, %w : (tensor<?x2x2xf32>, tensor<2x2xf32>) -> tensor<?x2x2xf32>
  %q4 = swin.reshape %lq : tensor<?x2x2xf32> -> tensor<?x1x2x2xf32>
  %kt4 = swin.reshape %lq : tensor<?x2x2xf32> -> tensor<?x1x2x2xf32>
  %v4 = swin.reshape %lv : tensor<?x2x2xf32> -> tensor<?x2x1x2xf32>
  %v = swin.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x2x1x2xf32>) -> tensor<?x1x2x2xf32>
  %q = swin.transpose %q4 {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32>
  %s = swin.matmul %q, %kt4 : (tensor<?x1x2x2xf32>, tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32>
  %p = swin.softmax %s {axis = 3 : i64} : tensor<?x1x2x2xf32>
  %o = swin.matmul %p, %v : (tensor<?x1x2x2xf32>, tensor<?x1x2x2xf32>) -> tensor<?x1x2x2xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x2x2xf32>) -> tensor<?x2x1x2xf32>
  %r = swin.reshape %t : tensor<?x2x1x2xf32> -> tensor<?x2x2xf32>
  return %r : tensor<?x2x2xf32>
}

// -----

// HF shifted window: the mask is broadcast to the batch, flattened to
// [B*nW, 1, N, N] and added to the position bias before the scores.
// CHECK-LABEL: func.func @hf_broadcast_mask
// CHECK: %[[M:.*]] = swin.constant dense<-1.000000e+02> : tensor<2x3x3xf32>
// CHECK: swin.window_attention %arg0, %{{.*}}, %{{.*}}, %{{.*}}, %[[M]] {num_heads = 1 : i64, scale = 1.000000e+00 : f32} : (tensor<?x3x2xf32>, tensor<6x2xf32>, tensor<6xf32>, tensor<1x3x3xf32>, tensor<2x3x3xf32>) -> tensor<?x3x2xf32>
// CHECK-NOT: swin.softmax
func.func @hf_broadcast_mask(%x: tensor<?x3x2xf32>) -> tensor<?x3x2xf32> {
  %w = swin.constant dense<1.0> : tensor<2x2xf32>
  %bias = swin.constant dense<0.1> : tensor<1x1x3x3xf32>
  %mask = swin.constant dense<-100.0> : tensor<1x2x1x3x3xf32>
  %lq = swin.linear %x, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %lk = swin.linear %x, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %lv = swin.linear %x, %w : (tensor<?x3x2xf32>, tensor<2x2xf32>) -> tensor<?x3x2xf32>
  %q4 = swin.reshape %lq : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %k4 = swin.reshape %lk : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %v4 = swin.reshape %lv : tensor<?x3x2xf32> -> tensor<?x3x1x2xf32>
  %q = swin.transpose %q4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %kt = swin.transpose %k4 {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x2x3xf32>
  %v = swin.transpose %v4 {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x3x1x2xf32>) -> tensor<?x1x3x2xf32>
  %mb = swin.broadcast %mask {batch_multiple = 1 : i64} : tensor<1x2x1x3x3xf32> -> tensor<?x2x1x3x3xf32>
  %mf = swin.reshape %mb : tensor<?x2x1x3x3xf32> -> tensor<?x1x3x3xf32>
  %c = swin.add %mf, %bias : (tensor<?x1x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  %s = swin.matmul %q, %kt : (tensor<?x1x3x2xf32>, tensor<?x1x2x3xf32>) -> tensor<?x1x3x3xf32>
  %sb = swin.add %s, %c : (tensor<?x1x3x3xf32>, tensor<?x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  %p = swin.softmax %sb {axis = 3 : i64} : tensor<?x1x3x3xf32>
  %o = swin.matmul %p, %v : (tensor<?x1x3x3xf32>, tensor<?x1x3x2xf32>) -> tensor<?x1x3x2xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x3x2xf32>) -> tensor<?x3x1x2xf32>
  %r = swin.reshape %t : tensor<?x3x1x2xf32> -> tensor<?x3x2xf32>
  return %r : tensor<?x3x2xf32>
}

// -----

// Swin V2 cosine attention (timm, TorchScript exporter): q and k each
// divided by broadcast(clip(reduce_l2(., last axis), min = 1e-12)), q k^T
// times a per-head [heads, 1, 1] constant (exp of the clamped logit scale,
// folded by the importer), the 16 * sigmoid position bias folded to a
// constant, and the shift mask added twice (as HF's Swin V2 does): one op
// with logit_scales, scale 1, and the mask summed.
// CHECK-LABEL: func.func @v2_cosine_block
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>)
// CHECK: %[[M:.*]] = swin.constant dense<-2.000000e+02> : tensor<3x4x4xf32>
// CHECK: %[[A:.*]] = swin.window_attention %[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %[[M]] {logit_scales = array<f32: 1.000000e+02, 2.500000e+00>, num_heads = 2 : i64, scale = 1.000000e+00 : f32}
// CHECK-NEXT: return %[[A]]
func.func @v2_cosine_block(%x: tensor<?x4x8xf32>) -> tensor<?x4x8xf32> {
  %w = swin.constant dense<0.1> : tensor<24x8xf32>
  %b = swin.constant dense<0.2> : tensor<24xf32>
  %scales = swin.constant dense<[[[100.0]], [[2.5]]]> : tensor<2x1x1xf32>
  %bias = swin.constant dense<0.3> : tensor<1x2x4x4xf32>
  %mask = swin.constant dense<-100.0> : tensor<1x3x1x4x4xf32>
  %qkv = swin.linear %x, %w, %b : (tensor<?x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<?x4x24xf32>
  %0 = swin.reshape %qkv : tensor<?x4x24xf32> -> tensor<?x4x3x2x4xf32>
  %1 = swin.transpose %0 {perm = array<i64: 2, 0, 3, 1, 4>} : (tensor<?x4x3x2x4xf32>) -> tensor<3x?x2x4x4xf32>
  %q5 = swin.slice %1 {offsets = array<i64: 0, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %k5 = swin.slice %1 {offsets = array<i64: 1, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %v5 = swin.slice %1 {offsets = array<i64: 2, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %q = swin.reshape %q5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %k = swin.reshape %k5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %v = swin.reshape %v5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %qn = swin.reduce_l2 %q {axes = array<i64: 3>, keep_dims = true} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32>
  %qc = swin.clip %qn {max = 0x7F800000 : f32, min = 9.99999996E-13 : f32} : tensor<?x2x4x1xf32>
  %qb = swin.broadcast %qc {batch_multiple = 1 : i64} : tensor<?x2x4x1xf32> -> tensor<?x2x4x4xf32>
  %qh = swin.div %q, %qb : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %kn = swin.reduce_l2 %k {axes = array<i64: 3>, keep_dims = true} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32>
  %kc = swin.clip %kn {max = 0x7F800000 : f32, min = 9.99999996E-13 : f32} : tensor<?x2x4x1xf32>
  %kh = swin.div %k, %kc : (tensor<?x2x4x4xf32>, tensor<?x2x4x1xf32>) -> tensor<?x2x4x4xf32>
  %kt = swin.transpose %kh {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %s = swin.matmul %qh, %kt : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %ss = swin.mul %s, %scales : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %sb = swin.add %ss, %bias : (tensor<?x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %s5 = swin.reshape %sb : tensor<?x2x4x4xf32> -> tensor<?x3x2x4x4xf32>
  %sm = swin.add %s5, %mask : (tensor<?x3x2x4x4xf32>, tensor<1x3x1x4x4xf32>) -> tensor<?x3x2x4x4xf32>
  %sm2 = swin.add %sm, %mask : (tensor<?x3x2x4x4xf32>, tensor<1x3x1x4x4xf32>) -> tensor<?x3x2x4x4xf32>
  %s4 = swin.reshape %sm2 : tensor<?x3x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %p = swin.softmax %s4 {axis = 3 : i64} : tensor<?x2x4x4xf32>
  %o = swin.matmul %p, %v : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x2x4x4xf32>) -> tensor<?x4x2x4xf32>
  %r = swin.reshape %t : tensor<?x4x2x4xf32> -> tensor<?x4x8xf32>
  return %r : tensor<?x4x8xf32>
}

// -----

// Near miss: q is L2-normalised but k is not, so the scores are not a
// cosine similarity and nothing is raised.
// CHECK-LABEL: func.func @v2_only_q_normalised
// CHECK-NOT: swin.window_attention
// CHECK: swin.softmax
func.func @v2_only_q_normalised(%x: tensor<?x4x8xf32>) -> tensor<?x4x8xf32> {
  %w = swin.constant dense<0.1> : tensor<24x8xf32>
  %b = swin.constant dense<0.2> : tensor<24xf32>
  %scales = swin.constant dense<[[[100.0]], [[2.5]]]> : tensor<2x1x1xf32>
  %bias = swin.constant dense<0.3> : tensor<1x2x4x4xf32>
  %qkv = swin.linear %x, %w, %b : (tensor<?x4x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<?x4x24xf32>
  %0 = swin.reshape %qkv : tensor<?x4x24xf32> -> tensor<?x4x3x2x4xf32>
  %1 = swin.transpose %0 {perm = array<i64: 2, 0, 3, 1, 4>} : (tensor<?x4x3x2x4xf32>) -> tensor<3x?x2x4x4xf32>
  %q5 = swin.slice %1 {offsets = array<i64: 0, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %k5 = swin.slice %1 {offsets = array<i64: 1, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %v5 = swin.slice %1 {offsets = array<i64: 2, 0, 0, 0, 0>, sizes = array<i64: 1, -9223372036854775808, 2, 4, 4>, strides = array<i64: 1, 1, 1, 1, 1>} : (tensor<3x?x2x4x4xf32>) -> tensor<1x?x2x4x4xf32>
  %q = swin.reshape %q5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %k = swin.reshape %k5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %v = swin.reshape %v5 : tensor<1x?x2x4x4xf32> -> tensor<?x2x4x4xf32>
  %qn = swin.reduce_l2 %q {axes = array<i64: 3>, keep_dims = true} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x1xf32>
  %qc = swin.clip %qn {max = 0x7F800000 : f32, min = 9.99999996E-13 : f32} : tensor<?x2x4x1xf32>
  %qh = swin.div %q, %qc : (tensor<?x2x4x4xf32>, tensor<?x2x4x1xf32>) -> tensor<?x2x4x4xf32>
  %kt = swin.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %s = swin.matmul %qh, %kt : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %ss = swin.mul %s, %scales : (tensor<?x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<?x2x4x4xf32>
  %sb = swin.add %ss, %bias : (tensor<?x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %p = swin.softmax %sb {axis = 3 : i64} : tensor<?x2x4x4xf32>
  %o = swin.matmul %p, %v : (tensor<?x2x4x4xf32>, tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x2x4x4xf32>) -> tensor<?x4x2x4xf32>
  %r = swin.reshape %t : tensor<?x4x2x4xf32> -> tensor<?x4x8xf32>
  return %r : tensor<?x4x8xf32>
}
