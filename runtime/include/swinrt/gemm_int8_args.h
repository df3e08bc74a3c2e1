//===- gemm_int8_args.h - the arguments of an int8 GEMM site ---------------===//
//
// Shared by the int8 GEMM kernels: libswinrt's own (gemm_int8.cuh) and the
// Hopper ones built from CUTLASS (gemm_int8_sm90.cuh), whose kernel table
// and tile rule are here so that code without CUTLASS can dispatch to them.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_GEMM_INT8_ARGS_H
#define SWINRT_GEMM_INT8_ARGS_H

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

/// The CUTLASS sm90 tiles each epilogue class is built with: ping-pong
/// warpgroups, rows x columns, 128 bytes of k.
enum Sm90Tile { kSm90P128x128, kSm90P128x96, kSm90P64x128, kSm90Tiles };

struct Sm90TileKernel {
  const char *name;
  cudaError_t (*prepare)(); // the shared-memory limit; outside capture
  cudaError_t (*launch)(const Int8GemmArgs &, int smCount, cudaStream_t);
};

/// One epilogue class's kernels (sm90::int8Class).
struct Sm90Int8Class {
  Int8Activation activation;
  bool quantizedOutput;
  bool residual;
  Sm90TileKernel tiles[kSm90Tiles];
};

/// Whether the sm90 kernels take these arguments: TMA and the 16-byte
/// vectors of alpha and bias need n % 16 == 0, k % 16 == 0 and 16-byte
/// aligned pointers (null bias and residual pass).
inline bool sm90Int8Supports(const Int8GemmArgs &a) {
  auto aligned = [](const void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; };
  return a.m > 0 && a.n % 16 == 0 && a.k % 16 == 0 && aligned(a.x) && aligned(a.w) &&
         aligned(a.alpha) && aligned(a.bias) && aligned(a.residual) && aligned(a.out);
}

/// The tile for a GEMM, from runtime/tests/gemm_int8_check.cu's timings at
/// Swin shapes on the H100 (docs/quantization.md): 64-row tiles when
/// 128-row ones would not fill the GPU once (small batches); 96-wide tiles
/// where n is a multiple of 96 but not of 128 (stage 1's 96 and 288), and
/// for the residual GEMM (fc2); 128 x 128 otherwise (fc1's GELU and int8
/// output, wide QKV).
inline Sm90Tile sm90Int8Tile(const Int8GemmArgs &a, bool residual, int smCount) {
  long long tiles128 = (long long)((a.m + 127) / 128) * ((a.n + 127) / 128);
  if (tiles128 < smCount)
    return kSm90P64x128;
  if (a.n % 96 == 0 && (a.n % 128 != 0 || residual))
    return kSm90P128x96;
  return kSm90P128x128;
}

} // namespace swinrt

#endif // SWINRT_GEMM_INT8_ARGS_H
