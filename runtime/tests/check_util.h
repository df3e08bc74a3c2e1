//===- check_util.h - shared by the GPU check programs in runtime/tests ---===//
//
// Error checking, device allocations and CUDA-graph timing for
// gemm_int8_check.cu, mlp_int8_check.cu, norm_qkv_int8_check.cu and
// proj_residual_int8_check.cu.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_TESTS_CHECK_UTIL_H
#define SWINRT_TESTS_CHECK_UTIL_H

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x)                                                                          \
  do {                                                                                 \
    cudaError_t e_ = (x);                                                              \
    if (e_ != cudaSuccess) {                                                           \
      printf("CUDA %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__);        \
      exit(2);                                                                         \
    }                                                                                  \
  } while (0)

/// Device allocations freed together when it goes out of scope.
struct DeviceMemory {
  std::vector<void *> blocks;
  template <typename T> T *allocate(size_t bytes) {
    void *p;
    CK(cudaMalloc(&p, std::max<size_t>(bytes, 16)));
    blocks.push_back(p);
    return static_cast<T *>(p);
  }
  /// A device copy of `host`.
  template <typename T> T *upload(const std::vector<T> &host) {
    T *p = allocate<T>(host.size() * sizeof(T));
    CK(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
    return p;
  }
  ~DeviceMemory() {
    for (void *p : blocks)
      cudaFree(p);
  }
};

/// Median microseconds per launch: ten launches captured in a CUDA graph and
/// replayed, as the models run them, so host-side launch work (CUTLASS's TMA
/// descriptors, cuBLASLt's checks) is not counted.
template <typename Launch> inline double medianUs(Launch launch) {
  constexpr int kPerGraph = 10;
  cudaStream_t stream;
  CK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  for (int i = 0; i < 3; ++i)
    launch(stream);
  CK(cudaStreamSynchronize(stream));
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  for (int i = 0; i < kPerGraph; ++i)
    launch(stream);
  CK(cudaStreamEndCapture(stream, &graph));
  CK(cudaGraphInstantiate(&exec, graph, 0));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  CK(cudaGraphLaunch(exec, stream));
  std::vector<float> ms;
  for (int i = 0; i < 20; ++i) {
    CK(cudaEventRecord(e0, stream));
    CK(cudaGraphLaunch(exec, stream));
    CK(cudaEventRecord(e1, stream));
    CK(cudaEventSynchronize(e1));
    float t;
    CK(cudaEventElapsedTime(&t, e0, e1));
    ms.push_back(t / kPerGraph);
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  CK(cudaGraphExecDestroy(exec));
  CK(cudaGraphDestroy(graph));
  CK(cudaStreamDestroy(stream));
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2] * 1e3;
}

#endif // SWINRT_TESTS_CHECK_UTIL_H
