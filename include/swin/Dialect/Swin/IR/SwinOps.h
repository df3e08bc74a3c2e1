//===- SwinOps.h - swin dialect ops -----------------------------*- C++ -*-===//
#ifndef SWIN_DIALECT_SWIN_IR_SWINOPS_H
#define SWIN_DIALECT_SWIN_IR_SWINOPS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"

#define GET_OP_CLASSES
#include "swin/Dialect/Swin/IR/SwinOps.h.inc"

#endif // SWIN_DIALECT_SWIN_IR_SWINOPS_H
