//===- swin-opt.cpp - swin dialect driver ---------------------------------===//
//
// MlirOptMain with the swin dialect, func, every swin pass and pipeline, and
// the upstream passes swin uses. Only
// what the project needs is registered, to keep the tool small and quick to
// build.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "Passes.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::swin::registerSwinPassesAndPipelines();
  mlir::DialectRegistry registry;
  registry.insert<mlir::swin::SwinDialect, mlir::func::FuncDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "swin-compiler optimizer driver\n", registry));
}
