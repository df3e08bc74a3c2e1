// RUN: swin-opt %s --split-input-file --swin-raise-gelu | FileCheck %s

// The TorchScript exporter's erf spelling (timm, torchvision, HF legacy).
// CHECK-LABEL: func.func @erf_legacy_export
// CHECK-SAME: (%[[X:.*]]: tensor<?x49x64xf32>)
// CHECK-NEXT: %[[G:.*]] = swin.gelu %[[X]] : tensor<?x49x64xf32>
// CHECK-NEXT: return %[[G]]
func.func @erf_legacy_export(%x: tensor<?x49x64xf32>) -> tensor<?x49x64xf32> {
  %sqrt2 = swin.constant dense<1.41421354> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %0 = swin.div %x, %sqrt2 : (tensor<?x49x64xf32>, tensor<f32>) -> tensor<?x49x64xf32>
  %1 = swin.erf %0 : tensor<?x49x64xf32>
  %2 = swin.add %1, %one : (tensor<?x49x64xf32>, tensor<f32>) -> tensor<?x49x64xf32>
  %3 = swin.mul %x, %2 : (tensor<?x49x64xf32>, tensor<?x49x64xf32>) -> tensor<?x49x64xf32>
  %4 = swin.mul %3, %half : (tensor<?x49x64xf32>, tensor<f32>) -> tensor<?x49x64xf32>
  return %4 : tensor<?x49x64xf32>
}

// -----

// Multiplication by 1/sqrt(2), 0.5 applied to x first, operands swapped.
// CHECK-LABEL: func.func @erf_reordered
// CHECK-NEXT: %[[G:.*]] = swin.gelu %arg0 : tensor<8x16xf32>
// CHECK-NEXT: return %[[G]]
func.func @erf_reordered(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %rsqrt2 = swin.constant dense<0.707106769> : tensor<1xf32>
  %one = swin.constant dense<1.0> : tensor<1xf32>
  %half = swin.constant dense<0.5> : tensor<1xf32>
  %0 = swin.mul %rsqrt2, %x : (tensor<1xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = swin.erf %0 : tensor<8x16xf32>
  %2 = swin.add %one, %1 : (tensor<1xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %h = swin.mul %half, %x : (tensor<1xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %3 = swin.mul %2, %h : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %3 : tensor<8x16xf32>
}

// -----

// The tanh approximation with the cube as pow(x, 3).
// CHECK-LABEL: func.func @tanh_pow
// CHECK-NEXT: %[[G:.*]] = swin.gelu %arg0 {approximation = #swin.gelu_approximation<tanh>} : tensor<8x16xf32>
// CHECK-NEXT: return %[[G]]
func.func @tanh_pow(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %three = swin.constant dense<3.0> : tensor<f32>
  %c = swin.constant dense<0.044715> : tensor<f32>
  %k = swin.constant dense<0.797884583> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %0 = swin.pow %x, %three : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  %1 = swin.mul %0, %c : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  %2 = swin.add %x, %1 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %3 = swin.mul %2, %k : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  %4 = swin.tanh %3 : tensor<8x16xf32>
  %5 = swin.add %4, %one : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  %6 = swin.mul %x, %5 : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %7 = swin.mul %6, %half : (tensor<8x16xf32>, tensor<f32>) -> tensor<8x16xf32>
  return %7 : tensor<8x16xf32>
}

// -----

// The tanh approximation with the cube as (x * x) * x.
// CHECK-LABEL: func.func @tanh_product_cube
// CHECK: swin.gelu %arg0 {approximation = #swin.gelu_approximation<tanh>}
// CHECK-NOT: swin.tanh
func.func @tanh_product_cube(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %c = swin.constant dense<0.044715> : tensor<f32>
  %k = swin.constant dense<0.797884583> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %sq = swin.mul %x, %x : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %0 = swin.mul %sq, %x : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %1 = swin.mul %c, %0 : (tensor<f32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %2 = swin.add %1, %x : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %3 = swin.mul %k, %2 : (tensor<f32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %4 = swin.tanh %3 : tensor<8x16xf32>
  %5 = swin.add %one, %4 : (tensor<f32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %6 = swin.mul %5, %x : (tensor<8x16xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  %7 = swin.mul %half, %6 : (tensor<f32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return %7 : tensor<8x16xf32>
}

// -----

// Near miss: the divisor is 1.5, not sqrt(2). Nothing changes.
// CHECK-LABEL: func.func @wrong_divisor
// CHECK-NOT: swin.gelu
// CHECK: swin.erf
func.func @wrong_divisor(%x: tensor<8xf32>) -> tensor<8xf32> {
  %d = swin.constant dense<1.5> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %0 = swin.div %x, %d : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = swin.erf %0 : tensor<8xf32>
  %2 = swin.add %1, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = swin.mul %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = swin.mul %3, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %4 : tensor<8xf32>
}

// -----

// Near miss: the outer product uses another tensor than the erf's input.
// CHECK-LABEL: func.func @different_operand
// CHECK-NOT: swin.gelu
func.func @different_operand(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %d = swin.constant dense<1.41421354> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %0 = swin.div %x, %d : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = swin.erf %0 : tensor<8xf32>
  %2 = swin.add %1, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = swin.mul %y, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = swin.mul %3, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %4 : tensor<8xf32>
}

// -----

// Near miss: 1 + erf is also returned, so the chain is not a private GELU
// (raising it would save nothing); it is left alone.
// CHECK-LABEL: func.func @shared_intermediate
// CHECK: swin.erf
// CHECK-NOT: swin.gelu
func.func @shared_intermediate(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %d = swin.constant dense<1.41421354> : tensor<f32>
  %one = swin.constant dense<1.0> : tensor<f32>
  %half = swin.constant dense<0.5> : tensor<f32>
  %0 = swin.div %x, %d : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = swin.erf %0 : tensor<8xf32>
  %2 = swin.add %1, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = swin.mul %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = swin.mul %3, %half : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  return %4, %2 : tensor<8xf32>, tensor<8xf32>
}
