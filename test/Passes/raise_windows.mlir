// RUN: swin-opt %s --split-input-file --swin-raise-windows | FileCheck %s

// timm's window_partition: view to [B, H/w, w, W/w, w, C], permute, view.
// CHECK-LABEL: func.func @partition
// CHECK-SAME: (%[[X:.*]]: tensor<?x56x56x16xf32>)
// CHECK-NEXT: %[[W:.*]] = swin.window_partition %[[X]] {window = array<i64: 7, 7>} : (tensor<?x56x56x16xf32>) -> tensor<?x49x16xf32>
// CHECK-NEXT: return %[[W]]
func.func @partition(%x: tensor<?x56x56x16xf32>) -> tensor<?x49x16xf32> {
  %0 = swin.reshape %x : tensor<?x56x56x16xf32> -> tensor<?x8x7x8x7x16xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x16xf32>) -> tensor<?x8x8x7x7x16xf32>
  %2 = swin.reshape %1 : tensor<?x8x8x7x7x16xf32> -> tensor<?x7x7x16xf32>
  %3 = swin.reshape %2 : tensor<?x7x7x16xf32> -> tensor<?x49x16xf32>
  return %3 : tensor<?x49x16xf32>
}

// -----

// HF keeps tokens flattened ([B, H*W, C]); the image shape is restored.
// CHECK-LABEL: func.func @partition_from_tokens
// CHECK: %[[I:.*]] = swin.reshape %arg0 : tensor<?x3136x16xf32> -> tensor<?x56x56x16xf32>
// CHECK: swin.window_partition %[[I]] {window = array<i64: 7, 7>}
// CHECK-NOT: swin.transpose
func.func @partition_from_tokens(%x: tensor<?x3136x16xf32>) -> tensor<?x49x16xf32> {
  %0 = swin.reshape %x : tensor<?x3136x16xf32> -> tensor<?x8x7x8x7x16xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x16xf32>) -> tensor<?x8x8x7x7x16xf32>
  %2 = swin.reshape %1 : tensor<?x8x8x7x7x16xf32> -> tensor<?x49x16xf32>
  return %2 : tensor<?x49x16xf32>
}

// -----

// window_reverse: view to [B, H/w, W/w, w, w, C], permute, view to the image.
// CHECK-LABEL: func.func @reverse
// CHECK-SAME: (%[[W:.*]]: tensor<?x49x16xf32>)
// CHECK-NEXT: %[[R:.*]] = swin.window_reverse %[[W]] {window = array<i64: 7, 7>} : (tensor<?x49x16xf32>) -> tensor<?x56x56x16xf32>
// CHECK-NEXT: return %[[R]]
func.func @reverse(%w: tensor<?x49x16xf32>) -> tensor<?x56x56x16xf32> {
  %0 = swin.reshape %w : tensor<?x49x16xf32> -> tensor<?x7x7x16xf32>
  %1 = swin.reshape %0 : tensor<?x7x7x16xf32> -> tensor<?x8x8x7x7x16xf32>
  %2 = swin.transpose %1 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x8x7x7x16xf32>) -> tensor<?x8x7x8x7x16xf32>
  %3 = swin.reshape %2 : tensor<?x8x7x8x7x16xf32> -> tensor<?x56x56x16xf32>
  return %3 : tensor<?x56x56x16xf32>
}

// -----

// torch.roll(x, (-3, -3), dims=(1, 2)) as exported: Slice+Concat per axis.
// The two rolls compose.
// CHECK-LABEL: func.func @cyclic_shift
// CHECK-NEXT: %[[S:.*]] = swin.roll %arg0 {shifts = array<i64: 0, -3, -3, 0>} : tensor<?x56x56x16xf32>
// CHECK-NEXT: return %[[S]]
func.func @cyclic_shift(%x: tensor<?x56x56x16xf32>) -> tensor<?x56x56x16xf32> {
  %a = swin.slice %x {offsets = array<i64: 0, 3, 0, 0>, sizes = array<i64: -9223372036854775808, 53, 56, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x53x56x16xf32>
  %b = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 3, 56, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x3x56x16xf32>
  %h = swin.concat %a, %b {axis = 1 : i64} : (tensor<?x53x56x16xf32>, tensor<?x3x56x16xf32>) -> tensor<?x56x56x16xf32>
  %c = swin.slice %h {offsets = array<i64: 0, 0, 3, 0>, sizes = array<i64: -9223372036854775808, 56, 53, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x56x53x16xf32>
  %d = swin.slice %h {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 56, 3, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x56x3x16xf32>
  %w = swin.concat %c, %d {axis = 2 : i64} : (tensor<?x56x53x16xf32>, tensor<?x56x3x16xf32>) -> tensor<?x56x56x16xf32>
  return %w : tensor<?x56x56x16xf32>
}

// -----

// The reverse shift, written x[-3:], x[:-3], is a roll by +3.
// CHECK-LABEL: func.func @reverse_shift
// CHECK-NEXT: swin.roll %arg0 {shifts = array<i64: 0, 3, 0, 0>}
func.func @reverse_shift(%x: tensor<?x56x56x16xf32>) -> tensor<?x56x56x16xf32> {
  %a = swin.slice %x {offsets = array<i64: 0, 53, 0, 0>, sizes = array<i64: -9223372036854775808, 3, 56, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x3x56x16xf32>
  %b = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 53, 56, 16>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x16xf32>) -> tensor<?x53x56x16xf32>
  %h = swin.concat %a, %b {axis = 1 : i64} : (tensor<?x3x56x16xf32>, tensor<?x53x56x16xf32>) -> tensor<?x56x56x16xf32>
  return %h : tensor<?x56x56x16xf32>
}

// -----

// Near miss: the pieces come from different tensors.
// CHECK-LABEL: func.func @two_sources
// CHECK-NOT: swin.roll
// CHECK: swin.concat
func.func @two_sources(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = swin.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 4, 5>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x5xf32>
  %b = swin.slice %y {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  %c = swin.concat %a, %b {axis = 1 : i64} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Near miss: x[3:] ++ x[1:4] rebuilds the size but is not a rotation.
// CHECK-LABEL: func.func @not_a_rotation
// CHECK-NOT: swin.roll
func.func @not_a_rotation(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = swin.slice %x {offsets = array<i64: 0, 3>, sizes = array<i64: 4, 5>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x5xf32>
  %b = swin.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  %c = swin.concat %a, %b {axis = 1 : i64} : (tensor<4x5xf32>, tensor<4x3xf32>) -> tensor<4x8xf32>
  return %c : tensor<4x8xf32>
}

// -----

// Near miss: another permutation of the same rank-6 tensor is not a window
// partition.
// CHECK-LABEL: func.func @other_permutation
// CHECK-NOT: swin.window_partition
// CHECK: swin.transpose
func.func @other_permutation(%x: tensor<?x56x56x16xf32>) -> tensor<?x8x7x7x8x16xf32> {
  %0 = swin.reshape %x : tensor<?x56x56x16xf32> -> tensor<?x8x7x8x7x16xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 2, 4, 3, 5>} : (tensor<?x8x7x8x7x16xf32>) -> tensor<?x8x7x7x8x16xf32>
  return %1 : tensor<?x8x7x7x8x16xf32>
}

// -----

// Near miss: the split changes the batch (its static size differs), so it is
// not a partition of this image.
// CHECK-LABEL: func.func @split_changes_batch
// CHECK-NOT: swin.window_partition
func.func @split_changes_batch(%x: tensor<?x7x7x16xf32>) -> tensor<?x8x8x7x7x16xf32> {
  %0 = swin.reshape %x : tensor<?x7x7x16xf32> -> tensor<?x8x7x8x7x16xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x16xf32>) -> tensor<?x8x8x7x7x16xf32>
  return %1 : tensor<?x8x8x7x7x16xf32>
}
