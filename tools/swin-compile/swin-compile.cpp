//===- swin-compile.cpp - ONNX to swin compiler driver --------------------===//
//
// swin-compile MODEL.onnx -o OUT [--emit=mlir|cuda|lib] [--max-batch N]
//              [--image-size N|HxW] [--import-only] [--stats]
//
// Imports the model and runs the swin pipeline (raising so far); --emit=mlir
// writes the module. The CUDA backend adds --emit=cuda and --emit=lib.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"
#include "swin/Importer/OnnxImporter.h"
#include "swin/Support/FileUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {
enum class EmitKind { Mlir, Cuda, Lib };

cl::OptionCategory category("swin-compile options");
cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                               cl::cat(category));
cl::opt<std::string> outputPath("o", cl::desc("Output file (--emit=mlir, '-' for stdout) "
                                              "or folder (--emit=lib)"),
                                cl::value_desc("path"), cl::Required, cl::cat(category));
cl::opt<EmitKind> emit("emit", cl::desc("Where the pipeline stops"), cl::init(EmitKind::Lib),
                       cl::values(clEnumValN(EmitKind::Mlir, "mlir", "the swin module"),
                                  clEnumValN(EmitKind::Cuda, "cuda", "CUDA C++ source"),
                                  clEnumValN(EmitKind::Lib, "lib",
                                             "a folder with the .so, weights and header")),
                       cl::cat(category));
cl::opt<int64_t> maxBatch("max-batch", cl::desc("Largest batch the compiled model accepts"),
                          cl::init(1), cl::cat(category));
cl::opt<bool> importOnly("import-only",
                         cl::desc("Stop after the ONNX import (skip the swin pipeline)"),
                         cl::cat(category));
cl::opt<std::string> imageSize("image-size",
                               cl::desc("Input resolution, N or HxW (required when the "
                                        "model's input leaves it symbolic)"),
                               cl::value_desc("N|HxW"), cl::cat(category));

int error(const Twine &message) {
  WithColor::error(errs(), "swin-compile") << message << "\n";
  return 1;
}
} // namespace

/// Runs swin-report-structure and prints its remarks and warnings, one line
/// each, named by the ONNX node they concern.
static void printStats(mlir::MLIRContext &context, mlir::ModuleOp module) {
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    bool warning = d.getSeverity() == mlir::DiagnosticSeverity::Warning;
    std::string where;
    if (auto name = dyn_cast<mlir::NameLoc>(d.getLocation()); name && warning)
      where = " node '" + name.getName().str() + "':";
    const char *kind = warning ? "warning" : "stats";
    errs() << "swin-compile: " << kind << ":" << where << " " << d.str() << "\n";
    return mlir::success();
  });
  mlir::PassManager pm(&context);
  pm.nest<mlir::func::FuncOp>().addPass(mlir::swin::createSwinReportStructure());
  (void)pm.run(module);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "swin-compile: Swin Transformer ONNX compiler\n");

  if (emit != EmitKind::Mlir)
    return error("--emit=" + std::string(emit == EmitKind::Cuda ? "cuda" : "lib") +
                 " is not available yet: this build stops at the swin module; use "
                 "--emit=mlir");
  swin::ImportOptions options;
  options.maxBatch = maxBatch;
  if (maxBatch < 1)
    return error("--max-batch must be at least 1");
  if (!imageSize.empty() && !swin::parseImageSize(imageSize, options))
    return error("--image-size expects N or HxW, got '" + imageSize + "'");

  mlir::MLIRContext context;
  context.loadDialect<mlir::swin::SwinDialect, mlir::func::FuncDialect>();
  auto module = swin::importOnnxFile(context, inputPath, options);
  if (!module)
    return error(toString(module.takeError()));

  if (!importOnly) {
    mlir::PassManager pm(&context);
    mlir::swin::buildSwinPipeline(pm);
    std::string diagnostic;
    mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
      if (diagnostic.empty())
        diagnostic = d.str();
      return mlir::success();
    });
    if (mlir::failed(pm.run(**module)))
      return error(inputPath + ": the swin pipeline failed: " + diagnostic);
  }
  // LLVM owns the --stats flag; with it, report what the pipeline recognised.
  if (llvm::AreStatisticsEnabled())
    printStats(context, **module);

  if (Error e = swin::writeFileAtomically(outputPath, [&](raw_ostream &os) {
        (*module)->print(os, mlir::OpPrintingFlags());
        os << "\n";
        return Error::success();
      }))
    return error(toString(std::move(e)));
  return 0;
}
