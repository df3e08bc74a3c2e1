// RUN: swin-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<?x56x56x96xf32>)
// CHECK-NEXT: %[[R:.*]] = swin.reshape %[[X]] : tensor<?x56x56x96xf32> -> tensor<?x49x96xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<?x56x56x96xf32>) -> tensor<?x49x96xf32> {
  %0 = swin.reshape %x : tensor<?x56x56x96xf32> -> tensor<?x8x7x8x7x96xf32>
  %1 = swin.reshape %0 : tensor<?x8x7x8x7x96xf32> -> tensor<?x49x96xf32>
  return %1 : tensor<?x49x96xf32>
}

// -----

// CHECK-LABEL: func.func @identity_reshape
// CHECK-NEXT: return %arg0
func.func @identity_reshape(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = swin.reshape %x : tensor<4x6xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// A reshape to its own type is an identity even with a dynamic dimension:
// the element count fixes it.
// CHECK-LABEL: func.func @dynamic_same_type_reshape
// CHECK-NEXT: return %arg0
func.func @dynamic_same_type_reshape(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %0 = swin.reshape %x : tensor<?x6xf32> -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_constant
// CHECK-NEXT: %[[C:.*]] = swin.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_of_constant() -> tensor<2x3xf32> {
  %c = swin.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %0 = swin.reshape %c : tensor<6xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @identity_transpose
// CHECK-NEXT: return %arg0
func.func @identity_transpose(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = swin.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-NEXT: %[[T:.*]] = swin.transpose %arg0 {perm = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  %0 = swin.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 2, 1>} : (tensor<3x4x2xf32>) -> tensor<3x2x4xf32>
  return %1 : tensor<3x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @inverse_transposes_cancel
// CHECK-NEXT: return %arg0
func.func @inverse_transposes_cancel(%x: tensor<?x8x7x8x7x96xf32>) -> tensor<?x8x7x8x7x96xf32> {
  %0 = swin.transpose %x {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x96xf32>) -> tensor<?x8x8x7x7x96xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x8x7x7x96xf32>) -> tensor<?x8x7x8x7x96xf32>
  return %1 : tensor<?x8x7x8x7x96xf32>
}

// -----

// CHECK-LABEL: func.func @full_slice
// CHECK-NEXT: return %arg0
func.func @full_slice(%x: tensor<?x56x96xf32>) -> tensor<?x56x96xf32> {
  %0 = swin.slice %x {offsets = array<i64: 0, 0, 0>, sizes = array<i64: -9223372036854775808, 56, 96>, strides = array<i64: 1, 1, 1>} : (tensor<?x56x96xf32>) -> tensor<?x56x96xf32>
  return %0 : tensor<?x56x96xf32>
}

// -----

// A strided slice that happens to keep the shape is not an identity.
// CHECK-LABEL: func.func @partial_slice_kept
// CHECK: swin.slice
func.func @partial_slice_kept(%x: tensor<4xf32>) -> tensor<2xf32> {
  %0 = swin.slice %x {offsets = array<i64: 1>, sizes = array<i64: 2>, strides = array<i64: 2>} : (tensor<4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @rolls_compose
// CHECK-NEXT: %[[R:.*]] = swin.roll %arg0 {shifts = array<i64: 0, -3, 1, 0>}
// CHECK-NEXT: return %[[R]]
func.func @rolls_compose(%x: tensor<?x56x56x8xf32>) -> tensor<?x56x56x8xf32> {
  %0 = swin.roll %x {shifts = array<i64: 0, -3, 0, 0>} : tensor<?x56x56x8xf32>
  %1 = swin.roll %0 {shifts = array<i64: 0, 0, 1, 0>} : tensor<?x56x56x8xf32>
  return %1 : tensor<?x56x56x8xf32>
}

// -----

// Shift and unshift cancel, as do whole turns.
// CHECK-LABEL: func.func @rolls_cancel
// CHECK-NEXT: return %arg0
func.func @rolls_cancel(%x: tensor<?x56x56x8xf32>) -> tensor<?x56x56x8xf32> {
  %0 = swin.roll %x {shifts = array<i64: 0, -3, -3, 0>} : tensor<?x56x56x8xf32>
  %1 = swin.roll %0 {shifts = array<i64: 0, 3, 59, 0>} : tensor<?x56x56x8xf32>
  return %1 : tensor<?x56x56x8xf32>
}
