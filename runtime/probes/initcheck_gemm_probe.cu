// initcheck_gemm_probe: whether compute-sanitizer's initcheck counts the
// output of a cuBLASLt GEMM as initialized. One fp16 GEMM with a bias
// epilogue (the shape of Swin-T's patch embedding at batch 1: 3136 x 96 x
// 48) writes a fresh cudaMalloc buffer; a plain kernel then reads every
// element. Run it under `compute-sanitizer --tool initcheck`: a report in
// `read_all` means initcheck did not see the GEMM's stores (Hopper's GEMMs
// store through TMA), so reports on memory a GEMM wrote are not findings.
// The same read after a cudaMemset of the buffer is the control.
//
//   nvcc -O2 -std=c++17 -arch=sm_90 initcheck_gemm_probe.cu -lcublasLt -o probe
//   compute-sanitizer --tool initcheck ./probe
#include <cublasLt.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdio>
#include <vector>

__global__ void read_all(const __half *p, int n, float *sum) {
  float s = 0;
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
    s += __half2float(p[i]);
  atomicAdd(sum, s);
}

int main() {
  const int m = 3136, n = 96, k = 48;
  cublasLtHandle_t lt;
  cublasLtCreate(&lt);
  std::vector<__half> host(size_t(m) * k + size_t(n) * k + n, __float2half(0.25f));
  __half *x, *w, *bias, *out, *control;
  float *sum;
  cudaMalloc(&x, sizeof(__half) * m * k);
  cudaMalloc(&w, sizeof(__half) * n * k);
  cudaMalloc(&bias, sizeof(__half) * n);
  cudaMalloc(&out, sizeof(__half) * m * n);
  cudaMalloc(&control, sizeof(__half) * m * n);
  cudaMalloc(&sum, sizeof(float));
  cudaMemcpy(x, host.data(), sizeof(__half) * m * k, cudaMemcpyHostToDevice);
  cudaMemcpy(w, host.data(), sizeof(__half) * n * k, cudaMemcpyHostToDevice);
  cudaMemcpy(bias, host.data(), sizeof(__half) * n, cudaMemcpyHostToDevice);
  cudaMemset(control, 0, sizeof(__half) * m * n);
  cudaMemset(sum, 0, sizeof(float));

  // Column-major view: out^T[n, m] = w[n, k] * x^T[k, m], as libswinrt does.
  cublasLtMatmulDesc_t desc;
  cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof(t));
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof(nt));
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue,
                                 sizeof(epilogue));
  cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias));
  cublasLtMatrixLayout_t la, lb, lc;
  cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, k, n, k);
  cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, k, m, k);
  cublasLtMatrixLayoutCreate(&lc, CUDA_R_16F, n, m, n);
  cublasLtMatmulPreference_t pref;
  cublasLtMatmulPreferenceCreate(&pref);
  size_t workspaceBytes = 32 << 20;
  void *workspace;
  cudaMalloc(&workspace, workspaceBytes);
  cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                       &workspaceBytes, sizeof(workspaceBytes));
  cublasLtMatmulHeuristicResult_t result;
  int found = 0;
  cublasLtMatmulAlgoGetHeuristic(lt, desc, la, lb, lc, lc, pref, 1, &result, &found);
  if (!found) {
    std::printf("no cuBLASLt algorithm\n");
    return 1;
  }
  float alpha = 1, beta = 0;
  cublasStatus_t status = cublasLtMatmul(lt, desc, &alpha, w, la, x, lb, &beta, out, lc, out, lc,
                                         &result.algo, workspace, workspaceBytes, 0);
  std::printf("cuBLASLt GEMM: status %d\n", int(status));
  std::printf("reading the GEMM's output (a report here: initcheck missed its stores)\n");
  read_all<<<64, 256>>>(out, m * n, sum);
  cudaDeviceSynchronize();
  std::printf("reading a cudaMemset buffer (control: no report expected)\n");
  read_all<<<64, 256>>>(control, m * n, sum);
  float total = 0;
  cudaMemcpy(&total, sum, sizeof(float), cudaMemcpyDeviceToHost);
  // Every output is 48 * 0.25 * 0.25 + 0.25 = 3.25.
  std::printf("sum %.1f (expected %.1f)\n", total, 3.25 * m * n);
  return 0;
}
