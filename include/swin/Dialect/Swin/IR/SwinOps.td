//===- SwinOps.td - swin dialect ops -----------------------*- tablegen -*-===//
//
// Primitive tensor ops. Shapes are inferred (InferTypeOpInterface) wherever
// the operands and attributes determine them; a dynamic dimension is always
// the batch-carrying one (see the dialect description).
//
//===----------------------------------------------------------------------===//

#ifndef SWIN_OPS_TD
#define SWIN_OPS_TD

include "swin/Dialect/Swin/IR/SwinDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Swin_ConstantOp : Swin_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "constant tensor (weights, folded masks and biases)";
  let description = [{
    A statically shaped constant. Weights from the ONNX initializers and every
    constant the importer folds (attention masks, relative position biases)
    end up here.

    ```mlir
    %w = swin.constant dense<1.0> : tensor<96x96xf32>
    ```

    Quantized weights are `i8` or `f8E4M3FN` constants read through a
    `swin.dequantize`.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Swin_AnyTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The elements' bytes, row-major, when the value is stored densely
    /// (`dense` other than a splat, or `dense_resource` with its blob).
    std::optional<::llvm::ArrayRef<char>> getRawData();
  }];
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Swin_Conv2DOp : Swin_Op<"conv2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution in NCHW layout (patch embedding)";
  let description = [{
    `result[n, f, y, x] = bias[f] + sum_{c, i, j} input[n, g*C/G + c,
    y*sy + i*dy - pt, x*sx + j*dx - pl] * weight[f, c, i, j]`, with the weight
    in OIHW layout, `padding = [top, left, bottom, right]` and `groups = G`.

    ```mlir
    %y = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
           padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>}
         : (tensor<?x3x224x224xf32>, tensor<96x3x4x4xf32>, tensor<96xf32>)
           -> tensor<?x96x56x56xf32>
    ```
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$weight,
                   Optional<Swin_Tensor>:$bias,
                   DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                   DenseI64ArrayAttr:$dilations, I64Attr:$groups);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Swin_MatMulOp : Swin_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "batched matrix product with broadcast batch dimensions";
  let description = [{
    `result[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n]`. Leading
    (batch) dimensions broadcast like NumPy. Both operands have rank >= 2.
  }];
  let arguments = (ins Swin_Tensor:$lhs, Swin_Tensor:$rhs);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Swin_LinearOp : Swin_Op<"linear", [Pure, InferTypeOpAdaptor]> {
  let summary = "fully connected layer: act(input * weight^T + bias)";
  let description = [{
    `result[..., n] = act(bias[n] + sum_k input[..., k] * weight[n, k])`.
    The weight is in PyTorch's `[out_features, in_features]` layout. The
    activation (GELU, exact or tanh) is the GEMM epilogue that
    `swin-fuse-linear-activation` folds in; the default is none.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$weight,
                   Optional<Swin_Tensor>:$bias,
                   DefaultValuedAttr<Swin_ActivationAttr, "Activation::none">:$activation);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Swin_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Swin_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor,
                                             SameOperandsElementType])> {
  let summary = "elementwise " # mnemonic # " with NumPy broadcasting";
  let description = "`result = " # formula # "`, broadcasting like NumPy.";
  let arguments = (ins Swin_Tensor:$lhs, Swin_Tensor:$rhs);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Swin_AddOp : Swin_BinaryOp<"add", "lhs + rhs", [Commutative]>;
def Swin_SubOp : Swin_BinaryOp<"sub", "lhs - rhs">;
def Swin_MulOp : Swin_BinaryOp<"mul", "lhs * rhs", [Commutative]>;
def Swin_DivOp : Swin_BinaryOp<"div", "lhs / rhs">;
def Swin_PowOp : Swin_BinaryOp<"pow", "lhs ^ rhs">;
def Swin_MaxOp : Swin_BinaryOp<"max", "max(lhs, rhs)", [Commutative]>;
def Swin_MinOp : Swin_BinaryOp<"min", "min(lhs, rhs)", [Commutative]>;

class Swin_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Swin_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let summary = "elementwise " # mnemonic;
  let description = "`result = " # formula # "`, elementwise.";
  let arguments = (ins Swin_Tensor:$input);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Swin_NegOp : Swin_UnaryOp<"neg", "-x">;
def Swin_AbsOp : Swin_UnaryOp<"abs", "|x|">;
def Swin_SqrtOp : Swin_UnaryOp<"sqrt", "sqrt(x)">;
def Swin_ReciprocalOp : Swin_UnaryOp<"reciprocal", "1 / x">;
def Swin_ExpOp : Swin_UnaryOp<"exp", "exp(x)">;
def Swin_LogOp : Swin_UnaryOp<"log", "log(x)">;
def Swin_ErfOp : Swin_UnaryOp<"erf", "erf(x)">;
def Swin_TanhOp : Swin_UnaryOp<"tanh", "tanh(x)">;
def Swin_SigmoidOp : Swin_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Swin_ReluOp : Swin_UnaryOp<"relu", "max(x, 0)">;

def Swin_ClipOp : Swin_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `result = min(max(input, min), max)`. Swin V2 clamps its logit scale
    with it.
  }];
  let arguments = (ins Swin_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Swin_GeluOp : Swin_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `none`: `0.5 * x * (1 + erf(x / sqrt(2)))`.
    `tanh`: `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))`.
  }];
  let arguments = (ins Swin_Tensor:$input,
                   DefaultValuedAttr<Swin_GeluApproximationAttr,
                                     "GeluApproximation::none">:$approximation);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

def Swin_LayerNormOp : Swin_Op<"layer_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "layer normalisation over the trailing dimensions";
  let description = [{
    Normalises over dimensions `axis .. rank-1`: `(x - mean) / sqrt(var +
    epsilon) * scale + bias`, where `scale` and `bias` have the shape of those
    dimensions. Statistics are computed in fp32.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$scale,
                   Swin_Tensor:$bias, F32Attr:$epsilon, I64Attr:$axis);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Swin_SoftmaxOp : Swin_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis";
  let arguments = (ins Swin_Tensor:$input, I64Attr:$axis);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Swin_ReshapeOp : Swin_Op<"reshape", [Pure]> {
  let summary = "reinterpret the shape of a tensor, keeping row-major order";
  let description = [{
    The result type gives the new shape. At most one result dimension is
    dynamic; at run time it takes whatever size keeps the element count.

    ```mlir
    %w = swin.reshape %x : tensor<?x56x56x96xf32> -> tensor<?x8x7x8x7x96xf32>
    ```
  }];
  let arguments = (ins Swin_Tensor:$input);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Swin_TransposeOp : Swin_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permute dimensions";
  let description = "`result.shape[i] = input.shape[perm[i]]`.";
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Swin_SliceOp : Swin_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "strided slice with static offsets, sizes and strides";
  let description = [{
    `result[i0, ...] = input[offsets[0] + i0 * strides[0], ...]`, one entry
    per dimension. A dynamic dimension can only be taken whole: offset 0,
    stride 1 and size `?` (written -9223372036854775808, `kDynamic`).
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$offsets,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Swin_ConcatOp : Swin_Op<"concat", [Pure, InferTypeOpAdaptor,
                                       SameOperandsElementType]> {
  let summary = "concatenate tensors along one axis";
  let arguments = (ins Variadic<Swin_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Swin_BroadcastOp : Swin_Op<"broadcast", [Pure]> {
  let summary = "broadcast to a larger shape, possibly along the batch";
  let description = [{
    Broadcasts `input` to the result shape with NumPy rules. A dynamic result
    dimension has size `batch_multiple * batch`, where `batch` is the size of
    the function argument's dynamic dimension. Exporters produce this when a
    constant (an attention mask) is expanded to the batch.

    ```mlir
    %m = swin.broadcast %mask {batch_multiple = 1 : i64}
         : tensor<1x64x1x49x49xf32> -> tensor<?x64x1x49x49xf32>
    ```
  }];
  let arguments = (ins Swin_Tensor:$input,
                   DefaultValuedAttr<I64Attr, "0">:$batch_multiple);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Swin_PadOp : Swin_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "pad with a constant value";
  let description = [{
    Adds `low[i]` elements before and `high[i]` after dimension `i`, filled
    with `value`. Padding is non-negative.
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high, F32Attr:$value);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions and pooling
//===----------------------------------------------------------------------===//

class Swin_ReduceOp<string mnemonic, string what>
    : Swin_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = what # " over the given axes";
  let description = [{
    Reduces over `axes` (sorted, unique, non-negative). With `keep_dims` the
    reduced dimensions stay with size 1.
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Swin_ReduceMeanOp : Swin_ReduceOp<"reduce_mean", "arithmetic mean">;
def Swin_ReduceSumOp : Swin_ReduceOp<"reduce_sum", "sum">;
def Swin_ReduceMaxOp : Swin_ReduceOp<"reduce_max", "maximum">;
def Swin_ReduceL2Op : Swin_ReduceOp<"reduce_l2", "Euclidean norm">;

def Swin_GlobalAvgPoolOp : Swin_Op<"global_avg_pool",
                                   [Pure, InferTypeOpAdaptor]> {
  let summary = "mean over all spatial positions of an NCHW tensor";
  let description = "`result[n, c, 0, 0] = mean_{y, x} input[n, c, y, x]`.";
  let arguments = (ins Swin_Tensor:$input);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Swin structure (raised from the primitives)
//===----------------------------------------------------------------------===//

def Swin_RollOp : Swin_Op<"roll", [Pure, SameOperandsAndResultType]> {
  let summary = "cyclic shift along each dimension (torch.roll)";
  let description = [{
    `result[..., i, ...] = input[..., (i - shifts[d]) mod size[d], ...]` for
    every dimension `d`; one shift per dimension, zero along the batch.
    Swin's shifted windows roll by `-window/2` before attention and back by
    `+window/2` after.

    ```mlir
    %s = swin.roll %x {shifts = array<i64: 0, -3, -3, 0>} : tensor<?x56x56x96xf32>
    ```
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$shifts);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Swin_WindowPartitionOp : Swin_Op<"window_partition",
                                     [Pure, InferTypeOpAdaptor]> {
  let summary = "split an NHWC image into non-overlapping windows";
  let description = [{
    `[B, H, W, C]` to `[B * (H / wh) * (W / ww), wh * ww, C]` with
    `window = [wh, ww]`: windows in row-major order over the image, tokens
    in row-major order within a window.

    ```mlir
    %w = swin.window_partition %x {window = array<i64: 7, 7>}
         : (tensor<?x56x56x96xf32>) -> tensor<?x49x96xf32>
    ```
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$window);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Swin_WindowReverseOp : Swin_Op<"window_reverse", [Pure]> {
  let summary = "merge windows back into an NHWC image";
  let description = [{
    The inverse of `swin.window_partition`: `[B * nW, wh * ww, C]` to the
    result type `[B, H, W, C]`, with `window = [wh, ww]`.
  }];
  let arguments = (ins Swin_Tensor:$input, DenseI64ArrayAttr:$window);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Swin_PatchMergeOp : Swin_Op<"patch_merge", [Pure, InferTypeOpAdaptor]> {
  let summary = "gather each 2x2 patch into channels (Swin's downsampling)";
  let description = [{
    `[B, H, W, C]` to `[B, H/2, W/2, 4C]`:
    `result[b, i, j, k*C + c] = input[b, 2i + p_k, 2j + q_k, c]` with
    `(p_k, q_k) = (0, 0), (1, 0), (0, 1), (1, 1)`, the order timm,
    torchvision and Hugging Face use before the merge LayerNorm.
  }];
  let arguments = (ins Swin_Tensor:$input);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Swin_PatchMergingOp : Swin_Op<"patch_merging", [Pure]> {
  let summary = "fused patch merging: 2x2 gather, LayerNorm, reduction";
  let description = [{
    `linear(layer_norm(patch_merge(input), scale, bias), weight)` without a
    bias on the linear: `[B, H, W, C]` to `[B, H/2, W/2, out]` with
    `weight` of shape `[out, 4C]`. Statistics in fp32.

    With `norm_after_reduction` (Swin V2's PatchMergingV2) the order is
    `layer_norm(linear(patch_merge(input), weight), scale, bias)`: the
    LayerNorm is over the `out` reduced channels, `scale` and `bias` are
    `[out]`.

    The reduction's input exists only inside the op, so its quantize point
    is an attribute pair: with `quant_type` (`i8` or `f8E4M3FN`) and
    `quant_scale`, the reduction's input rows (normalised, or gathered with
    `norm_after_reduction`) go through `swin.quantize` and
    `swin.dequantize` with that scale before the reduction.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$scale, Swin_Tensor:$bias,
                   Swin_Tensor:$weight, F32Attr:$epsilon,
                   OptionalAttr<TypeAttr>:$quant_type, OptionalAttr<F32Attr>:$quant_scale,
                   UnitAttr:$norm_after_reduction);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Swin_NormPartitionOp : Swin_Op<"norm_partition",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "fused LayerNorm, cyclic shift and window partition";
  let description = [{
    `window_partition(roll(layer_norm(input, scale, bias), shifts), window)`
    for an NHWC `input` `[B, H, W, C]`: LayerNorm over channels (fp32
    statistics), `shifts = [sh, sw]` rolls rows and columns (negative for
    Swin's shifted blocks, zero otherwise), then windows of `[wh, ww]`.
    The result is `[B * nW, wh * ww, C]`: one pass over memory.

    Without `scale`, `bias` and `epsilon` there is no LayerNorm: Swin V2's
    post-norm blocks shift and partition the residual stream itself.
  }];
  let arguments = (ins Swin_Tensor:$input, Optional<Swin_Tensor>:$scale,
                   Optional<Swin_Tensor>:$bias, OptionalAttr<F32Attr>:$epsilon,
                   DenseI64ArrayAttr:$shifts, DenseI64ArrayAttr:$window);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $scale^ `,` $bias)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    bool hasNorm() { return static_cast<bool>(getScale()); }
  }];
  let hasVerifier = 1;
}

def Swin_AttentionOutputOp : Swin_Op<"attention_output",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "fused projection, window reverse, reverse shift and residual add";
  let description = [{
    `residual + roll(window_reverse(input * weight^T + bias, window), shifts)`
    for attention output windows `input` `[B * nW, wh * ww, Ci]`, `weight`
    `[C, Ci]` and an NHWC `residual` `[B, H, W, C]`. `shifts = [sh, sw]`
    undoes the block's cyclic shift (positive in shifted blocks, zero
    otherwise). The result has the residual's shape.

    With `post_norm(norm_scale, norm_bias)` and `norm_epsilon` (Swin V2's
    post-norm block) the branch is normalised over channels before the add:
    `residual + layer_norm(roll(window_reverse(...)))`.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$weight, Swin_Tensor:$bias,
                   Swin_Tensor:$residual, Optional<Swin_Tensor>:$norm_scale,
                   Optional<Swin_Tensor>:$norm_bias, DenseI64ArrayAttr:$window,
                   DenseI64ArrayAttr:$shifts, OptionalAttr<F32Attr>:$norm_epsilon);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $residual
    (`post_norm` `(` $norm_scale^ `,` $norm_bias `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    bool hasPostNorm() { return static_cast<bool>(getNormScale()); }
  }];
  let hasVerifier = 1;
}

def Swin_ResidualLinearOp : Swin_Op<"residual_linear",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "fused linear and residual add (MLP fc2)";
  let description = [{
    `residual + input * weight^T + bias`, the residual the shape of the
    result: cuBLASLt's bias epilogue with the residual as C (beta = 1).

    With `post_norm(norm_scale, norm_bias)` and `norm_epsilon` (Swin V2) the
    linear's output is normalised over channels before the add:
    `residual + layer_norm(input * weight^T + bias)`.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$weight, Swin_Tensor:$bias,
                   Swin_Tensor:$residual, Optional<Swin_Tensor>:$norm_scale,
                   Optional<Swin_Tensor>:$norm_bias, OptionalAttr<F32Attr>:$norm_epsilon);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $residual
    (`post_norm` `(` $norm_scale^ `,` $norm_bias `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    bool hasPostNorm() { return static_cast<bool>(getNormScale()); }
  }];
  let hasVerifier = 1;
}

def Swin_PatchEmbedOp : Swin_Op<"patch_embed", [Pure]> {
  let summary = "patch embedding: non-overlapping patch convolution and LayerNorm";
  let description = [{
    `layer_norm(conv2d(input, weight, bias, stride = kernel))` with the
    convolution output in NHWC: `[B, Cin, H, W]` to `[B, H/p, W/p, C]` for
    a `[C, Cin, p, p]` weight.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$weight, Swin_Tensor:$bias,
                   Swin_Tensor:$scale, Swin_Tensor:$shift, F32Attr:$epsilon);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `,` $bias `,` $scale `,` $shift attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Swin_ClassifierHeadOp : Swin_Op<"classifier_head", [Pure]> {
  let summary = "final LayerNorm, mean over tokens and classifier";
  let description = [{
    `linear(mean_tokens(layer_norm(input, scale, shift)), weight, bias)` for
    tokens `input` `[B, H, W, C]`: the result is `[B, classes]`.
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$scale, Swin_Tensor:$shift,
                   Swin_Tensor:$weight, Swin_Tensor:$bias, F32Attr:$epsilon);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $shift `,` $weight `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Swin_WindowAttentionOp : Swin_Op<"window_attention", [Pure]> {
  let summary = "multi-head self-attention within each window, QKV projection included";
  let description = [{
    For windows `input` of shape `[B * nW, N, C]`:

    ```
    qkv = input * qkv_weight^T + qkv_bias        // [B*nW, N, 3, heads, hd]
    a   = softmax(scale * q k^T + position_bias[h] (+ mask[w mod nW]))
    out = a v, heads merged                      // [B*nW, N, heads * hd]
    ```

    `qkv_weight` is `[3 * heads * hd, C]` (q rows, then k, then v);
    `position_bias` is `[heads, N, N]` (the relative position bias, folded);
    the optional `mask` is `[nW, N, N]` (shifted windows), indexed by the
    window's position within its image. The output projection is not part of
    the op. This is the op the CUDA backend implements as one fused kernel.

    Quantized attention operands: with `qkv_quant_type` (`i8` or `f8E4M3FN`)
    and `qkv_quant_scales` (three: q, k, v), q, k and v each go through
    `swin.quantize` and `swin.dequantize` with their per-tensor scale after
    the QKV projection (bias included), so both attention products read
    8-bit operands. The probabilities `a` stay in floating point.

    Cosine attention (Swin V2): with `logit_scales`, one per head (the
    model's `exp(min(logit_scale, log 100))`, folded), each row of q and of
    k is divided by its L2 norm over the head dimension (at least 1e-12),
    and head h's scores are `logit_scales[h] * q k^T` (`scale` is then 1):

    ```
    a = softmax(logit_scales[h] * (q / |q|) (k / |k|)^T + position_bias[h] (+ mask))
    ```
  }];
  let arguments = (ins Swin_Tensor:$input, Swin_Tensor:$qkv_weight,
                   Swin_Tensor:$qkv_bias, Swin_Tensor:$position_bias,
                   Optional<Swin_Tensor>:$mask, I64Attr:$num_heads, F32Attr:$scale,
                   OptionalAttr<TypeAttr>:$qkv_quant_type,
                   OptionalAttr<DenseF32ArrayAttr>:$qkv_quant_scales,
                   OptionalAttr<DenseF32ArrayAttr>:$logit_scales);
  let results = (outs Swin_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $qkv_weight `,` $qkv_bias `,` $position_bias (`,` $mask^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

class Swin_QuantOpBase<string mnemonic, Type inputType, Type resultType>
    : Swin_Op<mnemonic, [Pure, SameOperandsAndResultShape]> {
  let arguments = (ins inputType:$input, DenseF32ArrayAttr:$scales,
                   OptionalAttr<I64Attr>:$axis);
  let results = (outs resultType:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Swin_QuantizeOp : Swin_QuantOpBase<"quantize", Swin_Tensor, Swin_QuantTensor> {
  let summary = "symmetric quantization to int8 or fp8 E4M3";
  let description = [{
    `q = saturate(round(x / scale))`, rounding to nearest even. An `i8`
    result saturates to [-128, 127]; an `f8E4M3FN` result rounds to the
    nearest E4M3 value and saturates to +-448 (the format has no
    infinities). `scales` holds one scale (per tensor) or, with `axis`, one
    per index of that dimension (per channel, for weights).

    ```mlir
    %q = swin.quantize %x {scales = array<f32: 0.0125>}
        : (tensor<?x49x96xf32>) -> tensor<?x49x96xi8>
    ```
  }];
}

def Swin_DequantizeOp : Swin_QuantOpBase<"dequantize", Swin_QuantTensor, Swin_Tensor> {
  let summary = "symmetric dequantization from int8 or fp8 E4M3";
  let description = [{
    `x = q * scale`, with `scales` and `axis` as in `swin.quantize`. A
    quantize/dequantize pair marks a quantize point: the consumer reads
    the value as the quantized kernel will see it.
  }];
}

#endif // SWIN_OPS_TD
