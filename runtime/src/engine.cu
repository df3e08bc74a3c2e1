//===- engine.cu - libswinrt: the C API over a generated model ------------===//
//
// Loads and checks the weights file (mmap), owns the device buffers (one
// activation arena sized for the maximum batch, the weights, the cuBLASLt
// workspace) and captures one CUDA graph per batch size. GEMM plans and
// autotuning live in gemm.cu.
//
//===----------------------------------------------------------------------===//

#include "engine.h"
#include "swinrt/weights_format.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace swinrt {
namespace {
thread_local std::string lastError;
} // namespace

swinrt_status fail(swinrt_status status, const char *format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  lastError = buffer;
  return status;
}

swinrt_status cudaFailure(cudaError_t error, const char *call) {
  if (error == cudaErrorMemoryAllocation)
    return fail(SWINRT_ERROR_OUT_OF_MEMORY, "%s: out of device memory", call);
  if (error == cudaErrorNoKernelImageForDevice || error == cudaErrorInvalidDeviceFunction)
    return fail(SWINRT_ERROR_WRONG_ARCH,
                "%s: the library has no kernels for this GPU (built for %s): %s", call,
                kModel.archs, cudaGetErrorString(error));
  return fail(SWINRT_ERROR_CUDA, "%s failed: %s", call, cudaGetErrorString(error));
}

swinrt_status checkLaunch(const char *kernel) {
  cudaError_t error = cudaGetLastError();
  if (error != cudaSuccess)
    return cudaFailure(error, kernel);
  return SWINRT_OK;
}

void markLayer(Exec &ex, int layer) {
  Engine &e = *ex.engine;
  if (!e.profiling)
    return;
  if (e.nextEvent == e.eventPool.size()) {
    cudaEvent_t event;
    if (cudaEventCreate(&event) != cudaSuccess)
      return;
    e.eventPool.push_back(event);
  }
  cudaEvent_t event = e.eventPool[e.nextEvent++];
  cudaEventRecord(event, ex.stream);
  e.marks.emplace_back(layer, event);
}

namespace {

/// A weights file mapped read-only.
struct MappedWeights {
  void *map = nullptr;
  size_t size = 0;
  const char *payload = nullptr;
  MappedWeights() = default;
  MappedWeights(const MappedWeights &) = delete;
  MappedWeights &operator=(const MappedWeights &) = delete;
  ~MappedWeights() {
    if (map)
      munmap(map, size);
  }
};

/// Maps `path` and checks it against the library, without touching a GPU.
swinrt_status mapWeights(const std::string &path, MappedWeights &mapped) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(SWINRT_ERROR_IO, "%s: cannot open the weights file: %s", path.c_str(),
                strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail(SWINRT_ERROR_IO, "%s: not a regular file", path.c_str());
  }
  uint64_t size = (uint64_t)st.st_size;
  char message[512];
  if (size < SWINW_HEADER_BYTES) { // mmap refuses an empty file
    char head[SWINW_HEADER_BYTES];
    ssize_t got = read(fd, head, sizeof(head));
    close(fd);
    swinw_validate(head, got > 0 ? (uint64_t)got : 0, nullptr, message, sizeof(message), nullptr);
    return fail(SWINRT_ERROR_WEIGHTS, "%s: %s", path.c_str(), message);
  }
  void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED)
    return fail(SWINRT_ERROR_IO, "%s: mmap failed: %s", path.c_str(), strerror(errno));
  mapped.map = map;
  mapped.size = size;

  swinw_expected expected{kModel.modelHash, kModel.weightsBytes, kModel.payloadChecksum,
                          (int32_t)kModel.precision};
  const char *payload = nullptr;
  if (swinw_validate(map, size, &expected, message, sizeof(message), &payload) != SWINW_OK)
    return fail(SWINRT_ERROR_WEIGHTS, "%s: %s", path.c_str(), message);
  mapped.payload = payload;
  return SWINRT_OK;
}

/// The engine's debug settings from the environment (see swinrt.h); an
/// unknown value is refused rather than ignored.
swinrt_status readDebugSettings(DebugSettings &settings) {
  if (const char *gemm = getenv("SWINRT_GEMM"); gemm && *gemm) {
    if (strcmp(gemm, "reference") == 0)
      settings.referenceGemm = true;
    else if (strcmp(gemm, "auto") != 0)
      return fail(SWINRT_ERROR_INVALID_ARGUMENT,
                  "SWINRT_GEMM='%s' is neither 'auto' nor 'reference'", gemm);
  }
  if (const char *fault = getenv("SWINRT_INJECT_FAULT"); fault && *fault) {
    if (strcmp(fault, "graph-capture") != 0)
      return fail(SWINRT_ERROR_INVALID_ARGUMENT,
                  "SWINRT_INJECT_FAULT='%s' is not 'graph-capture'", fault);
    settings.injectCaptureFault = true;
  }
  return SWINRT_OK;
}

void release(Engine *e) {
  for (auto &entry : e->graphs)
    cudaGraphExecDestroy(entry.second);
  destroyPlans(*e);
  for (cudaEvent_t event : e->eventPool)
    cudaEventDestroy(event);
  if (e->lt)
    cublasLtDestroy(e->lt);
  cudaFree(e->ownInput);
  cudaFree(e->ownOutput);
  cudaFree(e->stageInput);
  cudaFree(e->stageOutput);
  cudaFree(e->workspace);
  cudaFree(e->arena);
  cudaFree(e->weights);
  if (e->lastWork)
    cudaEventDestroy(e->lastWork);
  if (e->captureStream)
    cudaStreamDestroy(e->captureStream);
  if (e->ownsStream)
    cudaStreamDestroy(e->stream);
  delete static_cast<swinrt_engine *>(e);
}

} // namespace

swinrt_status joinPreviousWork(Engine &e, cudaStream_t stream) {
  if (e.hasLastWork && stream != e.lastStream)
    SWINRT_CUDA(cudaStreamWaitEvent(stream, e.lastWork, 0));
  return SWINRT_OK;
}

swinrt_status recordWork(Engine &e, cudaStream_t stream) {
  SWINRT_CUDA(cudaEventRecord(e.lastWork, stream));
  e.lastStream = stream;
  e.hasLastWork = true;
  return SWINRT_OK;
}

swinrt_status checkEngineAndBatch(swinrt_engine *engine, int batch) {
  if (!engine)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "engine is null");
  if (batch < 1 || batch > kModel.maxBatch)
    return fail(SWINRT_ERROR_BATCH, "batch %d is outside [1, %d] (the maximum compiled in)",
                batch, kModel.maxBatch);
  return SWINRT_OK;
}

namespace {

swinrt_status checkRunArguments(swinrt_engine *engine, const void *input,
                                swinrt_dtype inputType, int batch) {
  if (engine && !input)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "input is null");
  if (engine && inputType != SWINRT_FLOAT32 && inputType != SWINRT_FLOAT16)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "input dtype %d is not FLOAT32 or FLOAT16",
                (int)inputType);
  return checkEngineAndBatch(engine, batch);
}

/// The arguments swinrt_benchmark and swinrt_profile share.
swinrt_status checkTimingArguments(swinrt_engine *engine, int batch, int iterations) {
  if (engine && iterations < 1)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "iterations must be at least 1");
  return checkEngineAndBatch(engine, batch);
}

size_t inputElements(int batch) {
  return (size_t)batch * kModel.inChannels * kModel.inHeight * kModel.inWidth;
}

/// Allocates the engine's own fp32 input and output; the input gets
/// random values (never zeros: they hide unwritten outputs and time faster).
swinrt_status ensureOwnBuffers(Engine &e) {
  if (e.ownInput)
    return SWINRT_OK;
  size_t n = inputElements(kModel.maxBatch);
  SWINRT_CUDA(cudaMalloc(&e.ownInput, n * sizeof(float)));
  SWINRT_CUDA(cudaMalloc(&e.ownOutput, (size_t)kModel.maxBatch * kModel.numClasses *
                                            sizeof(float)));
  std::vector<float> host(n);
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (float &v : host) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    v = (float)((state >> 40) & 0xffffff) / 16777216.0f * 4.0f - 2.0f;
  }
  SWINRT_CUDA(cudaMemcpy(e.ownInput, host.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  return SWINRT_OK;
}

} // namespace
} // namespace swinrt

using namespace swinrt;

extern "C" {

const char *swinrt_last_error(void) { return lastError.c_str(); }

const char *swinrt_status_string(swinrt_status status) {
  switch (status) {
  case SWINRT_OK: return "ok";
  case SWINRT_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case SWINRT_ERROR_NO_DEVICE: return "no CUDA device";
  case SWINRT_ERROR_WRONG_ARCH: return "wrong GPU architecture";
  case SWINRT_ERROR_BATCH: return "batch out of range";
  case SWINRT_ERROR_WEIGHTS: return "bad weights file";
  case SWINRT_ERROR_IO: return "I/O error";
  case SWINRT_ERROR_OUT_OF_MEMORY: return "out of device memory";
  case SWINRT_ERROR_CUDA: return "CUDA error";
  case SWINRT_ERROR_CUBLAS: return "cuBLASLt error";
  }
  return "unknown status";
}

const char *swinrt_layer_name(int layer) {
  static const char *const names[SWINRT_NUM_LAYERS] = {
      "patch embed", "LN+partition", "attention", "projection", "MLP fc1",
      "MLP fc2",     "merging",      "head",      "other"};
  return layer >= 0 && layer < SWINRT_NUM_LAYERS ? names[layer] : "unknown";
}

swinrt_status swinrt_get_info(swinrt_model_info *info) {
  if (!info)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "info is null");
  info->max_batch = kModel.maxBatch;
  info->in_channels = kModel.inChannels;
  info->in_height = kModel.inHeight;
  info->in_width = kModel.inWidth;
  info->num_classes = kModel.numClasses;
  info->precision = kModel.precisionName;
  info->archs = kModel.archs;
  info->arena_bytes = kModel.arenaBytes;
  info->weights_bytes = kModel.weightsBytes;
  info->model_hash = kModel.modelHash;
  return SWINRT_OK;
}

swinrt_status swinrt_create(const char *modelDir, int device, void *stream,
                            swinrt_engine **out) {
  if (!out)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "engine output pointer is null");
  *out = nullptr;
  if (!modelDir || !*modelDir)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "model folder is null or empty");
  if (device < 0)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "device %d is negative", device);

  // The settings and the weights file are checked before any device is
  // touched.
  DebugSettings settings;
  SWINRT_TRY(readDebugSettings(settings));
  MappedWeights weights;
  SWINRT_TRY(mapWeights(std::string(modelDir) + "/model.swinw", weights));
  int count = 0;
  cudaError_t error = cudaGetDeviceCount(&count);
  if (error != cudaSuccess || count == 0)
    return fail(SWINRT_ERROR_NO_DEVICE, "cudaGetDeviceCount: %s",
                error != cudaSuccess ? cudaGetErrorString(error) : "none found");
  if (device >= count)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "device %d does not exist (%d present)",
                device, count);

  auto *e = new swinrt_engine();
  e->device = device;
  e->modelDir = modelDir;
  e->debug = settings;
  DeviceScope scope(device);
  swinrt_status status = [&]() -> swinrt_status {
    SWINRT_CUDA(scope.error());
    cudaDeviceProp prop;
    SWINRT_CUDA(cudaGetDeviceProperties(&prop, device));
    swinrt_status init = kModel.init();
    if (init == SWINRT_ERROR_WRONG_ARCH)
      return fail(SWINRT_ERROR_WRONG_ARCH,
                  "the library is built for %s; device %d (%s) is sm_%d%d", kModel.archs,
                  device, prop.name, prop.major, prop.minor);
    SWINRT_TRY(init);
    SWINRT_CUDA(cudaMalloc(&e->weights, kModel.weightsBytes + kModel.derivedWeightsBytes));
    SWINRT_CUDA(cudaMemcpy(e->weights, weights.payload, kModel.weightsBytes,
                           cudaMemcpyHostToDevice));
    SWINRT_TRY(kModel.expandWeights(e->weights));
    SWINRT_CUDA(cudaStreamSynchronize(nullptr));
    if (stream) {
      e->stream = (cudaStream_t)stream;
    } else {
      // Captures need a real stream; a blocking one still orders with the
      // legacy default stream the caller asked for.
      SWINRT_CUDA(cudaStreamCreate(&e->stream));
      e->ownsStream = true;
    }
    SWINRT_CUDA(cudaStreamCreateWithFlags(&e->captureStream, cudaStreamNonBlocking));
    SWINRT_CUDA(cudaEventCreateWithFlags(&e->lastWork, cudaEventDisableTiming));
    SWINRT_CUDA(cudaMalloc(&e->arena, kModel.arenaBytes));
    SWINRT_CUDA(cudaMalloc(&e->workspace, kWorkspaceBytes));
    SWINRT_CUBLAS(cublasLtCreate(&e->lt));
    return loadTuning(*e, prop);
  }();
  if (status != SWINRT_OK) {
    release(e);
    return status;
  }
  *out = e;
  return SWINRT_OK;
}

swinrt_status swinrt_run(swinrt_engine *engine, const void *input, swinrt_dtype inputType,
                         void *output, swinrt_dtype outputType, int batch) {
  return swinrt_run_on_stream(engine, engine ? engine->stream : nullptr, input, inputType,
                              output, outputType, batch);
}

swinrt_status swinrt_run_on_stream(swinrt_engine *engine, void *streamHandle,
                                   const void *input, swinrt_dtype inputType, void *output,
                                   swinrt_dtype outputType, int batch) {
  SWINRT_TRY(checkRunArguments(engine, input, inputType, batch));
  if (!output)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "output is null");
  if (outputType != SWINRT_FLOAT32 && outputType != SWINRT_FLOAT16)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT,
                "output dtype %d is not FLOAT32 or FLOAT16", (int)outputType);
  Engine &e = *engine;
  std::lock_guard<std::recursive_mutex> hold(e.lock);
  DeviceScope scope(e.device);
  SWINRT_CUDA(scope.error());
  auto stream = (cudaStream_t)streamHandle;
  SWINRT_TRY(joinPreviousWork(e, stream));
  Exec ex = e.exec(stream);
  SWINRT_TRY(kModel.prologue(ex, input, inputType, batch));

  auto graph = e.graphs.find(batch);
  if (graph == e.graphs.end() && !e.graphsFailed) {
    // Captured on the engine's own stream (the caller's may be the legacy
    // default stream, which cannot capture) and replayed on the caller's.
    // GEMM plans are made during the capture (host-only cuBLASLt calls); a
    // failing heuristic query ends the capture and returns its error.
    cudaGraph_t captured = nullptr;
    Exec capture = e.exec(e.captureStream);
    SWINRT_CUDA(cudaStreamBeginCapture(e.captureStream, cudaStreamCaptureModeThreadLocal));
    swinrt_status body = kModel.body(capture, batch);
    if (e.debug.injectCaptureFault && body == SWINRT_OK)
      // A call that is illegal while capturing: CUDA itself invalidates the
      // capture, so the real failure path runs.
      if (cudaError_t illegal = cudaStreamSynchronize(e.captureStream); illegal != cudaSuccess)
        body = cudaFailure(illegal, "cudaStreamSynchronize (SWINRT_INJECT_FAULT=graph-capture)");
    cudaError_t end = cudaStreamEndCapture(e.captureStream, &captured);
    cudaGraphExec_t exec = nullptr;
    if (body == SWINRT_OK && end == cudaSuccess &&
        cudaGraphInstantiate(&exec, captured, 0) == cudaSuccess) {
      graph = e.graphs.emplace(batch, exec).first;
    } else {
      cudaGetLastError();
      if (body != SWINRT_OK && body != SWINRT_ERROR_CUDA) {
        if (captured)
          cudaGraphDestroy(captured);
        return body;
      }
      fprintf(stderr, "swinrt: CUDA graph capture failed (%s); running without graphs\n",
              body != SWINRT_OK ? lastError.c_str() : cudaGetErrorString(end));
      e.graphsFailed = true;
    }
    if (captured)
      cudaGraphDestroy(captured);
  }
  if (graph != e.graphs.end())
    SWINRT_CUDA(cudaGraphLaunch(graph->second, stream));
  else
    SWINRT_TRY(kModel.body(ex, batch));
  SWINRT_TRY(kModel.epilogue(ex, output, outputType, batch));
  return recordWork(e, stream);
}

swinrt_status swinrt_run_host(swinrt_engine *engine, const void *input,
                              swinrt_dtype inputType, void *output, swinrt_dtype outputType,
                              int batch) {
  SWINRT_TRY(checkRunArguments(engine, input, inputType, batch));
  if (!output)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "output is null");
  Engine &e = *engine;
  std::lock_guard<std::recursive_mutex> hold(e.lock);
  DeviceScope scope(e.device);
  SWINRT_CUDA(scope.error());
  if (!e.stageInput) {
    SWINRT_CUDA(cudaMalloc(&e.stageInput, inputElements(kModel.maxBatch) * sizeof(float)));
    SWINRT_CUDA(cudaMalloc(&e.stageOutput,
                           (size_t)kModel.maxBatch * kModel.numClasses * sizeof(float)));
  }
  size_t inBytes = inputElements(batch) * (inputType == SWINRT_FLOAT32 ? 4 : 2);
  size_t outCount = (size_t)batch * kModel.numClasses;
  size_t outBytes = outCount * (outputType == SWINRT_FLOAT32 ? 4 : 2);
  // The staging buffers are fp32-sized, so either dtype fits.
  SWINRT_TRY(joinPreviousWork(e, e.stream));
  SWINRT_CUDA(cudaMemcpyAsync(e.stageInput, input, inBytes, cudaMemcpyHostToDevice, e.stream));
  SWINRT_TRY(swinrt_run(engine, e.stageInput, inputType, e.stageOutput, outputType, batch));
  SWINRT_CUDA(
      cudaMemcpyAsync(output, e.stageOutput, outBytes, cudaMemcpyDeviceToHost, e.stream));
  SWINRT_CUDA(cudaStreamSynchronize(e.stream));
  return SWINRT_OK;
}

swinrt_status swinrt_benchmark(swinrt_engine *engine, int batch, int iterations,
                               double *medianMs, double *minMs) {
  if (engine && (!medianMs || !minMs))
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "median_ms or min_ms is null");
  SWINRT_TRY(checkTimingArguments(engine, batch, iterations));
  Engine &e = *engine;
  std::lock_guard<std::recursive_mutex> hold(e.lock);
  DeviceScope scope(e.device);
  SWINRT_CUDA(scope.error());
  SWINRT_TRY(ensureOwnBuffers(e));
  for (int i = 0; i < 10; ++i) // warm-up: graph capture, plans, clocks
    SWINRT_TRY(swinrt_run(engine, e.ownInput, SWINRT_FLOAT32, e.ownOutput, SWINRT_FLOAT32,
                          batch));
  cudaEvent_t start, stop;
  SWINRT_CUDA(cudaEventCreate(&start));
  SWINRT_CUDA(cudaEventCreate(&stop));
  std::vector<double> times;
  swinrt_status status = SWINRT_OK;
  for (int i = 0; i < iterations && status == SWINRT_OK; ++i) {
    cudaEventRecord(start, e.stream);
    status = swinrt_run(engine, e.ownInput, SWINRT_FLOAT32, e.ownOutput, SWINRT_FLOAT32,
                        batch);
    cudaEventRecord(stop, e.stream);
    float ms = 0.0f;
    cudaError_t error = cudaEventSynchronize(stop);
    if (error == cudaSuccess)
      error = cudaEventElapsedTime(&ms, start, stop);
    if (status == SWINRT_OK && error != cudaSuccess)
      status = cudaFailure(error, "cudaEventElapsedTime");
    times.push_back(ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  SWINRT_TRY(status);
  std::sort(times.begin(), times.end());
  *medianMs = times[times.size() / 2];
  *minMs = times.front();
  return SWINRT_OK;
}

swinrt_status swinrt_profile(swinrt_engine *engine, int batch, int iterations, double *ms) {
  if (engine && !ms)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "ms is null");
  SWINRT_TRY(checkTimingArguments(engine, batch, iterations));
  Engine &e = *engine;
  std::lock_guard<std::recursive_mutex> hold(e.lock);
  DeviceScope scope(e.device);
  SWINRT_CUDA(scope.error());
  SWINRT_TRY(ensureOwnBuffers(e));
  for (int i = 0; i < SWINRT_NUM_LAYERS; ++i)
    ms[i] = 0.0;
  SWINRT_TRY(joinPreviousWork(e, e.stream));
  Exec ex = e.exec(e.stream);
  for (int it = -1; it < iterations; ++it) { // it = -1 warms up
    e.profiling = true;
    e.marks.clear();
    e.nextEvent = 0;
    swinrt_status status = kModel.prologue(ex, e.ownInput, SWINRT_FLOAT32, batch);
    if (status == SWINRT_OK)
      status = kModel.body(ex, batch);
    markLayer(ex, SWINRT_NUM_LAYERS); // end mark
    e.profiling = false;
    SWINRT_TRY(status);
    SWINRT_TRY(recordWork(e, e.stream));
    SWINRT_CUDA(cudaStreamSynchronize(e.stream));
    if (it < 0)
      continue;
    for (size_t m = 0; m + 1 < e.marks.size(); ++m) {
      float elapsed = 0.0f;
      SWINRT_CUDA(cudaEventElapsedTime(&elapsed, e.marks[m].second, e.marks[m + 1].second));
      ms[e.marks[m].first] += elapsed / iterations;
    }
  }
  return SWINRT_OK;
}

swinrt_status swinrt_destroy(swinrt_engine *engine) {
  if (!engine)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "engine is null");
  DeviceScope scope(engine->device);
  release(engine);
  return SWINRT_OK;
}

} // extern "C"
