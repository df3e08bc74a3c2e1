// initcheck_control: the positive control of the model's initcheck runs.
// Runs a compiled model once with SWINRT_GEMM=reference (as the GPU script's
// initcheck runs do) on an input buffer that was allocated but never
// written. Under `compute-sanitizer --tool initcheck`, a report of an
// uninitialized read in the model's first kernel shows that initcheck
// watches the model's kernels in exactly that setup, so the clean runs mean
// something. Without the tool it just runs (the logits are garbage).
//
//   g++ -std=c++17 initcheck_control.cpp -I runtime/include -I CUDA/include
//     -L DIR -lswinmodel -L CUDA/lib64 -lcudart -Wl,-rpath,DIR -o control
//   compute-sanitizer --tool initcheck ./control DIR
#include "swinrt.h"

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s MODEL_DIR\n", argv[0]);
    return 2;
  }
  setenv("SWINRT_GEMM", "reference", 1);
  swinrt_model_info info;
  swinrt_engine *engine = nullptr;
  if (swinrt_get_info(&info) != SWINRT_OK ||
      swinrt_create(argv[1], 0, nullptr, &engine) != SWINRT_OK) {
    std::fprintf(stderr, "initcheck_control: %s\n", swinrt_last_error());
    return 2;
  }
  size_t inputBytes = sizeof(float) * info.in_channels * info.in_height * info.in_width;
  void *input = nullptr, *output = nullptr;
  if (cudaMalloc(&input, inputBytes) != cudaSuccess ||
      cudaMalloc(&output, sizeof(float) * info.num_classes) != cudaSuccess) {
    std::fprintf(stderr, "initcheck_control: cudaMalloc failed\n");
    return 2;
  }
  std::printf("running batch 1 on a never-written input (initcheck should report it)\n");
  swinrt_status status = swinrt_run(engine, input, SWINRT_FLOAT32, output, SWINRT_FLOAT32, 1);
  cudaDeviceSynchronize();
  std::printf("swinrt_run: %s\n", swinrt_status_string(status));
  cudaFree(input);
  cudaFree(output);
  swinrt_destroy(engine);
  return status == SWINRT_OK ? 0 : 1;
}
