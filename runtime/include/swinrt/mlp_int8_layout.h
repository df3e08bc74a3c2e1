//===- mlp_int8_layout.h - what the compiler and mlp_s8 agree on ----------===//
//
// The fused int8 MLP (mlp_int8.cuh) takes fc2's weight with its columns
// permuted; the compiler writes it so (CudaEmitter) and the kernel reads
// it so. Both also share the shapes the kernel takes and its block size.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_MLP_INT8_LAYOUT_H
#define SWINRT_MLP_INT8_LAYOUT_H

#ifdef __CUDACC__
#define SWINRT_MLP_HOST_DEVICE __host__ __device__
#else
#define SWINRT_MLP_HOST_DEVICE
#endif

namespace swinrt {

/// Warps per block of mlp_s8, 16 rows each (the faster of 4 and 8 at Swin-T's
/// stage-1 and stage-2 shapes on the H100).
constexpr int kMlpInt8Warps = 8;

/// Whether mlp_s8 takes an MLP of C channels and H hidden: fc1's k steps of
/// 32, fc2's accumulators (C / 2 registers per thread), 64 hidden columns
/// per pipeline stage.
SWINRT_MLP_HOST_DEVICE constexpr bool mlpInt8Takes(long long c, long long h) {
  return c > 0 && c % 32 == 0 && c <= 192 && h > 0 && h % 64 == 0;
}

/// The hidden column that fc2's stored weight column `k` multiplies: within
/// each 32, position 16 * hi + 4 * t + j holds column 16 * hi + 8 * (j / 2) +
/// 2 * t + j % 2. That is where an m16n8 mma result fragment (lane t holds
/// columns 2t and 2t + 1 of each 8) puts its values when read as an
/// m16n8k32 A fragment (lane t holds k = 4t .. 4t + 3 of each 16).
SWINRT_MLP_HOST_DEVICE constexpr int mlpHiddenOrder(int k) {
  int base = k & ~31, p = k & 31, hi = p / 16, t = (p % 16) / 4, j = p % 4;
  return base + 16 * hi + 8 * (j / 2) + 2 * t + j % 2;
}

} // namespace swinrt

#endif // SWINRT_MLP_INT8_LAYOUT_H
