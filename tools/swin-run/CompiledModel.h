//===- CompiledModel.h - run a compiled model folder ------------*- C++ -*-===//
#ifndef SWIN_RUN_COMPILEDMODEL_H
#define SWIN_RUN_COMPILEDMODEL_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace swin {

struct CompiledRunOptions {
  std::string folder;
  std::optional<std::string> inputPath;
  std::optional<std::string> outputPath;
  std::optional<int64_t> batch;
  bool bench = false;
  bool profile = false;
  /// Autotune the GEMMs at the batch first (0: no), with this many
  /// cuBLASLt candidates each.
  int autotuneCandidates = 0;
  int iterations = 100;
  int device = 0;
};

/// Loads OUT/libswinmodel.so through its C API (dlopen: swin-run itself
/// links no CUDA) and autotunes, runs, benchmarks or profiles it. Returns the exit code;
/// failures print one line.
int runCompiledModel(const CompiledRunOptions &options);

} // namespace swin

#endif // SWIN_RUN_COMPILEDMODEL_H
