//===- Evaluator.h - CPU reference evaluator --------------------*- C++ -*-===//
//
// Runs a func.func of swin ops on the CPU in fp32. Every swin op has an
// implementation here; passes are checked by running the IR before and after.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_REFERENCE_EVALUATOR_H
#define SWIN_REFERENCE_EVALUATOR_H

#include "swin/Reference/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace swin {

struct EvaluateOptions {
  /// Called with the activation each quantizable GEMM reads (linear,
  /// window_attention's QKV, attention_output's projection,
  /// residual_linear, and patch_merging's reduction after its LayerNorm),
  /// before the op's own quantize point. Calibration collects statistics
  /// through it.
  std::function<void(mlir::Operation *op, llvm::ArrayRef<float> gemmInput)>
      observeGemmInput;
  /// Called with q (operand 0), k (1) and v (2) of each window_attention,
  /// after the QKV projection and before their own quantize points.
  std::function<void(mlir::Operation *op, int operand, llvm::ArrayRef<float> values)>
      observeAttentionOperand;
};

/// Evaluates `func` on `inputs` (one per argument). Dynamic dimensions take
/// their sizes from the inputs. Returns one tensor per result, or an error
/// naming the op that failed.
llvm::Expected<std::vector<Tensor>> evaluate(mlir::func::FuncOp func,
                                             llvm::ArrayRef<Tensor> inputs,
                                             const EvaluateOptions &options = {});

} // namespace swin

#endif // SWIN_REFERENCE_EVALUATOR_H
