// RUN: swin-opt %s --split-input-file --swin-report-structure --verify-diagnostics

// Raised ops are counted per pattern; the ones a fusion should have absorbed
// are pointed out.
// expected-remark @below {{swin structure: patch_embed=0 classifier_head=0 norm_partition=0 window_attention=1 attention_output=0 residual_linear=0 window_partition=1 window_reverse=1 roll=2 patch_merge=0 patch_merging=0 linear_gelu=0 gelu=0 linear=0}}
func.func @raised_block(%x: tensor<?x8x8x4xf32>, %w: tensor<12x4xf32>, %b: tensor<12xf32>, %p: tensor<1x4x4xf32>) -> tensor<?x8x8x4xf32> {
  %s = swin.roll %x {shifts = array<i64: 0, -1, -1, 0>} : tensor<?x8x8x4xf32>
  // expected-warning @below {{window partition not fused: no private channel LayerNorm (and shift) before it}}
  %win = swin.window_partition %s {window = array<i64: 2, 2>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x4xf32>
  %a = swin.window_attention %win, %w, %b, %p {num_heads = 1 : i64, scale = 0.5 : f32} : (tensor<?x4x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<1x4x4xf32>) -> tensor<?x4x4xf32>
  // expected-warning @below {{window reverse not fused: it needs a private biased projection before it and a residual add after it}}
  %r = swin.window_reverse %a {window = array<i64: 2, 2>} : (tensor<?x4x4xf32>) -> tensor<?x8x8x4xf32>
  %u = swin.roll %r {shifts = array<i64: 0, 1, 1, 0>} : tensor<?x8x8x4xf32>
  return %u : tensor<?x8x8x4xf32>
}

// -----

// An attention left unraised is reported at its softmax, with the reason.
// expected-remark @below {{swin structure: patch_embed=0 classifier_head=0 norm_partition=0 window_attention=0 attention_output=0}}
func.func @unraised(%q: tensor<?x1x3x2xf32>, %kt: tensor<?x1x2x3xf32>, %v: tensor<?x1x3x2xf32>) -> tensor<?x3x2xf32> {
  %s = swin.matmul %q, %kt : (tensor<?x1x3x2xf32>, tensor<?x1x2x3xf32>) -> tensor<?x1x3x3xf32>
  // expected-warning @below {{attention not raised: q, k or v is not a head view of a linear projection}}
  %p = swin.softmax %s {axis = 3 : i64} : tensor<?x1x3x3xf32>
  %o = swin.matmul %p, %v : (tensor<?x1x3x3xf32>, tensor<?x1x3x2xf32>) -> tensor<?x1x3x2xf32>
  %t = swin.transpose %o {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x3x2xf32>) -> tensor<?x3x1x2xf32>
  %r = swin.reshape %t : tensor<?x3x1x2xf32> -> tensor<?x3x2xf32>
  return %r : tensor<?x3x2xf32>
}

// -----

// A softmax that is not attention at all says so.
// expected-remark @below {{swin structure:}}
func.func @lone_softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-warning @below {{attention not raised: the softmax output is not multiplied by v}}
  %p = swin.softmax %x {axis = 1 : i64} : tensor<4x8xf32>
  return %p : tensor<4x8xf32>
}
