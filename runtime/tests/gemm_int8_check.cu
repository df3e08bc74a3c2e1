// gemm_int8_check: swinrt's int8 GEMM against a CPU reference, on the GPU.
//
// Every shape, epilogue and output type runs on fresh random operands with
// the output poisoned first (twice, with different poison, so an element the
// kernel never writes cannot pass). The accumulation is exact (int32), so the
// reference differs only in the float epilogue's rounding: fp16 outputs must
// agree to 2^-10 relative (one fp16 ulp, plus 1e-3 absolute for values near
// zero); int8 outputs may differ by one step where v * inverse lands within
// float rounding of a .5 tie, and no further (at most 0.1% of elements).
//
// Then times the kernel at Swin-T batch-64 (and a few batch-1) GEMM shapes,
// on random operands, next to cuBLASLt's fp16 GEMM of the same shape with a
// bias epilogue (its first heuristic choice; the models autotune theirs).
// Each figure is the median over 20 replays of a CUDA graph of ten launches,
// as the models run: host-side launch work is not counted. `--time-only`
// skips the correctness cases (profiling runs).
//
//   nvcc -O2 -std=c++17 -gencode arch=compute_90a,code=sm_90a \
//     -gencode arch=compute_80,code=sm_80 -I runtime/include \
//     gemm_int8_check.cu -lcublasLt -o check
//
// (sm_90a for the wgmma kernel, which the check requires on Hopper.)
//
// With -DSWINRT_CHECK_SM90 it also checks and times the CUTLASS sm90
// kernels (gemm_int8_sm90.cuh) of gemm_int8_sm90_variants.cu: build that
// file four times (-DSWINRT_SM90_GROUP=0..3) with --expt-relaxed-constexpr
// -DNDEBUG and CUTLASS's include and tools/util/include directories, and
// link the objects in; runtime/tests/build_gemm_int8_check.sh does it all.
#include "check_util.h"
#include "swinrt/gemm_int8.cuh"
#ifdef SWINRT_CHECK_SM90
#include "gemm_int8_sm90_variants.h"
#endif

#include <cublasLt.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

using swinrt::Int8GemmArgs;

static float halfToFloat(uint16_t h) {
  __half v;
  memcpy(&v, &h, 2);
  return __half2float(v);
}
static uint16_t floatToHalf(float f) {
  __half v = __float2half_rn(f);
  uint16_t h;
  memcpy(&h, &v, 2);
  return h;
}

struct Case {
  int m, n, k;
  swinrt::Int8Activation activation;
  bool bias, residual, quantized;
  swinrt::Int8GemmShape shape = swinrt::Int8GemmShape::k64x4;
  const struct Sm90Variant *sm90 = nullptr; // a CUTLASS kernel instead
  bool inPlace = false;                     // residual aliases out
};

static int smCount() {
  static int count = [] {
    int device = 0, n = 0;
    CK(cudaGetDevice(&device));
    CK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device));
    return n;
  }();
  return count;
}

static cudaError_t launchCase(const Case &c, const Int8GemmArgs &a) {
#ifdef SWINRT_CHECK_SM90
  if (c.sm90)
    return c.sm90->launch(a, smCount(), 0);
#endif
  return swinrt::launchGemmInt8(a, c.quantized, 0, c.shape);
}

static const char *caseKernel(const Case &c) {
#ifdef SWINRT_CHECK_SM90
  if (c.sm90)
    return c.sm90->name;
#endif
  static char shape[16];
  snprintf(shape, sizeof shape, "shape %d", (int)c.shape);
  return shape;
}

static double activate(double v, swinrt::Int8Activation a) {
  if (a == swinrt::kInt8ActGeluErf)
    return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  if (a == swinrt::kInt8ActGeluTanh)
    return 0.5 * v * (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  return v;
}

static bool runCase(const Case &c, std::mt19937 &rng) {
  size_t mk = (size_t)c.m * c.k, nk = (size_t)c.n * c.k, mn = (size_t)c.m * c.n;
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<int8_t> x(mk), w(nk);
  for (auto &v : x) v = (int8_t)byte(rng);
  for (auto &v : w) v = (int8_t)byte(rng);
  // alpha ~ 1 / (k * 64) keeps outputs O(1) and inside int8 after scaling.
  std::vector<float> alpha(c.n);
  for (auto &v : alpha) v = (0.5f + 0.5f * std::fabs(unit(rng))) / (c.k * 16.0f);
  std::vector<uint16_t> bias(c.n), residual(mn);
  for (auto &v : bias) v = floatToHalf(unit(rng));
  for (auto &v : residual) v = floatToHalf(2.0f * unit(rng));
  float inverse = 24.0f;

  size_t outBytes = mn * (c.quantized ? 1 : 2);
  DeviceMemory memory;
  auto *dx = memory.allocate<int8_t>(mk);
  auto *dw = memory.allocate<int8_t>(nk);
  auto *dalpha = memory.allocate<float>(c.n * 4);
  auto *dbias = memory.allocate<__half>(c.n * 2);
  auto *dres = memory.allocate<__half>(mn * 2);
  auto *dout = memory.allocate<void>(outBytes);
  CK(cudaMemcpy(dx, x.data(), mk, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dw, w.data(), nk, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dalpha, alpha.data(), c.n * 4, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dbias, bias.data(), c.n * 2, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(dres, residual.data(), mn * 2, cudaMemcpyHostToDevice));

  Int8GemmArgs a{dx, dw, dalpha, c.bias ? dbias : nullptr, c.residual ? dres : nullptr,
                 dout, c.m, c.n, c.k, c.activation, inverse};
  if (c.inPlace)
    a.residual = static_cast<const __half *>(dout);
  if (const char *why = swinrt::checkGemmInt8(a)) {
    printf("FAIL m=%d n=%d k=%d: refused: %s\n", c.m, c.n, c.k, why);
    return false;
  }
  std::vector<unsigned char> got[2];
  const unsigned char poison[2] = {0xFF, 0x5A}; // fp16 0xFFFF is NaN
  for (int p = 0; p < 2; ++p) {
    // In place, out starts as the residual: an unwritten element keeps it
    // and fails the comparison instead.
    if (c.inPlace)
      CK(cudaMemcpy(dout, dres, mn * 2, cudaMemcpyDeviceToDevice));
    else
      CK(cudaMemset(dout, poison[p], outBytes));
    if (cudaError_t e = launchCase(c, a); e != cudaSuccess) {
      printf("FAIL %s m=%d n=%d k=%d: launch: %s\n", caseKernel(c), c.m, c.n, c.k,
             cudaGetErrorString(e));
      cudaGetLastError();
      return false;
    }
    CK(cudaDeviceSynchronize());
    got[p].resize(outBytes);
    CK(cudaMemcpy(got[p].data(), dout, outBytes, cudaMemcpyDeviceToHost));
  }

  size_t bad = 0, offByOne = 0, unwritten = 0;
  double worst = 0.0;
  for (int i = 0; i < c.m; ++i)
    for (int j = 0; j < c.n; ++j) {
      int64_t sum = 0;
      for (int kk = 0; kk < c.k; ++kk)
        sum += (int64_t)x[(size_t)i * c.k + kk] * w[(size_t)j * c.k + kk];
      double pre = (double)sum * alpha[j] + (c.bias ? halfToFloat(bias[j]) : 0.0);
      double v = activate(pre, c.activation);
      size_t at = (size_t)i * c.n + j;
      if (c.residual)
        v += halfToFloat(residual[at]);
      if (c.quantized) {
        if (got[0][at] != got[1][at]) {
          ++unwritten;
          continue;
        }
        double q = std::min(127.0, std::max(-128.0, std::nearbyint(v * inverse)));
        double d = std::fabs((double)(int8_t)got[0][at] - q);
        if (d == 1.0 && std::fabs(std::fabs(v * inverse - std::trunc(v * inverse)) - 0.5) < 1e-3)
          ++offByOne;
        else if (d != 0.0)
          ++bad;
        worst = std::max(worst, d);
      } else {
        uint16_t h0, h1;
        memcpy(&h0, &got[0][2 * at], 2);
        memcpy(&h1, &got[1][2 * at], 2);
        if (h0 != h1) {
          ++unwritten;
          continue;
        }
        double d = std::fabs(halfToFloat(h0) - v);
        // tanh.approx.f32 is good to 2^-10.99 relative: 0.5 |pre| 2^-10 more.
        double tol = std::ldexp(std::fabs(v), -10) + 1e-3 +
                     (c.activation == swinrt::kInt8ActGeluTanh ? std::ldexp(std::fabs(pre), -11)
                                                               : 0.0);
        if (!(d <= tol))
          ++bad;
        worst = std::max(worst, d / (std::fabs(v) + 1e-3));
      }
    }
  bool ok = bad == 0 && unwritten == 0 && offByOne <= mn / 1000 + 1;
  printf("%s %s m=%5d n=%4d k=%4d act=%d bias=%d residual=%d%s out=%s: bad %zu, unwritten "
         "%zu, off-by-one ties %zu, worst %s %.3g\n",
         ok ? "ok  " : "FAIL", caseKernel(c), c.m, c.n, c.k, (int)c.activation, c.bias,
         c.residual, c.inPlace ? " (in place)" : "", c.quantized ? "int8" : "fp16", bad,
         unwritten, offByOne,
         c.quantized ? "steps" : "rel", worst);
  return ok;
}

/// cuBLASLt fp16: out[m, n] = x[m, k] w[n, k]^T + bias, fp32 accumulation.
static double cublasFp16Us(int m, int n, int k) {
  static cublasLtHandle_t lt = [] {
    cublasLtHandle_t h;
    cublasLtCreate(&h);
    return h;
  }();
  size_t wsBytes = 32 << 20;
  DeviceMemory memory;
  void *x = memory.allocate<void>((size_t)m * k * 2);
  void *w = memory.allocate<void>((size_t)n * k * 2);
  void *out = memory.allocate<void>((size_t)m * n * 2);
  void *bias = memory.allocate<void>(n * 2);
  void *workspace = memory.allocate<void>(wsBytes);
  CK(cudaMemset(x, 0, (size_t)m * k * 2));
  CK(cudaMemset(w, 0, (size_t)n * k * 2));
  CK(cudaMemset(bias, 0, n * 2));
  cublasLtMatmulDesc_t desc;
  cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  cublasOperation_t transA = CUBLAS_OP_T;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &transA, sizeof(transA));
  cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi));
  cudaDataType_t biasType = CUDA_R_16F;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &biasType,
                                 sizeof(biasType));
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias));
  // Column-major view: out^T[n, m] = w[k, n]^T x^T[k, m].
  cublasLtMatrixLayout_t la, lb, lc;
  cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, k, n, k);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, k, m, k);
  cublasLtMatrixLayoutCreate(&lc, CUDA_R_16F, n, m, n);
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulPreferenceCreate(&pref);
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsBytes,
                                       sizeof(wsBytes));
  cublasLtMatmulHeuristicResult_t result;
  int found = 0;
  cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, lc, lc, pref, 1, &result, &found);
  double us = -1.0;
  if (found) {
    float alpha = 1.0f, beta = 0.0f;
    us = medianUs([&](cudaStream_t stream) {
      cublasLtMatmul(lt, desc, &alpha, w, la, x, lb, &beta, out, lc, out, lc, &result.algo,
                     workspace, wsBytes, stream);
    });
  }
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la);
  cublasLtMatrixLayoutDestroy(lb);
  cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(desc);
  return us;
}

#ifdef SWINRT_CHECK_SM90
static const std::vector<Sm90Variant> &sm90Variants() {
  static std::vector<Sm90Variant> all = [] {
    std::vector<Sm90Variant> v;
    for (auto group : {sm90VariantGroup0, sm90VariantGroup1, sm90VariantGroup2,
                       sm90VariantGroup3})
      for (const Sm90Variant &variant : group())
        v.push_back(variant);
    return v;
  }();
  return all;
}
#endif

/// Timing operands: x, w uniform int8 in [-64, 63], alpha in [1e-4, 2e-4)
/// (outputs of about +-2 at k = 96 to +-8 at k = 1536, one standard
/// deviation), bias and residual in [-1, 1).
static __global__ void fillTimingData(int8_t *x, size_t xCount, int8_t *w, size_t wCount,
                                      float *alpha, __half *bias, int n, __half *residual,
                                      size_t residualCount) {
  auto hash = [](size_t i) {
    uint32_t h = (uint32_t)i * 2654435761u ^ (uint32_t)(i >> 32);
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    return h;
  };
  size_t stride = (size_t)gridDim.x * blockDim.x;
  size_t first = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  for (size_t i = first; i < xCount; i += stride)
    x[i] = (int8_t)((int)(hash(i) & 127) - 64);
  for (size_t i = first; i < wCount; i += stride)
    w[i] = (int8_t)((int)(hash(i + 977) & 127) - 64);
  for (size_t i = first; i < (size_t)n; i += stride) {
    alpha[i] = 1e-4f * (1.0f + (hash(i + 31) & 255) / 256.0f);
    bias[i] = __float2half((float)(hash(i + 57) & 255) / 128.0f - 1.0f);
  }
  for (size_t i = first; i < residualCount; i += stride)
    residual[i] = __float2half((float)(hash(i + 91) & 255) / 128.0f - 1.0f);
}

static void timeShape(const char *name, int m, int n, int k, swinrt::Int8Activation act,
                      bool bias, bool residual, bool quantized) {
  DeviceMemory memory;
  auto *dx = memory.allocate<int8_t>((size_t)m * k);
  auto *dw = memory.allocate<int8_t>((size_t)n * k);
  auto *dalpha = memory.allocate<float>(n * 4);
  auto *dbias = memory.allocate<__half>(n * 2);
  auto *dres = memory.allocate<__half>((size_t)m * n * 2);
  auto *dout = memory.allocate<void>((size_t)m * n * 2);
  // Random operands with model-like ranges, so the epilogue's data-dependent
  // paths (erf's branches, saturation) run as they do in a model.
  fillTimingData<<<1024, 256>>>(dx, (size_t)m * k, dw, (size_t)n * k, dalpha, dbias, n,
                                dres, (size_t)m * n);
  CK(cudaGetLastError());
  Int8GemmArgs a{dx, dw, dalpha, bias ? dbias : nullptr, residual ? dres : nullptr, dout,
                 m, n, k, act, 1.0f};
  using S = swinrt::Int8GemmShape;
  S shapes[] = {S::k64x4, S::k128x4, S::kWgmma, S::kWgmma64, S::kWgmma64Wide, S::kAuto};
  constexpr int kShapes = sizeof(shapes) / sizeof(shapes[0]);
  double shapeUs[kShapes] = {};
  int timed = swinrt::wgmmaInt8Available() ? kShapes : 2;
  for (int i = 0; i < timed; ++i)
    shapeUs[i] = medianUs(
        [&](cudaStream_t stream) { CK(swinrt::launchGemmInt8(a, quantized, stream, shapes[i])); });
  double us = *std::min_element(shapeUs, shapeUs + timed);
  double fp16Us = cublasFp16Us(m, n, k);
  double tops = 2.0 * m * n * k / (us * 1e-6) / 1e12;
  double bytes = (double)m * k + (double)n * k + (double)m * n * (quantized ? 1 : 2) +
                 (residual ? (double)m * n * 2 : 0.0);
  printf("time %-16s m=%6d n=%4d k=%4d: best %6.1f TOPS %5.0f GB/s | cuBLASLt fp16+bias %7.1f "
         "us | int8 us by shape:",
         name, m, n, k, tops, bytes / (us * 1e-6) / 1e9, fp16Us);
  for (int i = 0; i < timed; ++i)
    printf(" %d:%.1f", (int)shapes[i], shapeUs[i]);
#ifdef SWINRT_CHECK_SM90
  printf(" | CUTLASS:");
  for (const Sm90Variant &v : sm90Variants())
    if (v.activation == act && v.residual == residual && v.quantized == quantized) {
      if (v.launch(a, smCount(), 0) != cudaSuccess) {
        cudaGetLastError();
        printf(" %s:-", v.name);
        continue;
      }
      printf(" %s:%.1f", v.name,
             medianUs([&](cudaStream_t stream) { CK(v.launch(a, smCount(), stream)); }));
    }
#endif
  printf("\n");
}

int main(int argc, char **argv) {
  // --time-only: skip the correctness cases (for profiling runs).
  bool timeOnly = argc > 1 && strcmp(argv[1], "--time-only") == 0;
  CK(swinrt::prepareGemmInt8());
  int device = 0;
  cudaDeviceProp properties;
  CK(cudaGetDevice(&device));
  CK(cudaGetDeviceProperties(&properties, device));
  bool wgmma = swinrt::wgmmaInt8Available();
  printf("%s (sm_%d%d): wgmma int8 kernel %s\n", properties.name, properties.major,
         properties.minor, wgmma ? "available" : "not available");
  if (properties.major == 9 && properties.minor == 0 && !wgmma) {
    printf("FAIL: a Hopper GPU without the wgmma kernel: build with "
           "-gencode arch=compute_90a,code=sm_90a\n");
    return 1;
  }
  std::mt19937 rng(20261125);
  std::vector<Case> cases;
  // Swin shapes (small M), tails in every dimension, every epilogue.
  int ms[] = {1, 7, 128, 200, 1000};
  int nks[][2] = {{288, 96}, {96, 96}, {384, 96}, {96, 384}, {192, 384},
                  {128, 128}, {512, 128}, {64, 48}, {50, 16}, {130, 272},
                  {768, 384}, {1152, 256}, {384, 1536}, {200, 304}};
  for (int m : ms)
    for (auto nk : nks)
      cases.push_back({m, nk[0], nk[1], swinrt::kInt8ActNone, true, false, false});
  for (int a = 0; a < 3; ++a)
    for (int flags = 0; flags < 8; ++flags)
      cases.push_back({333, 192, 160, (swinrt::Int8Activation)a, (flags & 1) != 0,
                       (flags & 2) != 0, (flags & 4) != 0});
  cases.push_back({3136, 384, 96, swinrt::kInt8ActGeluErf, true, false, true});
  cases.push_back({3136, 96, 384, swinrt::kInt8ActNone, true, true, false});
  cases.push_back({784, 192, 384, swinrt::kInt8ActNone, false, false, false});
  for (size_t i = 0, n = cases.size(); i < n; ++i)
    for (auto shape : {swinrt::Int8GemmShape::k128x4, swinrt::Int8GemmShape::kWgmma,
                       swinrt::Int8GemmShape::kWgmma64, swinrt::Int8GemmShape::kWgmma64Wide}) {
      if (shape != swinrt::Int8GemmShape::k128x4 && !wgmma)
        continue;
      Case c = cases[i];
      c.shape = shape;
      cases.push_back(c);
    }
#ifdef SWINRT_CHECK_SM90
  // The CUTLASS kernels need n % 16 == 0; the Swin shapes, tails in m,
  // and the residual in place (as the models' fc2 runs).
  if (properties.major == 9 && properties.minor == 0) {
    int sm90Ms[] = {1, 7, 200, 1000};
    int sm90Nks[][2] = {{288, 96}, {96, 96}, {384, 96}, {96, 384}, {192, 384}, {128, 128},
                        {64, 48}, {272, 144}, {768, 384}, {1152, 256}, {384, 1536}};
    for (const Sm90Variant &v : sm90Variants()) {
      CK(v.prepare());
      for (int m : sm90Ms)
        for (auto nk : sm90Nks) {
          Case c{m, nk[0], nk[1], v.activation, true, v.residual, v.quantized};
          c.sm90 = &v;
          if ((size_t)m * nk[0] * nk[1] <= 40000000)
            cases.push_back(c);
        }
      Case big{3136, 384, 96, v.activation, true, v.residual, v.quantized};
      big.sm90 = &v;
      cases.push_back(big);
      Case noBias{333, 192, 160, v.activation, false, v.residual, v.quantized};
      noBias.sm90 = &v;
      cases.push_back(noBias);
      if (v.residual && !v.quantized) {
        Case inPlace{1000, 96, 384, v.activation, true, true, false};
        inPlace.sm90 = &v;
        inPlace.inPlace = true;
        cases.push_back(inPlace);
      }
    }
  }
#endif
  int failed = 0;
  if (!timeOnly) {
    for (const Case &c : cases)
      failed += !runCase(c, rng);
    printf("%zu cases, %d failed\n", cases.size(), failed);
  }

  // Swin-T batch 64, stage 1 and 3 (fp16 cuBLASLt figures are in the
  // model's kernel profile).
  int m1 = 64 * 3136, m3 = 64 * 196;
  timeShape("s1 qkv", m1, 288, 96, swinrt::kInt8ActNone, true, false, false);
  timeShape("s1 proj", m1, 96, 96, swinrt::kInt8ActNone, true, false, false);
  timeShape("s1 qkv (int8)", m1, 288, 96, swinrt::kInt8ActNone, true, false, true);
  timeShape("s1 fc1 (int8)", m1, 384, 96, swinrt::kInt8ActGeluTanh, true, false, true);
  timeShape("s1 fc1 (erf)", m1, 384, 96, swinrt::kInt8ActGeluErf, true, false, true);
  timeShape("s1 fc2 (+res)", m1, 96, 384, swinrt::kInt8ActNone, true, true, false);
  timeShape("s3 qkv", m3, 1152, 384, swinrt::kInt8ActNone, true, false, false);
  timeShape("s3 qkv (int8)", m3, 1152, 384, swinrt::kInt8ActNone, true, false, true);
  timeShape("s3 fc1 (int8)", m3, 1536, 384, swinrt::kInt8ActGeluTanh, true, false, true);
  timeShape("s3 fc1 (erf)", m3, 1536, 384, swinrt::kInt8ActGeluErf, true, false, true);
  timeShape("s3 fc2 (+res)", m3, 384, 1536, swinrt::kInt8ActNone, true, true, false);
  timeShape("b1 s1 fc1 (int8)", 3136, 384, 96, swinrt::kInt8ActGeluTanh, true, false, true);
  timeShape("b1 s4 qkv", 49, 2304, 768, swinrt::kInt8ActNone, true, false, false);
  timeShape("b1 s4 fc2 (+res)", 49, 768, 3072, swinrt::kInt8ActNone, true, true, false);
  timeShape("big square", 8192, 8192, 8192, swinrt::kInt8ActNone, false, false, false);
  return failed == 0 ? 0 : 1;
}
