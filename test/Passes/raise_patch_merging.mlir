// RUN: swin-opt %s --split-input-file --swin-raise-patch-merging | FileCheck %s

// timm: reshape [B, H/2, 2, W/2, 2, C], permute (0, 1, 3, 4, 2, 5), reshape.
// CHECK-LABEL: func.func @timm_form
// CHECK-NEXT: %[[M:.*]] = swin.patch_merge %arg0 : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
// CHECK-NEXT: return %[[M]]
func.func @timm_form(%x: tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32> {
  %0 = swin.reshape %x : tensor<?x8x8x4xf32> -> tensor<?x4x2x4x2x4xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 4, 2, 5>} : (tensor<?x4x2x4x2x4xf32>) -> tensor<?x4x4x2x2x4xf32>
  %2 = swin.reshape %1 : tensor<?x4x4x2x2x4xf32> -> tensor<?x4x4x16xf32>
  return %2 : tensor<?x4x4x16xf32>
}

// -----

// torchvision / HF: x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]
// concatenated along channels, from tokens flattened to [B, H*W, C].
// CHECK-LABEL: func.func @slice_form
// CHECK: %[[I:.*]] = swin.reshape %arg0 : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
// CHECK-NEXT: %[[M:.*]] = swin.patch_merge %[[I]] : (tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32>
// CHECK-NEXT: return %[[M]]
func.func @slice_form(%t: tensor<?x64x4xf32>) -> tensor<?x4x4x16xf32> {
  %x = swin.reshape %t : tensor<?x64x4xf32> -> tensor<?x8x8x4xf32>
  %r0 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 4>, strides = array<i64: 1, 2, 1, 1>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x8x4xf32>
  %r1 = swin.slice %x {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 4>, strides = array<i64: 1, 2, 1, 1>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x8x4xf32>
  %a = swin.slice %r0 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %b = swin.slice %r1 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %c = swin.slice %r0 {offsets = array<i64: 0, 0, 1, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %d = swin.slice %r1 {offsets = array<i64: 0, 0, 1, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %m = swin.concat %a, %b, %c, %d {axis = 3 : i64} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x16xf32>
  return %m : tensor<?x4x4x16xf32>
}

// -----

// Near miss: (0,0), (0,1), (1,0), (1,1) is another channel order.
// CHECK-LABEL: func.func @other_order
// CHECK-NOT: swin.patch_merge
// CHECK: swin.concat
func.func @other_order(%x: tensor<?x8x8x4xf32>) -> tensor<?x4x4x16xf32> {
  %r0 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 4>, strides = array<i64: 1, 2, 1, 1>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x8x4xf32>
  %r1 = swin.slice %x {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 4>, strides = array<i64: 1, 2, 1, 1>} : (tensor<?x8x8x4xf32>) -> tensor<?x4x8x4xf32>
  %a = swin.slice %r0 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %b = swin.slice %r1 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %c = swin.slice %r0 {offsets = array<i64: 0, 0, 1, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %d = swin.slice %r1 {offsets = array<i64: 0, 0, 1, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %m = swin.concat %a, %c, %b, %d {axis = 3 : i64} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x16xf32>
  return %m : tensor<?x4x4x16xf32>
}

// -----

// Near miss: stride-4 rows are not a 2x2 patch gather.
// CHECK-LABEL: func.func @wrong_stride
// CHECK-NOT: swin.patch_merge
func.func @wrong_stride(%x: tensor<?x16x8x4xf32>) -> tensor<?x4x4x16xf32> {
  %r0 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 4>, strides = array<i64: 1, 4, 1, 1>} : (tensor<?x16x8x4xf32>) -> tensor<?x4x8x4xf32>
  %a = swin.slice %r0 {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 4, 4>, strides = array<i64: 1, 1, 2, 1>} : (tensor<?x4x8x4xf32>) -> tensor<?x4x4x4xf32>
  %m = swin.concat %a, %a, %a, %a {axis = 3 : i64} : (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x4x16xf32>
  return %m : tensor<?x4x4x16xf32>
}
