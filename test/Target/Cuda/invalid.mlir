// RUN: swin-translate --swin-to-cuda %s --split-input-file --verify-diagnostics

// An op the fused pipeline should have absorbed is named, not miscompiled.
// expected-error @below {{'swin.transpose': not supported by the CUDA backend}}
module {
  func.func @main(%x: tensor<?x3x8x8xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %g = swin.constant dense<1.0> : tensor<3xf32>
    %b = swin.constant dense<0.0> : tensor<3xf32>
    %w = swin.constant dense<0.1> : tensor<10x3xf32>
    %c = swin.constant dense<0.2> : tensor<10xf32>
    %0 = swin.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x8x8xf32>) -> tensor<?x8x8x3xf32>
    %1 = swin.classifier_head %0, %g, %b, %w, %c {epsilon = 1.0E-5 : f32} : (tensor<?x8x8x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<10x3xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %1 : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{the CUDA backend expects one function, found 2}}
module {
  func.func @a(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32> {
    return %x : tensor<?x3x8x8xf32>
  }
  func.func @b(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32> {
    return %x : tensor<?x3x8x8xf32>
  }
}

// -----

// expected-error @below {{the model must map [batch, C, H, W] f32 images to [batch, classes] logits}}
module {
  func.func @main(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    return %x : tensor<?x8xf32>
  }
}

// -----

// A mask that is not "0 within token groups, one negative constant across"
// is refused rather than miscompiled: here token 0 may attend to token 1,
// but 1 not to 0.
// expected-error @below {{'swin.window_attention': the CUDA backend supports shifted-window masks (0 within groups of tokens, one negative constant across them); window 0 is not of that form at (0, 1)}}
module {
  func.func @main(%x: tensor<?x3x8x8xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %wqkv = swin.constant dense<0.1> : tensor<48x16xf32>
    %bqkv = swin.constant dense<0.0> : tensor<48xf32>
    %bias = swin.constant dense<0.0> : tensor<1x4x4xf32>
    %mask = swin.constant dense<[[[0.0, 0.0, -100.0, -100.0], [-100.0, 0.0, -100.0, -100.0], [-100.0, -100.0, 0.0, 0.0], [-100.0, -100.0, 0.0, 0.0]]]> : tensor<1x4x4xf32>
    %wo = swin.constant dense<0.1> : tensor<16x16xf32>
    %wh = swin.constant dense<0.1> : tensor<10x16xf32>
    %bh = swin.constant dense<0.0> : tensor<10xf32>
    %0 = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0e-5 : f32} : (tensor<?x3x8x8xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x2x2x16xf32>
    %1 = swin.norm_partition %0, %g, %b {epsilon = 1.0e-5 : f32, shifts = array<i64: -1, -1>, window = array<i64: 2, 2>} : (tensor<?x2x2x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x16xf32>
    %2 = swin.window_attention %1, %wqkv, %bqkv, %bias, %mask {num_heads = 1 : i64, scale = 0.25 : f32} : (tensor<?x4x16xf32>, tensor<48x16xf32>, tensor<48xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<?x4x16xf32>
    %3 = swin.attention_output %2, %wo, %b, %0 {shifts = array<i64: 1, 1>, window = array<i64: 2, 2>} : (tensor<?x4x16xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<?x2x2x16xf32>) -> tensor<?x2x2x16xf32>
    %4 = swin.classifier_head %3, %g, %b, %wh, %bh {epsilon = 1.0e-5 : f32} : (tensor<?x2x2x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %4 : tensor<?x10xf32>
  }
}
