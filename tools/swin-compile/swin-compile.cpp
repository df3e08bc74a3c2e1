//===- swin-compile.cpp - ONNX to swin compiler driver --------------------===//
//
// swin-compile MODEL.onnx -o OUT [--emit=mlir|cuda|lib] [--max-batch N]
//              [--precision fp32|tf32|fp16|bf16] [--arch sm_90,...]
//              [--image-size N|HxW] [--import-only] [--stats] [--progress]
//
// Imports the model and runs the swin pipeline. --emit=mlir writes the fused
// module; --emit=cuda writes OUT/ with the generated CUDA C++, libswinrt's
// sources and the weights; --emit=lib (the default) also builds
// OUT/libswinmodel.so with nvcc.
//
//===----------------------------------------------------------------------===//

#include "CudaBuild.h"
#include "Passes.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"
#include "swin/Importer/OnnxImporter.h"
#include "swin/Support/FileUtils.h"
#include "swin/Target/Cuda/CudaEmitter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/WithColor.h"

#include <chrono>

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
cl::opt<std::string> precision("precision",
                              cl::desc("Arithmetic of the compiled model: fp32, tf32, fp16 "
                                       "or bf16 (fp32 accumulation throughout)"),
                              cl::init("fp16"), cl::cat(category));
cl::opt<std::string> archList("arch",
                              cl::desc("GPU targets, comma separated (sm_80, sm_86, sm_87, "
                                       "sm_89, sm_90, sm_100, sm_120)"),
                              cl::init("sm_90"), cl::cat(category));
cl::opt<bool> exactGelu("exact-gelu",
                        cl::desc("Exact erf GELU at fp16/bf16 too (a separate kernel) "
                                 "instead of cuBLASLt's tanh-form GELU epilogue"),
                        cl::cat(category));
cl::opt<bool> importOnly("import-only",
                         cl::desc("Stop after the ONNX import (skip the swin pipeline)"),
                         cl::cat(category));
cl::opt<std::string> imageSize("image-size",
                               cl::desc("Input resolution, N or HxW (required when the "
                                        "model's input leaves it symbolic)"),
                               cl::value_desc("N|HxW"), cl::cat(category));

cl::opt<bool> progress("progress",
                       cl::desc("Print a line with the elapsed time as each long step "
                                "starts (import, passes, CUDA emission, nvcc)"),
                       cl::cat(category));

const auto startTime = std::chrono::steady_clock::now();

void reportProgress(const Twine &step) {
  if (!progress)
    return;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - startTime).count();
  errs() << formatv("swin-compile: [{0,5:f1} s] ", seconds) << step << "\n";
  errs().flush();
}

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

  swin::cuda::EmitOptions emitOptions;
  if (!swin::cuda::parsePrecision(precision, emitOptions.precision))
    return error("--precision must be fp32, tf32, fp16 or bf16, got '" + precision + "'");
  auto archs = swin::cuda::parseArchList(archList);
  if (!archs)
    return error(toString(archs.takeError()));
  emitOptions.archs = *archs;
  emitOptions.exactGelu = exactGelu;
  if (emit != EmitKind::Mlir && importOnly)
    return error("--import-only stops before the CUDA backend; use it with --emit=mlir");
  swin::ImportOptions options;
  options.maxBatch = maxBatch;
  if (maxBatch < 1)
    return error("--max-batch must be at least 1");
  if (!imageSize.empty() && !swin::parseImageSize(imageSize, options))
    return error("--image-size expects N or HxW, got '" + imageSize + "'");

  mlir::MLIRContext context;
  context.loadDialect<mlir::swin::SwinDialect, mlir::func::FuncDialect>();
  reportProgress("importing " + inputPath);
  auto module = swin::importOnnxFile(context, inputPath, options);
  if (!module)
    return error(toString(module.takeError()));

  if (!importOnly) {
    reportProgress("swin pipeline (raise, fuse)");
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

  if (emit != EmitKind::Mlir) {
    auto start = std::chrono::steady_clock::now();
    reportProgress("emitting CUDA C++ (" + precision + ")");
    auto model = swin::cuda::emitCudaModel(**module, emitOptions);
    if (!model)
      return error(inputPath + ": " + toString(model.takeError()));
    swin::PackageRequest request;
    request.outDir = outputPath;
    request.archs = emitOptions.archs;
    request.compile = emit == EmitKind::Lib;
    request.sourceModel = sys::path::filename(inputPath).str();
    request.precision = precision;
    request.maxBatch = maxBatch;
    request.progress = [](const std::string &step) { reportProgress(step); };
    if (Error e = swin::writeCudaPackage(*model, request))
      return error(toString(std::move(e)));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    errs() << formatv("swin-compile: wrote {0}: {1} kernels, {2} GEMMs, arena {3:f1} MB "
                      "(liveness bound {4:f1} MB), weights {5:f1} MB, {6:f3} GFLOP/image, "
                      "{7:f1} s\n",
                      outputPath, model->numKernels, model->numGemms,
                      model->arenaBytes / 1e6, model->arenaLowerBound / 1e6,
                      model->weights.size() / 1e6, model->flopsPerImage / 1e9, seconds);
    return 0;
  }

  if (Error e = swin::writeFileAtomically(outputPath, [&](raw_ostream &os) {
        (*module)->print(os, mlir::OpPrintingFlags());
        os << "\n";
        return Error::success();
      }))
    return error(toString(std::move(e)));
  return 0;
}
