//===- SwinDialect.h - swin dialect -----------------------------*- C++ -*-===//
#ifndef SWIN_DIALECT_SWIN_IR_SWINDIALECT_H
#define SWIN_DIALECT_SWIN_IR_SWINDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "swin/Dialect/Swin/IR/SwinOpsDialect.h.inc"
#include "swin/Dialect/Swin/IR/SwinEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "swin/Dialect/Swin/IR/SwinAttrs.h.inc"

namespace mlir::swin {
/// Name of the function attribute holding the largest batch the model was
/// imported for.
constexpr llvm::StringLiteral kMaxBatchAttrName = "swin.max_batch";
} // namespace mlir::swin

#endif // SWIN_DIALECT_SWIN_IR_SWINDIALECT_H
