// RUN: swin-translate --swin-to-cuda %s | FileCheck %s

// A 16x16 window (256 tokens, Swin V2's window 16) takes the tensor-core
// attention kernel split over two blocks of 8 warps per (window, head),
// with 60 KB of dynamic shared memory raised above the 48 KB default.
// CHECK-LABEL: swinrt_status init(
// CHECK: static_assert(swinrt::MmaAttentionShape<256, 32>::kSharedBytes == 61440);
// CHECK-NEXT: static_assert(swinrt::MmaAttentionShape<256, 32>::kBlockWarps == 8 && swinrt::MmaAttentionShape<256, 32>::kSplit == 2);
// CHECK-NEXT: SWINRT_TRY(setSharedMemory(swinrt::window_attention_mma<T, T, 256, 32, 1, false, 1, true>, 61440));
// CHECK-LABEL: swinrt_status body(
// CHECK: swinrt::window_attention_mma<T, T, 256, 32, 1, false, 1, true>
// CHECK-NEXT: <<<batch * 2, 256, 61440, ex.stream>>>
module {
  func.func @main(%x: tensor<?x3x64x64xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<32x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<32xf32>
    %g = swin.constant dense<1.0> : tensor<32xf32>
    %b = swin.constant dense<0.0> : tensor<32xf32>
    %wqkv = swin.constant dense<0.1> : tensor<96x32xf32>
    %bqkv = swin.constant dense<0.0> : tensor<96xf32>
    %bias = swin.constant dense<0.5> : tensor<1x256x256xf32>
    %wo = swin.constant dense<0.1> : tensor<32x32xf32>
    %wh = swin.constant dense<0.1> : tensor<10x32xf32>
    %bh = swin.constant dense<0.0> : tensor<10xf32>
    %0 = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<?x3x64x64xf32>, tensor<32x3x4x4xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x16x16x32xf32>
    %1 = swin.norm_partition %0 {shifts = array<i64: 0, 0>, window = array<i64: 16, 16>} : (tensor<?x16x16x32xf32>) -> tensor<?x256x32xf32>
    %2 = swin.window_attention %1, %wqkv, %bqkv, %bias {num_heads = 1 : i64, scale = 1.0 : f32, logit_scales = array<f32: 10.0>} : (tensor<?x256x32xf32>, tensor<96x32xf32>, tensor<96xf32>, tensor<1x256x256xf32>) -> tensor<?x256x32xf32>
    %3 = swin.attention_output %2, %wo, %b, %0 post_norm(%g, %b) {norm_epsilon = 1.0e-5 : f32, shifts = array<i64: 0, 0>, window = array<i64: 16, 16>} : (tensor<?x256x32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<?x16x16x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x16x16x32xf32>
    %4 = swin.classifier_head %3, %g, %b, %wh, %bh {epsilon = 1.0e-5 : f32} : (tensor<?x16x16x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %4 : tensor<?x10xf32>
  }
}
