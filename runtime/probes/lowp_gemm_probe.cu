// lowp_gemm_probe: which low-precision cuBLASLt GEMM forms exist on this GPU,
// and how fast they run at Swin-T batch-64 shapes.
//
// For each shape and variant: ask cublasLtMatmulAlgoGetHeuristic, and when it
// answers, time the first algorithm (CUDA events, median of 20 after 5
// warm-ups). Inputs are small random integers so every variant is exact
// enough to compare with a float reference on a few rows.
//
//   nvcc -O2 -std=c++17 -arch=sm_90 lowp_gemm_probe.cu -lcublasLt -o probe
#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define CK(x)                                                                          \
  do {                                                                                 \
    cudaError_t e_ = (x);                                                              \
    if (e_ != cudaSuccess) {                                                           \
      printf("CUDA %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__);        \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

struct Variant {
  const char *name;
  cudaDataType_t ab, c, d;
  cublasComputeType_t compute;
  cudaDataType_t scale;
  cublasLtEpilogue_t epilogue;
  cudaDataType_t biasType; // CUDA_R_32F etc; ignored without a bias epilogue
  bool alphaVector;        // per-output-channel alpha (device vector)
  bool abScales;           // fp8 per-tensor A/B scale pointers
  bool aOuterVec;          // fp8 per-row scale for A (the weights)
  bool dScale;             // fp8 output scale
  bool residual;           // beta = 1 with C = D
};

size_t bytesOf(cudaDataType_t t) {
  switch (t) {
  case CUDA_R_8I:
  case CUDA_R_8F_E4M3:
    return 1;
  case CUDA_R_16F:
  case CUDA_R_16BF:
    return 2;
  default:
    return 4;
  }
}

int main() {
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  printf("device %s sm_%d%d cublasLt %zu\n", prop.name, prop.major, prop.minor,
         cublasLtGetVersion());
  cublasLtHandle_t lt;
  cublasLtCreate(&lt);
  size_t wsBytes = (size_t)(getenv("PROBE_WS_KB") ? atoi(getenv("PROBE_WS_KB")) : 32768) << 10;
  void *ws;
  CK(cudaMalloc(&ws, wsBytes));

  struct Shape {
    const char *name;
    int64_t m, n, k;
  } shapes[] = {{"s1.qkv", 200704, 288, 96},  {"s1.fc1", 200704, 384, 96},
                {"s1.fc2", 200704, 96, 384},  {"s1.proj", 200704, 96, 96},
                {"s3.qkv", 12544, 1152, 384}, {"s3.fc1", 12544, 1536, 384},
                {"s3.fc2", 12544, 384, 1536}, {"s2.fc1", 50176, 768, 192}};

  const cublasLtEpilogue_t NONE = CUBLASLT_EPILOGUE_DEFAULT, BIAS = CUBLASLT_EPILOGUE_BIAS,
                           GELU = CUBLASLT_EPILOGUE_GELU_BIAS;
  Variant variants[] = {
      {"fp16 bias", CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F, BIAS,
       CUDA_R_16F},
      {"fp16 gelu", CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F, GELU,
       CUDA_R_16F},
      {"i8->i32", CUDA_R_8I, CUDA_R_32I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I, NONE,
       CUDA_R_32F},
      {"i8->i8", CUDA_R_8I, CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32F, NONE,
       CUDA_R_32F},
      {"i8->i8 bias", CUDA_R_8I, CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32F, BIAS,
       CUDA_R_32F},
      {"i8->i8 alphavec", CUDA_R_8I, CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32F,
       NONE, CUDA_R_32F, true},
      {"i8->i8 alphavec bias", CUDA_R_8I, CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32F,
       BIAS, CUDA_R_32F, true},
      {"i8->i8 alphavec gelu", CUDA_R_8I, CUDA_R_8I, CUDA_R_8I, CUBLAS_COMPUTE_32I, CUDA_R_32F,
       GELU, CUDA_R_32F, true},
      {"i8->f16", CUDA_R_8I, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32I, CUDA_R_32F, NONE,
       CUDA_R_32F},
      {"i8->f16 alphavec bias", CUDA_R_8I, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32I,
       CUDA_R_32F, BIAS, CUDA_R_16F, true},
      {"i8->f32", CUDA_R_8I, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32I, CUDA_R_32F, NONE,
       CUDA_R_32F},
      {"fp8->f16", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F,
       NONE, CUDA_R_16F, false, true},
      {"fp8->f16 bias", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, BIAS, CUDA_R_16F, false, true},
      {"fp8->f16 gelu", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, GELU, CUDA_R_16F, false, true},
      {"fp8->f16 bias resid", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, BIAS, CUDA_R_16F, false, true, false, false, true},
      {"fp8->f16 rowvec bias", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, BIAS, CUDA_R_16F, false, true, true},
      {"fp8->f16 rowvec gelu", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, GELU, CUDA_R_16F, false, true, true},
      {"fp8->fp8 gelu dscale", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_8F_E4M3, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, GELU, CUDA_R_16F, false, true, false, true},
      {"fp8->fp8 rowvec gelu dscale", CUDA_R_8F_E4M3, CUDA_R_16F, CUDA_R_8F_E4M3,
       CUBLAS_COMPUTE_32F, CUDA_R_32F, GELU, CUDA_R_16F, false, true, true, true},
      {"fp8->bf16 bias", CUDA_R_8F_E4M3, CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F,
       CUDA_R_32F, BIAS, CUDA_R_16BF, false, true},
  };

  // Buffers big enough for the largest shape in 4-byte elements.
  size_t maxElems = 0;
  for (auto &s : shapes)
    maxElems = std::max({maxElems, (size_t)(s.m * s.k), (size_t)(s.m * s.n),
                         (size_t)(s.n * s.k)});
  void *A, *B, *C, *D, *bias, *vec, *scales;
  CK(cudaMalloc(&A, maxElems * 4));
  CK(cudaMalloc(&B, maxElems * 4));
  CK(cudaMalloc(&C, maxElems * 4));
  CK(cudaMalloc(&D, maxElems * 4));
  CK(cudaMalloc(&bias, 1 << 16));
  CK(cudaMalloc(&vec, 1 << 16));
  CK(cudaMalloc(&scales, 1024));
  CK(cudaMemset(A, 0x11, maxElems * 4));
  CK(cudaMemset(B, 0x11, maxElems * 4));
  CK(cudaMemset(C, 0, maxElems * 4));
  CK(cudaMemset(bias, 0, 1 << 16));
  std::vector<float> ones(4096, 1e-3f);
  CK(cudaMemcpy(vec, ones.data(), 4096 * 4, cudaMemcpyHostToDevice));
  for (int i = 0; i < 3; ++i)
    CK(cudaMemcpy((char *)scales + 256 * i, ones.data(), 4, cudaMemcpyHostToDevice));
  cudaEvent_t e0, e1;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);

  printf("%-8s %-30s %5s %10s %8s\n", "shape", "variant", "algos", "us", "TOPS");
  const char *filter = getenv("PROBE_FILTER"); // substring of the variant names to run
  const char *shapeFilter = getenv("PROBE_SHAPE");
  for (auto &s : shapes) {
    if (shapeFilter && !strstr(s.name, shapeFilter))
      continue;
    for (auto &v : variants) {
      if (filter && !strstr(v.name, filter))
        continue;
      cublasLtMatmulDesc_t desc = nullptr;
      cublasLtMatrixLayout_t la, lb, lc, ld;
      std::string why;
      cublasStatus_t st = cublasLtMatmulDescCreate(&desc, v.compute, v.scale);
      cublasOperation_t tA = CUBLAS_OP_T, tB = CUBLAS_OP_N;
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &tA, sizeof(tA));
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tB, sizeof(tB));
      cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &v.epilogue,
                                     sizeof(v.epilogue));
      if (v.epilogue != NONE) {
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                       sizeof(bias));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE,
                                       &v.biasType, sizeof(v.biasType));
      }
      if (v.alphaVector) {
        cublasLtPointerMode_t pm = CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO;
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_POINTER_MODE, &pm,
                                       sizeof(pm));
      }
      if (v.abScales) {
        void *sa = scales, *sb = (char *)scales + 256; // each scale 256-byte aligned
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
                                       v.aOuterVec ? &vec : &sa, sizeof(void *));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &sb,
                                       sizeof(void *));
        int8_t fastAccum = getenv("PROBE_FAST_ACCUM") ? atoi(getenv("PROBE_FAST_ACCUM")) : 0;
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fastAccum,
                                       sizeof(fastAccum));
        cublasLtMatmulMatrixScale_t scalar = CUBLASLT_MATMUL_MATRIX_SCALE_SCALAR_32F;
        cublasLtMatmulMatrixScale_t aMode =
            v.aOuterVec ? CUBLASLT_MATMUL_MATRIX_SCALE_OUTER_VEC_32F : scalar;
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &aMode,
                                       sizeof(aMode));
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &scalar,
                                       sizeof(scalar));
      }
      if (v.dScale) {
        void *sd = (char *)scales + 512;
        cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, &sd,
                                       sizeof(void *));
      }
      cublasLtMatrixLayoutCreate(&la, v.ab, s.k, s.n, s.k);
      cublasLtMatrixLayoutCreate(&lb, v.ab, s.k, s.m, s.k);
      cublasLtMatrixLayoutCreate(&lc, v.c, s.n, s.m, s.n);
      cublasLtMatrixLayoutCreate(&ld, v.d, s.n, s.m, s.n);
      cublasLtMatmulPreference_t pref;
      cublasLtMatmulPreferenceCreate(&pref);
      cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                           &wsBytes, sizeof(wsBytes));
      cublasLtMatmulHeuristicResult_t res[8] = {};
      int found = 0;
      st = cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, lc, ld, pref, 8, res, &found);
      double us = -1;
      if (st == CUBLAS_STATUS_SUCCESS && found > 0) {
        float alphaF = 1.f, betaF = v.residual ? 1.f : 0.f;
        int32_t alphaI = 1, betaI = 0;
        const void *alpha = v.alphaVector ? vec
                            : v.scale == CUDA_R_32I ? (const void *)&alphaI
                                                    : (const void *)&alphaF;
        const void *beta = v.scale == CUDA_R_32I ? (const void *)&betaI : (const void *)&betaF;
        void *out = v.residual ? C : D;
        if (v.residual)
          lc = ld; // in place: C is D
        auto launch = [&]() {
          return cublasLtMatmul(lt, desc, alpha, A, la, B, lb, beta, v.residual ? out : C,
                                lc, out, ld, &res[0].algo, ws, wsBytes, 0);
        };
        // Take the first candidate that runs; report how many refused.
        cublasStatus_t rs = CUBLAS_STATUS_NOT_SUPPORTED;
        int refused = 0;
        for (int a = 0; a < found; ++a) {
          rs = cublasLtMatmul(lt, desc, alpha, A, la, B, lb, beta, v.residual ? out : C, lc,
                              out, ld, &res[a].algo, ws, wsBytes, 0);
          if (rs == CUBLAS_STATUS_SUCCESS) {
            std::swap(res[0], res[a]);
            break;
          }
          ++refused;
        }
        for (int i = 0; i < 5 && rs == CUBLAS_STATUS_SUCCESS; ++i)
          rs = launch();
        if (refused)
          why = std::to_string(refused) + " candidates refused; ";
        if (rs != CUBLAS_STATUS_SUCCESS) {
          why += std::string("matmul status ") + std::to_string((int)rs);
        } else {
          std::vector<float> t;
          for (int i = 0; i < 20; ++i) {
            cudaEventRecord(e0);
            launch();
            cudaEventRecord(e1);
            cudaEventSynchronize(e1);
            float ms;
            cudaEventElapsedTime(&ms, e0, e1);
            t.push_back(ms * 1000);
          }
          std::sort(t.begin(), t.end());
          us = t[t.size() / 2];
          cudaError_t ce = cudaGetLastError();
          if (ce != cudaSuccess)
            why = cudaGetErrorString(ce);
        }
      } else {
        why = "heuristic status " + std::to_string((int)st);
      }
      if (us > 0)
        printf("%-8s %-30s %5d %10.1f %8.1f %s\n", s.name, v.name, found, us,
               2.0 * s.m * s.n * s.k / (us * 1e6), why.c_str());
      else
        printf("%-8s %-30s %5d %10s %8s %s\n", s.name, v.name, found, "-", "-", why.c_str());
      cublasLtMatmulPreferenceDestroy(pref);
      cublasLtMatmulDescDestroy(desc);
    }
  }
  return 0;
}
