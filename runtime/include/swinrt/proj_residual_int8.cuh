//===- proj_residual_int8.cuh - int8 projection, window reverse, residual, LN //
//
//   p[r, c]          = half(alpha[c] * sum_k x[r, k] w[c, k] + bias[c])
//   out[pixel(r), c] = residual[pixel(r), c] + p[r, c]
//   normOut[pixel(r), c] = q(LN(out[pixel(r)])[c] * normInverse)
//
// with pixel(r) the image pixel that the window reverse and the reverse
// cyclic shift move window row r to (window_reverse_residual's mapping),
// and LN over the unrounded float sum, as window_reverse_residual computes
// it. These are the semantics of the attention projection's int8 GEMM site
// (writing fp16) followed by window_reverse_residual with its fused MLP
// LayerNorm writing the fc1 input point; the projection never leaves the SM.
//
// Each warp owns 16 window rows and all C outputs (C / 2 accumulators per
// lane). The whole weight sits in shared memory, its rows permuted within
// each 32 (8n + 2t + j holds column 8t + 2n + j, as in norm_qkv_s8), so
// lane t ends with columns 8t .. 8t + 7 of every 32: the residual is read
// and written 16 bytes at a time, the int8 LayerNorm 8 bytes at a time.
// The row statistics need only the four lanes of a quad.
//
// Needs C % 32 == 0 and C <= 192, 16-byte aligned x, w, residual, out,
// normOut, gamma and beta. out may alias residual (each lane reads its row pieces before
// it writes them, and no other lane touches them).
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_PROJ_RESIDUAL_INT8_CUH
#define SWINRT_PROJ_RESIDUAL_INT8_CUH

#include "swinrt/int8_mma.cuh"
#include "swinrt/block_int8_layout.h"

namespace swinrt {

struct Int8ProjResidualArgs {
  const int8_t *x;        // [m, C], window order
  const int8_t *w;        // [C, C]
  const float *alpha;     // [C]
  const __half *bias;     // [C] or null
  const __half *residual; // [m, C], image order; may alias out
  __half *out;            // [m, C], image order
  int8_t *normOut;        // [m, C], image order
  const float *gamma;     // [C]
  const float *beta;      // [C]
  float eps;
  float normInverse; // 1 / the scale of fc1's input point
  int m;
};

namespace int8proj {

template <int C> __host__ __device__ constexpr int wRowBytes() { return C + 16; }
/// The weight, then {alpha[c], alpha[c + 1], bias[c], bias[c + 1]} per even c.
template <int C> __host__ __device__ constexpr int sharedBytes() {
  return C * wRowBytes<C>() + C / 2 * 16;
}

} // namespace int8proj

template <int C, int H, int W, int WH, int WW, int SH, int SW, int Warps>
__global__ void __launch_bounds__(32 * Warps) proj_residual_s8(Int8ProjResidualArgs a) {
  using namespace int8proj;
  static_assert(projResidualInt8Takes(C), "proj_residual_s8's shape contract");
  constexpr int kThreads = 32 * Warps, kSteps = C / 32, kTiles = C / 8, kGroups = C / 32;
  extern __shared__ __align__(16) unsigned char shared[];
  float4 *columns = reinterpret_cast<float4 *>(shared + C * wRowBytes<C>());
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  int row0 = blockIdx.x * 16 * Warps + warp * 16 + g; // and row0 + 8

  for (int p = threadIdx.x; p < C * C / 16; p += kThreads) {
    int q = p / (C / 16), piece = p % (C / 16);
    int8gemm::copy16(shared + blockInt8WeightRow(q) * wRowBytes<C>() + piece * 16,
                     a.w + q * C + piece * 16, true);
  }
  int8gemm::commitCopies();
  for (int i = threadIdx.x; i < C / 2; i += kThreads)
    columns[i] = int8gemm::alphaBiasPair(a.alpha, a.bias, 2 * i);
  unsigned x[kSteps][4];
  int8gemm::loadRowFragments<C>(x, a.x, row0, a.m, t);
  int8gemm::waitCopies<0>();
  __syncthreads();

  int bRow = (lane / 16) * 8 + lane % 8, bK = ((lane / 8) & 1) * 16;
  int acc[kTiles][4] = {};
#pragma unroll
  for (int s = 0; s < kSteps; ++s)
#pragma unroll
    for (int pair = 0; pair < kTiles / 2; ++pair) {
      unsigned b[4];
      int8gemm::ldmatrixX4(b, shared + (16 * pair + bRow) * wRowBytes<C>() + 32 * s + bK);
      const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
      int8gemm::mmaS8(acc[2 * pair], x[s], b0);
      int8gemm::mmaS8(acc[2 * pair + 1], x[s], b1);
    }

#pragma unroll
  for (int h = 0; h < 2; ++h) {
    // Rows past m compute on zeros and store nothing; every lane takes part
    // in the quad shuffles.
    int row = row0 + 8 * h;
    bool valid = row < a.m;
    size_t pixel = windowRowPixel<H, W, WH, WW>(row, -SH, -SW);
    // Lane t's columns 32q + 8t .. + 7: the residual first (out may alias it).
    uint4 residual[kGroups];
#pragma unroll
    for (int q = 0; q < kGroups; ++q)
      residual[q] = valid ? *reinterpret_cast<const uint4 *>(a.residual + pixel * C +
                                                             32 * q + 8 * t)
                          : make_uint4(0, 0, 0, 0);
    float v[kGroups][8];
    float sum = 0.0f;
#pragma unroll
    for (int q = 0; q < kGroups; ++q) {
      const __half2 *res = reinterpret_cast<const __half2 *>(&residual[q]);
#pragma unroll
      for (int n = 0; n < 4; ++n) {
        // Tile 4q + n holds columns 32q + 8t + 2n and + 1.
        float4 column = columns[16 * q + 4 * t + n];
        float2 rv = __half22float2(res[n]);
        float p0 = __half2float(__float2half_rn(
            fmaf((float)acc[4 * q + n][2 * h], column.x, column.z)));
        float p1 = __half2float(__float2half_rn(
            fmaf((float)acc[4 * q + n][2 * h + 1], column.y, column.w)));
        v[q][2 * n] = rv.x + p0;
        v[q][2 * n + 1] = rv.y + p1;
        sum += v[q][2 * n] + v[q][2 * n + 1];
      }
      __half2 halves[4];
#pragma unroll
      for (int i = 0; i < 4; ++i)
        halves[i] = __floats2half2_rn(v[q][2 * i], v[q][2 * i + 1]);
      if (valid)
        *reinterpret_cast<uint4 *>(a.out + pixel * C + 32 * q + 8 * t) =
            *reinterpret_cast<uint4 *>(halves);
    }
    // LayerNorm of the row (two-pass, as window_reverse_residual), int8.
    sum += __shfl_xor_sync(0xffffffffu, sum, 1, 4);
    sum += __shfl_xor_sync(0xffffffffu, sum, 2, 4);
    float mean = sum * (1.0f / C), squares = 0.0f;
#pragma unroll
    for (int q = 0; q < kGroups; ++q)
#pragma unroll
      for (int e = 0; e < 8; ++e)
        squares += (v[q][e] - mean) * (v[q][e] - mean);
    squares += __shfl_xor_sync(0xffffffffu, squares, 1, 4);
    squares += __shfl_xor_sync(0xffffffffu, squares, 2, 4);
    float rstd = rsqrtf(squares * (1.0f / C) + a.eps);
#pragma unroll
    for (int q = 0; q < kGroups; ++q) {
      int c = 32 * q + 8 * t;
      float gamma[8], beta[8];
      *reinterpret_cast<float4 *>(gamma) = *reinterpret_cast<const float4 *>(a.gamma + c);
      *reinterpret_cast<float4 *>(gamma + 4) = *reinterpret_cast<const float4 *>(a.gamma + c + 4);
      *reinterpret_cast<float4 *>(beta) = *reinterpret_cast<const float4 *>(a.beta + c);
      *reinterpret_cast<float4 *>(beta + 4) = *reinterpret_cast<const float4 *>(a.beta + c + 4);
      float normalized[8];
#pragma unroll
      for (int e = 0; e < 8; ++e)
        normalized[e] = ((v[q][e] - mean) * rstd * gamma[e] + beta[e]) * a.normInverse;
      if (valid)
        *reinterpret_cast<uint2 *>(a.normOut + pixel * C + c) =
            int8gemm::packInt8x8(normalized);
    }
  }
}

/// Sets proj_residual_s8's shared-memory limit; outside graph capture.
template <int C, int H, int W, int WH, int WW, int SH, int SW, int Warps>
cudaError_t prepareProjResidualInt8() {
  return cudaFuncSetAttribute(proj_residual_s8<C, H, W, WH, WW, SH, SW, Warps>,
                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int8proj::sharedBytes<C>());
}

template <int C, int H, int W, int WH, int WW, int SH, int SW, int Warps>
void launchProjResidualInt8(const Int8ProjResidualArgs &a, cudaStream_t stream) {
  constexpr int kRows = 16 * Warps;
  proj_residual_s8<C, H, W, WH, WW, SH, SW, Warps>
      <<<(a.m + kRows - 1) / kRows, 32 * Warps, int8proj::sharedBytes<C>(), stream>>>(a);
}

} // namespace swinrt

#endif // SWINRT_PROJ_RESIDUAL_INT8_CUH
