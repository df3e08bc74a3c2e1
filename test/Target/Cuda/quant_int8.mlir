// The int8 CUDA emission of quantize points (gemm_s8 sites with per-channel
// weight scales), and the quantized graphs it refuses.
// RUN: swin-translate --swin-to-cuda --swin-cuda-precision=int8 %s --split-input-file --verify-diagnostics \
// RUN:   | FileCheck %s

// A standalone LayerNorm has no 8-bit output: its point becomes a quantize
// kernel writing int8 (times 1 / 0.01), and the GEMM is an int8 gemm_s8 site
// whose alpha vector (0.01 * each channel's weight scale) is in the weights.
// CHECK: using Q = int8_t;
// CHECK: {16, 32, 16, swinrt::kEpilogueBias, false, swinrt::kOperandsInt8, false, "linear"},
// CHECK: {1, 10, 32, swinrt::kEpilogueBias, false, swinrt::kOperandsStorage, false, "head"},
// CHECK-LABEL: swinrt_status init(
// CHECK: SWINRT_TRY(swinrt::prepareGemmInt8Kernels());
// CHECK-LABEL: swinrt_status body(
// CHECK: // swin.layer_norm
// CHECK: swinrt::layer_norm_rows<T, 16>
// CHECK-NEXT: (act({{A \+ [0-9]+}}), act([[LN:A \+ [0-9]+]]),
// CHECK: swinrt::quantize_elements<T, Q>
// CHECK-NEXT: (act([[LN]]), q8([[Q:A \+ [0-9]+]]), 100.0f, (size_t)batch * 256);
// CHECK: SWINRT_TRY(swinrt::gemmInt8(ex, 1, batch, [[Q]], W + {{[0-9]+}}, wf(W + {{[0-9]+}}), W + {{[0-9]+}}, nullptr, {{A \+ [0-9]+}}, 1.0f));
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %w8 = swin.constant dense<1> : tensor<32x16xi8>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xi8>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xi8>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {axis = 0 : i64, scales = array<f32: 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08>} : (tensor<32x16xi8>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.linear': has a weight quantized to f8E4M3FN; precision int8 compiles int8 weights}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %w8 = swin.constant dense<1.0> : tensor<32x16xf8E4M3FN>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xi8>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xi8>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {scales = array<f32: 0.02>} : (tensor<32x16xf8E4M3FN>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.linear': has an int8 weight scaled along an axis other than its output channels}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %w8 = swin.constant dense<1> : tensor<32x16xi8>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xi8>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xi8>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {axis = 1 : i64, scales = array<f32: 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08>} : (tensor<32x16xi8>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.quantize': precision int8 quantizes activations per tensor to int8 only}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %w8 = swin.constant dense<1> : tensor<32x16xi8>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xf8E4M3FN>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {axis = 0 : i64, scales = array<f32: 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08, 0.02, 0.04, 0.06, 0.08>} : (tensor<32x16xi8>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}
