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
// Two kernels, one epilogue:
// - gemm_s8: mma.sync m16n8k32 (sm_80 and newer, so also Jetson Orin). Block
//   tiles of BM x BN x 64 bytes, 2 x WN warps, a 3-stage cp.async pipeline
//   whose tails are zero-filled; shared rows padded from 64 to 80 bytes so
//   that ldmatrix and the copies hit distinct banks.
// - gemm_s8_wgmma: Hopper's wgmma m64nNk32 (sm_90a), 1 or 2 warpgroups of 64
//   rows, tiles of 128 bytes of k in the 128-byte swizzled layout wgmma's
//   descriptors read, loaded by cp.async. At 8192^3 on the H100: mma.sync
//   about 490 TOPS, this wgmma kernel about 650-680 (no TMA or warp
//   specialisation yet; cuBLASLt's fp16 reaches about 900 TFLOP/s).
// - The epilogue finishes each accumulator pair in registers (alpha, bias,
//   activation, residual, conversion), stages the block in the output type
//   and copies whole rows out in 16-byte pieces. At Swin's small k it is
//   most of the time: the activation is a compile-time branch (a run-time
//   one computed every variant per element) and int8 rounding avoids F2I.
//
// Needs K % 16 == 0 and N % 2 == 0 (16-byte copies, paired stores), 16-byte
// aligned x and w, 8-byte aligned alpha and 4-byte aligned bias, residual and
// out; checkGemmInt8 checks.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_GEMM_INT8_CUH
#define SWINRT_GEMM_INT8_CUH

#include "swinrt/gemm_int8_args.h"
#include "swinrt/int8_mma.cuh"
#include "swinrt/kernels.cuh"
#include "swinrt/wgmma_s8.cuh"

#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace swinrt {

namespace int8gemm {

constexpr int kBlockK = 64;
constexpr int kStages = 3;
template <int WN> __host__ __device__ constexpr int threads() { return 64 * WN; } // 2 x WN warps
constexpr int kRowBytes = kBlockK + 16;

template <int BM, int BN> __host__ __device__ constexpr int sharedBytes() {
  return kStages * (BM + BN) * kRowBytes;
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

/// Output channels c and c + 1's alpha and bias (zeros past n; n is even).
struct ColumnPair {
  float2 alpha = {0.0f, 0.0f}, bias = {0.0f, 0.0f};
};
__device__ __forceinline__ ColumnPair columnPair(const Int8GemmArgs &a, int col) {
  ColumnPair c;
  if (col < a.n) { // col is even: 8- and 4-byte aligned pairs
    c.alpha = *reinterpret_cast<const float2 *>(a.alpha + col);
    if (a.bias)
      c.bias = __half22float2(*reinterpret_cast<const __half2 *>(a.bias + col));
  }
  return c;
}

/// Calls body(std::integral_constant<Int8Activation, A>) for the run-time
/// activation A: the epilogue is compiled once per activation, since a
/// run-time choice per element would compute every variant and select.
template <typename Body>
__device__ __forceinline__ void withActivation(Int8Activation activation, Body &&body) {
  switch (activation) {
  case kInt8ActGeluTanh:
    body(std::integral_constant<Int8Activation, kInt8ActGeluTanh>());
    break;
  case kInt8ActGeluErf:
    body(std::integral_constant<Int8Activation, kInt8ActGeluErf>());
    break;
  default:
    body(std::integral_constant<Int8Activation, kInt8ActNone>());
  }
}

/// Bytes per staged row: BN outputs plus 16 bytes, so that the fragment
/// writes (8 rows x 4 lanes per warp) fall in distinct banks and rows stay
/// 16-byte aligned for the copy out.
template <int BN, typename TOut> __host__ __device__ constexpr int stagedRowBytes() {
  return BN * static_cast<int>(sizeof(TOut)) + 16;
}

/// Where one thread's two fragment rows (g and g + 8) take their residual:
/// row pointers, null past m or without a residual.
struct ResidualRows {
  const __half *rows[2];
  __device__ __forceinline__ ResidualRows(const Int8GemmArgs &a, int row) {
#pragma unroll
    for (int h = 0; h < 2; ++h)
      rows[h] = a.residual && row + 8 * h < a.m ? a.residual + (size_t)(row + 8 * h) * a.n
                                                 : nullptr;
  }
};

/// The epilogue's first half, in registers: one thread's part of a 16 x 8
/// accumulator tile (mma.sync's and wgmma's layout: lane (g, t) holds rows g
/// and g + 8, columns 2t and 2t + 1) becomes act(alpha * acc + bias) +
/// residual, converted to TOut and staged. `col` is the global column of
/// (g, 2t); `staged` points at its staged pair.
template <Int8Activation Act, typename TOut>
__device__ __forceinline__ void finishFragment(const Int8GemmArgs &a, unsigned char *staged,
                                               int stride, const ResidualRows &residual,
                                               int col, const int *acc, const ColumnPair &c) {
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    float x = activate<Act>(acc[2 * h] * c.alpha.x + c.bias.x);
    float y = activate<Act>(acc[2 * h + 1] * c.alpha.y + c.bias.y);
    if (residual.rows[h] && col < a.n) {
      float2 r = __half22float2(*reinterpret_cast<const __half2 *>(residual.rows[h] + col));
      x += r.x;
      y += r.y;
    }
    storePair(reinterpret_cast<TOut *>(staged + 8 * h * stride), x, y, a.outputInverse);
  }
}

/// The second half: `rows` staged rows (global rows from `firstRow`,
/// columns from `blockCol`) copied out in 16-byte pieces where n allows,
/// else in pairs.
template <int BN, int Threads, typename TOut>
__device__ __forceinline__ void storeStagedRows(const Int8GemmArgs &a,
                                                const unsigned char *staged, int rows,
                                                int firstRow, int blockCol) {
  constexpr int kStride = stagedRowBytes<BN, TOut>(), kRowBytes = BN * sizeof(TOut);
  unsigned char *out = static_cast<unsigned char *>(a.out);
  size_t rowBytes = (size_t)a.n * sizeof(TOut);
  int validCols = min(BN, a.n - blockCol);
  if (rowBytes % 16 == 0 && reinterpret_cast<uintptr_t>(out) % 16 == 0) {
    // BN is a multiple of 16 too: pieces lie wholly inside or past n.
    constexpr int kPieces = kRowBytes / 16;
    for (int idx = threadIdx.x; idx < rows * kPieces; idx += Threads) {
      int r = idx / kPieces, piece = idx % kPieces, row = firstRow + r;
      if (row < a.m && piece * 16 < validCols * (int)sizeof(TOut))
        *reinterpret_cast<uint4 *>(out + row * rowBytes + (size_t)blockCol * sizeof(TOut) +
                                   piece * 16) =
            *reinterpret_cast<const uint4 *>(staged + r * kStride + piece * 16);
    }
    return;
  }
  constexpr int kPairBytes = 2 * sizeof(TOut), kPairs = BN / 2;
  using Pair = std::conditional_t<sizeof(TOut) == 2, uint32_t, uint16_t>;
  for (int idx = threadIdx.x; idx < rows * kPairs; idx += Threads) {
    int r = idx / kPairs, pair = idx % kPairs, row = firstRow + r;
    if (row < a.m && 2 * pair < validCols)
      *reinterpret_cast<Pair *>(out + row * rowBytes + (size_t)blockCol * sizeof(TOut) +
                                pair * kPairBytes) =
          *reinterpret_cast<const Pair *>(staged + r * kStride + pair * kPairBytes);
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

  // Epilogue: finished in registers, staged as TOut in the pipeline's
  // (now free) buffers, copied out as whole rows.
  __syncthreads();
  constexpr int kStride = stagedRowBytes<BN, TOut>();
  static_assert(BM * kStride <= sharedBytes<BM, BN>(), "staging fits the pipeline");
  int g = lane / 4, t = lane % 4;
  withActivation(a.activation, [&](auto act) {
#pragma unroll
    for (int i = 0; i < kTilesM; ++i) {
      int localRow = warpRow + 16 * i + g;
      ResidualRows residual(a, blockRow + localRow);
#pragma unroll
      for (int j = 0; j < kTilesN; ++j) {
        int local = warpCol + 8 * j + 2 * t;
        finishFragment<decltype(act)::value, TOut>(
            a, shared + localRow * kStride + local * sizeof(TOut), kStride, residual,
            blockCol + local, acc[i][j], columnPair(a, blockCol + local));
      }
    }
  });
  __syncthreads();
  storeStagedRows<BN, kThreads, TOut>(a, shared, BM, blockRow, blockCol);
}

namespace int8sm90 {

// Block tiles of (64 * WG) x BN x 128 bytes; each of the WG warpgroups
// issues wgmma m64nBNk32 over its 64 rows. Tiles sit in shared memory in the
// 128-byte swizzled K-major layout the descriptors name: row r at r * 128,
// its 16-byte chunk c at chunk c ^ (r % 8), 8-row groups 1024 bytes apart.
constexpr int kBlockK = 128;
template <int WG> __host__ __device__ constexpr int threads() { return 128 * WG; }
template <int BN, int WG> __host__ __device__ constexpr int stageBytes() {
  return (64 * WG + BN) * kBlockK;
}
/// The epilogue's staged rows (16-bit outputs, the larger).
template <int BN, int WG> __host__ __device__ constexpr int stagingBytes() {
  return 64 * WG * int8gemm::stagedRowBytes<BN, __half>();
}
/// The pipeline or the staging, whichever is larger, plus 1024 bytes to
/// align it to the swizzle pattern.
template <int BN, int WG, int Stages> __host__ __device__ constexpr int sharedBytes() {
  return (Stages * stageBytes<BN, WG>() > stagingBytes<BN, WG>() ? Stages * stageBytes<BN, WG>()
                                                                 : stagingBytes<BN, WG>()) +
         1024;
}

/// A wgmma shared-memory descriptor: 128-byte swizzle, 8-row groups 1024
/// bytes apart (the leading offset is unused for swizzled K-major tiles).
__device__ __forceinline__ uint64_t descriptor(unsigned address) {
  return static_cast<uint64_t>((address & 0x3FFFF) >> 4) | (uint64_t(1) << 16) |
         (uint64_t(1024 >> 4) << 32) | (uint64_t(1) << 62);
}

/// Copies `Rows` rows of k tile [k0, k0 + 128) into a swizzled tile, zeros
/// past `limit` rows and past k.
template <int Rows, int Threads>
__device__ __forceinline__ void loadTile(unsigned char *tile, const int8_t *base, int limit,
                                         int first, int k, int k0) {
#pragma unroll
  for (int c = threadIdx.x; c < Rows * 8; c += Threads) {
    int r = c / 8, chunk = c % 8, kk = k0 + chunk * 16, row = first + r;
    bool valid = row < limit && kk < k;
    int8gemm::copy16(tile + r * 128 + ((chunk ^ (r % 8)) * 16),
                     valid ? base + (size_t)row * k + kk : base, valid);
  }
}

__device__ __forceinline__ void wgmmaFence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaCommit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmmaWaitAll() {
  asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
}
/// Orders this thread's cp.async writes before the tensor cores' reads.
__device__ __forceinline__ void fenceSharedForAsyncProxy() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

} // namespace int8sm90

/// gemm_s8's contract on Hopper's wgmma (sm_90a), WG warpgroups of 64 rows
/// each, a Stages-deep cp.async pipeline. Elsewhere (another target, or
/// sm_90 without the architecture-specific build) it traps; launchers ask
/// wgmmaInt8Available() first.
template <int BN, int WG, int Stages, typename TOut>
__global__ void __launch_bounds__(int8sm90::threads<WG>())
    gemm_s8_wgmma(Int8GemmArgs a) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using namespace int8sm90;
  constexpr int kBlockM = 64 * WG, kThreads = threads<WG>();
  extern __shared__ unsigned char rawShared[];
  // Offset rather than a rounded address, so that the compiler still sees
  // shared memory (STS/LDS, not generic accesses).
  unsigned char *shared = rawShared + ((1024 - int8gemm::sharedAddress(rawShared) % 1024) % 1024);
  int warpgroup = threadIdx.x / 128, warp = (threadIdx.x / 32) % 4, lane = threadIdx.x % 32;
  int blockRow = blockIdx.y * kBlockM, blockCol = blockIdx.x * BN;
  int kTiles = (a.k + kBlockK - 1) / kBlockK;
  auto tileA = [&](int stage) { return shared + stage * stageBytes<BN, WG>(); };
  auto tileB = [&](int stage) { return tileA(stage) + kBlockM * kBlockK; };
  auto load = [&](int stage, int kt) {
    loadTile<kBlockM, kThreads>(tileA(stage), a.x, a.m, blockRow, a.k, kt * kBlockK);
    loadTile<BN, kThreads>(tileB(stage), a.w, a.n, blockCol, a.k, kt * kBlockK);
  };

  int acc[BN / 2] = {};
#pragma unroll
  for (int s = 0; s < Stages - 1; ++s) {
    if (s < kTiles)
      load(s, s);
    int8gemm::commitCopies();
  }
  for (int kt = 0; kt < kTiles; ++kt) {
    int8gemm::waitCopies<Stages - 2>();
    fenceSharedForAsyncProxy();
    __syncthreads(); // tile kt is in; every warpgroup is done with tile kt - 1
    if (int next = kt + Stages - 1; next < kTiles)
      load(next % Stages, next);
    int8gemm::commitCopies();
    unsigned a0 = int8gemm::sharedAddress(tileA(kt % Stages) + warpgroup * 64 * kBlockK);
    unsigned b0 = int8gemm::sharedAddress(tileB(kt % Stages));
    wgmmaFence();
    // All four k steps, the zero-filled tail's too: skipping them is a
    // branch that makes ptxas serialize every wgmma (C7520), and Swin's
    // tails (k = 96, 192) fall on memory-bound GEMMs.
#pragma unroll
    for (int ks = 0; ks < kBlockK / 32; ++ks)
      WgmmaS8<BN>::run(acc, descriptor(a0 + 32 * ks), descriptor(b0 + 32 * ks));
    wgmmaCommit();
    wgmmaWaitAll();
  }
  int8gemm::waitCopies<0>();

  // Epilogue: finished in registers, staged as TOut in the (now free)
  // pipeline buffers, copied out as whole rows.
  __syncthreads();
  constexpr int kStride = int8gemm::stagedRowBytes<BN, TOut>();
  int localRow = warpgroup * 64 + warp * 16 + lane / 4;
  int8gemm::ResidualRows residual(a, blockRow + localRow);
  int8gemm::withActivation(a.activation, [&](auto act) {
#pragma unroll
    for (int j = 0; j < BN / 8; ++j) {
      int local = 8 * j + 2 * (lane % 4);
      int8gemm::finishFragment<decltype(act)::value, TOut>(
          a, shared + localRow * kStride + local * sizeof(TOut), kStride, residual,
          blockCol + local, acc + 4 * j, int8gemm::columnPair(a, blockCol + local));
    }
  });
  __syncthreads();
  int8gemm::storeStagedRows<BN, kThreads, TOut>(a, shared, kBlockM, blockRow, blockCol);
#else
  __trap();
#endif
}

/// Whether this build carries gemm_s8_wgmma for the device (sm_90a code on
/// a compute capability 9.0 GPU).
__global__ void gemmS8WgmmaProbe(int *built) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  *built = 1;
#else
  *built = 0;
#endif
}

namespace int8gemm {

/// The widest block that divides n (Swin's widths are multiples of 96 or
/// 128); 64 with a predicated tail otherwise. `wide` also takes 192.
inline int blockN(int n, bool wide = false) {
  return wide && n % 192 == 0 ? 192 : n % 128 == 0 ? 128 : n % 96 == 0 ? 96 : 64;
}

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

template <int BN, int WG, int Stages>
cudaError_t launchWgmma(const Int8GemmArgs &a, bool quantized, cudaStream_t s) {
  constexpr int bytes = int8sm90::sharedBytes<BN, WG, Stages>();
  dim3 grid((a.n + BN - 1) / BN, (a.m + 64 * WG - 1) / (64 * WG));
  if (quantized)
    gemm_s8_wgmma<BN, WG, Stages, int8_t><<<grid, int8sm90::threads<WG>(), bytes, s>>>(a);
  else
    gemm_s8_wgmma<BN, WG, Stages, __half><<<grid, int8sm90::threads<WG>(), bytes, s>>>(a);
  return cudaGetLastError();
}

template <typename Kernel> cudaError_t allowShared(Kernel *kernel, int bytes) {
  return cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
}

/// Every block width and output type of one mma.sync block shape.
template <int BM, int WN> cudaError_t allowSharedAll() {
  cudaError_t errors[] = {
      allowShared(gemm_s8<BM, 128, WN, __half>, sharedBytes<BM, 128>()),
      allowShared(gemm_s8<BM, 128, WN, int8_t>, sharedBytes<BM, 128>()),
      allowShared(gemm_s8<BM, 96, WN, __half>, sharedBytes<BM, 96>()),
      allowShared(gemm_s8<BM, 96, WN, int8_t>, sharedBytes<BM, 96>()),
      allowShared(gemm_s8<BM, 64, WN, __half>, sharedBytes<BM, 64>()),
      allowShared(gemm_s8<BM, 64, WN, int8_t>, sharedBytes<BM, 64>())};
  for (cudaError_t e : errors)
    if (e != cudaSuccess)
      return e;
  return cudaSuccess;
}

template <int BN, int WG, int Stages> cudaError_t allowSharedWgmma() {
  constexpr int bytes = int8sm90::sharedBytes<BN, WG, Stages>();
  cudaError_t e = allowShared(gemm_s8_wgmma<BN, WG, Stages, __half>, bytes);
  return e != cudaSuccess ? e : allowShared(gemm_s8_wgmma<BN, WG, Stages, int8_t>, bytes);
}

/// Every block width of one wgmma shape (192 only for wide ones).
template <int WG, int Stages, bool Wide> cudaError_t allowSharedWgmmaAll() {
  cudaError_t errors[] = {Wide ? allowSharedWgmma<192, WG, Stages>() : cudaSuccess,
                          allowSharedWgmma<128, WG, Stages>(), allowSharedWgmma<96, WG, Stages>(),
                          allowSharedWgmma<64, WG, Stages>()};
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

template <int WG, int Stages, bool Wide>
cudaError_t launchWgmmaShape(const Int8GemmArgs &a, bool quantized, cudaStream_t s) {
  if constexpr (Wide)
    if (blockN(a.n, true) == 192)
      return launchWgmma<192, WG, Stages>(a, quantized, s);
  switch (blockN(a.n)) {
  case 128:
    return launchWgmma<128, WG, Stages>(a, quantized, s);
  case 96:
    return launchWgmma<96, WG, Stages>(a, quantized, s);
  default:
    return launchWgmma<64, WG, Stages>(a, quantized, s);
  }
}

/// Per device: 0 not yet probed, 1 mma.sync only, 2 gemm_s8_wgmma runs.
/// Atomic: engines may be created on several threads. Devices past 64 use
/// mma.sync.
inline std::atomic<signed char> wgmmaState[64] = {};

inline int currentDevice() {
  int device = 0;
  return cudaGetDevice(&device) == cudaSuccess && device >= 0 && device < 64 ? device : -1;
}

} // namespace int8gemm

/// Kernels and block shapes. mma.sync (sm_80 and newer): rows x warps across
/// the columns (2 warps down the rows). wgmma (sm_90a): 64 rows per
/// warpgroup, the widest block width of 128/96/64 that divides n (or 192
/// for kWgmma64Wide). kAuto picks by shape (autoInt8GemmShape).
enum class Int8GemmShape {
  kAuto,
  k64x4,
  k128x4,
  kWgmma,       // 128 rows (2 warpgroups), 3 stages
  kWgmma64,     // 64 rows (1 warpgroup), 2 stages
  kWgmma64Wide, // kWgmma64 with 192-wide blocks where n allows
};

/// kAuto's choice, from runtime/tests/gemm_int8_check.cu's timings at Swin
/// shapes on the H100 (docs/quantization.md): without wgmma, 64 x 4. With
/// it: 1 warpgroup and 2 stages wherever the others do not win; 2
/// warpgroups for wide or int8-output GEMMs with many rows (more reuse of
/// each loaded tile); mma.sync 128 x 4 for GELU + int8 outputs at k <= 128
/// (fc1), whose epilogue dominates and runs faster with 256 threads per
/// tile; 192-wide blocks for long k. An int8 output without an activation
/// (the QKV GEMM of --quantize-attention) has a light epilogue and takes
/// the fp16-output choice.
inline Int8GemmShape autoInt8GemmShape(const Int8GemmArgs &a, bool quantizedOutput,
                                       bool wgmma) {
  if (!wgmma)
    return Int8GemmShape::k64x4;
  if (quantizedOutput && a.activation != kInt8ActNone)
    return a.k <= 128 ? Int8GemmShape::k128x4 : Int8GemmShape::kWgmma;
  if (a.m >= 8192 && a.n >= 768)
    return Int8GemmShape::kWgmma;
  if (a.m >= 8192 && a.k >= 1024)
    return Int8GemmShape::kWgmma64Wide;
  return Int8GemmShape::kWgmma64;
}

/// Whether gemm_s8_wgmma runs on the current device; known after
/// prepareGemmInt8.
inline bool wgmmaInt8Available() {
  int device = int8gemm::currentDevice();
  return device >= 0 && int8gemm::wgmmaState[device] == 2;
}

/// Raises the kernels' dynamic shared-memory limits and finds out whether
/// this build's wgmma kernel runs on the current device; once per device,
/// before any launch (and outside stream capture).
inline cudaError_t prepareGemmInt8() {
  using namespace int8gemm;
  cudaError_t errors[] = {allowSharedAll<64, 4>(), allowSharedAll<128, 4>(),
                          allowSharedWgmmaAll<2, 3, false>(), allowSharedWgmmaAll<1, 2, false>(),
                          allowSharedWgmmaAll<1, 2, true>()};
  for (cudaError_t e : errors)
    if (e != cudaSuccess)
      return e;
  int device = currentDevice();
  if (device < 0)
    return cudaSuccess; // mma.sync only
  if (wgmmaState[device] != 0)
    return cudaSuccess; // probed by an earlier engine on this device
  // The state is stored once, when known, so that no engine sees a
  // provisional "mma.sync only".
  cudaDeviceProp properties;
  if (cudaError_t e = cudaGetDeviceProperties(&properties, device); e != cudaSuccess)
    return e;
  if (properties.major != 9 || properties.minor != 0) {
    wgmmaState[device] = 1;
    return cudaSuccess;
  }
  int *built = nullptr, host = 0;
  if (cudaError_t e = cudaMalloc(&built, sizeof(int)); e != cudaSuccess)
    return e;
  gemmS8WgmmaProbe<<<1, 1>>>(built);
  cudaError_t e = cudaGetLastError();
  if (e == cudaSuccess)
    e = cudaMemcpy(&host, built, sizeof(int), cudaMemcpyDeviceToHost);
  cudaFree(built);
  if (e != cudaSuccess)
    return e;
  wgmmaState[device] = host == 1 ? 2 : 1;
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
  auto aligned = [](const void *p, uintptr_t bytes) {
    return reinterpret_cast<uintptr_t>(p) % bytes == 0;
  };
  if (!aligned(a.x, 16) || !aligned(a.w, 16) || !aligned(a.alpha, 8) || !aligned(a.bias, 4) ||
      !aligned(a.residual, 4) || !aligned(a.out, 4))
    return "the int8 GEMM needs 16-byte aligned x and w, 8-byte aligned alpha and 4-byte "
           "aligned bias, residual and out";
  return nullptr;
}

/// Launches on `stream`; `quantizedOutput` selects an int8 `out`. A wgmma
/// shape where wgmmaInt8Available() is false is cudaErrorNotSupported.
inline cudaError_t launchGemmInt8(const Int8GemmArgs &a, bool quantizedOutput,
                                  cudaStream_t stream,
                                  Int8GemmShape shape = Int8GemmShape::kAuto) {
  using namespace int8gemm;
  if (a.m == 0)
    return cudaSuccess;
  bool wgmma = wgmmaInt8Available();
  if (shape == Int8GemmShape::kAuto)
    shape = autoInt8GemmShape(a, quantizedOutput, wgmma);
  switch (shape) {
  case Int8GemmShape::kWgmma:
    return wgmma ? launchWgmmaShape<2, 3, false>(a, quantizedOutput, stream)
                 : cudaErrorNotSupported;
  case Int8GemmShape::kWgmma64:
    return wgmma ? launchWgmmaShape<1, 2, false>(a, quantizedOutput, stream)
                 : cudaErrorNotSupported;
  case Int8GemmShape::kWgmma64Wide:
    return wgmma ? launchWgmmaShape<1, 2, true>(a, quantizedOutput, stream)
                 : cudaErrorNotSupported;
  case Int8GemmShape::k128x4:
    return launchShape<128, 4>(a, quantizedOutput, stream);
  default:
    return launchShape<64, 4>(a, quantizedOutput, stream);
  }
}

} // namespace swinrt

#endif // SWINRT_GEMM_INT8_CUH
