//===- kernels.cuh - kernel templates instantiated by generated models ----===//
//
// Every template takes the model's shapes as compile-time parameters, so a
// generated model instantiates exactly the kernels it needs, with loop
// bounds and index arithmetic folded. Activations are row-major [rows, C]
// in the model's storage type T (float, __half or __nv_bfloat16);
// LayerNorm parameters and position biases are float. Arithmetic and
// statistics are in fp32.
//
// Shifted-window masks arrive as one group id per (window, token),
// `maskGroups[NW][N]`: a query attends with weight 0 to the keys of its
// own group and adds `maskValue` (the export's -100) to the others. The
// emitter derives the ids from the export's dense [NW, N, N] mask and
// refuses masks of any other form.
//
// Row kernels give one warp to each row: kRowsPerBlock rows per block of
// 256 threads, and lane l holds elements l, l + 32, ... in registers.
//
// Kernels that produce a GEMM input take an output type TO: T, or an 8-bit
// type (__nv_fp8_e4m3 or int8_t) when a quantize point is fused into them. They then
// write quantize(v) = saturate(round(v * outScale)), outScale being the
// reciprocal of the point's scale, as swin/Quant/QuantMath.h defines it.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_KERNELS_CUH
#define SWINRT_KERNELS_CUH

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <math_constants.h>

#include "swinrt/position_bias.h"

#include <cstdint>

namespace swinrt {

constexpr int kRowThreads = 256;
constexpr int kRowsPerBlock = kRowThreads / 32;

__device__ __forceinline__ float toFloat(float v) { return v; }
__device__ __forceinline__ float toFloat(__half v) { return __half2float(v); }
__device__ __forceinline__ float toFloat(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ __forceinline__ T fromFloat(float v);
template <> __device__ __forceinline__ float fromFloat<float>(float v) { return v; }
template <> __device__ __forceinline__ __half fromFloat<__half>(float v) {
  return __float2half_rn(v);
}
template <> __device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}
/// Round to nearest even, saturating at +-448 (NaN stays NaN).
template <> __device__ __forceinline__ __nv_fp8_e4m3 fromFloat<__nv_fp8_e4m3>(float v) {
  __nv_fp8_e4m3 q;
  q.__x = __nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
  return q;
}

/// Round to nearest even, saturating to [-128, 127]; NaN becomes 0 (as
/// QuantMath). Clamped first, then rounded by adding 1.5 * 2^23, whose float
/// grid near there is the integers: the low byte of the sum's bits is q.
/// Full-rate float ops instead of F2I, which shares the 16-per-clock pipe
/// with tanh.approx in the GELU epilogues.
template <> __device__ __forceinline__ int8_t fromFloat<int8_t>(float v) {
  float clamped = v == v ? fminf(fmaxf(v, -128.0f), 127.0f) : 0.0f;
  return static_cast<int8_t>(__float_as_int(clamped + 12582912.0f) & 0xFF);
}

template <typename T> constexpr bool kIsQuantized = sizeof(T) == 1;

/// GELU, erf form.
__device__ __forceinline__ float geluErf(float v) {
  return 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
}

__device__ __forceinline__ uint8_t bitsOf(__nv_fp8_e4m3 v) { return v.__x; }
__device__ __forceinline__ uint8_t bitsOf(int8_t v) { return static_cast<uint8_t>(v); }

/// `v` in TO: scaled by `outScale` and rounded where TO is 8-bit.
template <typename TO> __device__ __forceinline__ TO toOutput(float v, float outScale) {
  if constexpr (kIsQuantized<TO>)
    return fromFloat<TO>(v * outScale);
  else
    return fromFloat<TO>(v);
}

__device__ __forceinline__ float warpSum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ __forceinline__ float warpMax(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1)
    v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

/// One row of C values spread over a warp.
template <int C> struct LaneRow {
  static constexpr int kCount = (C + 31) / 32;
  float v[kCount];

  template <typename T> __device__ __forceinline__ void load(const T *row, int lane) {
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
      int c = lane + 32 * i;
      v[i] = c < C ? toFloat(row[c]) : 0.0f;
    }
  }

  template <typename T> __device__ __forceinline__ void store(T *row, int lane) const {
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
      int c = lane + 32 * i;
      if (c < C)
        row[c] = fromFloat<T>(v[i]);
    }
  }

  template <typename TO>
  __device__ __forceinline__ void store(TO *row, int lane, float outScale) const {
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
      int c = lane + 32 * i;
      if (c < C)
        row[c] = toOutput<TO>(v[i], outScale);
    }
  }

  /// LayerNorm over the row, two-pass variance (as PyTorch).
  __device__ __forceinline__ void normalize(const float *__restrict__ gamma,
                                            const float *__restrict__ beta, float eps,
                                            int lane) {
    float sum = 0.0f;
#pragma unroll
    for (int i = 0; i < kCount; ++i)
      sum += v[i];
    float mean = warpSum(sum) * (1.0f / C);
    float squares = 0.0f;
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
      int c = lane + 32 * i;
      float d = c < C ? v[i] - mean : 0.0f;
      squares += d * d;
    }
    float rstd = rsqrtf(warpSum(squares) * (1.0f / C) + eps);
#pragma unroll
    for (int i = 0; i < kCount; ++i) {
      int c = lane + 32 * i;
      if (c < C)
        v[i] = (v[i] - mean) * rstd * gamma[c] + beta[c];
    }
  }
};

__device__ __forceinline__ int positiveMod(int a, int n) { return ((a % n) + n) % n; }

/// The image row (b * H * W + y * W + x) of window row `row`: token t of
/// window w of the WH x WW window partition of H x W images that torch.roll
/// shifted by (shiftY, shiftX) first. The window reverse followed by the
/// reverse roll sends window row `row` to the row this gives for the
/// negated shifts.
template <int H, int W, int WH, int WW>
__device__ __forceinline__ size_t windowRowPixel(int row, int shiftY, int shiftX) {
  constexpr int kTokens = WH * WW, kWindowsX = W / WW, kPerImage = H * W;
  int b = row / kPerImage, r = row % kPerImage;
  int window = r / kTokens, token = r % kTokens;
  int y = (window / kWindowsX) * WH + token / WW;
  int x = (window % kWindowsX) * WW + token % WW;
  return (size_t)b * kPerImage + positiveMod(y - shiftY, H) * W + positiveMod(x - shiftX, W);
}

//===----------------------------------------------------------------------===//
// Patch embedding
//===----------------------------------------------------------------------===//

/// NCHW image to rows of non-overlapping PxP patches, [B * (H/P) * (W/P),
/// CIN * P * P], in the conv weight's (cin, ky, kx) order. One thread per
/// output element.
template <typename TIn, typename T, int CIN, int H, int W, int P>
__global__ void __launch_bounds__(256)
    patch_im2col(const TIn *__restrict__ input, T *__restrict__ out, int total) {
  constexpr int kK = CIN * P * P, kWp = W / P, kPatches = (H / P) * kWp;
  int idx = blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= total)
    return;
  int row = idx / kK, k = idx % kK;
  int b = row / kPatches, patch = row % kPatches;
  int cin = k / (P * P), ky = (k / P) % P, kx = k % P;
  int y = (patch / kWp) * P + ky, x = (patch % kWp) * P + kx;
  out[idx] = fromFloat<T>(toFloat(input[((size_t)(b * CIN + cin) * H + y) * W + x]));
}

//===----------------------------------------------------------------------===//
// LayerNorm variants
//===----------------------------------------------------------------------===//

template <typename T, int C>
__global__ void __launch_bounds__(kRowThreads)
    layer_norm_rows(const T *__restrict__ in, T *__restrict__ out,
                    const float *__restrict__ gamma, const float *__restrict__ beta,
                    float eps, int rows) {
  int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  LaneRow<C> r;
  r.load(in + (size_t)row * C, lane);
  r.normalize(gamma, beta, eps, lane);
  r.store(out + (size_t)row * C, lane);
}

/// LayerNorm (NORM), cyclic shift by (SH, SW) and window partition in one
/// pass: output row r is token t of window w; it reads the image pixel that
/// torch.roll moves there. Without NORM (Swin V2) the pixel is copied.
template <typename T, typename TO, int C, int H, int W, int WH, int WW, int SH, int SW,
          bool NORM>
__global__ void __launch_bounds__(kRowThreads)
    norm_partition(const T *__restrict__ in, TO *__restrict__ out,
                   const float *__restrict__ gamma, const float *__restrict__ beta,
                   float eps, float outScale, int rows) {
  int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  LaneRow<C> v;
  v.load(in + windowRowPixel<H, W, WH, WW>(row, SH, SW) * C, lane);
  if constexpr (NORM)
    v.normalize(gamma, beta, eps, lane);
  v.store(out + (size_t)row * C, lane, outScale);
}

/// Window reverse, reverse shift (SH, SW > 0 in shifted blocks) and residual
/// add: out[image pixel] = residual + proj[its window token]. With POST_NORM
/// (Swin V2) the projection row is normalised first, residual +
/// LayerNorm(proj). With NORM it also writes the input of the block's MLP:
/// LayerNorm(out) (Swin V1), or out itself when `gamma` is null (Swin V2,
/// whose MLP reads the residual stream: an int8 copy for a quantized fc1).
/// `out` may be `residual` (each row is read before it is written).
template <typename T, typename TN, int C, int H, int W, int WH, int WW, int SH, int SW,
          bool NORM, bool POST_NORM>
__global__ void __launch_bounds__(kRowThreads)
    window_reverse_residual(const T *__restrict__ proj, const T *residual, T *out,
                            TN *__restrict__ normOut,
                            const float *__restrict__ gamma,
                            const float *__restrict__ beta, float eps, float normScale,
                            const float *__restrict__ postGamma,
                            const float *__restrict__ postBeta, float postEps, int rows) {
  constexpr int kTokens = WH * WW, kWindowsX = W / WW, kPerImage = H * W;
  int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  int b = row / kPerImage, r = row % kPerImage;
  int py = positiveMod(r / W - SH, H), px = positiveMod(r % W - SW, W);
  int window = (py / WH) * kWindowsX + px / WW;
  int token = (py % WH) * WW + px % WW;
  LaneRow<C> v, p;
  v.load(residual + (size_t)row * C, lane);
  p.load(proj + ((size_t)b * kPerImage + window * kTokens + token) * C, lane);
  if constexpr (POST_NORM)
    p.normalize(postGamma, postBeta, postEps, lane);
#pragma unroll
  for (int i = 0; i < LaneRow<C>::kCount; ++i)
    v.v[i] += p.v[i];
  v.store(out + (size_t)row * C, lane);
  if constexpr (NORM) {
    if (gamma)
      v.normalize(gamma, beta, eps, lane);
    v.store(normOut + (size_t)row * C, lane, normScale);
  }
}

/// out = residual + LayerNorm(y) row by row: Swin V2's post-norm after a
/// GEMM. `out` may be `residual`.
template <typename T, int C>
__global__ void __launch_bounds__(kRowThreads)
    post_norm_residual(const T *__restrict__ y, const T *residual, T *out,
                       const float *__restrict__ gamma, const float *__restrict__ beta,
                       float eps, int rows) {
  int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  LaneRow<C> v, r;
  v.load(y + (size_t)row * C, lane);
  r.load(residual + (size_t)row * C, lane);
  v.normalize(gamma, beta, eps, lane);
#pragma unroll
  for (int i = 0; i < LaneRow<C>::kCount; ++i)
    v.v[i] += r.v[i];
  v.store(out + (size_t)row * C, lane);
}

/// Patch merging's gather and LayerNorm: output row (b, i, j) holds the 2x2
/// patch at (2i + p, 2j + q) in the order (0,0), (1,0), (0,1), (1,1) of
/// timm, torchvision and Hugging Face, normalised over its 4C values. Swin
/// V2 normalises after the reduction instead: without NORM, the gather only.
template <typename T, typename TO, int C, int H, int W, bool NORM>
__global__ void __launch_bounds__(kRowThreads)
    patch_merge_norm(const T *__restrict__ in, TO *__restrict__ out,
                     const float *__restrict__ gamma, const float *__restrict__ beta,
                     float eps, float outScale, int rows) {
  constexpr int kC4 = 4 * C, kWo = W / 2, kPerImage = (H / 2) * kWo;
  int row = blockIdx.x * kRowsPerBlock + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= rows)
    return;
  int b = row / kPerImage, r = row % kPerImage;
  int i = r / kWo, j = r % kWo;
  LaneRow<kC4> v;
#pragma unroll
  for (int n = 0; n < LaneRow<kC4>::kCount; ++n) {
    int c4 = lane + 32 * n;
    int k = c4 / C, c = c4 % C;
    int y = 2 * i + (k & 1), x = 2 * j + (k >> 1);
    v.v[n] = c4 < kC4 ? toFloat(in[((size_t)b * H * W + y * W + x) * C + c]) : 0.0f;
  }
  if constexpr (NORM)
    v.normalize(gamma, beta, eps, lane);
  v.store(out + (size_t)row * kC4, lane, outScale);
}

/// Final LayerNorm and mean over the TOKENS tokens of each image: one block
/// of 256 threads per image, out [B, C].
template <typename T, int C, int TOKENS>
__global__ void __launch_bounds__(kRowThreads)
    norm_mean_pool(const T *__restrict__ in, T *__restrict__ out,
                   const float *__restrict__ gamma, const float *__restrict__ beta,
                   float eps) {
  __shared__ float partial[kRowsPerBlock][C];
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, b = blockIdx.x;
  float acc[LaneRow<C>::kCount] = {};
  for (int t = warp; t < TOKENS; t += kRowsPerBlock) {
    LaneRow<C> v;
    v.load(in + ((size_t)b * TOKENS + t) * C, lane);
    v.normalize(gamma, beta, eps, lane);
#pragma unroll
    for (int i = 0; i < LaneRow<C>::kCount; ++i)
      acc[i] += v.v[i];
  }
#pragma unroll
  for (int i = 0; i < LaneRow<C>::kCount; ++i) {
    int c = lane + 32 * i;
    if (c < C)
      partial[warp][c] = acc[i];
  }
  __syncthreads();
  for (int c = threadIdx.x; c < C; c += kRowThreads) {
    float sum = 0.0f;
#pragma unroll
    for (int w = 0; w < kRowsPerBlock; ++w)
      sum += partial[w][c];
    out[(size_t)b * C + c] = fromFloat<T>(sum * (1.0f / TOKENS));
  }
}

//===----------------------------------------------------------------------===//
// Window attention
//===----------------------------------------------------------------------===//

/// Shared memory of window_attention: K (rows padded by one word against
/// bank conflicts), V, one probability row and one query per warp, and the
/// keys' inverse norms (cosine attention).
template <int N, int HD> constexpr int windowAttentionSmemBytes() {
  return (N * (HD + 1) + N * HD + 4 * N + 4 * HD + N) * (int)sizeof(float);
}

/// Swin V2's F.normalize: 1 / max(||x||, 1e-12).
__device__ __forceinline__ float inverseNorm(float sumOfSquares) {
  return 1.0f / fmaxf(sqrtf(sumOfSquares), 1e-12f);
}

/// softmax(scale * q k^T + bias[head] (+ mask of window mod NW)) v for one
/// (window, head) per block of four warps, from the QKV projection
/// qkv [windows * N, 3 * HEADS * HD] (q, k, v blocks, heads inside each).
/// A warp owns a query row: lanes split the keys for the scores and the
/// head dimension for the output. Writes out [windows * N, HEADS * HD].
/// COSINE (Swin V2) scores are logitScales[head] * cos(q, k) instead.
template <typename T, int N, int HD, int HEADS, bool MASK, int NW, bool COSINE>
__global__ void __launch_bounds__(128)
    window_attention(const T *__restrict__ qkv, T *__restrict__ out,
                     const float *__restrict__ positionBias,
                     const uint8_t *__restrict__ maskGroups, float maskValue, float scale,
                     const float *__restrict__ logitScales) {
  constexpr int kInner = HEADS * HD, kStride = 3 * kInner, kKeysPerLane = (N + 31) / 32;
  extern __shared__ float smem[];
  float *ks = smem;                 // [N][HD + 1]
  float *vs = ks + N * (HD + 1);    // [N][HD]
  float *ps = vs + N * HD;          // [4][N]
  float *qs = ps + 4 * N;           // [4][HD]
  float *kInv = qs + 4 * HD;        // [N]
  int head = blockIdx.x % HEADS, window = blockIdx.x / HEADS;
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const T *base = qkv + (size_t)window * N * kStride + head * HD;
  for (int i = threadIdx.x; i < N * HD; i += blockDim.x) {
    int j = i / HD, d = i % HD;
    ks[j * (HD + 1) + d] = toFloat(base[(size_t)j * kStride + kInner + d]);
    vs[j * HD + d] = toFloat(base[(size_t)j * kStride + 2 * kInner + d]);
  }
  __syncthreads();
  if constexpr (COSINE) {
    for (int j = threadIdx.x; j < N; j += blockDim.x) {
      float squares = 0.0f;
      for (int d = 0; d < HD; ++d)
        squares += ks[j * (HD + 1) + d] * ks[j * (HD + 1) + d];
      kInv[j] = inverseNorm(squares);
    }
    __syncthreads();
  }
  const float *bias = positionBias + (size_t)head * N * N;
  const uint8_t *groups = MASK ? maskGroups + (size_t)(window % NW) * N : nullptr;
  float *q = qs + warp * HD, *p = ps + warp * N;
  for (int i = warp; i < N; i += 4) {
    float squares = 0.0f;
    for (int d = lane; d < HD; d += 32) {
      q[d] = toFloat(base[(size_t)i * kStride + d]);
      squares += q[d] * q[d];
    }
    // Cosine scores: the query's norm and the head's logit scale in one factor.
    float rowScale = COSINE ? logitScales[head] * inverseNorm(warpSum(squares)) : scale;
    __syncwarp();
    float s[kKeysPerLane];
    float rowMax = -CUDART_INF_F;
#pragma unroll
    for (int t = 0; t < kKeysPerLane; ++t) {
      int j = lane + 32 * t;
      s[t] = -CUDART_INF_F;
      if (j < N) {
        float dot = 0.0f;
#pragma unroll
        for (int d = 0; d < HD; ++d)
          dot += q[d] * ks[j * (HD + 1) + d];
        float masked = MASK && groups[i] != groups[j] ? maskValue : 0.0f;
        s[t] = dot * (COSINE ? rowScale * kInv[j] : rowScale) + bias[i * N + j] + masked;
        rowMax = fmaxf(rowMax, s[t]);
      }
    }
    rowMax = warpMax(rowMax);
    float sum = 0.0f;
#pragma unroll
    for (int t = 0; t < kKeysPerLane; ++t) {
      int j = lane + 32 * t;
      s[t] = j < N ? expf(s[t] - rowMax) : 0.0f;
      sum += s[t];
    }
    float inv = 1.0f / warpSum(sum);
#pragma unroll
    for (int t = 0; t < kKeysPerLane; ++t) {
      int j = lane + 32 * t;
      if (j < N)
        p[j] = s[t] * inv;
    }
    __syncwarp();
    for (int d = lane; d < HD; d += 32) {
      float acc = 0.0f;
#pragma unroll 7
      for (int j = 0; j < N; ++j)
        acc += p[j] * vs[j * HD + d];
      out[((size_t)window * N + i) * kInner + head * HD + d] = fromFloat<T>(acc);
    }
    __syncwarp();
  }
}

/// Tensor-core window attention for 16-bit storage (fp16, bf16): one block
/// per (window, head), one warp per 16 query rows, mma.sync m16n8k16 with
/// fp32 accumulation for q k^T and p v. Tokens are padded to a multiple of
/// 16 (padded keys get -inf, padded queries are not written); the scores
/// never leave registers: the accumulator layout of q k^T is the A-operand
/// layout of p v. q, k and v sit row-major in shared memory and reach the
/// tensor cores through ldmatrix (v transposed by ldmatrix.trans), four
/// 8x8 tiles per instruction. Needs HD % 16 == 0.
///
/// The position bias comes pre-arranged in the accumulator layout of q k^T,
/// float4 [HEADS][kWarps][kKeyTiles][32 lanes]: lane (g, t) = (lane / 4,
/// lane % 4) of warp w holds rows 16w + g and 16w + g + 8 at columns
/// 8 * tile + 2t and + 1, so each warp reads 512 contiguous bytes per key
/// tile. Padded keys carry -inf there, padded queries 0.
///
/// Large windows (more than 12 row tiles, e.g. Swin V2's 16x16) split each
/// (window, head) over kSplit blocks of at most 8 warps, each block loading
/// all keys and values and taking its share of the query tiles: the scores
/// of a warp (kRows / 2 floats per lane) need the registers that a 256-thread
/// block leaves. q, k and v live in dynamic shared memory (above 48 KB the
/// generated code raises the kernel's limit).
template <int N, int HD> struct MmaAttentionShape {
  static constexpr int kRows = (N + 15) / 16 * 16;
  static constexpr int kWarps = kRows / 16; // query row tiles
  static constexpr int kBlockWarps = kWarps <= 12 ? kWarps : 8;
  static constexpr int kSplit = (kWarps + kBlockWarps - 1) / kBlockWarps;
  static constexpr int kStride = HD + 8; // elements; ldmatrix's 8 rows hit distinct banks
  static constexpr int kSharedBytes = 3 * kRows * kStride * 2;
};

__device__ __forceinline__ uint32_t packPair(float a, float b, __half) {
  __half2 h = __floats2half2_rn(a, b);
  return *reinterpret_cast<uint32_t *>(&h);
}
__device__ __forceinline__ uint32_t packPair(float a, float b, __nv_bfloat16) {
  __nv_bfloat162 h = __floats2bfloat162_rn(a, b);
  return *reinterpret_cast<uint32_t *>(&h);
}

__device__ __forceinline__ void mma16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0,
                                         uint32_t b1, __half) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
               "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
__device__ __forceinline__ void mma16816(float (&c)[4], const uint32_t (&a)[4], uint32_t b0,
                                         uint32_t b1, __nv_bfloat16) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/// Two adjacent outputs in one store.
template <typename TO>
__device__ __forceinline__ void storePair(TO *p, float a, float b, float outScale) {
  if constexpr (kIsQuantized<TO>) {
    uint16_t bits = (uint16_t)bitsOf(toOutput<TO>(a, outScale)) |
                    (uint16_t)((uint16_t)bitsOf(toOutput<TO>(b, outScale)) << 8);
    *reinterpret_cast<uint16_t *>(p) = bits;
  } else {
    *reinterpret_cast<uint32_t *>(p) = packPair(a, b, TO());
  }
}

/// Four 8x8 tiles of 16-bit values from shared memory, one row address per
/// lane (lanes 8j to 8j + 7 address tile j); .trans transposes each tile.
template <bool kTrans>
__device__ __forceinline__ void ldmatrixX4(uint32_t (&r)[4], const void *rowAddress) {
  uint32_t address = static_cast<uint32_t>(__cvta_generic_to_shared(rowAddress));
  if constexpr (kTrans)
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
  else
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(address));
}

/// Eight int8 values as eight 16-bit T, exactly.
template <typename T> __device__ __forceinline__ uint4 widen8(uint2 bits);

/// fp16 without conversion instructions (they issue at a quarter of the
/// rate): byte b ^ 0x80 = b + 128 under a high byte 0x64 is the fp16 value
/// 1024 + b + 128, exact, and one subtraction of 1152 leaves b.
template <> __device__ __forceinline__ uint4 widen8<__half>(uint2 bits) {
  uint4 wide;
  uint32_t *words = reinterpret_cast<uint32_t *>(&wide);
  const uint32_t in[2] = {bits.x ^ 0x80808080u, bits.y ^ 0x80808080u};
  const __half2 offset = __half2half2(__ushort_as_half(0x6480)); // 1152
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    uint32_t biased = __byte_perm(in[j / 2], 0x64646464u, j % 2 ? 0x4342 : 0x4140);
    __half2 value = __hsub2(*reinterpret_cast<__half2 *>(&biased), offset);
    words[j] = *reinterpret_cast<uint32_t *>(&value);
  }
  return wide;
}

/// bf16 has too few mantissa bits for that trick: convert.
template <> __device__ __forceinline__ uint4 widen8<__nv_bfloat16>(uint2 bits) {
  uint4 wide;
  uint32_t *words = reinterpret_cast<uint32_t *>(&wide);
  const uint8_t *bytes = reinterpret_cast<const uint8_t *>(&bits);
#pragma unroll
  for (int j = 0; j < 4; ++j)
    words[j] = packPair((float)static_cast<int8_t>(bytes[2 * j]),
                        (float)static_cast<int8_t>(bytes[2 * j + 1]), __nv_bfloat16());
  return wide;
}

///
/// COSINE (Swin V2): scores are logitScales[head] * q k^T / (|q| |k|). The
/// tensor cores take q and k as stored; each row's inverse norm is computed
/// once from shared memory in fp32 and applied to the fp32 scores, so the
/// normalised operands are never rounded to 16 bits. Per-tensor int8
/// scales cancel in the cosine, so `scale` is unused then.
template <typename T, typename TO, int N, int HD, int HEADS, bool MASK, int NW, bool COSINE,
          typename TIn = T>
__global__ void __launch_bounds__(MmaAttentionShape<N, HD>::kBlockWarps * 32)
    window_attention_mma(const TIn *__restrict__ qkv, TO *__restrict__ out,
                         const float4 *__restrict__ biasTiles,
                         const uint8_t *__restrict__ maskGroups, float maskValue,
                         float scale, float outScale, float valueScale,
                         const float *__restrict__ logitScales) {
  using Shape = MmaAttentionShape<N, HD>;
  constexpr int kRows = Shape::kRows, kS = Shape::kStride;
  constexpr int kInner = HEADS * HD, kStride = 3 * kInner, kChunks = HD / 8;
  constexpr int kKeyTiles = kRows / 8, kDimTiles = HD / 8;
  // HD % 16 == 0 (and kRows % 16 == 0) also make the tile counts even, as
  // the ldmatrix loads below take tiles in pairs.
  static_assert(HD % 16 == 0, "head dim must be a multiple of 16");
  extern __shared__ uint4 attentionShared[];
  T *qs = reinterpret_cast<T *>(attentionShared);
  T *ks = qs + kRows * kS;
  T *vs = ks + kRows * kS;
  __shared__ uint8_t groups[MASK ? kRows : 1];
  __shared__ float qInv[COSINE ? kRows : 1], kInv[COSINE ? kRows : 1];
  const int part = blockIdx.x % Shape::kSplit;
  const int head = (blockIdx.x / Shape::kSplit) % HEADS;
  const int window = blockIdx.x / Shape::kSplit / HEADS;
  if constexpr (MASK)
    for (int i = threadIdx.x; i < kRows; i += blockDim.x)
      groups[i] = i < N ? maskGroups[(size_t)(window % NW) * N + i] : 0;
  const TIn *base = qkv + (size_t)window * N * kStride + head * HD;
  for (int i = threadIdx.x; i < kRows * kChunks; i += blockDim.x) {
    int r = i / kChunks, c = (i % kChunks) * 8;
    uint4 q = make_uint4(0, 0, 0, 0), k = q, v = q;
    if (r < N) {
      const TIn *row = base + (size_t)r * kStride + c;
      if constexpr (kIsQuantized<TIn>) {
        // 8-bit q, k, v as 16-bit values (exact); `scale` carries q's and
        // k's scales, `valueScale` v's.
        q = widen8<T>(*reinterpret_cast<const uint2 *>(row));
        k = widen8<T>(*reinterpret_cast<const uint2 *>(row + kInner));
        v = widen8<T>(*reinterpret_cast<const uint2 *>(row + 2 * kInner));
      } else {
        q = *reinterpret_cast<const uint4 *>(row);
        k = *reinterpret_cast<const uint4 *>(row + kInner);
        v = *reinterpret_cast<const uint4 *>(row + 2 * kInner);
      }
    }
    *reinterpret_cast<uint4 *>(&qs[r * kS + c]) = q;
    *reinterpret_cast<uint4 *>(&ks[r * kS + c]) = k;
    *reinterpret_cast<uint4 *>(&vs[r * kS + c]) = v;
  }
  __syncthreads();
  if constexpr (COSINE) {
    // Rows [0, kRows) are q's, [kRows, 2 kRows) k's. Padded rows are zero
    // and get a finite inverse.
    for (int i = threadIdx.x; i < 2 * kRows; i += blockDim.x) {
      const int r = i % kRows;
      const T *row = (i < kRows ? qs : ks) + r * kS;
      float squares = 0.0f;
#pragma unroll
      for (int d = 0; d < HD; ++d) {
        float x = toFloat(row[d]);
        squares += x * x;
      }
      float inverse = inverseNorm(squares);
      if (i < kRows)
        qInv[r] = inverse * logitScales[head];
      else
        kInv[r] = inverse;
    }
    __syncthreads();
  }

  // This warp's query row tile; a split's last block may have idle warps.
  const int warp = part * Shape::kBlockWarps + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (warp >= Shape::kWarps)
    return;
  const int g = lane / 4, t = lane % 4;
  const int rowA = warp * 16 + g, rowB = rowA + 8;
  // The row this lane addresses in its ldmatrix tile (lane / 8) and the
  // tile's offset: A tiles are (rows 0-7, 8-15) x (cols 0-7, 8-15), B tiles
  // of q k^T are (cols 0-7, 8-15) x (keys 0-7, 8-15), B tiles of p v are
  // (keys 0-7, 8-15) x (dims 0-7, 8-15).
  const int tileRow = lane % 8, tile = lane / 8;

  float s[kKeyTiles][4];
#pragma unroll
  for (int nt = 0; nt < kKeyTiles; ++nt)
    s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.0f;
#pragma unroll
  for (int kk = 0; kk < HD / 16; ++kk) {
    uint32_t a[4];
    ldmatrixX4<false>(a, &qs[(warp * 16 + tileRow + (tile % 2) * 8) * kS + kk * 16 +
                             (tile / 2) * 8]);
#pragma unroll
    for (int nt = 0; nt < kKeyTiles; nt += 2) {
      uint32_t b[4];
      ldmatrixX4<false>(b, &ks[(nt * 8 + tileRow + (tile / 2) * 8) * kS + kk * 16 +
                               (tile % 2) * 8]);
      mma16816(s[nt], a, b[0], b[1], T());
      mma16816(s[nt + 1], a, b[2], b[3], T());
    }
  }

  const float4 *tiles = biasTiles + ((size_t)head * Shape::kWarps + warp) * kKeyTiles * 32;
  float maxA = -CUDART_INF_F, maxB = -CUDART_INF_F;
#pragma unroll
  for (int nt = 0; nt < kKeyTiles; ++nt) {
    float4 b4 = tiles[nt * 32 + lane];
    const float bias[4] = {b4.x, b4.y, b4.z, b4.w};
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      int row = e < 2 ? rowA : rowB, col = nt * 8 + 2 * t + (e & 1);
      float v = s[nt][e] * (COSINE ? qInv[row] * kInv[col] : scale) + bias[e];
      if (MASK && groups[row] != groups[col])
        v += maskValue;
      s[nt][e] = v;
      if (e < 2)
        maxA = fmaxf(maxA, v);
      else
        maxB = fmaxf(maxB, v);
    }
  }
#pragma unroll
  for (int offset = 1; offset < 4; offset <<= 1) {
    maxA = fmaxf(maxA, __shfl_xor_sync(0xffffffffu, maxA, offset));
    maxB = fmaxf(maxB, __shfl_xor_sync(0xffffffffu, maxB, offset));
  }
  float sumA = 0.0f, sumB = 0.0f;
#pragma unroll
  for (int nt = 0; nt < kKeyTiles; ++nt) {
    s[nt][0] = __expf(s[nt][0] - maxA);
    s[nt][1] = __expf(s[nt][1] - maxA);
    s[nt][2] = __expf(s[nt][2] - maxB);
    s[nt][3] = __expf(s[nt][3] - maxB);
    sumA += s[nt][0] + s[nt][1];
    sumB += s[nt][2] + s[nt][3];
  }
#pragma unroll
  for (int offset = 1; offset < 4; offset <<= 1) {
    sumA += __shfl_xor_sync(0xffffffffu, sumA, offset);
    sumB += __shfl_xor_sync(0xffffffffu, sumB, offset);
  }
  const float invA = 1.0f / sumA, invB = 1.0f / sumB;

  float o[kDimTiles][4];
#pragma unroll
  for (int dt = 0; dt < kDimTiles; ++dt)
    o[dt][0] = o[dt][1] = o[dt][2] = o[dt][3] = 0.0f;
#pragma unroll
  for (int kp = 0; kp < kRows / 16; ++kp) {
    uint32_t a[4] = {packPair(s[2 * kp][0] * invA, s[2 * kp][1] * invA, T()),
                     packPair(s[2 * kp][2] * invB, s[2 * kp][3] * invB, T()),
                     packPair(s[2 * kp + 1][0] * invA, s[2 * kp + 1][1] * invA, T()),
                     packPair(s[2 * kp + 1][2] * invB, s[2 * kp + 1][3] * invB, T())};
#pragma unroll
    for (int dt = 0; dt < kDimTiles; dt += 2) {
      uint32_t b[4];
      ldmatrixX4<true>(b, &vs[(kp * 16 + tileRow + (tile % 2) * 8) * kS + dt * 8 +
                              (tile / 2) * 8]);
      mma16816(o[dt], a, b[0], b[1], T());
      mma16816(o[dt + 1], a, b[2], b[3], T());
    }
  }
  TO *outA = out + ((size_t)window * N + rowA) * kInner + head * HD + 2 * t;
  TO *outB = outA + 8 * kInner;
  if constexpr (kIsQuantized<TIn>) {
#pragma unroll
    for (int dt = 0; dt < kDimTiles; ++dt)
#pragma unroll
      for (int e = 0; e < 4; ++e)
        o[dt][e] *= valueScale;
  }
#pragma unroll
  for (int dt = 0; dt < kDimTiles; ++dt) {
    if (rowA < N)
      storePair(outA + dt * 8, o[dt][0], o[dt][1], outScale);
    if (rowB < N)
      storePair(outB + dt * 8, o[dt][2], o[dt][3], outScale);
  }
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Exact (erf) GELU in place, for the fp32 paths: cuBLASLt's GELU epilogue
/// is the tanh approximation.
template <typename T>
__global__ void __launch_bounds__(256) gelu_erf(T *__restrict__ x, size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float v = toFloat(x[i]);
  x[i] = fromFloat<T>(geluErf(v));
}

/// A quantize point no producer could absorb: out = quantize(in).
template <typename T, typename TO>
__global__ void __launch_bounds__(256)
    quantize_elements(const T *__restrict__ in, TO *__restrict__ out, float outScale,
                      size_t n) {
  size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = toOutput<TO>(toFloat(in[i]), outScale);
}

template <typename TIn, typename TOut>
__global__ void __launch_bounds__(256)
    convert(const TIn *__restrict__ in, TOut *__restrict__ out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    out[i] = fromFloat<TOut>(toFloat(in[i]));
}

/// Load time: a block's position bias from its compact form (table
/// [heads, classes], index [n, n]) into the tiles window_attention_mma reads.
static __global__ void __launch_bounds__(256)
    expand_position_bias(float *__restrict__ tiles, int64_t floats, int n,
                         const float *__restrict__ table, int classes,
                         const uint32_t *__restrict__ index) {
  int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < floats)
    tiles[i] = tiledPositionBiasAt(i, n, table, classes, index);
}

} // namespace swinrt

#endif // SWINRT_KERNELS_CUH
