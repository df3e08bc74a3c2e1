//===- block_int8_layout.h - the fused int8 block kernels' shape contracts ===//
//
// The shapes the fused int8 kernels of a Swin block take and their block
// sizes, shared by the compiler (CudaEmitter), which emits them, and the
// runtime, which chooses them per batch: LayerNorm + partition + QKV
// (norm_qkv_int8.cuh) and projection + window reverse + residual + the MLP's
// LayerNorm (proj_residual_int8.cuh).
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_BLOCK_INT8_LAYOUT_H
#define SWINRT_BLOCK_INT8_LAYOUT_H

#ifdef __CUDACC__
#define SWINRT_BLOCK_HOST_DEVICE __host__ __device__
#else
#define SWINRT_BLOCK_HOST_DEVICE
#endif

namespace swinrt {

/// Warps per block of norm_qkv_s8 and proj_residual_s8, 16 rows each.
constexpr int kNormQkvInt8Warps = 8;
constexpr int kProjResidualInt8Warps = 8;

/// Whether norm_qkv_s8 takes C channels in and N columns out: k steps of
/// 32, the gathered rows in registers (C / 4 per lane), 32 columns per
/// pipeline stage.
SWINRT_BLOCK_HOST_DEVICE constexpr bool normQkvInt8Takes(long long c, long long n) {
  return c > 0 && c % 32 == 0 && c <= 256 && n > 0 && n % 32 == 0;
}

/// Whether proj_residual_s8 takes C channels: k steps of 32, all C
/// accumulators of a row in one warp (C / 2 registers per lane).
SWINRT_BLOCK_HOST_DEVICE constexpr bool projResidualInt8Takes(long long c) {
  return c > 0 && c % 32 == 0 && c <= 192;
}

/// The shared-memory row both kernels copy weight row (output column) `q`
/// to: within each 32, column 8t + 2n + j goes to row 8n + 2t + j, so that
/// the m16n8 result fragment of tile n leaves lane t with columns 8t + 2n
/// and 8t + 2n + 1, and each lane ends with 8 consecutive columns. The map
/// is its own inverse.
SWINRT_BLOCK_HOST_DEVICE constexpr int blockInt8WeightRow(int q) {
  return (q & ~31) + 8 * ((q % 8) / 2) + 2 * ((q % 32) / 8) + q % 2;
}

} // namespace swinrt

#endif // SWINRT_BLOCK_INT8_LAYOUT_H
