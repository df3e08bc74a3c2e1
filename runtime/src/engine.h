//===- engine.h - libswinrt internals shared by its translation units -----===//
//
// engine.cu: the C API (weights, arena, CUDA graphs, run, timing).
// gemm.cu: cuBLASLt plans, autotuning and the tuning cache file.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_ENGINE_H
#define SWINRT_ENGINE_H

#include "swinrt.h"
#include "swinrt/model.h"

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace swinrt {

/// Records a message as this thread's last error and returns `status`.
swinrt_status fail(swinrt_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

constexpr size_t kWorkspaceBytes = 32u << 20;

/// A GEMM site prepared for one batch size.
struct GemmPlan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatrixLayout_t d = nullptr; // E4M3 output; else c describes D too
  cublasLtMatmulAlgo_t algo{};
};

/// Read from the environment by swinrt_create (swinrt.h documents them).
struct DebugSettings {
  // SWINRT_GEMM=reference: GEMMs as plain CUDA kernels instead of cuBLASLt
  // and CUTLASS, so compute-sanitizer's initcheck sees their stores.
  bool referenceGemm = false;
  // SWINRT_INJECT_FAULT=graph-capture: every graph capture fails.
  bool injectCaptureFault = false;
};

struct Engine {
  // Serialises the API's calls on this engine, so several host threads may
  // share it (recursive: swinrt_run_host and swinrt_benchmark call
  // swinrt_run). Their work is ordered on the device as the calls are.
  std::recursive_mutex lock;
  int device = 0;
  std::string modelDir;
  cudaStream_t stream = nullptr; // swinrt_run's stream
  bool ownsStream = false;
  // CUDA graphs are captured here, whatever stream later replays them.
  cudaStream_t captureStream = nullptr;
  // Every call shares the arena, workspace and staging buffers: a call on
  // another stream than the previous one waits for this event first.
  cudaEvent_t lastWork = nullptr;
  cudaStream_t lastStream = nullptr;
  bool hasLastWork = false;
  char *arena = nullptr;
  char *weights = nullptr;
  void *workspace = nullptr;
  cublasLtHandle_t lt = nullptr;
  std::map<std::pair<int, int>, GemmPlan> plans; // (gemm id, batch)
  std::map<int, cudaGraphExec_t> graphs;         // batch
  bool graphsFailed = false;
  DebugSettings debug; // as swinrt_create read them
  // Autotuned algorithms, (gemm id, batch), and the cache file that keeps
  // them for this GPU model.
  std::map<std::pair<int, int>, cublasLtMatmulAlgo_t> tuned;
  std::string tuningPath;
  // Profiling: (layer, event) marks of the current eager run.
  bool profiling = false;
  std::vector<std::pair<int, cudaEvent_t>> marks;
  std::vector<cudaEvent_t> eventPool;
  size_t nextEvent = 0;
  // Engine-owned fp32 input and output at the maximum batch, for
  // swinrt_run_host, swinrt_benchmark and swinrt_profile.
  float *ownInput = nullptr;
  float *ownOutput = nullptr;
  // Staging for swinrt_run_host, at the maximum batch.
  void *stageInput = nullptr;
  void *stageOutput = nullptr;

  /// What the generated code needs to launch on `on`.
  Exec exec(cudaStream_t on) { return Exec{this, on, arena, weights}; }
};

#define SWINRT_CUDA(call)                                                      \
  do {                                                                         \
    cudaError_t swinrt_cuda_error_ = (call);                                   \
    if (swinrt_cuda_error_ != cudaSuccess)                                     \
      return ::swinrt::cudaFailure(swinrt_cuda_error_, #call);                 \
  } while (0)

#define SWINRT_CUBLAS(call)                                                    \
  do {                                                                         \
    cublasStatus_t swinrt_cublas_status_ = (call);                             \
    if (swinrt_cublas_status_ != CUBLAS_STATUS_SUCCESS)                        \
      return ::swinrt::fail(SWINRT_ERROR_CUBLAS, "%s failed: %s", #call,       \
                            cublasLtGetStatusString(swinrt_cublas_status_));   \
  } while (0)

/// Makes the engine's device current for the scope of a call.
class DeviceScope {
public:
  explicit DeviceScope(int device) {
    if (cudaGetDevice(&previous_) != cudaSuccess)
      previous_ = -1;
    if (previous_ != device)
      error_ = cudaSetDevice(device);
  }
  ~DeviceScope() {
    if (previous_ >= 0)
      cudaSetDevice(previous_);
  }
  cudaError_t error() const { return error_; }

private:
  int previous_ = -1;
  cudaError_t error_ = cudaSuccess;
};

/// Orders `stream` after the engine's work on the previous call's stream.
swinrt_status joinPreviousWork(Engine &e, cudaStream_t stream);
/// Marks the end of this call's work on `stream` (see joinPreviousWork).
swinrt_status recordWork(Engine &e, cudaStream_t stream);

/// Non-null engine and 1 <= batch <= the compiled maximum.
swinrt_status checkEngineAndBatch(swinrt_engine *engine, int batch);

// gemm.cu
/// Reads the tuning cache of the engine's GPU, if there is one.
swinrt_status loadTuning(Engine &e, const cudaDeviceProp &prop);
void destroyPlans(Engine &e);

} // namespace swinrt

struct swinrt_engine : swinrt::Engine {};

#endif // SWINRT_ENGINE_H
