//===- OnnxImporter.h - ONNX to swin dialect --------------------*- C++ -*-===//
#ifndef SWIN_IMPORTER_ONNXIMPORTER_H
#define SWIN_IMPORTER_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>

namespace swin {

struct ImportOptions {
  /// Largest batch the compiled model accepts. The batch stays dynamic in
  /// the IR; this bound is recorded as the `swin.max_batch` attribute.
  int64_t maxBatch = 1;
  /// Input height and width. Required when the model's input leaves them
  /// symbolic; must agree with the model when it fixes them.
  std::optional<int64_t> imageHeight, imageWidth;
};

/// Parses an image size given as "N" or "HxW" into `options`. Returns false
/// for anything else ("8x", "0", "x8", ...).
bool parseImageSize(llvm::StringRef text, ImportOptions &options);

/// Imports an ONNX model (binary ModelProto, or protobuf text format when the
/// file name ends in .textproto/.pbtxt) into a module with one function
/// `@main` of swin ops, with all shape and mask arithmetic folded. On failure
/// returns one line: file, node name, op type and what is wrong.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext &context, llvm::StringRef path,
               const ImportOptions &options);

/// importOnnxFile on bytes already in memory. `path` names the model in
/// messages, picks the format by its extension and is the folder external
/// data is looked up in.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBuffer(mlir::MLIRContext &context, llvm::StringRef contents, llvm::StringRef path,
                 const ImportOptions &options);

} // namespace swin

#endif // SWIN_IMPORTER_ONNXIMPORTER_H
