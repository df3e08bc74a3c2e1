//===- gemm.cu - cuBLASLt plans, autotuning and the tuning cache ----------===//
//
// Each GEMM site of the model gets one plan per batch size: its cuBLASLt
// descriptors and an algorithm. The algorithm is cuBLASLt's first heuristic
// choice, unless swinrt_autotune timed the heuristic's candidates on this
// GPU. Tuned choices persist in the model folder, in one text file per GPU
// model, which swinrt_create reads back:
//
//   swinrt-tuning 1
//   model <model hash> cublaslt <cublasLtGetVersion()>
//   gemm <site> <batch> <the 8 words of cublasLtMatmulAlgo_t, hex>
//
// cuBLASLt documents cublasLtMatmulAlgo_t as serialisable for the same
// library version, and every restored algorithm is checked with
// cublasLtMatmulAlgoCheck before use. A file written for another compile of
// the model or another cuBLASLt is stale and ignored (with one line on
// stderr); a malformed file is refused with its line number.
//
//===----------------------------------------------------------------------===//

#include "engine.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <tuple>

#include <unistd.h>

namespace swinrt {
namespace {

constexpr int kTuningVersion = 1;
constexpr int kMaxCandidates = 64;

cudaDataType_t storageType() {
  switch (kModel.precision) {
  case kFp16:
  case kFp8:
  case kInt8:
    return CUDA_R_16F;
  case kBf16:
    return CUDA_R_16BF;
  default:
    return CUDA_R_32F;
  }
}

size_t storageBytes() {
  return kModel.precision == kFp32 || kModel.precision == kTf32 ? 4 : 2;
}

void destroyPlan(GemmPlan &plan) {
  if (plan.a)
    cublasLtMatrixLayoutDestroy(plan.a);
  if (plan.b)
    cublasLtMatrixLayoutDestroy(plan.b);
  if (plan.c)
    cublasLtMatrixLayoutDestroy(plan.c);
  if (plan.d)
    cublasLtMatrixLayoutDestroy(plan.d);
  if (plan.desc)
    cublasLtMatmulDescDestroy(plan.desc);
  plan = GemmPlan{};
}

/// A plan that destroys itself unless released.
struct ScopedPlan {
  GemmPlan plan;
  ~ScopedPlan() { destroyPlan(plan); }
  GemmPlan release() {
    GemmPlan out = plan;
    plan = GemmPlan{};
    return out;
  }
};

cublasLtMatrixLayout_t outputLayout(const GemmPlan &plan) { return plan.d ? plan.d : plan.c; }

/// cuBLASLt's C: the residual, or (beta = 0, so never read) the output
/// when C and D share a type; an E4M3 D cannot stand for an fp16 C.
const void *matrixC(const GemmSpec &spec, const void *residual, const void *out) {
  return spec.residual ? residual : spec.quantizedOutput ? nullptr : out;
}

/// E4M3 sites read their scales from the device: they must have them.
swinrt_status checkScales(const GemmSpec &spec, const GemmScales *scales) {
  if (spec.operands == kOperandsE4M3 && !scales)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "E4M3 GEMM '%s' has no scales", spec.name);
  return SWINRT_OK;
}

/// The descriptors of `spec` at `batch`, with `bias` in the epilogue and,
/// for E4M3 sites, `scales`.
swinrt_status describe(const GemmSpec &spec, int batch, const void *bias,
                       const GemmScales *scales, GemmPlan &plan) {
  int64_t m = (int64_t)spec.rowsPerImage * batch;
  cublasComputeType_t compute =
      kModel.precision == kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  cudaDataType_t type = storageType();
  bool e4m3 = spec.operands == kOperandsE4M3;
  SWINRT_TRY(checkScales(spec, scales));
  SWINRT_CUBLAS(cublasLtMatmulDescCreate(&plan.desc, compute, CUDA_R_32F));
  // Row-major out[m, n] = x[m, k] w[n, k]^T is column-major
  // out^T[n, m] = (w^T)^T... : A = w (k x n, transposed), B = x (k x m).
  cublasOperation_t transA = CUBLAS_OP_T, transB = CUBLAS_OP_N;
  SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                               &transA, sizeof(transA)));
  SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                               &transB, sizeof(transB)));
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  if (spec.epilogue == kEpilogueBias)
    epilogue = CUBLASLT_EPILOGUE_BIAS;
  else if (spec.epilogue == kEpilogueGeluBias)
    epilogue = CUBLASLT_EPILOGUE_GELU_BIAS;
  SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                               &epilogue, sizeof(epilogue)));
  if (spec.epilogue != kEpilogueNone) {
    SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(
        plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
    // The bias stays in the storage type (FP8 sites default to another).
    SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(
        plan.desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &type, sizeof(type)));
  }
  cudaDataType_t operandType = e4m3 ? CUDA_R_8F_E4M3 : type;
  if (e4m3) {
    // A is w and B is x (see above); D is multiplied by outputInverse.
    const void *w = &scales->weight, *x = &scales->input, *d = &scales->outputInverse;
    SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(
        plan.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &w, sizeof(w)));
    SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(
        plan.desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &x, sizeof(x)));
    if (spec.quantizedOutput)
      SWINRT_CUBLAS(cublasLtMatmulDescSetAttribute(
          plan.desc, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, &d, sizeof(d)));
  }
  SWINRT_CUBLAS(cublasLtMatrixLayoutCreate(&plan.a, operandType, spec.k, spec.n, spec.k));
  SWINRT_CUBLAS(cublasLtMatrixLayoutCreate(&plan.b, operandType, spec.k, m, spec.k));
  SWINRT_CUBLAS(cublasLtMatrixLayoutCreate(&plan.c, type, spec.n, m, spec.n));
  if (spec.quantizedOutput)
    SWINRT_CUBLAS(cublasLtMatrixLayoutCreate(&plan.d, CUDA_R_8F_E4M3, spec.n, m, spec.n));
  return SWINRT_OK;
}

/// Up to `count` heuristic candidates for a described plan, best first.
swinrt_status heuristicCandidates(Engine &e, const GemmSpec &spec, int batch,
                                  const GemmPlan &plan, int count,
                                  std::vector<cublasLtMatmulHeuristicResult_t> &results) {
  cublasLtMatmulPreference_t preference;
  SWINRT_CUBLAS(cublasLtMatmulPreferenceCreate(&preference));
  size_t workspace = kWorkspaceBytes;
  cublasLtMatmulPreferenceSetAttribute(preference,
                                       CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                       &workspace, sizeof(workspace));
  results.assign(count, cublasLtMatmulHeuristicResult_t{});
  int found = 0;
  cublasStatus_t status =
      cublasLtMatmulAlgoGetHeuristic(e.lt, plan.desc, plan.a, plan.b, plan.c,
                                     outputLayout(plan), preference, count, results.data(),
                                     &found);
  cublasLtMatmulPreferenceDestroy(preference);
  if (status != CUBLAS_STATUS_SUCCESS || found == 0)
    return fail(SWINRT_ERROR_CUBLAS,
                "cublasLtMatmulAlgoGetHeuristic found no algorithm for GEMM '%s' "
                "(m=%lld n=%d k=%d): %s",
                spec.name, (long long)spec.rowsPerImage * batch, spec.n, spec.k,
                cublasLtGetStatusString(status));
  results.resize(found);
  return SWINRT_OK;
}

/// The plan of site `id` at `batch`: the tuned algorithm where one is
/// known and cuBLASLt accepts it for these descriptors, else the
/// heuristic's first choice.
swinrt_status createPlan(Engine &e, int id, int batch, const void *bias,
                         const GemmScales *scales, GemmPlan &out) {
  const GemmSpec &spec = kModel.gemms[id];
  ScopedPlan scoped;
  GemmPlan &plan = scoped.plan;
  SWINRT_TRY(describe(spec, batch, bias, scales, plan));
  auto tuned = e.tuned.find({id, batch});
  cublasLtMatmulHeuristicResult_t check{};
  if (tuned != e.tuned.end() &&
      cublasLtMatmulAlgoCheck(e.lt, plan.desc, plan.a, plan.b, plan.c, outputLayout(plan),
                              &tuned->second, &check) == CUBLAS_STATUS_SUCCESS &&
      check.workspaceSize <= kWorkspaceBytes) {
    plan.algo = tuned->second;
  } else {
    std::vector<cublasLtMatmulHeuristicResult_t> results;
    SWINRT_TRY(heuristicCandidates(e, spec, batch, plan, 1, results));
    plan.algo = results[0].algo;
  }
  out = scoped.release();
  return SWINRT_OK;
}

std::string tuningFileName(const cudaDeviceProp &prop) {
  std::string name = "tuning-";
  for (const char *c = prop.name; *c; ++c)
    name += (isalnum((unsigned char)*c) || *c == '-') ? *c : '_';
  return name + "-sm" + std::to_string(prop.major) + std::to_string(prop.minor) + ".txt";
}

swinrt_status malformed(const std::string &path, int line, const char *what) {
  return fail(SWINRT_ERROR_IO,
              "%s:%d: malformed tuning file (%s); delete it or run swinrt_autotune "
              "again",
              path.c_str(), line, what);
}

swinrt_status saveTuning(const Engine &e) {
  std::string temporary = e.tuningPath + ".partial-" + std::to_string(getpid());
  FILE *f = fopen(temporary.c_str(), "w");
  if (!f)
    return fail(SWINRT_ERROR_IO, "%s: cannot write the tuning file: %s", temporary.c_str(),
                strerror(errno));
  fprintf(f, "swinrt-tuning %d\nmodel %016" PRIx64 " cublaslt %zu\n", kTuningVersion,
          kModel.modelHash, cublasLtGetVersion());
  for (const auto &[key, algo] : e.tuned) {
    fprintf(f, "gemm %d %d", key.first, key.second);
    for (uint64_t word : algo.data)
      fprintf(f, " %016" PRIx64, word);
    fputc('\n', f);
  }
  bool written = !ferror(f);
  written &= fclose(f) == 0;
  if (!written || rename(temporary.c_str(), e.tuningPath.c_str()) != 0) {
    int error = errno;
    unlink(temporary.c_str());
    return fail(SWINRT_ERROR_IO, "%s: cannot write the tuning file: %s",
                e.tuningPath.c_str(), strerror(error));
  }
  return SWINRT_OK;
}

/// Fills `count` elements of T with values in [-1, 1) from a hash: timing
/// on zeros flatters the GEMMs.
template <typename T>
__global__ void fillOperand(T *data, size_t count, uint32_t seed) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count)
    return;
  uint32_t h = (uint32_t)i * 2654435761u ^ seed;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  float v = (float)(h & 0xffff) / 32768.0f - 1.0f;
  if constexpr (sizeof(T) == 4)
    data[i] = v;
  else
    data[i] = T(v);
}

/// Fills `count` elements of the storage type (or E4M3).
swinrt_status fill(void *data, size_t count, uint32_t seed, cudaStream_t stream,
                   bool e4m3 = false) {
  unsigned blocks = (unsigned)((count + 255) / 256);
  if (e4m3)
    fillOperand<<<blocks, 256, 0, stream>>>((__nv_fp8_e4m3 *)data, count, seed);
  else if (storageType() == CUDA_R_16F)
    fillOperand<<<blocks, 256, 0, stream>>>((__half *)data, count, seed);
  else if (storageType() == CUDA_R_16BF)
    fillOperand<<<blocks, 256, 0, stream>>>((__nv_bfloat16 *)data, count, seed);
  else
    fillOperand<<<blocks, 256, 0, stream>>>((float *)data, count, seed);
  return checkLaunch("fillOperand");
}

/// Device scratch freed on scope exit.
struct Scratch {
  std::vector<void *> buffers;
  ~Scratch() {
    for (void *b : buffers)
      cudaFree(b);
  }
  swinrt_status allocate(size_t bytes, void *&out) {
    SWINRT_CUDA(cudaMalloc(&out, std::max<size_t>(bytes, 256)));
    buffers.push_back(out);
    return SWINRT_OK;
  }
};

/// Times one GEMM call with `algo`: the best mean of three runs of five
/// calls, after two warm-ups. Negative if the algorithm does not run.
float timeAlgorithm(Engine &e, const GemmPlan &plan, const cublasLtMatmulAlgo_t &algo,
                    const void *x, const void *w, const void *c, void *out, float beta,
                    cudaEvent_t start, cudaEvent_t stop) {
  float alpha = 1.0f;
  auto call = [&] {
    return cublasLtMatmul(e.lt, plan.desc, &alpha, w, plan.a, x, plan.b, &beta, c, plan.c,
                          out, outputLayout(plan), &algo, e.workspace, kWorkspaceBytes,
                          e.stream);
  };
  for (int i = 0; i < 2; ++i)
    if (call() != CUBLAS_STATUS_SUCCESS)
      return -1.0f;
  float best = -1.0f;
  for (int rep = 0; rep < 3; ++rep) {
    cudaEventRecord(start, e.stream);
    for (int i = 0; i < 5; ++i)
      call();
    cudaEventRecord(stop, e.stream);
    float ms = 0.0f;
    if (cudaEventSynchronize(stop) != cudaSuccess ||
        cudaEventElapsedTime(&ms, start, stop) != cudaSuccess)
      return -1.0f;
    ms /= 5.0f;
    if (best < 0.0f || ms < best)
      best = ms;
  }
  return best;
}

/// Storage-type and E4M3 values as float, and back.
__device__ float toFloat(float v) { return v; }
__device__ float toFloat(__half v) { return __half2float(v); }
__device__ float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ float toFloat(__nv_fp8_e4m3 v) { return float(v); }
template <typename T> __device__ T fromFloat(float v) { return T(v); }
template <> __device__ __half fromFloat<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

constexpr int kReferenceTile = 16;

/// cuBLASLt's D = act(scale * x w^T + C + bias), D optionally E4M3 after
/// `outInverse`, in 16 x 16 output tiles with fp32 accumulation. Slow, but
/// every global load and store is a plain one, which compute-sanitizer's
/// initcheck tracks (Hopper's GEMMs store through TMA, which it does not).
template <typename Operand, typename T, typename Out>
__global__ void referenceGemmKernel(const Operand *x, const Operand *w, const T *bias,
                                    const T *residual, Out *out, int m, int n, int k,
                                    GemmEpilogue epilogue, const GemmScales *scales) {
  __shared__ float xTile[kReferenceTile][kReferenceTile + 1];
  __shared__ float wTile[kReferenceTile][kReferenceTile + 1];
  int tx = threadIdx.x, ty = threadIdx.y;
  int row = blockIdx.y * kReferenceTile + ty, col = blockIdx.x * kReferenceTile + tx;
  int wRow = blockIdx.x * kReferenceTile + ty; // the w row this thread loads
  float acc = 0.f;
  for (int k0 = 0; k0 < k; k0 += kReferenceTile) {
    int kk = k0 + tx;
    xTile[ty][tx] = row < m && kk < k ? toFloat(x[(size_t)row * k + kk]) : 0.f;
    wTile[ty][tx] = wRow < n && kk < k ? toFloat(w[(size_t)wRow * k + kk]) : 0.f;
    __syncthreads();
    for (int i = 0; i < kReferenceTile; ++i)
      acc += xTile[ty][i] * wTile[tx][i];
    __syncthreads();
  }
  if (row >= m || col >= n)
    return;
  if (scales)
    acc *= scales->weight.value * scales->input.value;
  if (epilogue != kEpilogueNone)
    acc += toFloat(bias[col]);
  if (residual)
    acc += toFloat(residual[(size_t)row * n + col]);
  if (epilogue == kEpilogueGeluBias)
    acc = 0.5f * acc * (1.f + tanhf(0.7978845608f * (acc + 0.044715f * acc * acc * acc)));
  if (scales && sizeof(Out) == 1)
    acc *= scales->outputInverse.value;
  out[(size_t)row * n + col] = fromFloat<Out>(acc);
}

template <typename T>
swinrt_status launchReferenceGemm(const GemmSpec &spec, int batch, const void *x,
                                  const void *w, const void *bias, const void *residual,
                                  void *out, const GemmScales *scales, cudaStream_t stream) {
  int m = spec.rowsPerImage * batch;
  dim3 block(kReferenceTile, kReferenceTile);
  dim3 grid((spec.n + kReferenceTile - 1) / kReferenceTile,
            (m + kReferenceTile - 1) / kReferenceTile);
  auto *b = static_cast<const T *>(bias);
  auto *r = spec.residual ? static_cast<const T *>(residual) : nullptr;
  if (spec.operands == kOperandsE4M3) {
    auto *x8 = static_cast<const __nv_fp8_e4m3 *>(x);
    auto *w8 = static_cast<const __nv_fp8_e4m3 *>(w);
    if (spec.quantizedOutput)
      referenceGemmKernel<<<grid, block, 0, stream>>>(
          x8, w8, b, r, static_cast<__nv_fp8_e4m3 *>(out), m, spec.n, spec.k, spec.epilogue,
          scales);
    else
      referenceGemmKernel<<<grid, block, 0, stream>>>(x8, w8, b, r, static_cast<T *>(out), m,
                                                      spec.n, spec.k, spec.epilogue, scales);
  } else {
    referenceGemmKernel<<<grid, block, 0, stream>>>(
        static_cast<const T *>(x), static_cast<const T *>(w), b, r, static_cast<T *>(out), m,
        spec.n, spec.k, spec.epilogue, static_cast<const GemmScales *>(nullptr));
  }
  SWINRT_CUDA(cudaGetLastError());
  return SWINRT_OK;
}

/// `gemm` through referenceGemmKernel (SWINRT_GEMM=reference).
swinrt_status referenceGemm(Exec &ex, int id, int batch, const void *x, const void *w,
                            const void *bias, const void *residual, void *out,
                            const GemmScales *scales) {
  const GemmSpec &spec = kModel.gemms[id];
  SWINRT_TRY(checkScales(spec, scales));
  switch (storageType()) {
  case CUDA_R_16F:
    return launchReferenceGemm<__half>(spec, batch, x, w, bias, residual, out, scales,
                                       ex.stream);
  case CUDA_R_16BF:
    return launchReferenceGemm<__nv_bfloat16>(spec, batch, x, w, bias, residual, out, scales,
                                              ex.stream);
  default:
    return launchReferenceGemm<float>(spec, batch, x, w, bias, residual, out, scales,
                                      ex.stream);
  }
}

} // namespace

void destroyPlans(Engine &e) {
  for (auto &entry : e.plans)
    destroyPlan(entry.second);
  e.plans.clear();
}

swinrt_status gemm(Exec &ex, int id, int batch, const void *x, const void *w,
                   const void *bias, const void *residual, void *out,
                   const GemmScales *scales) {
  Engine &e = *ex.engine;
  if (e.debug.referenceGemm)
    return referenceGemm(ex, id, batch, x, w, bias, residual, out, scales);
  const GemmSpec &spec = kModel.gemms[id];
  auto key = std::make_pair(id, batch);
  auto it = e.plans.find(key);
  if (it == e.plans.end()) {
    GemmPlan plan;
    SWINRT_TRY(createPlan(e, id, batch, bias, scales, plan));
    it = e.plans.emplace(key, plan).first;
  }
  GemmPlan &plan = it->second;
  float alpha = 1.0f, beta = spec.residual ? 1.0f : 0.0f;
  SWINRT_CUBLAS(cublasLtMatmul(e.lt, plan.desc, &alpha, w, plan.a, x, plan.b, &beta,
                               matrixC(spec, residual, out),
                               plan.c, out, outputLayout(plan), &plan.algo, e.workspace,
                               kWorkspaceBytes, ex.stream));
  return SWINRT_OK;
}

swinrt_status loadTuning(Engine &e, const cudaDeviceProp &prop) {
  e.tuningPath = e.modelDir + "/" + tuningFileName(prop);
  FILE *f = fopen(e.tuningPath.c_str(), "r");
  if (!f) {
    if (errno == ENOENT)
      return SWINRT_OK;
    return fail(SWINRT_ERROR_IO, "%s: cannot read the tuning file: %s",
                e.tuningPath.c_str(), strerror(errno));
  }
  struct Closer {
    FILE *f;
    ~Closer() { fclose(f); }
  } closer{f};
  char line[512];
  int number = 0;
  std::map<std::pair<int, int>, cublasLtMatmulAlgo_t> entries;
  bool stale = false;
  while (fgets(line, sizeof(line), f)) {
    ++number;
    size_t length = strlen(line);
    if (length == sizeof(line) - 1 && line[length - 1] != '\n')
      return malformed(e.tuningPath, number, "line too long");
    int version = 0, consumed = 0;
    if (number == 1) {
      if (sscanf(line, "swinrt-tuning %d %n", &version, &consumed) != 1 ||
          line[consumed] != '\0')
        return malformed(e.tuningPath, number, "no 'swinrt-tuning' header");
      if (version != kTuningVersion)
        return malformed(e.tuningPath, number, "unknown version");
      continue;
    }
    if (number == 2) {
      uint64_t hash = 0;
      size_t version = 0;
      if (sscanf(line, "model %" SCNx64 " cublaslt %zu %n", &hash, &version, &consumed) !=
              2 ||
          line[consumed] != '\0')
        return malformed(e.tuningPath, number, "no 'model ... cublaslt ...' line");
      stale = hash != kModel.modelHash || version != cublasLtGetVersion();
      continue;
    }
    int id = 0, batch = 0;
    cublasLtMatmulAlgo_t algo{};
    uint64_t *d = algo.data;
    if (sscanf(line,
               "gemm %d %d %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
               " %" SCNx64 " %" SCNx64 " %" SCNx64 " %n",
               &id, &batch, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7],
               &consumed) != 10 ||
        line[consumed] != '\0')
      return malformed(e.tuningPath, number, "expected 'gemm SITE BATCH' and 8 hex words");
    if (id < 0 || id >= kModel.numGemms || batch < 1 || batch > kModel.maxBatch)
      return malformed(e.tuningPath, number, "GEMM site or batch out of range");
    entries[{id, batch}] = algo;
  }
  if (ferror(f))
    return fail(SWINRT_ERROR_IO, "%s: cannot read the tuning file", e.tuningPath.c_str());
  if (number < 2)
    return malformed(e.tuningPath, number + 1, "truncated");
  if (stale) {
    fprintf(stderr,
            "swinrt: ignoring %s: it was tuned for another compile of the model or "
            "another cuBLASLt\n",
            e.tuningPath.c_str());
    return SWINRT_OK;
  }
  e.tuned = std::move(entries);
  return SWINRT_OK;
}

} // namespace swinrt

using namespace swinrt;

extern "C" {

swinrt_status swinrt_autotune(swinrt_engine *engine, int batch, int candidates,
                              double *heuristicMs, double *tunedMs) {
  SWINRT_TRY(checkEngineAndBatch(engine, batch));
  if (candidates < 1 || candidates > kMaxCandidates)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "candidates must be in [1, %d], not %d",
                kMaxCandidates, candidates);
  Engine &e = *engine;
  std::lock_guard<std::recursive_mutex> hold(e.lock);
  DeviceScope scope(e.device);
  SWINRT_CUDA(scope.error());

  // Sites with the same shape, types and epilogue share one timing.
  std::map<std::tuple<int, int, int, int, bool, int, bool>, std::vector<int>> shapes;
  size_t xCount = 0, wCount = 0, outCount = 0, biasCount = 0;
  for (int id = 0; id < kModel.numGemms; ++id) {
    const GemmSpec &s = kModel.gemms[id];
    if (s.operands == kOperandsInt8)
      continue; // our own kernel (gemm_int8.cuh), not cuBLASLt's
    shapes[{s.rowsPerImage, s.n, s.k, (int)s.epilogue, s.residual, (int)s.operands,
            s.quantizedOutput}]
        .push_back(id);
    size_t m = (size_t)s.rowsPerImage * batch;
    xCount = std::max(xCount, m * s.k);
    wCount = std::max(wCount, (size_t)s.n * s.k);
    outCount = std::max(outCount, m * s.n);
    biasCount = std::max(biasCount, (size_t)s.n);
  }
  SWINRT_TRY(joinPreviousWork(e, e.stream)); // the workspace is shared
  // Storage-type and E4M3 copies of the operands; scales of 1.
  Scratch scratch;
  void *x, *w, *out, *bias, *x8, *w8, *out8, *scaleBlock;
  size_t bytes = storageBytes();
  SWINRT_TRY(scratch.allocate(xCount * bytes, x));
  SWINRT_TRY(scratch.allocate(wCount * bytes, w));
  SWINRT_TRY(scratch.allocate(outCount * bytes, out));
  SWINRT_TRY(scratch.allocate(biasCount * bytes, bias));
  SWINRT_TRY(scratch.allocate(xCount, x8));
  SWINRT_TRY(scratch.allocate(wCount, w8));
  SWINRT_TRY(scratch.allocate(outCount, out8));
  SWINRT_TRY(scratch.allocate(sizeof(GemmScales), scaleBlock));
  SWINRT_TRY(fill(x, xCount, 1, e.stream));
  SWINRT_TRY(fill(w, wCount, 2, e.stream));
  SWINRT_TRY(fill(out, outCount, 3, e.stream));
  SWINRT_TRY(fill(bias, biasCount, 4, e.stream));
  SWINRT_TRY(fill(x8, xCount, 5, e.stream, /*e4m3=*/true));
  SWINRT_TRY(fill(w8, wCount, 6, e.stream, /*e4m3=*/true));
  GemmScales ones{{1.0f}, {1.0f}, {1.0f}};
  SWINRT_CUDA(cudaMemcpyAsync(scaleBlock, &ones, sizeof(ones), cudaMemcpyHostToDevice,
                              e.stream));
  const GemmScales *scales = static_cast<const GemmScales *>(scaleBlock);

  cudaEvent_t start, stop;
  SWINRT_CUDA(cudaEventCreate(&start));
  if (cudaError_t error = cudaEventCreate(&stop); error != cudaSuccess) {
    cudaEventDestroy(start);
    return cudaFailure(error, "cudaEventCreate(&stop)");
  }
  std::map<std::pair<int, int>, cublasLtMatmulAlgo_t> chosen;
  double heuristicTotal = 0.0, tunedTotal = 0.0;
  swinrt_status status = [&]() -> swinrt_status {
    for (const auto &[shape, sites] : shapes) {
      const GemmSpec &spec = kModel.gemms[sites.front()];
      ScopedPlan scoped;
      SWINRT_TRY(describe(spec, batch, bias, scales, scoped.plan));
      std::vector<cublasLtMatmulHeuristicResult_t> results;
      SWINRT_TRY(heuristicCandidates(e, spec, batch, scoped.plan, candidates, results));
      float beta = spec.residual ? 1.0f : 0.0f;
      bool e4m3 = spec.operands == kOperandsE4M3;
      const void *xs = e4m3 ? x8 : x, *ws = e4m3 ? w8 : w;
      void *outs = spec.quantizedOutput ? out8 : out;
      const void *cs = matrixC(spec, out, outs);
      int best = -1;
      float bestMs = 0.0f, firstMs = -1.0f;
      for (size_t i = 0; i < results.size(); ++i) {
        float ms = timeAlgorithm(e, scoped.plan, results[i].algo, xs, ws, cs, outs, beta,
                                 start, stop);
        cudaGetLastError(); // a candidate that fails to launch is skipped
        if (ms < 0.0f)
          continue;
        if (firstMs < 0.0f)
          firstMs = ms;
        if (best < 0 || ms < bestMs) {
          best = (int)i;
          bestMs = ms;
        }
      }
      if (best < 0)
        return fail(SWINRT_ERROR_CUBLAS,
                    "autotuning: none of the %zu cuBLASLt candidates for GEMM '%s' ran",
                    results.size(), spec.name);
      heuristicTotal += (double)firstMs * sites.size();
      tunedTotal += (double)bestMs * sites.size();
      for (int id : sites)
        chosen[{id, batch}] = results[best].algo;
    }
    return SWINRT_OK;
  }();
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  SWINRT_TRY(status);
  SWINRT_TRY(recordWork(e, e.stream));
  SWINRT_CUDA(cudaStreamSynchronize(e.stream));

  // Later runs at this batch re-plan and re-capture with the tuned choice.
  for (const auto &[key, algo] : chosen)
    e.tuned[key] = algo;
  for (auto it = e.plans.begin(); it != e.plans.end();) {
    if (it->first.second == batch) {
      destroyPlan(it->second);
      it = e.plans.erase(it);
    } else {
      ++it;
    }
  }
  if (auto graph = e.graphs.find(batch); graph != e.graphs.end()) {
    cudaGraphExecDestroy(graph->second);
    e.graphs.erase(graph);
  }
  if (heuristicMs)
    *heuristicMs = heuristicTotal;
  if (tunedMs)
    *tunedMs = tunedTotal;
  return saveTuning(e);
}

const char *swinrt_tuning_file(const swinrt_engine *engine) {
  return engine ? engine->tuningPath.c_str() : "";
}

} // extern "C"
