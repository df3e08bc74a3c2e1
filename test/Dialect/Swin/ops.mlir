// RUN: swin-opt %s --split-input-file | swin-opt --split-input-file | FileCheck %s
// Round trip: every op prints and parses back to the same IR.

// CHECK-LABEL: func.func @patch_embed
func.func @patch_embed(%x: tensor<?x3x224x224xf32>) -> tensor<?x96x56x56xf32> {
  // CHECK: %[[W:.*]] = swin.constant dense<1.000000e+00> : tensor<96x3x4x4xf32>
  %w = swin.constant dense<1.0> : tensor<96x3x4x4xf32>
  %b = swin.constant dense<0.5> : tensor<96xf32>
  // CHECK: swin.conv2d %{{.*}}, %[[W]], %{{.*}} {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<?x3x224x224xf32>, tensor<96x3x4x4xf32>, tensor<96xf32>) -> tensor<?x96x56x56xf32>
  %y = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<?x3x224x224xf32>, tensor<96x3x4x4xf32>, tensor<96xf32>) -> tensor<?x96x56x56xf32>
  return %y : tensor<?x96x56x56xf32>
}

// -----

// CHECK-LABEL: func.func @conv_no_bias_padded
func.func @conv_no_bias_padded(%x: tensor<2x4x9x9xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<2x8x5x5xf32> {
  // CHECK: swin.conv2d %{{.*}}, %{{.*}} {{{.*}}groups = 2{{.*}}} : (tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<2x8x5x5xf32>
  %y = swin.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<2x8x5x5xf32>
  return %y : tensor<2x8x5x5xf32>
}

// -----

// CHECK-LABEL: func.func @linear_and_matmul
func.func @linear_and_matmul(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>,
                             %q: tensor<?x3x49x32xf32>, %kt: tensor<?x3x32x49xf32>) -> (tensor<?x49x288xf32>, tensor<?x49x288xf32>, tensor<?x3x49x49xf32>) {
  // CHECK: swin.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>) -> tensor<?x49x288xf32>
  %y = swin.linear %x, %w, %b : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>) -> tensor<?x49x288xf32>
  // CHECK: swin.linear %{{.*}}, %{{.*}} : (tensor<?x49x96xf32>, tensor<288x96xf32>) -> tensor<?x49x288xf32>
  %y2 = swin.linear %x, %w : (tensor<?x49x96xf32>, tensor<288x96xf32>) -> tensor<?x49x288xf32>
  // CHECK: swin.matmul %{{.*}}, %{{.*}} : (tensor<?x3x49x32xf32>, tensor<?x3x32x49xf32>) -> tensor<?x3x49x49xf32>
  %a = swin.matmul %q, %kt : (tensor<?x3x49x32xf32>, tensor<?x3x32x49xf32>) -> tensor<?x3x49x49xf32>
  return %y, %y2, %a : tensor<?x49x288xf32>, tensor<?x49x288xf32>, tensor<?x3x49x49xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_broadcast_batch
func.func @matmul_broadcast_batch(%a: tensor<?x4x5x6xf32>, %b: tensor<6x7xf32>) -> tensor<?x4x5x7xf32> {
  // CHECK: swin.matmul {{.*}} -> tensor<?x4x5x7xf32>
  %c = swin.matmul %a, %b : (tensor<?x4x5x6xf32>, tensor<6x7xf32>) -> tensor<?x4x5x7xf32>
  return %c : tensor<?x4x5x7xf32>
}

// -----

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%a: tensor<?x64x3x49x49xf32>, %m: tensor<1x64x1x49x49xf32>, %s: tensor<f32>) -> tensor<?x64x3x49x49xf32> {
  // CHECK: swin.add %{{.*}}, %{{.*}} : (tensor<?x64x3x49x49xf32>, tensor<1x64x1x49x49xf32>) -> tensor<?x64x3x49x49xf32>
  %0 = swin.add %a, %m : (tensor<?x64x3x49x49xf32>, tensor<1x64x1x49x49xf32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.sub
  %1 = swin.sub %0, %m : (tensor<?x64x3x49x49xf32>, tensor<1x64x1x49x49xf32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.mul {{.*}} : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  %2 = swin.mul %1, %s : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.div
  %3 = swin.div %2, %s : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.pow
  %4 = swin.pow %3, %s : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.max
  %5 = swin.max %4, %s : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.min
  %6 = swin.min %5, %s : (tensor<?x64x3x49x49xf32>, tensor<f32>) -> tensor<?x64x3x49x49xf32>
  // CHECK: swin.neg %{{.*}} : tensor<?x64x3x49x49xf32>
  %7 = swin.neg %6 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.abs
  %8 = swin.abs %7 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.sqrt
  %9 = swin.sqrt %8 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.reciprocal
  %10 = swin.reciprocal %9 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.exp
  %11 = swin.exp %10 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.log
  %12 = swin.log %11 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.erf
  %13 = swin.erf %12 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.tanh
  %14 = swin.tanh %13 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.sigmoid
  %15 = swin.sigmoid %14 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.relu
  %16 = swin.relu %15 : tensor<?x64x3x49x49xf32>
  // CHECK: swin.clip %{{.*}} {max = 4.605170e+00 : f32, min = -1.000000e+00 : f32} : tensor<?x64x3x49x49xf32>
  %17 = swin.clip %16 {min = -1.0 : f32, max = 4.60517 : f32} : tensor<?x64x3x49x49xf32>
  return %17 : tensor<?x64x3x49x49xf32>
}

// -----

// CHECK-LABEL: func.func @activations_and_norms
func.func @activations_and_norms(%x: tensor<?x3136x96xf32>, %g: tensor<96xf32>, %b: tensor<96xf32>) -> (tensor<?x3136x96xf32>, tensor<?x3136x96xf32>, tensor<?x3136x96xf32>) {
  // CHECK: swin.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<?x3136x96xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<?x3136x96xf32>
  %n = swin.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x3136x96xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<?x3136x96xf32>
  // CHECK: swin.gelu %{{.*}} : tensor<?x3136x96xf32>
  %g0 = swin.gelu %n : tensor<?x3136x96xf32>
  // CHECK: swin.gelu %{{.*}} {approximation = #swin.gelu_approximation<tanh>} : tensor<?x3136x96xf32>
  %g1 = swin.gelu %n {approximation = #swin<gelu_approximation<tanh>>} : tensor<?x3136x96xf32>
  // CHECK: swin.softmax %{{.*}} {axis = 2 : i64} : tensor<?x3136x96xf32>
  %s = swin.softmax %g1 {axis = 2 : i64} : tensor<?x3136x96xf32>
  return %g0, %g1, %s : tensor<?x3136x96xf32>, tensor<?x3136x96xf32>, tensor<?x3136x96xf32>
}

// -----

// CHECK-LABEL: func.func @window_partition_shapes
func.func @window_partition_shapes(%x: tensor<?x56x56x96xf32>) -> tensor<?x49x96xf32> {
  // CHECK: swin.reshape %{{.*}} : tensor<?x56x56x96xf32> -> tensor<?x8x7x8x7x96xf32>
  %0 = swin.reshape %x : tensor<?x56x56x96xf32> -> tensor<?x8x7x8x7x96xf32>
  // CHECK: swin.transpose %{{.*}} {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x96xf32>) -> tensor<?x8x8x7x7x96xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x8x7x8x7x96xf32>) -> tensor<?x8x8x7x7x96xf32>
  %2 = swin.reshape %1 : tensor<?x8x8x7x7x96xf32> -> tensor<?x49x96xf32>
  return %2 : tensor<?x49x96xf32>
}

// -----

// CHECK-LABEL: func.func @cyclic_shift_as_slices
func.func @cyclic_shift_as_slices(%x: tensor<?x56x56x96xf32>) -> tensor<?x56x56x96xf32> {
  // CHECK: swin.slice %{{.*}} {offsets = array<i64: 0, 3, 0, 0>, sizes = array<i64: -9223372036854775808, 53, 56, 96>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x96xf32>) -> tensor<?x53x56x96xf32>
  %a = swin.slice %x {offsets = array<i64: 0, 3, 0, 0>, sizes = array<i64: -9223372036854775808, 53, 56, 96>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x96xf32>) -> tensor<?x53x56x96xf32>
  %b = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 3, 56, 96>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x96xf32>) -> tensor<?x3x56x96xf32>
  // CHECK: swin.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x53x56x96xf32>, tensor<?x3x56x96xf32>) -> tensor<?x56x56x96xf32>
  %c = swin.concat %a, %b {axis = 1 : i64} : (tensor<?x53x56x96xf32>, tensor<?x3x56x96xf32>) -> tensor<?x56x56x96xf32>
  return %c : tensor<?x56x56x96xf32>
}

// -----

// CHECK-LABEL: func.func @patch_merge_strided_slice
func.func @patch_merge_strided_slice(%x: tensor<?x56x56x96xf32>) -> tensor<?x28x28x96xf32> {
  // CHECK: swin.slice {{.*}}strides = array<i64: 1, 2, 2, 1>{{.*}} -> tensor<?x28x28x96xf32>
  %a = swin.slice %x {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: -9223372036854775808, 28, 28, 96>, strides = array<i64: 1, 2, 2, 1>} : (tensor<?x56x56x96xf32>) -> tensor<?x28x28x96xf32>
  return %a : tensor<?x28x28x96xf32>
}

// -----

// CHECK-LABEL: func.func @pad_reduce_pool
func.func @pad_reduce_pool(%x: tensor<?x7x7x768xf32>, %y: tensor<?x768x7x7xf32>) -> (tensor<?x8x8x768xf32>, tensor<?x768xf32>, tensor<?x1x1x768xf32>, tensor<?x768x1x1xf32>) {
  // CHECK: swin.pad %{{.*}} {high = array<i64: 0, 1, 1, 0>, low = array<i64: 0, 0, 0, 0>, value = 0.000000e+00 : f32} : (tensor<?x7x7x768xf32>) -> tensor<?x8x8x768xf32>
  %p = swin.pad %x {low = array<i64: 0, 0, 0, 0>, high = array<i64: 0, 1, 1, 0>, value = 0.0 : f32} : (tensor<?x7x7x768xf32>) -> tensor<?x8x8x768xf32>
  // CHECK: swin.reduce_mean %{{.*}} {axes = array<i64: 1, 2>} : (tensor<?x7x7x768xf32>) -> tensor<?x768xf32>
  %m = swin.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<?x7x7x768xf32>) -> tensor<?x768xf32>
  // CHECK: swin.reduce_sum %{{.*}} {axes = array<i64: 1, 2>, keep_dims = true} : (tensor<?x7x7x768xf32>) -> tensor<?x1x1x768xf32>
  %s = swin.reduce_sum %x {axes = array<i64: 1, 2>, keep_dims = true} : (tensor<?x7x7x768xf32>) -> tensor<?x1x1x768xf32>
  // CHECK: swin.reduce_max
  %mx = swin.reduce_max %x {axes = array<i64: 1, 2>, keep_dims = true} : (tensor<?x7x7x768xf32>) -> tensor<?x1x1x768xf32>
  // CHECK: swin.reduce_l2
  %l2 = swin.reduce_l2 %mx {axes = array<i64: 3>, keep_dims = true} : (tensor<?x1x1x768xf32>) -> tensor<?x1x1x1xf32>
  // CHECK: swin.global_avg_pool %{{.*}} : (tensor<?x768x7x7xf32>) -> tensor<?x768x1x1xf32>
  %g = swin.global_avg_pool %y : (tensor<?x768x7x7xf32>) -> tensor<?x768x1x1xf32>
  return %p, %m, %s, %g : tensor<?x8x8x768xf32>, tensor<?x768xf32>, tensor<?x1x1x768xf32>, tensor<?x768x1x1xf32>
}

// -----

// Half-precision element types are accepted for the later precision passes.
// CHECK-LABEL: func.func @half_precision
func.func @half_precision(%a: tensor<4x8xf16>, %b: tensor<4x8xbf16>) -> (tensor<4x8xf16>, tensor<4x8xbf16>) {
  // CHECK: swin.add {{.*}} -> tensor<4x8xf16>
  %0 = swin.add %a, %a : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  // CHECK: swin.gelu {{.*}} : tensor<4x8xbf16>
  %1 = swin.gelu %b : tensor<4x8xbf16>
  return %0, %1 : tensor<4x8xf16>, tensor<4x8xbf16>
}

// -----

// CHECK-LABEL: func.func @swin_structure
func.func @swin_structure(%x: tensor<?x56x56x96xf32>) -> tensor<?x56x56x96xf32> {
  // CHECK: swin.roll %{{.*}} {shifts = array<i64: 0, -3, -3, 0>} : tensor<?x56x56x96xf32>
  %s = swin.roll %x {shifts = array<i64: 0, -3, -3, 0>} : tensor<?x56x56x96xf32>
  // CHECK: swin.window_partition %{{.*}} {window = array<i64: 7, 7>} : (tensor<?x56x56x96xf32>) -> tensor<?x49x96xf32>
  %w = swin.window_partition %s {window = array<i64: 7, 7>} : (tensor<?x56x56x96xf32>) -> tensor<?x49x96xf32>
  // CHECK: swin.window_reverse %{{.*}} {window = array<i64: 7, 7>} : (tensor<?x49x96xf32>) -> tensor<?x56x56x96xf32>
  %r = swin.window_reverse %w {window = array<i64: 7, 7>} : (tensor<?x49x96xf32>) -> tensor<?x56x56x96xf32>
  return %r : tensor<?x56x56x96xf32>
}

// -----

// CHECK-LABEL: func.func @window_attention
func.func @window_attention(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>,
                            %p: tensor<3x49x49xf32>, %m: tensor<64x49x49xf32>) -> (tensor<?x49x96xf32>, tensor<?x49x96xf32>) {
  // CHECK: swin.window_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 3 : i64, scale = 0.176776692 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>, tensor<64x49x49xf32>) -> tensor<?x49x96xf32>
  %0 = swin.window_attention %x, %w, %b, %p, %m {num_heads = 3 : i64, scale = 0.176776695 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>, tensor<64x49x49xf32>) -> tensor<?x49x96xf32>
  // CHECK: swin.window_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 3 : i64, scale = 0.176776692 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  %1 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 0.176776695 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  return %0, %1 : tensor<?x49x96xf32>, tensor<?x49x96xf32>
}

// -----

// Swin V2's cosine attention: one logit scale per head, scale 1.
// CHECK-LABEL: func.func @cosine_window_attention
func.func @cosine_window_attention(%x: tensor<?x64x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>,
                                   %p: tensor<3x64x64xf32>) -> tensor<?x64x96xf32> {
  // CHECK: swin.window_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {logit_scales = array<f32: 1.000000e+02, 1.250000e+01, 3.000000e+00>, num_heads = 3 : i64, scale = 1.000000e+00 : f32}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 1.0 : f32, logit_scales = array<f32: 100.0, 12.5, 3.0>} : (tensor<?x64x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x64x64xf32>) -> tensor<?x64x96xf32>
  return %0 : tensor<?x64x96xf32>
}

// -----

// CHECK-LABEL: func.func @patch_merge
func.func @patch_merge(%x: tensor<?x56x56x96xf32>) -> tensor<?x28x28x384xf32> {
  // CHECK: swin.patch_merge %{{.*}} : (tensor<?x56x56x96xf32>) -> tensor<?x28x28x384xf32>
  %0 = swin.patch_merge %x : (tensor<?x56x56x96xf32>) -> tensor<?x28x28x384xf32>
  return %0 : tensor<?x28x28x384xf32>
}

// -----

// CHECK-LABEL: func.func @quantize_points
func.func @quantize_points(%x: tensor<?x49x96xf32>) -> (tensor<?x49x96xf32>, tensor<2x4xf32>, tensor<4xf32>) {
  // CHECK: %[[Q:.*]] = swin.quantize %{{.*}} {scales = array<f32: 1.250000e-02>} : (tensor<?x49x96xf32>) -> tensor<?x49x96xi8>
  %q = swin.quantize %x {scales = array<f32: 0.0125>} : (tensor<?x49x96xf32>) -> tensor<?x49x96xi8>
  // CHECK: swin.dequantize %[[Q]] {scales = array<f32: 1.250000e-02>} : (tensor<?x49x96xi8>) -> tensor<?x49x96xf32>
  %d = swin.dequantize %q {scales = array<f32: 0.0125>} : (tensor<?x49x96xi8>) -> tensor<?x49x96xf32>
  // CHECK: swin.constant dense<{{\[\[}}1, -2, 3, 127], [-128, 0, 5, 6]]> : tensor<2x4xi8>
  %wq = swin.constant dense<[[1, -2, 3, 127], [-128, 0, 5, 6]]> : tensor<2x4xi8>
  // CHECK: swin.dequantize %{{.*}} {axis = 0 : i64, scales = array<f32: 5.000000e-01, 2.500000e-01>} : (tensor<2x4xi8>) -> tensor<2x4xf32>
  %w = swin.dequantize %wq {axis = 0 : i64, scales = array<f32: 0.5, 0.25>} : (tensor<2x4xi8>) -> tensor<2x4xf32>
  // CHECK: swin.constant dense<[1.000000e+00, -4.480000e+02, 1.953130e-03, 0.000000e+00]> : tensor<4xf8E4M3FN>
  %fq = swin.constant dense<[1.0, -448.0, 0.001953125, 0.0]> : tensor<4xf8E4M3FN>
  // CHECK: swin.dequantize %{{.*}} {scales = array<f32: 2.000000e+00>} : (tensor<4xf8E4M3FN>) -> tensor<4xf32>
  %f = swin.dequantize %fq {scales = array<f32: 2.0>} : (tensor<4xf8E4M3FN>) -> tensor<4xf32>
  return %d, %w, %f : tensor<?x49x96xf32>, tensor<2x4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @patch_merging_v2
func.func @patch_merging_v2(%x: tensor<?x4x4x8xf32>, %s: tensor<16xf32>, %w: tensor<16x32xf32>) -> tensor<?x2x2x16xf32> {
  // CHECK: swin.patch_merging {{.*}} {epsilon = {{.*}}, norm_after_reduction}
  %0 = swin.patch_merging %x, %s, %s, %w {epsilon = 1.0e-5 : f32, norm_after_reduction} : (tensor<?x4x4x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16x32xf32>) -> tensor<?x2x2x16xf32>
  return %0 : tensor<?x2x2x16xf32>
}

// -----

// CHECK-LABEL: func.func @patch_merging_quantized
func.func @patch_merging_quantized(%x: tensor<?x4x4x8xf32>, %s: tensor<32xf32>, %w: tensor<16x32xf32>) -> tensor<?x2x2x16xf32> {
  // CHECK: swin.patch_merging {{.*}} {epsilon = {{.*}}, quant_scale = 5.000000e-01 : f32, quant_type = f8E4M3FN}
  %0 = swin.patch_merging %x, %s, %s, %w {epsilon = 1.0e-05 : f32, quant_type = f8E4M3FN, quant_scale = 0.5 : f32} : (tensor<?x4x4x8xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16x32xf32>) -> tensor<?x2x2x16xf32>
  return %0 : tensor<?x2x2x16xf32>
}

// -----

// The fused block ops with and without their optional LayerNorms (Swin V1's
// pre-norm partition, Swin V2's post-norm residual ops).
// CHECK-LABEL: func.func @block_ops
func.func @block_ops(%x: tensor<?x8x8x4xf32>, %a: tensor<?x16x4xf32>, %h: tensor<?x8x8x16xf32>,
                     %w: tensor<4x4xf32>, %w2: tensor<4x16xf32>, %g: tensor<4xf32>) -> (tensor<?x16x4xf32>, tensor<?x16x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>) {
  // CHECK: swin.norm_partition %{{.*}}, %{{.*}}, %{{.*}} {epsilon = {{.*}}, shifts = array<i64: -2, -2>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  %0 = swin.norm_partition %x, %g, %g {epsilon = 1.0e-5 : f32, shifts = array<i64: -2, -2>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  // CHECK: swin.norm_partition %{{.*}} {shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  %1 = swin.norm_partition %x {shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  // CHECK: swin.attention_output %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {shifts
  %2 = swin.attention_output %a, %w, %g, %x {shifts = array<i64: 2, 2>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  // CHECK: swin.attention_output %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} post_norm(%{{.*}}, %{{.*}}) {norm_epsilon = {{.*}}, shifts
  %3 = swin.attention_output %a, %w, %g, %x post_norm(%g, %g) {norm_epsilon = 1.0e-5 : f32, shifts = array<i64: 2, 2>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  // CHECK: swin.residual_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (
  %4 = swin.residual_linear %h, %w2, %g, %x : (tensor<?x8x8x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  // CHECK: swin.residual_linear %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} post_norm(%{{.*}}, %{{.*}}) {norm_epsilon
  %5 = swin.residual_linear %h, %w2, %g, %x post_norm(%g, %g) {norm_epsilon = 1.0e-5 : f32} : (tensor<?x8x8x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x16x4xf32>, tensor<?x16x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>, tensor<?x8x8x4xf32>
}
