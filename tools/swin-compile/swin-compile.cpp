//===- swin-compile.cpp - ONNX to swin compiler driver --------------------===//
//
// swin-compile MODEL.onnx -o OUT [--emit=mlir|cuda|lib] [--max-batch N]
//              [--precision fp32|tf32|fp16|bf16|int8|fp8] [--arch sm_90,...]
//              [--calib DIR] [--calib-table FILE] [--calibrator NAME]
//              [--image-size N|HxW] [--import-only] [--stats] [--progress]
//
// Imports the model and runs the swin pipeline. For int8/fp8 it calibrates
// (or reads a calibration table), inserts the quantize points and reports
// the accuracy against fp32 on the CPU reference. --emit=mlir writes the
// module; --emit=cuda writes OUT/ with the generated CUDA C++, libswinrt's
// sources and the weights; --emit=lib (the default) also builds
// OUT/libswinmodel.so with nvcc.
//
//===----------------------------------------------------------------------===//

#include "CudaBuild.h"
#include "Passes.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"
#include "swin/Importer/OnnxImporter.h"
#include "swin/Quant/QuantPoints.h"
#include "swin/Support/FileUtils.h"
#include "swin/Target/Cuda/CudaEmitter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
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
                              cl::desc("Arithmetic of the compiled model: fp32, tf32, fp16, "
                                       "bf16 (fp32 accumulation throughout), or int8 / fp8 "
                                       "(E4M3) GEMMs with fp16 elsewhere"),
                              cl::init("fp16"), cl::cat(category));
cl::opt<std::string> archList("arch",
                              cl::desc("GPU targets, comma separated (sm_80, sm_86, sm_87, "
                                       "sm_89, sm_90, sm_100, sm_120)"),
                              cl::init("sm_90"), cl::cat(category));
cl::opt<std::string> cutlassDir(
    "cutlass-dir",
    cl::desc("CUTLASS's root (include/, tools/util/include/) for int8 models' Hopper GEMM "
             "kernels; default $SWIN_CUTLASS_DIR, else the one found when swin-compile was "
             "built; 'none' builds int8 with libswinrt's own kernels only"),
    cl::value_desc("dir"), cl::cat(category));
cl::opt<bool> exactGelu("exact-gelu",
                        cl::desc("Exact erf GELU at fp16/bf16 too (a separate kernel) "
                                 "instead of cuBLASLt's tanh-form GELU epilogue"),
                        cl::cat(category));
cl::opt<bool> fuseInt8Mlp(
    "fuse-int8-mlp",
    cl::desc("int8: let each MLP with C % 32 == 0 and C <= 192 run as one kernel, fc1's "
             "int8 output kept on chip (the library picks it or the two GEMMs per batch "
             "and GPU); =false always runs the two GEMMs"),
    cl::init(true), cl::cat(category));
cl::opt<bool> fuseInt8Qkv(
    "fuse-int8-qkv",
    cl::desc("int8: let each LayerNorm + window partition with C % 32 == 0 and C <= 256 run "
             "as one kernel with its attention's QKV GEMM, the int8 window rows kept on chip "
             "(the library picks it or the pair per batch and GPU); =false always runs the "
             "pair"),
    cl::init(true), cl::cat(category));
cl::opt<bool> fuseInt8Proj(
    "fuse-int8-proj",
    cl::desc("int8: let each attention projection with C % 32 == 0 and C <= 192 run as one "
             "kernel with the window reverse, residual and the MLP's LayerNorm, the projection "
             "kept on chip (the library picks it or the pair per batch and GPU); =false "
             "always runs the pair"),
    cl::init(true), cl::cat(category));
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

cl::OptionCategory quantCategory("swin-compile quantization options (--precision int8|fp8)");
cl::opt<std::string> calibDir("calib",
                              cl::desc("Folder of calibration inputs (.npy, [N, 3, H, W] "
                                       "float32, preprocessed like the model's training data)"),
                              cl::value_desc("dir"), cl::cat(quantCategory));
cl::opt<std::string> calibTablePath(
    "calib-table",
    cl::desc("Calibration table (JSON): read it instead of calibrating, or with --calib, "
             "write the new table there"),
    cl::value_desc("file"), cl::cat(quantCategory));
cl::opt<std::string> calibratorOption("calibrator",
                                    cl::desc("Activation calibrator: max, percentile or "
                                             "entropy"),
                                    cl::init("percentile"), cl::cat(quantCategory));
cl::opt<double> percentile("percentile",
                           cl::desc("Percentile of |x| the percentile calibrator keeps"),
                           cl::init(99.99), cl::cat(quantCategory));
cl::list<std::string> keepFloat("keep-float",
                                cl::desc("Quantize points left in fp16, comma separated "
                                         "(e.g. layers.0.blocks.0.mlp.fc2)"),
                                cl::CommaSeparated, cl::cat(quantCategory));
cl::opt<bool> quantizeAttention(
    "quantize-attention",
    cl::desc("Also quantize q, k and v, the operands of the two attention products "
             "(int8 only; the probabilities stay 16-bit)"),
    cl::cat(quantCategory));
cl::opt<double> targetCosine(
    "target-cosine",
    cl::desc("Mixed precision: keep the most sensitive points in fp16 until the logits "
             "cosine against fp32 reaches this (0: quantize every point)"),
    cl::init(0.0), cl::cat(quantCategory));
cl::opt<unsigned> sensitivityInputs("sensitivity-inputs",
                                    cl::desc("Inputs (.npy files) the mixed-precision search "
                                             "evaluates on: the first N of --calib, or "
                                             "of --accuracy-inputs with --calib-table alone"),
                                    cl::init(4), cl::cat(quantCategory));
cl::opt<std::string> accuracyDir("accuracy-inputs",
                                 cl::desc("Folder of .npy inputs for the accuracy report "
                                          "(default: the calibration inputs)"),
                                 cl::value_desc("dir"), cl::cat(quantCategory));
cl::opt<std::string> accuracyReportPath("accuracy-report",
                                        cl::desc("Also write the accuracy report as JSON"),
                                        cl::value_desc("file"), cl::cat(quantCategory));
cl::opt<bool> perLayer("per-layer",
                       cl::desc("Print the accuracy report's per-point input error"),
                       cl::cat(quantCategory));

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

bool isCutlassRoot(StringRef dir) {
  auto has = [&](const Twine &relative) {
    SmallString<256> path(dir);
    sys::path::append(path, relative);
    return sys::fs::exists(path);
  };
  return has("include/cutlass/cutlass.h") && has("include/cute/tensor.hpp") &&
         has("tools/util/include/cutlass");
}

/// CUTLASS for the int8 Hopper kernels: --cutlass-dir, then
/// SWIN_CUTLASS_DIR, then the one configured at build time; empty for none.
Expected<std::string> resolveCutlassDir() {
  std::string chosen, from;
  if (cutlassDir.getNumOccurrences()) {
    chosen = cutlassDir;
    from = "--cutlass-dir";
  } else if (std::optional<std::string> env = sys::Process::GetEnv("SWIN_CUTLASS_DIR")) {
    chosen = *env;
    from = "SWIN_CUTLASS_DIR";
  } else {
#ifdef SWIN_DEFAULT_CUTLASS_DIR
    if (isCutlassRoot(SWIN_DEFAULT_CUTLASS_DIR))
      return std::string(SWIN_DEFAULT_CUTLASS_DIR);
#endif
    return std::string();
  }
  if (chosen == "none" || chosen.empty())
    return std::string();
  SmallString<256> absolute(chosen);
  sys::fs::make_absolute(absolute);
  if (!isCutlassRoot(absolute))
    return createStringError(from + "='" + chosen +
                             "' is not a CUTLASS root (it needs include/cutlass/cutlass.h, "
                             "include/cute/ and tools/util/include/cutlass/)");
  return std::string(absolute);
}
} // namespace

/// The .npy files of `dir`, sorted by name.
static Expected<std::vector<std::string>> listNpyFiles(StringRef dir, StringRef option) {
  std::vector<std::string> files;
  std::error_code ec;
  if (!sys::fs::is_directory(dir))
    return createStringError(inconvertibleErrorCode(),
                             option + " " + dir + ": not a folder");
  for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    if (StringRef(it->path()).ends_with(".npy"))
      files.push_back(it->path());
  if (ec)
    return createStringError(inconvertibleErrorCode(),
                             option + " " + dir + ": " + ec.message());
  if (files.empty())
    return createStringError(inconvertibleErrorCode(),
                             option + " " + dir + ": no .npy files");
  llvm::sort(files);
  return files;
}

/// Calibrates (or reads the table), chooses the points kept in fp16, inserts
/// the quantize points and reports the accuracy against fp32.
static Error quantizeModel(mlir::func::FuncOp func, swin::quant::QuantType type) {
  using namespace swin::quant;
  std::vector<std::string> calibFiles;
  if (!calibDir.empty()) {
    auto files = listNpyFiles(calibDir, "--calib");
    if (!files)
      return files.takeError();
    calibFiles = std::move(*files);
  }
  std::vector<std::string> accuracyFiles = calibFiles;
  if (!accuracyDir.empty()) {
    auto files = listNpyFiles(accuracyDir, "--accuracy-inputs");
    if (!files)
      return files.takeError();
    accuracyFiles = std::move(*files);
  }

  CalibrationTable table;
  if (!calibFiles.empty()) {
    auto calibrator = parseCalibrator(calibratorOption);
    if (!calibrator)
      return calibrator.takeError();
    if (!(percentile > 0.0 && percentile <= 100.0))
      return createStringError(inconvertibleErrorCode(),
                               "--percentile must be in (0, 100]");
    CalibrationOptions options;
    options.calibrator = *calibrator;
    options.percentile = percentile;
    options.progress = [](size_t done, size_t total) {
      if (done == 1 || done == total || done % 16 == 0)
        reportProgress(formatv("calibrating: {0}/{1} inputs", done, total));
    };
    reportProgress(formatv("calibrating on {0} inputs ({1})", calibFiles.size(),
                           calibratorOption.getValue()));
    auto calibrated = calibrate(func, calibFiles, options);
    if (!calibrated)
      return calibrated.takeError();
    table = std::move(*calibrated);
    if (!calibTablePath.empty())
      if (Error e = swin::writeFileAtomically(calibTablePath, [&](raw_ostream &os) {
            writeCalibrationTable(table, os);
            return Error::success();
          }))
        return e;
  } else if (!calibTablePath.empty()) {
    auto parsed = readCalibrationTable(calibTablePath);
    if (!parsed)
      return parsed.takeError();
    table = std::move(*parsed);
  } else {
    return createStringError(inconvertibleErrorCode(),
                             "--precision " + precision +
                                 " needs calibration: --calib DIR or --calib-table FILE");
  }

  mlir::OwningOpRef<mlir::func::FuncOp> reference(func.clone());
  QuantizeOptions options;
  options.type = type;
  options.quantizeAttention = quantizeAttention;
  for (const std::string &name : keepFloat)
    options.keepFloat.insert(name);
  if (targetCosine > 0.0) {
    // The search picks points on calibration inputs where there are some, so
    // that the accuracy report's inputs measure the choice rather than make it.
    const std::vector<std::string> &searchFiles =
        calibFiles.empty() ? accuracyFiles : calibFiles;
    if (searchFiles.empty())
      return createStringError(inconvertibleErrorCode(),
                               "--target-cosine needs inputs: --calib or --accuracy-inputs");
    std::vector<std::string> subset(
        searchFiles.begin(),
        searchFiles.begin() + std::min<size_t>(sensitivityInputs, searchFiles.size()));
    reportProgress(formatv("mixed precision: sensitivity of each point on {0} {1} inputs",
                           subset.size(), calibFiles.empty() ? "accuracy" : "calibration"));
    auto kept = chooseFloatPoints(*reference, table, options, subset, targetCosine,
                                  [](StringRef line) {
                                    errs() << "swin-compile: mixed precision: " << line << "\n";
                                  });
    if (!kept)
      return kept.takeError();
    for (const auto &entry : *kept)
      options.keepFloat.insert(entry.first);
  }
  if (Error e = insertQuantPoints(func, table, options))
    return e;

  if (accuracyFiles.empty()) {
    errs() << "swin-compile: no accuracy report (give --calib or --accuracy-inputs)\n";
    return Error::success();
  }
  reportProgress(formatv("accuracy against fp32 on {0} inputs", accuracyFiles.size()));
  auto report = measureAccuracy(*reference, func, accuracyFiles, [](size_t done, size_t total) {
    if (done == total || done % 32 == 0)
      reportProgress(formatv("accuracy: {0}/{1} inputs", done, total));
  });
  if (!report)
    return report.takeError();
  errs() << "swin-compile: " << precision << " accuracy: ";
  printAccuracyReport(*report, errs(), perLayer);
  if (!accuracyReportPath.empty())
    return swin::writeFileAtomically(accuracyReportPath, [&](raw_ostream &os) {
      writeAccuracyReport(*report, os);
      return Error::success();
    });
  return Error::success();
}

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
  cl::HideUnrelatedOptions({&category, &quantCategory});
  cl::ParseCommandLineOptions(argc, argv, "swin-compile: Swin Transformer ONNX compiler\n");

  swin::cuda::EmitOptions emitOptions;
  std::optional<swin::quant::QuantType> quantType;
  if (auto type = swin::quant::parseQuantType(precision)) {
    quantType = *type;
    emitOptions.precision = *quantType == swin::quant::QuantType::Int8
                                ? swin::cuda::Precision::Int8
                                : swin::cuda::Precision::Fp8;
    if (importOnly)
      return error("--import-only stops before quantization");
  } else {
    consumeError(type.takeError());
    if (!swin::cuda::parsePrecision(precision, emitOptions.precision))
      return error("--precision must be fp32, tf32, fp16, bf16, int8 or fp8, got '" +
                   precision + "'");
    if (!calibDir.empty() || !calibTablePath.empty())
      return error("--calib and --calib-table apply to --precision int8 or fp8");
    if (quantizeAttention)
      return error("--quantize-attention applies to --precision int8 (or fp8 with "
                   "--emit=mlir)");
  }
  auto archs = swin::cuda::parseArchList(archList);
  if (!archs)
    return error(toString(archs.takeError()));
  emitOptions.archs = *archs;
  emitOptions.exactGelu = exactGelu;
  emitOptions.fuseInt8Mlp = fuseInt8Mlp;
  emitOptions.fuseInt8Qkv = fuseInt8Qkv;
  emitOptions.fuseInt8Proj = fuseInt8Proj;
  Expected<std::string> cutlassFound = resolveCutlassDir();
  if (!cutlassFound)
    return error(toString(cutlassFound.takeError()));
  std::string cutlass = *cutlassFound;
  if (emitOptions.precision == swin::cuda::Precision::Fp8 && emit != EmitKind::Mlir)
    for (const std::string &arch : emitOptions.archs)
      if (arch == "sm_80" || arch == "sm_86" || arch == "sm_87")
        return error("--precision fp8 needs FP8 tensor cores (sm_89 or newer), and --arch "
                     "names " + arch);
  if (emitOptions.precision == swin::cuda::Precision::Fp8 && quantizeAttention &&
      emit != EmitKind::Mlir)
    return error("the CUDA backend quantizes attention operands for int8 only (cuBLASLt's "
                 "E4M3 QKV GEMM has one output scale for q, k and v); use --emit=mlir");
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

  if (quantType) {
    auto func = (*module)->lookupSymbol<mlir::func::FuncOp>("main");
    if (!func)
      return error(inputPath + ": the module has no @main");
    if (Error e = quantizeModel(func, *quantType))
      return error(inputPath + ": " + toString(std::move(e)));
  }

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
    request.cutlassDir = cutlass;
    if (model->hasInt8Gemms() && cutlass.empty() && is_contained(request.archs, "sm_90"))
      WithColor::note(errs(), "swin-compile")
          << "no CUTLASS (--cutlass-dir, SWIN_CUTLASS_DIR): the int8 GEMMs use libswinrt's "
             "own kernels, slower on Hopper\n";
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
