//===- Passes.td - swin raising and fusion passes ----------*- tablegen -*-===//
//
// Raising passes recognise Swin structure in the primitive ops the importer
// produces, whichever exporter wrote them. Every pass keeps the model's
// numbers: test/python/test_pass_numerics.py runs the CPU reference before
// and after each one on every fixture.
//
//===----------------------------------------------------------------------===//

#ifndef SWIN_PASSES_TD
#define SWIN_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Raising
//===----------------------------------------------------------------------===//

def SwinRaiseGelu : Pass<"swin-raise-gelu", "mlir::func::FuncOp"> {
  let summary = "Recognise GELU written out with erf or tanh";
  let description = [{
    Replaces the exporters' elementwise spellings of GELU with `swin.gelu`:

    - erf form (TorchScript exporter, opset < 20):
      `0.5 * (x * (1 + erf(x / sqrt(2))))`, with the division also written
      as a multiplication by `1 / sqrt(2)` and the factors in any order;
    - tanh form: `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`,
      with the cube written as `pow(x, 3)` or `x * x * x`.

    Constants must match to 1e-6 relative. A near miss (another constant,
    a different operand feeding the product) is left alone.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

def SwinRaiseLinear : Pass<"swin-raise-linear", "mlir::func::FuncOp"> {
  let summary = "Rewrite matmul by a constant matrix (+ bias) as swin.linear";
  let description = [{
    `swin.matmul(x, W)` with a constant 2-D `W` of shape `[K, N]` becomes
    `swin.linear(x, transpose(W))`, and a following `swin.add` of a constant
    that broadcasts only along the last dimension (`[N]`, `[1, N]`, ...)
    becomes its bias. The matmul must have no other user when the add is
    absorbed. Products of two activations (attention) stay matmuls.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

def SwinRaisePatchMerging : Pass<"swin-raise-patch-merging", "mlir::func::FuncOp"> {
  let summary = "Recognise the 2x2 patch gather of patch merging";
  let description = [{
    Patch merging concatenates, per output position, the four tokens of a
    2x2 patch: timm as `reshape [B, H/2, 2, W/2, 2, C]`, `transpose [0, 1,
    3, 4, 2, 5]`, `reshape [B, H/2, W/2, 4C]`; torchvision and HF as four
    stride-2 slices concatenated along channels. Both are traced as strided
    views of the image and become `swin.patch_merge` when the four pieces
    are the (0,0), (1,0), (0,1), (1,1) offsets in that order. Another order
    or stride is left alone.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

def SwinRaiseEmbedHead : Pass<"swin-raise-embed-head", "mlir::func::FuncOp"> {
  let summary = "Recognise the patch embedding and the classifier head";
  let description = [{
    - Patch embedding: a convolution with stride equal to its kernel, no
      padding, whose output is viewed as NHWC (timm, torchvision: transpose)
      or as tokens (HF: reshape + transpose), followed by a LayerNorm over
      channels, becomes `swin.patch_embed`.
    - Head: the exporters' poolings (ReduceMean over positions; transpose
      to NCHW then GlobalAveragePool or ReduceMean) are first rewritten to a
      mean over the token dimensions; then LayerNorm, that mean and the
      final linear become `swin.classifier_head`.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

def SwinRaiseWindows : Pass<"swin-raise-windows", "mlir::func::FuncOp"> {
  let summary = "Recognise window partition, window reverse and cyclic shift";
  let description = [{
    - Window partition: `reshape [B, H, W, C] -> [B, H/wh, wh, W/ww, ww, C]`
      then `transpose [0, 1, 3, 2, 4, 5]` becomes `swin.window_partition`
      (followed by the reshapes the exporter wrote, which fold away).
    - Window reverse: `transpose [0, 1, 3, 2, 4, 5]` of
      `[B, nH, nW, wh, ww, C]` then `reshape -> [B, H, W, C]` becomes
      `swin.window_reverse`.
    - Cyclic shift: `concat(x[p:], x[:p])` along one axis (how `torch.roll`
      exports) becomes `swin.roll` by `-p`; consecutive rolls compose.

    Every exporter writes these the same way; the shapes decide, so a
    reshape that does not tile the image, a different permutation or two
    slices of different tensors are left alone.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

def SwinRaiseAttention : Pass<"swin-raise-attention", "mlir::func::FuncOp"> {
  let summary = "Recognise window attention, QKV projection included";
  let description = [{
    Finds `softmax(scale * q k^T + position bias (+ mask)) v`, with heads
    merged back to `[windows, tokens, channels]`, where q, k and v are head
    views of `swin.linear` projections of the same windows, and replaces it
    with one `swin.window_attention`.

    q, k and v are traced back through reshape, transpose and slice ops as
    strided views, so the exporters' different spellings (one fused QKV
    linear split with Split, Gather or Slice; three separate linears; k
    transposed before or after the split) all reduce to "columns `o` to
    `o + heads * hd` of this linear". The scale may sit on q, on both q and
    k^T (split as square roots), or on the scores. The shift mask is
    recognised in the `reshape [B, nW, heads, N, N] + mask` form (timm,
    torchvision) and as a batch-broadcast mask added to the position bias
    (HF).

    A chain that does not reduce this way (another view, a non-constant
    bias, attention over a different input) is left alone.
  }];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def SwinFuseLinearActivation : Pass<"swin-fuse-linear-activation", "mlir::func::FuncOp"> {
  let summary = "Fold GELU into the preceding linear's epilogue (MLP fc1)";
  let description = [{
    `swin.gelu(swin.linear(x, W, b))` becomes
    `swin.linear(x, W, b) {activation = gelu}` (or `gelu_tanh`), the
    cuBLASLt GELU_BIAS epilogue. The linear must have no other user and no
    activation yet.
  }];
}

def SwinFuseNormPartition : Pass<"swin-fuse-norm-partition", "mlir::func::FuncOp"> {
  let summary = "Fuse LayerNorm, cyclic shift and window partition";
  let description = [{
    `swin.window_partition(swin.roll(swin.layer_norm(x)))` (the roll only in
    shifted blocks; reshapes that keep the channels may sit between the
    LayerNorm and the roll) becomes one `swin.norm_partition`. The
    LayerNorm and the roll must have no other users. A partition without
    such a LayerNorm (Swin V2's post-norm blocks) becomes the same op
    without the norm.
  }];
}

def SwinFuseResidual : Pass<"swin-fuse-residual", "mlir::func::FuncOp"> {
  let summary = "Fuse the residual additions of a Swin block";
  let description = [{
    - Attention branch: `residual + roll(window_reverse(linear(a)))` (the
      roll only in shifted blocks; reshapes that keep the channels may sit
      in between, as in HF's token layout) becomes `swin.attention_output`:
      projection, window reverse, reverse shift and residual in one op.
    - MLP branch: `residual + linear(h)` (fc2 with its bias) becomes
      `swin.residual_linear`.
    - Swin V2's post-norm: a LayerNorm over the channels of either branch
      before the add (`residual + layer_norm(branch)`) goes into the fused
      op as its `post_norm` operands.

    The intermediate values must have no other users, and the add must not
    broadcast.
  }];
}

def SwinFusePatchMerging : Pass<"swin-fuse-patch-merging", "mlir::func::FuncOp"> {
  let summary = "Fuse the 2x2 gather, LayerNorm and reduction of patch merging";
  let description = [{
    `swin.linear(swin.layer_norm(swin.patch_merge(x)))` (no bias, no
    activation, LayerNorm over the channels only, reshapes that keep the
    channels in between) becomes one `swin.patch_merging`. The gather and
    the LayerNorm must have no other users.
  }];
}

def SwinSinkReshapes : Pass<"swin-sink-reshapes", "mlir::func::FuncOp"> {
  let summary = "Move layout reshapes past row-wise ops so they cancel";
  let description = [{
    Exporters switch activations between the image `[B, H, W, C]` and token
    `[B, L, C]` views around the MLP. A reshape that keeps the channels
    commutes with ops that work row by row over channels (`layer_norm` over
    the last dimension, `linear`, `residual_linear` with both operands
    reshaped alike), so each such op moves before the reshape; the reshape
    pairs then fold away and no reshape is left inside a block.
  }];
}

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

def SwinReportStructure : Pass<"swin-report-structure", "mlir::func::FuncOp"> {
  let summary = "Report the Swin structure the pipeline recognised, and what it missed";
  let description = [{
    Changes nothing. Emits one remark on each function counting the raised
    and fused ops per pattern, one warning at each attention the pipeline
    left unraised, located at its softmax (the ONNX node name) and saying
    which part did not fit, and one warning at each raised op a fusion
    should have absorbed (window partition or reverse, GELU, patch gather).
    `swin-compile --stats` prints these.
  }];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def SwinInsertQuantPoints : Pass<"swin-insert-quant-points", "mlir::func::FuncOp"> {
  let summary = "Insert INT8/FP8 quantize points from a calibration table";
  let description = [{
    Runs on the fused function. At the activation input of every GEMM (the
    QKV projection in `window_attention`, the output projection in
    `attention_output`, MLP fc1 and fc2, the patch-merging reduction) it
    inserts `swin.quantize` + `swin.dequantize` with the scale
    `threshold / 127` (int8) or `threshold / 448` (fp8), the threshold from
    the calibration table. The reduction's input exists only inside
    `swin.patch_merging`, so there the pair becomes its `quant_type` and
    `quant_scale` attributes. Each quantized GEMM's weight becomes an `i8`
    constant with one scale per output channel (`max |w| / 127`), or an
    `f8E4M3FN` constant with one scale, read through `swin.dequantize`.

    Points are named after timm's modules (`layers.0.blocks.1.attn.qkv`,
    `layers.1.downsample.reduction`). The table must name the function's
    points and no others, and when it records a model fingerprint, match it.
    `swin-compile --calib` makes the table; the patch embedding and the
    classifier are not quantize points.

    With `quantize-attention`, q, k and v of each `window_attention` (the
    operands of its two attention products; points `...attn.q`, `.k`, `.v`)
    are quantized too, per tensor, recorded as the op's `qkv_quant_type` and
    `qkv_quant_scales`. The attention probabilities stay in floating point.
    Tables without these points still serve the default.
  }];
  let options = [
    Option<"tablePath", "table", "std::string", /*default=*/"\"\"",
           "Calibration table (swin-calibration 1 JSON)">,
    Option<"typeName", "type", "std::string", /*default=*/"\"int8\"",
           "Quantized type: int8 or fp8 (E4M3)">,
    ListOption<"keepFloat", "keep-float", "std::string",
               "Points left in floating point">,
    Option<"quantizeAttention", "quantize-attention", "bool", /*default=*/"false",
           "Also quantize q, k and v of every window attention">,
  ];
  let dependentDialects = ["mlir::swin::SwinDialect"];
}

#endif // SWIN_PASSES_TD
