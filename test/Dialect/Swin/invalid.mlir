// RUN: swin-opt %s --split-input-file --verify-diagnostics

func.func @matmul_contraction_mismatch(%a: tensor<4x5xf32>, %b: tensor<6x7xf32>) -> tensor<4x7xf32> {
  // expected-error @+2 {{contraction mismatch}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.matmul %a, %b : (tensor<4x5xf32>, tensor<6x7xf32>) -> tensor<4x7xf32>
  return %0 : tensor<4x7xf32>
}

// -----

func.func @matmul_wrong_result(%a: tensor<4x5xf32>, %b: tensor<5x7xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<4x7xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.matmul %a, %b : (tensor<4x5xf32>, tensor<5x7xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @add_not_broadcastable(%a: tensor<4x5xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.add %a, %b : (tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @add_mixed_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{requires the same element type for all operands}}
  %0 = swin.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @integer_tensors_rejected(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = swin.relu %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @linear_weight_mismatch(%x: tensor<?x49x96xf32>, %w: tensor<288x64xf32>) -> tensor<?x49x288xf32> {
  // expected-error @+2 {{does not match weight}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.linear %x, %w : (tensor<?x49x96xf32>, tensor<288x64xf32>) -> tensor<?x49x288xf32>
  return %0 : tensor<?x49x288xf32>
}

// -----

func.func @linear_bias_mismatch(%x: tensor<?x96xf32>, %w: tensor<288x96xf32>, %b: tensor<96xf32>) -> tensor<?x288xf32> {
  // expected-error @+2 {{bias must have one element per output feature}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.linear %x, %w, %b : (tensor<?x96xf32>, tensor<288x96xf32>, tensor<96xf32>) -> tensor<?x288xf32>
  return %0 : tensor<?x288xf32>
}

// -----

func.func @conv_channel_mismatch(%x: tensor<?x4x224x224xf32>, %w: tensor<96x3x4x4xf32>) -> tensor<?x96x56x56xf32> {
  // expected-error @+2 {{input has 4 channels but the weight expects 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>} : (tensor<?x4x224x224xf32>, tensor<96x3x4x4xf32>) -> tensor<?x96x56x56xf32>
  return %0 : tensor<?x96x56x56xf32>
}

// -----

func.func @conv_bad_stride(%x: tensor<?x3x224x224xf32>, %w: tensor<96x3x4x4xf32>) -> tensor<?x96x56x56xf32> {
  // expected-error @+2 {{strides, dilations and groups must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 0, 4>} : (tensor<?x3x224x224xf32>, tensor<96x3x4x4xf32>) -> tensor<?x96x56x56xf32>
  return %0 : tensor<?x96x56x56xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<?x49x96xf32>, %g: tensor<64xf32>, %b: tensor<96xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{scale and bias must have shape [96], got [64]}}
  %0 = swin.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x49x96xf32>, tensor<64xf32>, tensor<96xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<?x49x96xf32>, %g: tensor<96xf32>, %b: tensor<96xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{axis 3 out of range for rank 3}}
  %0 = swin.layer_norm %x, %g, %b {axis = 3 : i64, epsilon = 1.0e-5 : f32} : (tensor<?x49x96xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @layer_norm_epsilon(%x: tensor<?x49x96xf32>, %g: tensor<96xf32>, %b: tensor<96xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{epsilon must be positive}}
  %0 = swin.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 0.0 : f32} : (tensor<?x49x96xf32>, tensor<96xf32>, tensor<96xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @softmax_axis(%x: tensor<?x3x49x49xf32>) -> tensor<?x3x49x49xf32> {
  // expected-error @+1 {{axis 4 out of range for rank 4}}
  %0 = swin.softmax %x {axis = 4 : i64} : tensor<?x3x49x49xf32>
  return %0 : tensor<?x3x49x49xf32>
}

// -----

func.func @softmax_over_batch(%x: tensor<?x49xf32>) -> tensor<?x49xf32> {
  // expected-error @+1 {{softmax axis must be static}}
  %0 = swin.softmax %x {axis = 0 : i64} : tensor<?x49xf32>
  return %0 : tensor<?x49xf32>
}

// -----

func.func @reshape_element_count(%x: tensor<4x6xf32>) -> tensor<5x5xf32> {
  // expected-error @+1 {{element count changes from 24 to 25}}
  %0 = swin.reshape %x : tensor<4x6xf32> -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

func.func @reshape_two_dynamic(%x: tensor<?x56x56x96xf32>) -> tensor<?x?x96xf32> {
  // expected-error @+1 {{at most one dynamic dimension}}
  %0 = swin.reshape %x : tensor<?x56x56x96xf32> -> tensor<?x?x96xf32>
  return %0 : tensor<?x?x96xf32>
}

// -----

func.func @reshape_static_to_dynamic(%x: tensor<4x6xf32>) -> tensor<?x6xf32> {
  // expected-error @+1 {{both be static or both be dynamic}}
  %0 = swin.reshape %x : tensor<4x6xf32> -> tensor<?x6xf32>
  return %0 : tensor<?x6xf32>
}

// -----

func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) -> tensor<2x3x3xf32> {
  // expected-error @+2 {{perm is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.transpose %x {perm = array<i64: 0, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x3xf32>
  return %0 : tensor<2x3x3xf32>
}

// -----

func.func @slice_out_of_bounds(%x: tensor<?x56x56x96xf32>) -> tensor<?x10x56x96xf32> {
  // expected-error @+2 {{dimension 1 slice out of bounds}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.slice %x {offsets = array<i64: 0, 50, 0, 0>, sizes = array<i64: -9223372036854775808, 10, 56, 96>, strides = array<i64: 1, 1, 1, 1>} : (tensor<?x56x56x96xf32>) -> tensor<?x10x56x96xf32>
  return %0 : tensor<?x10x56x96xf32>
}

// -----

func.func @slice_partial_batch(%x: tensor<?x56xf32>) -> tensor<1x56xf32> {
  // expected-error @+2 {{dynamic dimension 0 must be taken whole}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 1, 56>, strides = array<i64: 1, 1>} : (tensor<?x56xf32>) -> tensor<1x56xf32>
  return %0 : tensor<1x56xf32>
}

// -----

func.func @concat_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+2 {{inputs differ in dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @reduce_over_batch(%x: tensor<?x768xf32>) -> tensor<768xf32> {
  // expected-error @+2 {{reduction over the dynamic (batch) dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.reduce_mean %x {axes = array<i64: 0>} : (tensor<?x768xf32>) -> tensor<768xf32>
  return %0 : tensor<768xf32>
}

// -----

func.func @reduce_unsorted_axes(%x: tensor<?x7x7x768xf32>) -> tensor<?x768xf32> {
  // expected-error @+2 {{axes must be sorted, unique and in range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.reduce_mean %x {axes = array<i64: 2, 1>} : (tensor<?x7x7x768xf32>) -> tensor<?x768xf32>
  return %0 : tensor<?x768xf32>
}

// -----

func.func @pad_batch(%x: tensor<?x7xf32>) -> tensor<?x8xf32> {
  // expected-error @+2 {{cannot pad the dynamic dimension}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.pad %x {low = array<i64: 1, 0>, high = array<i64: 0, 1>, value = 0.0 : f32} : (tensor<?x7xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{min must not exceed max}}
  %0 = swin.clip %x {min = 2.0 : f32, max = 1.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @broadcast_incompatible(%x: tensor<1x64x2x49xf32>) -> tensor<?x64x3x49xf32> {
  // expected-error @+1 {{input dimension 2 (2) does not broadcast to the result}}
  %0 = swin.broadcast %x {batch_multiple = 1 : i64} : tensor<1x64x2x49xf32> -> tensor<?x64x3x49xf32>
  return %0 : tensor<?x64x3x49xf32>
}

// -----

func.func @broadcast_missing_multiple(%x: tensor<1x64xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{batch_multiple must be positive exactly when the result has a dynamic dimension}}
  %0 = swin.broadcast %x : tensor<1x64xf32> -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

func.func @constant_integer() -> tensor<4xi32> {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type or 8-bit signless integer or f8E4M3FN type values}}
  %0 = swin.constant dense<1> : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @roll_batch(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{cannot roll along the dynamic (batch) dimension}}
  %0 = swin.roll %x {shifts = array<i64: 1, 0>} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @roll_shift_count(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{needs one shift per dimension}}
  %0 = swin.roll %x {shifts = array<i64: 1>} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @partition_not_tiling(%x: tensor<?x10x10x8xf32>) -> tensor<?x49x8xf32> {
  // expected-error @+2 {{does not tile into 7x7 windows}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.window_partition %x {window = array<i64: 7, 7>} : (tensor<?x10x10x8xf32>) -> tensor<?x49x8xf32>
  return %0 : tensor<?x49x8xf32>
}

// -----

func.func @reverse_wrong_tokens(%w: tensor<?x36x8xf32>) -> tensor<?x14x14x8xf32> {
  // expected-error @+1 {{does not hold windows of the result}}
  %0 = swin.window_reverse %w {window = array<i64: 7, 7>} : (tensor<?x36x8xf32>) -> tensor<?x14x14x8xf32>
  return %0 : tensor<?x14x14x8xf32>
}

// -----

func.func @attention_heads(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<5x49x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{inner width 96 does not split into 5 heads}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 5 : i64, scale = 1.0 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<5x49x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_position_bias(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<3x49x48xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{position_bias must be [3, 49, 49]}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 1.0 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x48xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_mask(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<3x49x49xf32>, %m: tensor<64x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{mask must be [windows per image, 49, 49]}}
  %0 = swin.window_attention %x, %w, %b, %p, %m {num_heads = 3 : i64, scale = 1.0 : f32} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>, tensor<64x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_weight(%x: tensor<?x49x96xf32>, %w: tensor<288x64xf32>, %b: tensor<288xf32>, %p: tensor<3x49x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{qkv_weight must be [3 * inner, 96]}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 1.0 : f32} : (tensor<?x49x96xf32>, tensor<288x64xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_logit_scale_count(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<3x49x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{logit_scales needs one scale per head (3), got 2}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 1.0 : f32, logit_scales = array<f32: 10.0, 10.0>} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_logit_scale_sign(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<3x49x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{logit_scales must be positive and finite}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 1.0 : f32, logit_scales = array<f32: 10.0, 0.0, 10.0>} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @attention_logit_scale_with_scale(%x: tensor<?x49x96xf32>, %w: tensor<288x96xf32>, %b: tensor<288xf32>, %p: tensor<3x49x49xf32>) -> tensor<?x49x96xf32> {
  // expected-error @+1 {{scale must be 1 with logit_scales (cosine attention), got 5.000000e-01}}
  %0 = swin.window_attention %x, %w, %b, %p {num_heads = 3 : i64, scale = 0.5 : f32, logit_scales = array<f32: 10.0, 10.0, 10.0>} : (tensor<?x49x96xf32>, tensor<288x96xf32>, tensor<288xf32>, tensor<3x49x49xf32>) -> tensor<?x49x96xf32>
  return %0 : tensor<?x49x96xf32>
}

// -----

func.func @patch_merging_v2_norm_width(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x16xf32>) -> tensor<?x4x4x8xf32> {
  // expected-error @+1 {{scale and bias must be [8]}}
  %0 = swin.patch_merging %x, %g, %b, %w {epsilon = 1.0e-5 : f32, norm_after_reduction} : (tensor<?x8x8x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8x16xf32>) -> tensor<?x4x4x8xf32>
  return %0 : tensor<?x4x4x8xf32>
}

// -----

func.func @patch_merge_odd(%x: tensor<?x7x7x96xf32>) -> tensor<?x3x3x384xf32> {
  // expected-error @+2 {{needs a static, even height and width}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = swin.patch_merge %x : (tensor<?x7x7x96xf32>) -> tensor<?x3x3x384xf32>
  return %0 : tensor<?x3x3x384xf32>
}

// -----

func.func @patch_merging_weight(%x: tensor<?x8x8x4xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %w: tensor<8x12xf32>) -> tensor<?x4x4x8xf32> {
  // expected-error @+1 {{weight must be [out, 16]}}
  %0 = swin.patch_merging %x, %g, %b, %w {epsilon = 1.0e-5 : f32} : (tensor<?x8x8x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8x12xf32>) -> tensor<?x4x4x8xf32>
  return %0 : tensor<?x4x4x8xf32>
}

// -----

func.func @quantize_bad_scale(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{scales must be positive and finite, got 0}}
  %0 = swin.quantize %x {scales = array<f32: 0.0>} : (tensor<4xf32>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @quantize_scales_without_axis(%x: tensor<2x4xf32>) -> tensor<2x4xi8> {
  // expected-error @+1 {{has 2 scales but no axis}}
  %0 = swin.quantize %x {scales = array<f32: 1.0, 2.0>} : (tensor<2x4xf32>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}

// -----

func.func @dequantize_scale_count(%q: tensor<2x4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{needs one scale per index of axis 0 ([2, 4]), got 3}}
  %0 = swin.dequantize %q {axis = 0 : i64, scales = array<f32: 1.0, 2.0, 3.0>} : (tensor<2x4xi8>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @dequantize_axis_range(%q: tensor<2x4xi8>) -> tensor<2x4xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = swin.dequantize %q {axis = 2 : i64, scales = array<f32: 1.0, 2.0>} : (tensor<2x4xi8>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @quantize_to_float(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{result #0 must be ranked tensor of 8-bit signless integer or f8E4M3FN type values}}
  %0 = swin.quantize %x {scales = array<f32: 1.0>} : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) -> tensor<8xi8> {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = swin.quantize %x {scales = array<f32: 1.0>} : (tensor<4xf32>) -> tensor<8xi8>
  return %0 : tensor<8xi8>
}

// -----

func.func @patch_merging_quant_half(%x: tensor<?x4x4x8xf32>, %s: tensor<32xf32>, %w: tensor<16x32xf32>) -> tensor<?x2x2x16xf32> {
  // expected-error @+1 {{quant_type and quant_scale go together}}
  %0 = swin.patch_merging %x, %s, %s, %w {epsilon = 1.0e-05 : f32, quant_type = i8} : (tensor<?x4x4x8xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16x32xf32>) -> tensor<?x2x2x16xf32>
  return %0 : tensor<?x2x2x16xf32>
}

// -----

func.func @patch_merging_quant_type(%x: tensor<?x4x4x8xf32>, %s: tensor<32xf32>, %w: tensor<16x32xf32>) -> tensor<?x2x2x16xf32> {
  // expected-error @+1 {{quant_type must be i8 or f8E4M3FN, got 'i16'}}
  %0 = swin.patch_merging %x, %s, %s, %w {epsilon = 1.0e-05 : f32, quant_type = i16, quant_scale = 0.5 : f32} : (tensor<?x4x4x8xf32>, tensor<32xf32>, tensor<32xf32>, tensor<16x32xf32>) -> tensor<?x2x2x16xf32>
  return %0 : tensor<?x2x2x16xf32>
}

// -----

func.func @norm_partition_epsilon_without_norm(%x: tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32> {
  // expected-error @+1 {{LayerNorm needs scale, bias and epsilon together}}
  %0 = swin.norm_partition %x {epsilon = 1.0e-5 : f32, shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>) -> tensor<?x16x4xf32>
  return %0 : tensor<?x16x4xf32>
}

// -----

func.func @norm_partition_norm_without_epsilon(%x: tensor<?x8x8x4xf32>, %g: tensor<4xf32>) -> tensor<?x16x4xf32> {
  // expected-error @+1 {{LayerNorm needs scale, bias and epsilon together}}
  %0 = swin.norm_partition %x, %g, %g {shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x8x8x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x16x4xf32>
  return %0 : tensor<?x16x4xf32>
}

// -----

func.func @attention_output_post_norm_shape(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x8x8x4xf32>, %g: tensor<8xf32>) -> tensor<?x8x8x4xf32> {
  // expected-error @+1 {{post-norm scale and bias must be [4]}}
  %0 = swin.attention_output %a, %w, %b, %x post_norm(%g, %g) {norm_epsilon = 1.0e-5 : f32, shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x8x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}

// -----

func.func @attention_output_post_norm_epsilon(%a: tensor<?x16x4xf32>, %w: tensor<4x4xf32>, %b: tensor<4xf32>, %x: tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32> {
  // expected-error @+1 {{post-norm needs scale, bias and epsilon together}}
  %0 = swin.attention_output %a, %w, %b, %x {norm_epsilon = 1.0e-5 : f32, shifts = array<i64: 0, 0>, window = array<i64: 4, 4>} : (tensor<?x16x4xf32>, tensor<4x4xf32>, tensor<4xf32>, tensor<?x8x8x4xf32>) -> tensor<?x8x8x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}

// -----

func.func @residual_linear_post_norm_epsilon_sign(%h: tensor<?x64x16xf32>, %w: tensor<4x16xf32>, %b: tensor<4xf32>, %x: tensor<?x64x4xf32>) -> tensor<?x64x4xf32> {
  // expected-error @+1 {{post-norm epsilon must be positive}}
  %0 = swin.residual_linear %h, %w, %b, %x post_norm(%b, %b) {norm_epsilon = 0.0 : f32} : (tensor<?x64x16xf32>, tensor<4x16xf32>, tensor<4xf32>, tensor<?x64x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x64x4xf32>
  return %0 : tensor<?x64x4xf32>
}
