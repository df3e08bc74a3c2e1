//===- DummyFuzzerMain.cpp - replays fuzzer inputs without libFuzzer ------===//
//
// Linked into the fuzz targets when they are not built with libFuzzer: runs
// LLVMFuzzerTestOneInput once on each file named on the command line.
//
//===----------------------------------------------------------------------===//

#include "llvm/FuzzMutate/FuzzerCLI.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);

int main(int argc, char *argv[]) {
  return llvm::runFuzzerOnInputs(argc, argv, LLVMFuzzerTestOneInput, LLVMFuzzerInitialize);
}
