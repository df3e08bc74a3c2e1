//===- gemm_int8.cuh - int8 tensor-core GEMM with per-channel epilogues ---===//
//
//   out[m, c] = store(act(alpha[c] * sum_k x[m, k] w[c, k] + bias[c])
//                     + residual[m, c])
//
// x is int8 [M, K] and w int8 [N, K], both row-major; alpha[c] is the input
// scale times output channel c's weight scale (folded at compile time). The
// bias, residual and a 16-bit output are fp16; an int8 output is scaled by
// `outputInverse`, rounded to nearest even and saturated to [-128, 127], as
// swin.quantize is (kernels.cuh's fromFloat<int8_t>).
//
// Why our own GEMM: cuBLASLt's int8 GEMMs on sm_90 write only int8 or int32
// and take no per-channel alpha (runtime/probes/lowp_gemm_probe.cu).
//
// mma.sync m16n8k32 (sm_80 and newer, so also Jetson Orin). Block tiles of
// BM x BN x 64 bytes, 2 x WN warps (warp tiles BM/2 x BN/WN), a 3-stage
// cp.async pipeline whose tails are zero-filled. Shared rows are padded from
// 64 to 80 bytes so that ldmatrix and the copies hit distinct banks. The
// epilogue goes through shared memory so that global reads and writes are
// whole rows.
//
// On the H100 this runs at 40-60% of cuBLASLt's fp16 (wgmma) speed at Swin
// shapes: mma.sync peaks near 490 int8 TOPS there, under wgmma's fp16 rate.
// A wgmma int8 kernel is what would make int8 pay on Hopper.
//
// Needs K % 16 == 0 and N % 2 == 0 (16-byte copies, paired stores) and
// 16-byte aligned x and w; launchGemmInt8 checks.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_GEMM_INT8_CUH
#define SWINRT_GEMM_INT8_CUH

#include "swinrt/kernels.cuh"

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace swinrt {

enum Int8Activation { kInt8ActNone = 0, kInt8ActGeluTanh = 1, kInt8ActGeluErf = 2 };

struct Int8GemmArgs {
  const int8_t *x;
  const int8_t *w;
  const float *alpha;     // [n]
  const __half *bias;     // [n] or null
  const __half *residual; // [m, n] or null; may alias out
  void *out;              // [m, n]: __half, or int8_t when quantized
  int m, n, k;
  Int8Activation activation;
  float outputInverse; // int8 output only
};

namespace int8gemm {

constexpr int kBlockK = 64;
constexpr int kStages = 3;
template <int WN> __host__ __device__ constexpr int threads() { return 64 * WN; } // 2 x WN warps
constexpr int kRowBytes = kBlockK + 16;

template <int BM, int BN> __host__ __device__ constexpr int sharedBytes() {
  return kStages * (BM + BN) * kRowBytes;
}

__device__ __forceinline__ unsigned sharedAddress(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

/// 16 bytes from global to shared memory, or 16 zeros where `valid` is false.
__device__ __forceinline__ void copy16(void *shared, const void *global, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(sharedAddress(shared)),
               "l"(global), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void commitCopies() { asm volatile("cp.async.commit_group;\n" ::); }
template <int Pending> __device__ __forceinline__ void waitCopies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
}

__device__ __forceinline__ void ldmatrixX4(unsigned (&r)[4], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(sharedAddress(p)));
}
__device__ __forceinline__ void ldmatrixX2(unsigned (&r)[2], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];\n"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(sharedAddress(p)));
}

__device__ __forceinline__ void mmaS8(int (&c)[4], const unsigned (&a)[4],
                                      const unsigned (&b)[2]) {
  asm volatile("mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, "
               "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
               : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ __forceinline__ float activate(float v, Int8Activation activation) {
  if (activation == kInt8ActGeluErf)
    return geluErf(v);
  if (activation == kInt8ActGeluTanh) { // tanh.approx: 2^-11 relative, like cuBLASLt's
    float u = 0.7978845608028654f * (v + 0.044715f * v * v * v), th;
    asm("tanh.approx.f32 %0, %1;" : "=f"(th) : "f"(u));
    return 0.5f * v * (1.0f + th);
  }
  return v;
}

__device__ __forceinline__ void storeQuad(__half *p, float4 v, float) {
  __half2 lo = __floats2half2_rn(v.x, v.y), hi = __floats2half2_rn(v.z, v.w);
  uint2 bits;
  bits.x = *reinterpret_cast<unsigned *>(&lo);
  bits.y = *reinterpret_cast<unsigned *>(&hi);
  *reinterpret_cast<uint2 *>(p) = bits;
}
__device__ __forceinline__ void storeQuad(int8_t *p, float4 v, float inverse) {
  char4 q;
  q.x = toOutput<int8_t>(v.x, inverse);
  q.y = toOutput<int8_t>(v.y, inverse);
  q.z = toOutput<int8_t>(v.z, inverse);
  q.w = toOutput<int8_t>(v.w, inverse);
  *reinterpret_cast<char4 *>(p) = q;
}

/// Loads k tile `kt` of x's block rows and w's block columns into `stage`.
template <int BM, int BN, int WN>
__device__ __forceinline__ void loadStage(const Int8GemmArgs &a, unsigned char *sA,
                                          unsigned char *sB, int blockRow, int blockCol,
                                          int kt) {
  int k0 = kt * kBlockK;
  for (int c = threadIdx.x; c < BM * 4; c += threads<WN>()) {
    int r = c / 4, kk = k0 + (c % 4) * 16, row = blockRow + r;
    bool valid = row < a.m && kk < a.k;
    copy16(sA + r * kRowBytes + (c % 4) * 16, valid ? a.x + (size_t)row * a.k + kk : a.x,
           valid);
  }
  for (int c = threadIdx.x; c < BN * 4; c += threads<WN>()) {
    int r = c / 4, kk = k0 + (c % 4) * 16, col = blockCol + r;
    bool valid = col < a.n && kk < a.k;
    copy16(sB + r * kRowBytes + (c % 4) * 16, valid ? a.w + (size_t)col * a.k + kk : a.w,
           valid);
  }
}

} // namespace int8gemm

template <int BM, int BN, int WN, typename TOut>
__global__ void __launch_bounds__(int8gemm::threads<WN>()) gemm_s8(Int8GemmArgs a) {
  using namespace int8gemm;
  constexpr int kWarpM = BM / 2, kWarpN = BN / WN, kTilesM = kWarpM / 16, kTilesN = kWarpN / 8;
  static_assert(kWarpN % 8 == 0, "BN must be a multiple of 8 * WN");
  constexpr int kThreads = threads<WN>();
  extern __shared__ __align__(16) unsigned char shared[];
  unsigned char *sA = shared;
  unsigned char *sB = shared + kStages * BM * kRowBytes;
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  int warpRow = (warp / WN) * kWarpM, warpCol = (warp % WN) * kWarpN;
  int blockRow = blockIdx.y * BM, blockCol = blockIdx.x * BN;
  int kTiles = (a.k + kBlockK - 1) / kBlockK;

  int acc[kTilesM][kTilesN][4] = {};

  // ldmatrix row addresses: A's four 8x16-byte matrices are (rows 0-7 | 8-15)
  // x (k 0-15 | 16-31); B's two are n 0-7 x (k 0-15 | 16-31).
  int aRow = ((lane / 8) & 1) * 8 + lane % 8, aK = (lane / 16) * 16;
  int bRow = lane % 8, bK = ((lane / 8) & 1) * 16;

#pragma unroll
  for (int s = 0; s < kStages - 1; ++s) {
    if (s < kTiles)
      loadStage<BM, BN, WN>(a, sA + s * BM * kRowBytes, sB + s * BN * kRowBytes, blockRow,
                    blockCol, s);
    commitCopies();
  }
  for (int kt = 0; kt < kTiles; ++kt) {
    waitCopies<kStages - 2>();
    __syncthreads(); // tile kt is in; every warp is done with tile kt - 1
    int next = kt + kStages - 1;
    if (next < kTiles) {
      int stage = next % kStages;
      loadStage<BM, BN, WN>(a, sA + stage * BM * kRowBytes, sB + stage * BN * kRowBytes,
                    blockRow, blockCol, next);
    }
    commitCopies();
    const unsigned char *tA = sA + (kt % kStages) * BM * kRowBytes;
    const unsigned char *tB = sB + (kt % kStages) * BN * kRowBytes;
#pragma unroll
    for (int ks = 0; ks < kBlockK; ks += 32) {
      if (kt * kBlockK + ks >= a.k)
        break; // a zero-filled tail (k % 64 == 32)
      unsigned af[kTilesM][4], bf[kTilesN][2];
#pragma unroll
      for (int i = 0; i < kTilesM; ++i)
        ldmatrixX4(af[i], tA + (warpRow + 16 * i + aRow) * kRowBytes + ks + aK);
#pragma unroll
      for (int j = 0; j < kTilesN; ++j)
        ldmatrixX2(bf[j], tB + (warpCol + 8 * j + bRow) * kRowBytes + ks + bK);
#pragma unroll
      for (int i = 0; i < kTilesM; ++i)
#pragma unroll
        for (int j = 0; j < kTilesN; ++j)
          mmaS8(acc[i][j], af[i], bf[j]);
    }
  }
  waitCopies<0>();

  // Epilogue, in two passes of 64 rows through shared memory (the pipeline's
  // buffers are free now) so that the residual loads and the output stores
  // are whole rows: first the warps of that half write alpha * acc + bias,
  // activated, as floats (lane (g, t) holds rows g and g + 8, columns 2t and
  // 2t + 1 of each 16 x 8 tile); then every thread finishes 4 columns.
  __syncthreads();
  float *staged = reinterpret_cast<float *>(shared);
  constexpr int kStagedStride = BN + 8; // float2 writes conflict-free
  static_assert(kWarpM * kStagedStride * 4 <= sharedBytes<BM, BN>(),
                "staging fits the pipeline");
  int g = lane / 4, t = lane % 4;
  TOut *out = static_cast<TOut *>(a.out);
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    if (warp / WN == half) {
#pragma unroll
      for (int j = 0; j < kTilesN; ++j) {
        int local = warpCol + 8 * j + 2 * t, col = blockCol + local;
        float alpha0 = 0.0f, alpha1 = 0.0f, bias0 = 0.0f, bias1 = 0.0f;
        if (col < a.n) { // n is even: col + 1 < n too
          alpha0 = a.alpha[col];
          alpha1 = a.alpha[col + 1];
          if (a.bias) {
            bias0 = __half2float(a.bias[col]);
            bias1 = __half2float(a.bias[col + 1]);
          }
        }
#pragma unroll
        for (int i = 0; i < kTilesM; ++i)
#pragma unroll
          for (int h = 0; h < 2; ++h) {
            float2 v;
            v.x = activate(acc[i][j][2 * h] * alpha0 + bias0, a.activation);
            v.y = activate(acc[i][j][2 * h + 1] * alpha1 + bias1, a.activation);
            *reinterpret_cast<float2 *>(staged + (16 * i + g + 8 * h) * kStagedStride +
                                        local) = v;
          }
      }
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < kWarpM * (BN / 4); idx += kThreads) {
      int r = idx / (BN / 4), local = 4 * (idx % (BN / 4));
      int row = blockRow + kWarpM * half + r, col = blockCol + local;
      if (row >= a.m || col >= a.n)
        continue;
      float4 v = *reinterpret_cast<const float4 *>(staged + r * kStagedStride + local);
      size_t at = (size_t)row * a.n + col;
      if (a.n % 4 == 0) {
        if (a.residual) {
          uint2 bits = *reinterpret_cast<const uint2 *>(a.residual + at);
          float2 r0 = __half22float2(*reinterpret_cast<const __half2 *>(&bits.x));
          float2 r1 = __half22float2(*reinterpret_cast<const __half2 *>(&bits.y));
          v.x += r0.x;
          v.y += r0.y;
          v.z += r1.x;
          v.w += r1.y;
        }
        storeQuad(out + at, v, a.outputInverse);
      } else { // rows not 4-aligned: pairs (n is even)
        float values[4] = {v.x, v.y, v.z, v.w};
        for (int e = 0; e < 4 && col + e < a.n; e += 2) {
          if (a.residual) {
            float2 r = __half22float2(*reinterpret_cast<const __half2 *>(a.residual + at + e));
            values[e] += r.x;
            values[e + 1] += r.y;
          }
          storePair(out + at + e, values[e], values[e + 1], a.outputInverse);
        }
      }
    }
    __syncthreads();
  }
}

namespace int8gemm {

/// The widest block that divides n (Swin's widths are multiples of 96 or
/// 128); 64 with a predicated tail otherwise.
inline int blockN(int n) { return n % 128 == 0 ? 128 : n % 96 == 0 ? 96 : 64; }

template <int BM, int BN, int WN, typename TOut>
cudaError_t launch(const Int8GemmArgs &a, cudaStream_t s) {
  dim3 grid((a.n + BN - 1) / BN, (a.m + BM - 1) / BM);
  gemm_s8<BM, BN, WN, TOut><<<grid, threads<WN>(), sharedBytes<BM, BN>(), s>>>(a);
  return cudaGetLastError();
}

template <int BM, int BN, int WN>
cudaError_t launch(const Int8GemmArgs &a, bool quantized, cudaStream_t s) {
  return quantized ? launch<BM, BN, WN, int8_t>(a, s) : launch<BM, BN, WN, __half>(a, s);
}

template <int BM, int BN, int WN> cudaError_t allowShared() {
  cudaError_t e = cudaFuncSetAttribute(gemm_s8<BM, BN, WN, __half>,
                                       cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       sharedBytes<BM, BN>());
  if (e != cudaSuccess)
    return e;
  return cudaFuncSetAttribute(gemm_s8<BM, BN, WN, int8_t>,
                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                              sharedBytes<BM, BN>());
}

/// Every block width of one block shape.
template <int BM, int WN> cudaError_t allowSharedAll() {
  cudaError_t errors[] = {allowShared<BM, 128, WN>(), allowShared<BM, 96, WN>(),
                          allowShared<BM, 64, WN>()};
  for (cudaError_t e : errors)
    if (e != cudaSuccess)
      return e;
  return cudaSuccess;
}

template <int BM, int WN>
cudaError_t launchShape(const Int8GemmArgs &a, bool quantized, cudaStream_t s) {
  switch (blockN(a.n)) {
  case 128:
    return launch<BM, 128, WN>(a, quantized, s);
  case 96:
    return launch<BM, 96, WN>(a, quantized, s);
  default:
    return launch<BM, 64, WN>(a, quantized, s);
  }
}

} // namespace int8gemm

/// Block shapes, rows x warps across the columns (2 warps down the rows).
/// 64 x 4 is the fastest at every Swin GEMM measured on the H100; 128 x 4
/// at large square GEMMs; 2-warp-wide blocks were slower everywhere
/// (runtime/tests/gemm_int8_check.cu, docs/quantization.md).
enum class Int8GemmShape { k64x4, k128x4 };

/// Raises the kernels' dynamic shared-memory limit; once, before any launch
/// (and outside stream capture).
inline cudaError_t prepareGemmInt8() {
  using namespace int8gemm;
  cudaError_t errors[] = {allowSharedAll<64, 4>(), allowSharedAll<128, 4>()};
  for (cudaError_t e : errors)
    if (e != cudaSuccess)
      return e;
  return cudaSuccess;
}

/// Whether launchGemmInt8 takes these arguments; a message where not.
inline const char *checkGemmInt8(const Int8GemmArgs &a) {
  if (a.m < 0 || a.n <= 0 || a.k <= 0)
    return "the int8 GEMM needs positive n and k";
  if (a.k % 16 != 0 || a.n % 2 != 0)
    return "the int8 GEMM needs k % 16 == 0 and n % 2 == 0";
  if (!a.x || !a.w || !a.alpha || !a.out)
    return "the int8 GEMM needs x, w, alpha and out";
  if (reinterpret_cast<uintptr_t>(a.x) % 16 != 0 || reinterpret_cast<uintptr_t>(a.w) % 16 != 0)
    return "the int8 GEMM needs 16-byte aligned operands";
  return nullptr;
}

/// Launches on `stream`; `quantizedOutput` selects an int8 `out`.
inline cudaError_t launchGemmInt8(const Int8GemmArgs &a, bool quantizedOutput,
                                  cudaStream_t stream,
                                  Int8GemmShape shape = Int8GemmShape::k64x4) {
  using namespace int8gemm;
  if (a.m == 0)
    return cudaSuccess;
  return shape == Int8GemmShape::k128x4 ? launchShape<128, 4>(a, quantizedOutput, stream)
                                        : launchShape<64, 4>(a, quantizedOutput, stream);
}

} // namespace swinrt

#endif // SWINRT_GEMM_INT8_CUH
