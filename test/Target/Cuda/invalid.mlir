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
