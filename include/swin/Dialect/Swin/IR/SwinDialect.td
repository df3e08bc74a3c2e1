//===- SwinDialect.td - swin dialect definition ------------*- tablegen -*-===//
//
// The swin dialect: tensor ops for Swin Transformer inference, from the
// primitives an ONNX import produces up to the fused Swin structures that the
// raising and fusion passes build.
//
//===----------------------------------------------------------------------===//

#ifndef SWIN_DIALECT_TD
#define SWIN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Swin_Dialect : Dialect {
  let name = "swin";
  let cppNamespace = "::mlir::swin";
  let summary = "Tensor ops for ahead-of-time Swin Transformer compilation";
  let description = [{
    The `swin` dialect models a Swin Transformer forward pass on ranked tensors.

    The importer produces *primitive* ops (convolution, matmul, elementwise
    arithmetic, LayerNorm, softmax, reshape/transpose, slicing, reductions and
    pooling) with every shape computation already folded to constants. The
    input resolution is static; the batch is a runtime quantity bounded by the
    function attribute `swin.max_batch`. A tensor whose size depends on the
    batch has exactly one dynamic (`?`) dimension, and that dimension is a
    multiple of the batch (for example `batch * num_windows` after window
    partition). All other dimensions are static.

    Raising and fusion passes add structural ops (window partition, cyclic
    shift, window attention, ...) on top of these primitives; the CPU
    reference evaluator implements every op, so each pass can be checked
    numerically.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
}

//===----------------------------------------------------------------------===//
// Types and attributes
//===----------------------------------------------------------------------===//

def Swin_Float : AnyTypeOf<[F32, F16, BF16]>;
def Swin_Tensor : RankedTensorOf<[F32, F16, BF16]>;
// Quantized storage: symmetric int8 or fp8 E4M3 (no infinities), the scale
// held by the quantize/dequantize ops.
def Swin_QuantTensor : RankedTensorOf<[I8, F8E4M3FN]>;
def Swin_AnyTensor : RankedTensorOf<[F32, F16, BF16, I8, F8E4M3FN]>;

def Swin_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "approximation used by swin.gelu", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"tanh", 1>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::swin";
}
def Swin_GeluApproximationAttr
    : EnumAttr<Swin_Dialect, Swin_GeluApproximation, "gelu_approximation"> {
  let assemblyFormat = "`<` $value `>`";
}

def Swin_Activation : I32EnumAttr<"Activation",
    "activation applied in a GEMM epilogue", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"gelu", 1>,
      I32EnumAttrCase<"gelu_tanh", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::swin";
}
def Swin_ActivationAttr : EnumAttr<Swin_Dialect, Swin_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class Swin_Op<string mnemonic, list<Trait> traits = []>
    : Op<Swin_Dialect, mnemonic, traits>;

#endif // SWIN_DIALECT_TD
