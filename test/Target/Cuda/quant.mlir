// Quantize points the producers cannot absorb, and the quantized graphs the
// fp8 CUDA emission refuses (int8: quant_int8.mlir).
// RUN: swin-translate --swin-to-cuda --swin-cuda-precision=fp8 %s --split-input-file --verify-diagnostics \
// RUN:   | FileCheck %s
// RUN: not swin-translate --swin-to-cuda %s --split-input-file 2>&1 | FileCheck %s --check-prefix=FP16

// A standalone LayerNorm has no 8-bit output: its point becomes a
// quantize kernel (multiplying by 1 / 0.01), and the GEMM reads E4M3.
// CHECK: {16, 32, 16, swinrt::kEpilogueBias, false, swinrt::kOperandsE4M3, false, "linear"},
// CHECK-LABEL: swinrt_status body(
// CHECK: // swin.layer_norm
// CHECK: swinrt::layer_norm_rows<T, 16>
// CHECK-NEXT: (act({{A \+ [0-9]+}}), act([[LN:A \+ [0-9]+]]),
// CHECK: swinrt::quantize_elements<T, Q>
// CHECK-NEXT: (act([[LN]]), q8([[Q:A \+ [0-9]+]]), 100.0f, (size_t)batch * 256);
// CHECK: SWINRT_TRY(swinrt::gemm(ex, 1, batch, [[Q]], W + {{[0-9]+}}, W + {{[0-9]+}}, nullptr, {{A \+ [0-9]+}}, reinterpret_cast<const swinrt::GemmScales *>(W + {{[0-9]+}})));
// FP16: error: the model has quantize points; the CUDA backend compiles them with precision fp8 or int8 (not fp16)
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %w8 = swin.constant dense<1.0> : tensor<32x16xf8E4M3FN>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xf8E4M3FN>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {scales = array<f32: 0.02>} : (tensor<32x16xf8E4M3FN>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.layer_norm': reads a dequantized activation other than as a GEMM input; the CUDA backend has no kernel for that}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %w8 = swin.constant dense<1.0> : tensor<32x16xf8E4M3FN>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xf8E4M3FN>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {scales = array<f32: 0.02>} : (tensor<32x16xf8E4M3FN>) -> tensor<32x16xf32>
    %n2 = swin.layer_norm %d, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %l = swin.linear %n2, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.linear': has a weight quantized to i8; precision fp8 compiles E4M3 weights}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %w8 = swin.constant dense<1> : tensor<32x16xi8>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xf8E4M3FN>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {axis = 0 : i64, scales = array<f32: 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02>} : (tensor<32x16xi8>) -> tensor<32x16xf32>
    %l = swin.linear %d, %wd, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}

// -----

// expected-error @below {{'swin.linear': reads a quantized input with a float weight; the CUDA backend quantizes both operands of a GEMM or neither}}
module {
  func.func @main(%x: tensor<?x3x16x16xf32>) -> tensor<?x10xf32> attributes {swin.max_batch = 2 : i64} {
    %pw = swin.constant dense<0.1> : tensor<16x3x4x4xf32>
    %pb = swin.constant dense<0.0> : tensor<16xf32>
    %g = swin.constant dense<1.0> : tensor<16xf32>
    %b = swin.constant dense<0.0> : tensor<16xf32>
    %w8 = swin.constant dense<1.0> : tensor<32x16xf8E4M3FN>
    %wb = swin.constant dense<0.0> : tensor<32xf32>
    %hg = swin.constant dense<1.0> : tensor<32xf32>
    %hw = swin.constant dense<0.1> : tensor<10x32xf32>
    %hb = swin.constant dense<0.2> : tensor<10xf32>
    %e = swin.patch_embed %x, %pw, %pb, %g, %b {epsilon = 1.0E-5 : f32} : (tensor<?x3x16x16xf32>, tensor<16x3x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %n = swin.layer_norm %e, %g, %b {axis = 3 : i64, epsilon = 1.0E-5 : f32} : (tensor<?x4x4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x4x4x16xf32>
    %q = swin.quantize %n {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf32>) -> tensor<?x4x4x16xf8E4M3FN>
    %d = swin.dequantize %q {scales = array<f32: 0.01>} : (tensor<?x4x4x16xf8E4M3FN>) -> tensor<?x4x4x16xf32>
    %wd = swin.dequantize %w8 {scales = array<f32: 0.02>} : (tensor<32x16xf8E4M3FN>) -> tensor<32x16xf32>
    %wf = swin.constant dense<0.1> : tensor<32x16xf32>
    %l = swin.linear %d, %wf, %wb : (tensor<?x4x4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x4x4x32xf32>
    %h = swin.classifier_head %l, %hg, %wb, %hw, %hb {epsilon = 1.0E-5 : f32} : (tensor<?x4x4x32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<10x32xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %h : tensor<?x10xf32>
  }
}
