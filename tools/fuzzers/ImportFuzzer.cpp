//===- ImportFuzzer.cpp - fuzz target: the ONNX importer and pipeline -----===//
//
// Reads the input as an ONNX model, imports it and, when that succeeds,
// runs the fusion pipeline swin-compile runs. An input that starts with '#'
// or a lowercase letter is read as protobuf text format (like the lit
// models, where libFuzzer's integer mutations reach shapes and attributes
// quickly), anything else as a binary ModelProto. A clean error is the
// expected answer to garbage; a crash, a sanitizer report, a hang or an
// out-of-memory is a bug. External data is looked up in an empty folder of
// its own, so no input reads files from the machine.
//
//===----------------------------------------------------------------------===//

#include "swin/Importer/OnnxImporter.h"

#include "Passes.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {
// Inside an empty folder made at start-up; the extension picks the parser.
std::string binaryPath, textPath;
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  llvm::SmallString<128> folder;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("swin-import-fuzzer", folder)) {
    llvm::errs() << "swin-import-fuzzer: cannot create a scratch folder: " << ec.message()
                 << "\n";
    std::exit(1);
  }
  binaryPath = (folder + "/model.onnx").str();
  textPath = (folder + "/model.textproto").str();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A context per input: attributes interned from one input would
  // otherwise pile up for the whole run.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.loadDialect<mlir::swin::SwinDialect, mlir::func::FuncDialect>();
  swin::ImportOptions options;
  options.maxBatch = 2;
  bool text = size > 0 && (data[0] == '#' || (data[0] >= 'a' && data[0] <= 'z'));
  auto module = swin::importOnnxBuffer(
      context, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      text ? textPath : binaryPath, options);
  if (!module) {
    llvm::consumeError(module.takeError());
    return 0;
  }
  mlir::PassManager pm(&context);
  mlir::swin::buildSwinPipeline(pm);
  (void)pm.run(**module);
  return 0;
}
