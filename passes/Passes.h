//===- Passes.h - swin raising and fusion passes ----------------*- C++ -*-===//
#ifndef SWIN_PASSES_PASSES_H
#define SWIN_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"

#include <string>

#include <memory>

namespace mlir::swin {

#define GEN_PASS_DECL
#include "Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Passes.h.inc"

/// Why swin-raise-attention does not apply to the attention around
/// `softmax`: one line naming the first part that does not fit.
std::string explainUnraisedAttention(SoftmaxOp softmax);

/// The default pipeline `swin-compile` runs after import.
void buildSwinPipeline(OpPassManager &pm);

/// Registers every swin pass and the `swin-pipeline` pipeline.
void registerSwinPassesAndPipelines();

} // namespace mlir::swin

#endif // SWIN_PASSES_PASSES_H
