//===- swin-translate.cpp - swin module translations ----------------------===//
//
// mlir-translate with the swin translations: `--swin-to-cuda` prints the
// CUDA C++ that swin-compile --emit=cuda would write as model.cu.
//
//===----------------------------------------------------------------------===//

#include "swin/Target/Cuda/CudaEmitter.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  swin::cuda::registerToCudaTranslation();
  return mlir::failed(
             mlir::mlirTranslateMain(argc, argv, "swin-compiler translation driver\n"))
             ? 1
             : 0;
}
