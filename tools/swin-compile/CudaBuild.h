//===- CudaBuild.h - write and build a compiled model folder ----*- C++ -*-===//
#ifndef SWIN_COMPILE_CUDABUILD_H
#define SWIN_COMPILE_CUDABUILD_H

#include "swin/Target/Cuda/CudaEmitter.h"

#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace swin {

struct PackageRequest {
  std::string outDir;
  std::vector<std::string> archs;
  /// Recorded in OUT/model.json.
  std::string sourceModel, precision;
  int64_t maxBatch = 1;
  /// Build libswinmodel.so with nvcc (--emit=lib); otherwise stop at source.
  bool compile = true;
  /// CUTLASS's root (include/ and tools/util/include/) for the int8 GEMMs'
  /// Hopper kernels; empty builds int8 models with libswinrt's own kernels
  /// only.
  std::string cutlassDir;
  /// Called before each long step with one line saying what starts.
  std::function<void(const std::string &)> progress;
};

/// Writes OUT/{src/, model.swinw, swinrt.h, model.json, build.sh} and, when asked,
/// OUT/libswinmodel.so. Everything is built in a sibling folder and moved
/// into OUT only when every step succeeded, so a failure leaves OUT as it
/// was.
llvm::Error writeCudaPackage(const cuda::CudaModel &model, const PackageRequest &request);

} // namespace swin

#endif // SWIN_COMPILE_CUDABUILD_H
