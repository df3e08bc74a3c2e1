//===- norm_qkv_int8.cuh - LayerNorm, shift, partition and int8 QKV in one kernel //
//
//   x[r, c]   = q(LN(in[pixel(r)])[c] * inputInverse)
//   out[r, n] = alpha[n] * sum_c x[r, c] w[n, c] + bias[n]
//
// with pixel(r) the image pixel that torch.roll and the window partition
// move to window row r (norm_partition's mapping), q rounding to nearest
// even and saturating to int8, and out written as int8 (q, k and v
// quantized by --quantize-attention: their 1 / scale is folded into alpha
// and bias, so the store rounds and saturates) or fp16. These are the
// semantics of norm_partition writing the QKV input point followed by the
// QKV GEMM site; the int8 window rows (C per token) never leave the SM.
//
// Each warp owns 16 rows. It gathers them, normalises them in registers
// and packs the int8 results straight into mma.sync m16n8k32 A fragments
// (lane (g, t) holds k = 32s + 4t .. 4t + 3 and 32s + 16 + 4t .. of rows g
// and g + 8, so the row statistics need only the four lanes of a quad).
// The weight sits in shared memory, shared by the block: whole up to
// C = 128 (blocks then walk row tiles, with no barrier per chunk), else
// streamed 32 output columns per stage of a cp.async pipeline. Either way
// it is multiplied 32 columns at a time, and the copy permutes each 32
// rows (blockInt8WeightRow: stored row 8n + 2t + j holds column
// 8t + 2n + j) so that the result fragments of tile n, lane t, hold
// columns 8t + 2n, + 1: each lane ends with 8 consecutive columns of a
// row, which leave as one 8-byte (int8) or 16-byte (fp16) store. The
// weights file keeps the GEMM's order.
//
// Needs C % 32 == 0 and C <= 256 (the gathered rows are C / 4 registers
// per lane), N % 32 == 0, 16-byte aligned w and out, 8-byte aligned in.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_NORM_QKV_INT8_CUH
#define SWINRT_NORM_QKV_INT8_CUH

#include "swinrt/int8_mma.cuh"
#include "swinrt/block_int8_layout.h"

#include <atomic>

namespace swinrt {

struct Int8NormQkvArgs {
  const __half *in;    // [batch * H * W, C], image order
  const float *gamma;  // [C]
  const float *beta;   // [C]
  float eps;
  float inputInverse;  // 1 / the scale of the QKV input point
  const int8_t *w;     // [N, C]
  const float *alpha;  // [N]
  const __half *bias;  // [N] or null
  void *out;           // [m, N] in window order, int8_t or __half
  int m;               // batch * H * W
};

namespace int8qkv {

constexpr int kChunk = 32; // output columns per pipeline stage
constexpr int kStages = 4;
template <int C> __host__ __device__ constexpr int wRowBytes() { return C + 16; }
template <int C> __host__ __device__ constexpr int stageBytes() {
  return kChunk * wRowBytes<C>();
}
/// Whether the whole weight stays in shared memory (loaded once per block,
/// blocks persistent over row tiles, no barrier per chunk): up to C = 128
/// at Swin's N = 3C. Wider weights stream through a pipeline instead.
template <int C, int N> __host__ __device__ constexpr bool resident() {
  return N * wRowBytes<C>() <= 64 * 1024;
}
/// The weight (resident) or the pipeline, then {alpha[n], alpha[n + 1],
/// bias[n], bias[n + 1]} per even column n.
template <int C, int N> __host__ __device__ constexpr int sharedBytes() {
  return (resident<C, N>() ? N * wRowBytes<C>() : kStages * stageBytes<C>()) + N / 2 * 16;
}

template <int C, int Threads>
__device__ __forceinline__ void loadChunk(const Int8NormQkvArgs &a, unsigned char *stage,
                                          int chunk) {
  constexpr int kPieces = kChunk * C / 16;
  const int8_t *w = a.w + (size_t)chunk * kChunk * C;
  for (int p = threadIdx.x; p < kPieces; p += Threads) {
    int q = p / (C / 16), piece = p % (C / 16);
    int8gemm::copy16(stage + blockInt8WeightRow(q) * wRowBytes<C>() + piece * 16,
                     w + q * C + piece * 16, true);
  }
}

/// Four halves as floats.
__device__ __forceinline__ void unpack4(uint2 bits, float (&v)[4]) {
  float2 lo = __half22float2(*reinterpret_cast<__half2 *>(&bits.x));
  float2 hi = __half22float2(*reinterpret_cast<__half2 *>(&bits.y));
  v[0] = lo.x, v[1] = lo.y, v[2] = hi.x, v[3] = hi.y;
}

/// Blocks per SM the register budget aims at: the A fragments, a chunk's
/// B fragments and accumulators and the gathered rows grow with C; two
/// blocks of 8 warps keep C = 96 free of spills (three spilled 190 bytes).
template <int C> constexpr int minBlocksPerSm() { return C <= 64 ? 3 : C <= 128 ? 2 : 1; }

} // namespace int8qkv

template <int C, int N, int H, int W, int WH, int WW, int SH, int SW, typename TO, int Warps>
__global__ void __launch_bounds__(32 * Warps, int8qkv::minBlocksPerSm<C>())
    norm_qkv_s8(Int8NormQkvArgs a) {
  using namespace int8qkv;
  static_assert(normQkvInt8Takes(C, N), "norm_qkv_s8's shape contract");
  static_assert(sizeof(TO) == 1 || sizeof(TO) == 2, "int8 or fp16 output");
  constexpr int kThreads = 32 * Warps, kSteps = C / 32, kChunks = N / kChunk;
  constexpr bool kResident = resident<C, N>();
  extern __shared__ __align__(16) unsigned char shared[];
  float4 *columns = reinterpret_cast<float4 *>(
      shared + (kResident ? N * wRowBytes<C>() : kStages * stageBytes<C>()));
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;

  if constexpr (kResident) {
    for (int chunk = 0; chunk < kChunks; ++chunk)
      loadChunk<C, kThreads>(a, shared + chunk * stageBytes<C>(), chunk);
    int8gemm::commitCopies();
  } else {
#pragma unroll
    for (int s = 0; s < kStages - 1; ++s) {
      if (s < kChunks)
        loadChunk<C, kThreads>(a, shared + s * stageBytes<C>(), s);
      int8gemm::commitCopies();
    }
  }
  for (int i = threadIdx.x; i < N / 2; i += kThreads)
    columns[i] = int8gemm::alphaBiasPair(a.alpha, a.bias, 2 * i);

  // Resident weights: each block walks row tiles of 16 * Warps (the grid
  // is capped at what the GPU holds at once); streamed: one tile a block.
  const int tiles = (a.m + 16 * Warps - 1) / (16 * Warps);
  for (int tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    int row0 = tile * 16 * Warps + warp * 16 + g; // and row0 + 8

    // Rows g and g + 8 (zeros past m), one after the other: lane t holds
    // channels 32s + 4t .. + 3 (piece 2s) and 32s + 16 + 4t .. + 3 (piece
    // 2s + 1). LayerNorm (two-pass, as norm_partition) and the input point's
    // rounding, packed into the A fragments: x[s][h] holds row g / g + 8 at
    // k = 32s + 4t, x[s][2 + h] at k = 32s + 16 + 4t.
    unsigned x[kSteps][4];
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      int row = row0 + 8 * h;
      bool valid = row < a.m;
      const __half *src = a.in + windowRowPixel<H, W, WH, WW>(row, SH, SW) * C + 4 * t;
      uint2 raw[2 * kSteps];
#pragma unroll
      for (int p = 0; p < 2 * kSteps; ++p)
        raw[p] = valid ? *reinterpret_cast<const uint2 *>(src + 16 * p) : make_uint2(0, 0);
      float sum = 0.0f;
#pragma unroll
      for (int p = 0; p < 2 * kSteps; ++p) {
        float v[4];
        unpack4(raw[p], v);
        sum += (v[0] + v[1]) + (v[2] + v[3]);
      }
      sum += __shfl_xor_sync(0xffffffffu, sum, 1);
      sum += __shfl_xor_sync(0xffffffffu, sum, 2);
      float mean = sum * (1.0f / C), squares = 0.0f;
#pragma unroll
      for (int p = 0; p < 2 * kSteps; ++p) {
        float v[4];
        unpack4(raw[p], v);
#pragma unroll
        for (int e = 0; e < 4; ++e)
          squares += (v[e] - mean) * (v[e] - mean);
      }
      squares += __shfl_xor_sync(0xffffffffu, squares, 1);
      squares += __shfl_xor_sync(0xffffffffu, squares, 2);
      float rstd = rsqrtf(squares * (1.0f / C) + a.eps);
#pragma unroll
      for (int p = 0; p < 2 * kSteps; ++p) {
        float v[4];
        unpack4(raw[p], v);
        int c = 16 * p + 4 * t;
        float4 gamma = *reinterpret_cast<const float4 *>(a.gamma + c);
        float4 beta = *reinterpret_cast<const float4 *>(a.beta + c);
        unsigned bits[4];
        bits[0] = int8gemm::int8Bits(((v[0] - mean) * rstd * gamma.x + beta.x) * a.inputInverse);
        bits[1] = int8gemm::int8Bits(((v[1] - mean) * rstd * gamma.y + beta.y) * a.inputInverse);
        bits[2] = int8gemm::int8Bits(((v[2] - mean) * rstd * gamma.z + beta.z) * a.inputInverse);
        bits[3] = int8gemm::int8Bits(((v[3] - mean) * rstd * gamma.w + beta.w) * a.inputInverse);
        x[p / 2][2 * (p % 2) + h] = int8gemm::packBytes(bits[0], bits[1], bits[2], bits[3]);
      }
    }

    // ldmatrix.x4 row addresses for two n-tiles x (k 0-15 | 16-31).
    int bRow = (lane / 16) * 8 + lane % 8, bK = ((lane / 8) & 1) * 16;
    if (kResident && tile == blockIdx.x) {
      int8gemm::waitCopies<0>();
      __syncthreads(); // the weight and the column table are in
    }
#pragma unroll 1
    for (int chunk = 0; chunk < kChunks; ++chunk) {
      if constexpr (!kResident) {
        int8gemm::waitCopies<kStages - 2>();
        __syncthreads(); // chunk is in; every warp is done with chunk - 1
        if (int next = chunk + kStages - 1; next < kChunks)
          loadChunk<C, kThreads>(a, shared + (next % kStages) * stageBytes<C>(), next);
        int8gemm::commitCopies();
      }
      const unsigned char *wTile =
          shared + (kResident ? chunk : chunk % kStages) * stageBytes<C>();
      int acc[4][4] = {};
#pragma unroll
      for (int s = 0; s < kSteps; ++s)
#pragma unroll
        for (int pair = 0; pair < 2; ++pair) {
          unsigned b[4];
          int8gemm::ldmatrixX4(b, wTile + (16 * pair + bRow) * wRowBytes<C>() + 32 * s + bK);
          const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
          int8gemm::mmaS8(acc[2 * pair], x[s], b0);
          int8gemm::mmaS8(acc[2 * pair + 1], x[s], b1);
        }
      // Tile n's pair (rows 8n + 2t, + 1) is column 8t + 2n (+ 1) of the
      // chunk: lane t writes columns 8t .. 8t + 7.
      float v[2][8];
#pragma unroll
      for (int n = 0; n < 4; ++n) {
        float4 column = columns[chunk * kChunk / 2 + 4 * t + n];
#pragma unroll
        for (int e = 0; e < 4; ++e)
          v[e / 2][2 * n + e % 2] =
              fmaf((float)acc[n][e], e % 2 ? column.y : column.x, e % 2 ? column.w : column.z);
      }
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        int row = row0 + 8 * h;
        if (row >= a.m)
          continue;
        size_t offset = (size_t)row * N + chunk * kChunk + 8 * t;
        if constexpr (sizeof(TO) == 1) {
          *reinterpret_cast<uint2 *>(static_cast<int8_t *>(a.out) + offset) =
              int8gemm::packInt8x8(v[h]);
        } else {
          __half2 halves[4];
#pragma unroll
          for (int i = 0; i < 4; ++i)
            halves[i] = __floats2half2_rn(v[h][2 * i], v[h][2 * i + 1]);
          *reinterpret_cast<uint4 *>(static_cast<__half *>(a.out) + offset) =
              *reinterpret_cast<uint4 *>(halves);
        }
      }
    }
  } // tile
  int8gemm::waitCopies<0>();
}

/// Sets norm_qkv_s8's shared-memory limit; outside graph capture.
template <int C, int N, int H, int W, int WH, int WW, int SH, int SW, typename TO, int Warps>
cudaError_t prepareNormQkvInt8() {
  return cudaFuncSetAttribute(norm_qkv_s8<C, N, H, W, WH, WW, SH, SW, TO, Warps>,
                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int8qkv::sharedBytes<C, N>());
}

/// Resident weights: at most as many blocks as the GPU holds at once, each
/// walking row tiles; streamed: one block per tile.
template <int C, int N, int H, int W, int WH, int WW, int SH, int SW, typename TO, int Warps>
void launchNormQkvInt8(const Int8NormQkvArgs &a, cudaStream_t stream) {
  constexpr int kRows = 16 * Warps;
  auto kernel = norm_qkv_s8<C, N, H, W, WH, WW, SH, SW, TO, Warps>;
  int blocks = (a.m + kRows - 1) / kRows;
  if constexpr (int8qkv::resident<C, N>()) {
    static std::atomic<int> capOf[64] = {}; // per device
    int device = 0;
    if (cudaGetDevice(&device) == cudaSuccess && device >= 0 && device < 64) {
      if (capOf[device] == 0) {
        int sms = 0, perSm = 0;
        if (cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) ==
                cudaSuccess &&
            cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, kernel, 32 * Warps,
                                                          int8qkv::sharedBytes<C, N>()) ==
                cudaSuccess)
          capOf[device] = sms * perSm;
      }
      if (int cap = capOf[device]; cap > 0)
        blocks = blocks < cap ? blocks : cap;
    }
  }
  kernel<<<blocks, 32 * Warps, int8qkv::sharedBytes<C, N>(), stream>>>(a);
}

} // namespace swinrt

#endif // SWINRT_NORM_QKV_INT8_CUH
