//===- swin-run.cpp - run a Swin model on .npy inputs ---------------------===//
//
//   swin-run --cpu-reference MODEL.mlir|MODEL.onnx --input X.npy --output Y.npy
//   swin-run OUT/ --input X.npy --output Y.npy [--batch N] [--bench] [--profile]
//            [--autotune]
//
// With --cpu-reference the model (a .mlir module of swin ops or an ONNX
// model) is interpreted by the fp32 CPU reference evaluator. Otherwise the
// argument is a folder written by swin-compile, run on the GPU through its
// library's C API.
//
// Every failure is reported as one line on stderr,
//   swin-run: error: <file>: <what is wrong>
// and exit code 1; outputs are written only when everything succeeded.
//
//===----------------------------------------------------------------------===//

#include "swin/Dialect/Swin/IR/SwinDialect.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"
#include "swin/Reference/Evaluator.h"
#include "CompiledModel.h"
#include "swin/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#ifdef SWIN_RUN_HAVE_ONNX_IMPORTER
#include "swin/Importer/OnnxImporter.h"
#endif

#include <chrono>
#include <optional>
#include <string>

using namespace llvm;

namespace {

cl::OptionCategory runCategory("swin-run options");

cl::opt<std::string> modelPath(
    cl::Positional, cl::init(""),
    cl::desc("<model.mlir | model.onnx | compiled-library-folder>"),
    cl::cat(runCategory));

cl::list<std::string>
    inputPaths("input",
               cl::desc("Input tensor (float32 .npy); repeat for functions "
                        "with several arguments"),
               cl::value_desc("file.npy"), cl::cat(runCategory));

cl::list<std::string>
    outputPaths("output",
                cl::desc("Where to write each result (float32 .npy); without "
                         "it the result shapes are printed"),
                cl::value_desc("file.npy"), cl::cat(runCategory));

cl::opt<bool> cpuReference(
    "cpu-reference",
    cl::desc("Interpret the model with the fp32 CPU reference evaluator"),
    cl::cat(runCategory));

cl::opt<int64_t> maxBatch(
    "max-batch",
    cl::desc("Largest batch the imported model accepts (ONNX models only; "
             "default: the input's batch)"),
    cl::init(1), cl::cat(runCategory));

cl::opt<std::string> imageSize(
    "image-size",
    cl::desc("Input resolution, N or HxW, when the ONNX model leaves it "
             "symbolic (ONNX models only)"),
    cl::value_desc("N|HxW"), cl::cat(runCategory));

cl::opt<int64_t> batchOption(
    "batch",
    cl::desc("Batch for --bench and --profile on a compiled model (default: the "
             "input's batch, else 1)"),
    cl::cat(runCategory));

cl::opt<bool> bench("bench",
                    cl::desc("Time the compiled model (CUDA events, median of "
                             "--iterations runs)"),
                    cl::cat(runCategory));

cl::opt<bool> profile("profile",
                      cl::desc("Print the compiled model's per-layer time table"),
                      cl::cat(runCategory));

cl::opt<bool> autotune(
    "autotune",
    cl::desc("Autotune the compiled model's GEMMs at the batch on this GPU first and "
             "save the choice in the model folder"),
    cl::cat(runCategory));

cl::opt<int> autotuneCandidates(
    "autotune-candidates",
    cl::desc("cuBLASLt candidates timed per GEMM by --autotune (1 to 64)"),
    cl::init(16), cl::cat(runCategory));

cl::opt<int> iterations("iterations",
                        cl::desc("Runs timed by --bench and --profile"),
                        cl::init(100), cl::cat(runCategory));

cl::opt<int> device("device", cl::desc("CUDA device of a compiled model"),
                    cl::init(0), cl::cat(runCategory));

cl::opt<bool> printTime("print-time",
                        cl::desc("Print the evaluation wall time to stderr"),
                        cl::cat(runCategory));

template <typename T>
std::string printed(T value) {
  std::string text;
  raw_string_ostream os(text);
  value.print(os);
  return text;
}

/// Keeps a message on one line.
std::string oneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  for (char &c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

int fail(const Twine &message) {
  errs() << "swin-run: error: " << oneLine(message.str()) << "\n";
  return 1;
}

int fail(StringRef file, const Twine &message) {
  return fail(file + ": " + message);
}

/// Reports an llvm::Error whose message already names its file.
int fail(Error error) { return fail(toString(std::move(error))); }

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    if (mlir::ShapedType::isDynamic(shape[i]))
      s += "?";
    else
      s += std::to_string(shape[i]);
  }
  return s + "]";
}

void printLocation(mlir::Location loc, raw_ostream &os) {
  if (auto file = dyn_cast<mlir::FileLineColLoc>(loc)) {
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
    return;
  }
  if (auto name = dyn_cast<mlir::NameLoc>(loc)) {
    printLocation(name.getChildLoc(), os);
    return;
  }
  if (auto fused = dyn_cast<mlir::FusedLoc>(loc)) {
    if (!fused.getLocations().empty())
      printLocation(fused.getLocations().front(), os);
    return;
  }
  loc.print(os);
}

bool hasSuffix(StringRef path, ArrayRef<StringRef> suffixes) {
  return llvm::any_of(suffixes, [&](StringRef s) {
    return path.ends_with_insensitive(s);
  });
}

/// Checks an input tensor against the function argument it feeds.
std::optional<std::string> checkInput(const swin::Tensor &input,
                                      mlir::Type argType,
                                      std::optional<int64_t> batchLimit) {
  auto type = dyn_cast<mlir::RankedTensorType>(argType);
  if (!type)
    return "the model input has type " + printed(argType) +
           ", not a ranked tensor";
  ArrayRef<int64_t> expected = type.getShape();
  std::string mismatch = "input shape " + shapeString(input.shape) +
                         " does not match the model input " +
                         shapeString(expected);
  if (input.rank() != type.getRank())
    return mismatch + " (rank " + std::to_string(input.rank()) +
           ", expected " + std::to_string(type.getRank()) + ")";
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i)) {
      int64_t batch = input.shape[i];
      if (batch < 1)
        return "batch " + std::to_string(batch) + " (dimension " +
               std::to_string(i) + " of shape " + shapeString(input.shape) +
               ") must be at least 1";
      if (batchLimit && batch > *batchLimit)
        return "batch " + std::to_string(batch) + " (dimension " +
               std::to_string(i) + ") exceeds the model's swin.max_batch " +
               std::to_string(*batchLimit);
      continue;
    }
    if (input.shape[i] != expected[i])
      return mismatch + " (dimension " + std::to_string(i) + ")";
  }
  return std::nullopt;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "swin-run: run a Swin Transformer model on .npy inputs\n\n"
      "  swin-run --cpu-reference MODEL.mlir --input X.npy --output Y.npy\n");

  if (modelPath.empty())
    return fail("no model given (usage: swin-run --cpu-reference MODEL.mlir "
                "--input X.npy --output Y.npy)");
  if (maxBatch < 1)
    return fail("--max-batch must be at least 1, got " + Twine(maxBatch));

  // A folder is a compiled library.
  if (sys::fs::is_directory(modelPath)) {
    if (cpuReference)
      return fail(modelPath, "--cpu-reference runs a .mlir or ONNX model, not a "
                             "compiled library folder");
    if (inputPaths.size() > 1 || outputPaths.size() > 1)
      return fail(modelPath, "a compiled model takes one --input and one --output");
    if (iterations < 1)
      return fail("--iterations must be at least 1");
    if (autotuneCandidates < 1 || autotuneCandidates > 64)
      return fail("--autotune-candidates must be in [1, 64]");
    swin::CompiledRunOptions options;
    options.folder = modelPath;
    if (!inputPaths.empty())
      options.inputPath = inputPaths.front();
    if (!outputPaths.empty())
      options.outputPath = outputPaths.front();
    if (outputPaths.size() && inputPaths.empty())
      return fail("--output needs an --input");
    if (batchOption.getNumOccurrences())
      options.batch = batchOption;
    options.bench = bench;
    options.profile = profile;
    options.autotuneCandidates = autotune ? static_cast<int>(autotuneCandidates) : 0;
    options.iterations = iterations;
    options.device = device;
    return swin::runCompiledModel(options);
  }
  if (!sys::fs::exists(modelPath))
    return fail(modelPath, "no such file or directory");
  if (!cpuReference)
    return fail(modelPath, "not a compiled library folder; pass "
                           "--cpu-reference to run a .mlir or ONNX model on "
                           "the CPU");
  if (inputPaths.empty())
    return fail("no --input given");

  std::vector<swin::Tensor> inputs;
  for (const std::string &path : inputPaths) {
    Expected<swin::Tensor> tensor = swin::readNpy(path);
    if (!tensor)
      return fail(tensor.takeError());
    inputs.push_back(std::move(*tensor));
  }

  mlir::MLIRContext context;
  context.loadDialect<mlir::swin::SwinDialect, mlir::func::FuncDialect>();

  // Collect the first error diagnostic as one line instead of MLIR's
  // multi-line rendering.
  std::string firstError;
  mlir::ScopedDiagnosticHandler diagnostics(
      &context, [&](mlir::Diagnostic &diag) {
        if (diag.getSeverity() == mlir::DiagnosticSeverity::Error &&
            firstError.empty()) {
          raw_string_ostream os(firstError);
          printLocation(diag.getLocation(), os);
          os << ": " << diag.str();
        }
        return mlir::success();
      });

  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (hasSuffix(modelPath, {".onnx", ".textproto", ".pbtxt"})) {
    // ---- ONNX import hook ------------------------------------------------
    // The importer (lib/Importer) is linked by defining
    // SWIN_RUN_HAVE_ONNX_IMPORTER and adding it to target_link_libraries in
    // tools/swin-run/CMakeLists.txt. Its errors already name the file.
#ifdef SWIN_RUN_HAVE_ONNX_IMPORTER
    swin::ImportOptions options;
    options.maxBatch = maxBatch;
    // Without --max-batch, the CPU reference accepts the batch it is given.
    if (!maxBatch.getNumOccurrences() && !inputs.empty() &&
        !inputs.front().shape.empty())
      options.maxBatch = std::max<int64_t>(1, inputs.front().shape.front());
    if (!imageSize.empty() && !swin::parseImageSize(imageSize, options))
      return fail("--image-size expects N or HxW, got '" + imageSize + "'");
    auto imported = swin::importOnnxFile(context, modelPath, options);
    if (!imported)
      return fail(imported.takeError());
    module = std::move(*imported);
#else
    return fail(modelPath, "ONNX import not linked yet");
#endif
    // ---------------------------------------------------------------------
  } else {
    module = mlir::parseSourceFile<mlir::ModuleOp>(modelPath, &context);
    if (!module)
      return fail(firstError.empty() ? modelPath + ": cannot parse the module"
                                     : firstError);
  }

  // The entry point: @main, or the only function.
  mlir::func::FuncOp func =
      module->lookupSymbol<mlir::func::FuncOp>("main");
  if (!func) {
    auto funcs = module->getOps<mlir::func::FuncOp>();
    if (std::distance(funcs.begin(), funcs.end()) != 1)
      return fail(modelPath, "no function @main (and not exactly one "
                             "function to run instead)");
    func = *funcs.begin();
  }
  if (func.isExternal())
    return fail(modelPath, "function @" + func.getSymName() + " has no body");

  std::optional<int64_t> batchLimit;
  if (mlir::Attribute attr = func->getAttr(mlir::swin::kMaxBatchAttrName)) {
    auto integer = dyn_cast<mlir::IntegerAttr>(attr);
    if (!integer || integer.getInt() < 1)
      return fail(modelPath, "function @" + func.getSymName() + " has an "
                             "invalid swin.max_batch attribute " +
                             printed(attr));
    batchLimit = integer.getInt();
  }

  auto argTypes = func.getFunctionType().getInputs();
  auto resultTypes = func.getFunctionType().getResults();
  if (inputPaths.size() != argTypes.size())
    return fail(modelPath, "function @" + func.getSymName() + " takes " +
                               Twine(argTypes.size()) + " input(s), but " +
                               Twine(inputPaths.size()) +
                               " --input file(s) were given");
  if (!outputPaths.empty() && outputPaths.size() != resultTypes.size())
    return fail(modelPath, "function @" + func.getSymName() + " returns " +
                               Twine(resultTypes.size()) + " result(s), but " +
                               Twine(outputPaths.size()) +
                               " --output file(s) were given");

  for (auto [path, tensor, type] : llvm::zip(inputPaths, inputs, argTypes))
    if (std::optional<std::string> problem = checkInput(tensor, type, batchLimit))
      return fail(path, *problem);

  auto start = std::chrono::steady_clock::now();
  Expected<std::vector<swin::Tensor>> results = swin::evaluate(func, inputs);
  auto stop = std::chrono::steady_clock::now();
  if (!results)
    return fail(modelPath, toString(results.takeError()));
  if (printTime)
    errs() << "swin-run: evaluation took "
           << format("%.3f",
                     std::chrono::duration<double, std::milli>(stop - start)
                         .count())
           << " ms\n";

  if (outputPaths.empty()) {
    for (auto [index, tensor] : llvm::enumerate(*results))
      outs() << "result " << index << ": " << shapeString(tensor.shape)
             << "\n";
    return 0;
  }
  for (auto [path, tensor] : llvm::zip(outputPaths, *results))
    if (Error err = swin::writeNpy(path, tensor))
      return fail(std::move(err));
  return 0;
}
