//===- mlp_int8.cuh - the int8 MLP (fc1, GELU, fc2, residual) in one kernel ===//
//
//   hidden[m, h] = q(act(alpha1[h] * sum_c x[m, c] w1[h, c] + bias1[h]) * hiddenInverse)
//   out[m, c]    = alpha2[c] * sum_h hidden[m, h] w2[c, h] + bias2[c] + residual[m, c]
//
// with q rounding to nearest even and saturating to int8 (NaN to 0): the
// semantics of the pair of int8 GEMM sites (fc1 writing int8, fc2 adding the
// residual) that the emitter would otherwise launch, but the hidden
// activation (4C int8 per row) never leaves the SM. At Swin's C the kernel
// is bound by fc1's epilogue (about 15 instructions per hidden value
// against 2C multiply-adds on the tensor cores), so that epilogue is
// written for instruction count: alpha and bias as one float4 per column
// pair, GELU's tanh form with the inverse scale folded into its 0.5, and
// the four int8 results of a register packed by byte permutes. Its float
// rounding differs from gemm_s8's by a few ulps (tanh.approx, 2^-11, is the
// larger difference from exact GELU in both).
//
// Each warp owns 16 rows and all C outputs. For 32 hidden columns at a time
// it runs fc1 (mma.sync m16n8k32, its x fragments held in registers for the
// whole kernel), finishes them in registers, and feeds the int8 results
// straight back to the tensor cores as fc2's A fragment: an m16n8 result
// fragment holds columns {2t, 2t+1, 8+2t, 9+2t} where m16n8k32's A fragment
// wants k = 4t..4t+3, so fc2's weight is stored with its columns permuted
// the same way (mlpHiddenOrder), which leaves the int32 sum unchanged.
// The weights stream through shared memory, 64 hidden columns (w1's rows
// and w2's columns) per stage of a cp.async pipeline, shared by the block.
//
// Needs C % 32 == 0 and C <= 192 (fc2's accumulators are C / 2 registers
// per thread), H % 64 == 0, 16-byte aligned x, w1 and w2, 4-byte aligned
// residual and out (which may alias).
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_MLP_INT8_CUH
#define SWINRT_MLP_INT8_CUH

#include "swinrt/int8_mma.cuh"
#include "swinrt/mlp_int8_layout.h"

namespace swinrt {

struct Int8MlpArgs {
  const int8_t *x;        // [m, C]
  const int8_t *w1;       // [H, C]
  const float *alpha1;    // [H]
  const __half *bias1;    // [H]
  const int8_t *w2;       // [C, H], columns in mlpHiddenOrder within each 32
  const float *alpha2;    // [C]
  const __half *bias2;    // [C]
  const __half *residual; // [m, C]; may alias out
  __half *out;            // [m, C]
  float hiddenInverse;    // 1 / the scale of fc2's input point
  int m;
};

namespace int8mlp {

constexpr int kChunk = 64; // hidden columns per pipeline stage
constexpr int kStages = 3;
constexpr int kW2RowBytes = kChunk + 16; // 80: ldmatrix's 8 rows hit distinct banks
template <int C> __host__ __device__ constexpr int w1RowBytes() { return C + 16; }
template <int C> __host__ __device__ constexpr int stageBytes() {
  return kChunk * w1RowBytes<C>() + C * kW2RowBytes;
}
/// The pipeline, then {alpha[c], alpha[c + 1], bias[c], bias[c + 1]} for
/// each even c of fc1's H columns and of fc2's C.
template <int C, int H> __host__ __device__ constexpr int sharedBytes() {
  return kStages * stageBytes<C>() + (H + C) / 2 * 16;
}

/// Chunk `chunk`'s 64 rows of w1 and 64 columns of every w2 row.
template <int C, int H, int Threads>
__device__ __forceinline__ void loadChunk(const Int8MlpArgs &a, unsigned char *stage,
                                          int chunk) {
  constexpr int kW1Pieces = kChunk * C / 16, kW2Pieces = C * kChunk / 16;
  const int8_t *w1 = a.w1 + (size_t)chunk * kChunk * C;
  for (int p = threadIdx.x; p < kW1Pieces; p += Threads) {
    int r = p / (C / 16), piece = p % (C / 16);
    int8gemm::copy16(stage + r * w1RowBytes<C>() + piece * 16, w1 + r * C + piece * 16, true);
  }
  unsigned char *w2Tile = stage + kChunk * w1RowBytes<C>();
  for (int p = threadIdx.x; p < kW2Pieces; p += Threads) {
    int r = p / (kChunk / 16), piece = p % (kChunk / 16);
    int8gemm::copy16(w2Tile + r * kW2RowBytes + piece * 16,
                     a.w2 + (size_t)r * H + chunk * kChunk + piece * 16, true);
  }
}

/// act(v) * inverse. The tanh form is gemm_int8.cuh's, rearranged:
/// 0.5 v (1 + tanh(u)) = h + h tanh(u) with h = 0.5 inverse v, and
/// u = v (0.79788456 + 0.03567741 v^2) (0.03567741 = 0.79788456 * 0.044715).
template <Int8Activation Act>
__device__ __forceinline__ float activateScaled(float v, float inverse, float halfInverse) {
  if constexpr (Act == kInt8ActGeluTanh) {
    float u = v * fmaf(v * v, 0.0356774081f, 0.7978845608f), th;
    asm("tanh.approx.f32 %0, %1;" : "=f"(th) : "f"(u));
    float h = halfInverse * v;
    return fmaf(h, th, h);
  } else {
    return int8gemm::activate<Act>(v) * inverse;
  }
}

} // namespace int8mlp

template <int C, int H, Int8Activation Act, int Warps>
__global__ void __launch_bounds__(32 * Warps) mlp_s8(Int8MlpArgs a) {
  using namespace int8mlp;
  static_assert(mlpInt8Takes(C, H) && H % kChunk == 0, "mlp_s8's shape contract");
  constexpr int kThreads = 32 * Warps, kSteps1 = C / 32, kTiles2 = C / 8,
                kChunks = H / kChunk;
  extern __shared__ __align__(16) unsigned char shared[];
  float4 *columns1 = reinterpret_cast<float4 *>(shared + kStages * stageBytes<C>());
  float4 *columns2 = columns1 + H / 2;
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  int row0 = blockIdx.x * 16 * Warps + warp * 16 + g; // and row0 + 8

#pragma unroll
  for (int s = 0; s < kStages - 1; ++s) {
    loadChunk<C, H, kThreads>(a, shared + s * stageBytes<C>(), s);
    int8gemm::commitCopies();
  }
  for (int i = threadIdx.x; i < (H + C) / 2; i += kThreads)
    columns1[i] = i < H / 2 ? int8gemm::alphaBiasPair(a.alpha1, a.bias1, 2 * i)
                            : int8gemm::alphaBiasPair(a.alpha2, a.bias2, 2 * (i - H / 2));
  const float inverse = a.hiddenInverse, halfInverse = 0.5f * a.hiddenInverse;

  // fc1's A fragments, held for the whole kernel.
  unsigned x[kSteps1][4];
  int8gemm::loadRowFragments<C>(x, a.x, row0, a.m, t);

  // ldmatrix.x4 row addresses for two n-tiles x (k 0-15 | 16-31).
  int bRow = (lane / 16) * 8 + lane % 8, bK = ((lane / 8) & 1) * 16;
  int acc[kTiles2][4] = {};
  for (int chunk = 0; chunk < kChunks; ++chunk) {
    int8gemm::waitCopies<kStages - 2>();
    __syncthreads(); // chunk is in; every warp is done with chunk - 1
    if (int next = chunk + kStages - 1; next < kChunks)
      loadChunk<C, H, kThreads>(a, shared + (next % kStages) * stageBytes<C>(), next);
    int8gemm::commitCopies();
    const unsigned char *w1Tile = shared + (chunk % kStages) * stageBytes<C>();
    const unsigned char *w2Tile = w1Tile + kChunk * w1RowBytes<C>();
#pragma unroll
    for (int half = 0; half < kChunk / 32; ++half) {
      // fc1 for hidden columns [32 half, 32 half + 32) of the chunk.
      int hidden[4][4] = {};
#pragma unroll
      for (int s = 0; s < kSteps1; ++s)
#pragma unroll
        for (int pair = 0; pair < 2; ++pair) {
          unsigned b[4];
          int8gemm::ldmatrixX4(
              b, w1Tile + (32 * half + 16 * pair + bRow) * w1RowBytes<C>() + 32 * s + bK);
          const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
          int8gemm::mmaS8(hidden[2 * pair], x[s], b0);
          int8gemm::mmaS8(hidden[2 * pair + 1], x[s], b1);
        }
      // Finished in registers: tile n's pair lands in bytes 2 (n % 2) and
      // 2 (n % 2) + 1 of register h (rows g, g + 8), or of 2 + h for the
      // second 16 columns.
      unsigned bits[4][4];
      int pairIndex = (chunk * kChunk + 32 * half) / 2 + t;
#pragma unroll
      for (int n = 0; n < 4; ++n) {
        float4 column = columns1[pairIndex + 4 * n];
#pragma unroll
        for (int e = 0; e < 4; ++e)
          bits[n][e] = int8gemm::int8Bits(activateScaled<Act>(fmaf((float)hidden[n][e],
                                                         e % 2 ? column.y : column.x,
                                                         e % 2 ? column.w : column.z),
                                                    inverse, halfInverse));
      }
      unsigned packed[4];
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        packed[h] = int8gemm::packBytes(bits[0][2 * h], bits[0][2 * h + 1], bits[1][2 * h],
                                        bits[1][2 * h + 1]);
        packed[2 + h] = int8gemm::packBytes(bits[2][2 * h], bits[2][2 * h + 1], bits[3][2 * h],
                                            bits[3][2 * h + 1]);
      }
      // fc2's k step over those 32 hidden columns.
#pragma unroll
      for (int pair = 0; pair < kTiles2 / 2; ++pair) {
        unsigned b[4];
        int8gemm::ldmatrixX4(b, w2Tile + (16 * pair + bRow) * kW2RowBytes + 32 * half + bK);
        const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
        int8gemm::mmaS8(acc[2 * pair], packed, b0);
        int8gemm::mmaS8(acc[2 * pair + 1], packed, b1);
      }
    }
  }
  int8gemm::waitCopies<0>();

  // fc2's epilogue: alpha * acc + bias + residual, as fp16. A row's
  // residual is loaded whole before any store: out may alias it, so the
  // compiler would otherwise serialise each load behind the previous store.
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    int row = row0 + 8 * h;
    if (row >= a.m)
      continue;
    __half2 residual[kTiles2];
#pragma unroll
    for (int n = 0; n < kTiles2; ++n)
      residual[n] = a.residual ? *reinterpret_cast<const __half2 *>(
                                     a.residual + (size_t)row * C + 8 * n + 2 * t)
                               : __float2half2_rn(0.0f);
    __half *out = a.out + (size_t)row * C;
#pragma unroll
    for (int n = 0; n < kTiles2; ++n) {
      int column = 8 * n + 2 * t;
      float4 pair = columns2[column / 2];
      float2 r = __half22float2(residual[n]);
      float v0 = fmaf((float)acc[n][2 * h], pair.x, pair.z) + r.x;
      float v1 = fmaf((float)acc[n][2 * h + 1], pair.y, pair.w) + r.y;
      *reinterpret_cast<__half2 *>(out + column) = __floats2half2_rn(v0, v1);
    }
  }
}

/// Sets mlp_s8's shared-memory limit (it needs more than 48 KB at C = 192);
/// outside graph capture.
template <int C, int H, Int8Activation Act, int Warps> cudaError_t prepareMlpInt8() {
  return cudaFuncSetAttribute(mlp_s8<C, H, Act, Warps>,
                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int8mlp::sharedBytes<C, H>());
}

template <int C, int H, Int8Activation Act, int Warps>
void launchMlpInt8(const Int8MlpArgs &a, cudaStream_t stream) {
  constexpr int kRows = 16 * Warps;
  mlp_s8<C, H, Act, Warps>
      <<<(a.m + kRows - 1) / kRows, 32 * Warps, int8mlp::sharedBytes<C, H>(), stream>>>(a);
}

} // namespace swinrt

#endif // SWINRT_MLP_INT8_CUH
