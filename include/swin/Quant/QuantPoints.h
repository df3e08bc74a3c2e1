//===- QuantPoints.h - quantize points, calibration and accuracy -*- C++ -*-===//
//
// A quantize point is the activation input of a GEMM: the QKV projection
// (window_attention), the output projection (attention_output), MLP fc1
// (linear) and fc2 (residual_linear), and the patch-merging reduction. The
// patch embedding and the classifier stay in floating point, as in
// FasterTransformer and TensorRT's Swin samples.
//
// Points are named after timm's module paths ("layers.1.blocks.0.attn.qkv",
// "layers.2.downsample.reduction"), counted from the fused IR, so a
// calibration table made from one export applies to every compile of it.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_QUANT_QUANTPOINTS_H
#define SWIN_QUANT_QUANTPOINTS_H

#include "swin/Quant/Calibration.h"
#include "swin/Quant/QuantMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace swin::quant {

struct QuantPoint {
  std::string name;
  mlir::Operation *op = nullptr;
  /// -1: the GEMM input of `op`; 0, 1, 2: q, k or v of a window_attention
  /// ("layers.S.blocks.B.attn.q", ".k", ".v"), the operands of the two
  /// attention products.
  int attentionOperand = -1;
};

/// The quantize points of a fused function, in program order: the GEMM
/// inputs, and with `attentionOperands` also q, k and v of every block.
std::vector<QuantPoint> collectQuantPoints(mlir::func::FuncOp func,
                                           bool attentionOperands = false);

/// A fingerprint of the function body: its ops, types, attributes and
/// constant data (not the function's maximum batch). A calibration table
/// records it, and applies only to a function with the same fingerprint.
std::string modelFingerprint(mlir::func::FuncOp func);

/// "int8" or "fp8".
llvm::Expected<QuantType> parseQuantType(llvm::StringRef name);

struct QuantizeOptions {
  QuantType type = QuantType::Int8;
  /// Points left in floating point (mixed precision).
  llvm::StringSet<> keepFloat;
  /// Also quantize q, k and v (the attention products' operands); the table
  /// must then have their points. Keeping any of a block's three in float
  /// keeps all three.
  bool quantizeAttention = false;
};

/// Inserts a quantize/dequantize pair at every point of `table` that is not
/// kept in floating point (scale = threshold / type maximum), and replaces
/// each such GEMM's weight by a quantized constant read through a
/// dequantize (int8: one scale per output channel, max |w| / 127; fp8: one
/// scale per tensor, max |w| / 448). Fails, changing nothing, when the table
/// and the function disagree on the points or the fingerprint.
llvm::Error insertQuantPoints(mlir::func::FuncOp func, const CalibrationTable &table,
                              const QuantizeOptions &options);

struct CalibrationOptions {
  Calibrator calibrator = Calibrator::Percentile;
  double percentile = 99.99;
  /// Called after each input file with (done, total).
  std::function<void(size_t, size_t)> progress;
};

/// Runs the CPU reference on every input (.npy, any batch) and turns the
/// |x| histogram of each point (attention operands included) into a
/// threshold.
llvm::Expected<CalibrationTable> calibrate(mlir::func::FuncOp func,
                                           llvm::ArrayRef<std::string> inputFiles,
                                           const CalibrationOptions &options);

/// How far a quantized function's logits are from the reference's.
struct AccuracyReport {
  int64_t images = 0;
  double meanCosine = 0, minCosine = 0;
  /// Images whose top-1 class agrees, over all images.
  double top1Agreement = 0;
  /// |q - r| over the image's largest |r|, over every logit.
  double maxRelativeError = 0, meanRelativeError = 0;
  struct Point {
    std::string name;
    /// ||x_q - x|| / ||x|| of the GEMM's input (after its own quantize
    /// point), averaged over images: where the error enters and grows.
    double relativeError = 0;
    bool quantized = false;
  };
  std::vector<Point> points;
};

/// Evaluates both functions on every image of `inputFiles` and compares.
/// `reference` and `quantized` must have the same points.
llvm::Expected<AccuracyReport> measureAccuracy(mlir::func::FuncOp reference,
                                               mlir::func::FuncOp quantized,
                                               llvm::ArrayRef<std::string> inputFiles,
                                               std::function<void(size_t, size_t)> progress = {});

/// Sensitivity-based mixed precision over the GEMM points (`base` gives the
/// type and whether attention operands are quantized throughout). Measures
/// each point's effect on the
/// logits alone (only that point quantized), then keeps the most sensitive
/// points in floating point, most sensitive first, until the mean logits
/// cosine of the rest, quantized, reaches `targetCosine`. Returns the kept
/// points with their sensitivity (1 - cosine); empty when everything
/// quantized already meets the target.
llvm::Expected<std::vector<std::pair<std::string, double>>>
chooseFloatPoints(mlir::func::FuncOp reference, const CalibrationTable &table,
                  const QuantizeOptions &base, llvm::ArrayRef<std::string> inputFiles,
                  double targetCosine, std::function<void(llvm::StringRef)> log = {});

/// The report as a few lines of text (the per-point table when `perPoint`).
void printAccuracyReport(const AccuracyReport &report, llvm::raw_ostream &os, bool perPoint);
/// The report as JSON.
void writeAccuracyReport(const AccuracyReport &report, llvm::raw_ostream &os);

} // namespace swin::quant

#endif // SWIN_QUANT_QUANTPOINTS_H
