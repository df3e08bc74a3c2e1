//===- norm_qkv_int8_layout.h - what the compiler and norm_qkv_s8 agree on ===//
//
// The shapes the fused LayerNorm + partition + int8 QKV kernel
// (norm_qkv_int8.cuh) takes and its block size, shared by the compiler
// (CudaEmitter), which emits it, and the runtime, which chooses it.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_NORM_QKV_INT8_LAYOUT_H
#define SWINRT_NORM_QKV_INT8_LAYOUT_H

#ifdef __CUDACC__
#define SWINRT_QKV_HOST_DEVICE __host__ __device__
#else
#define SWINRT_QKV_HOST_DEVICE
#endif

namespace swinrt {

/// Warps per block of norm_qkv_s8, 16 rows each.
constexpr int kNormQkvInt8Warps = 8;

/// Whether norm_qkv_s8 takes C channels in and N columns out: k steps of
/// 32, the gathered rows in registers (C / 4 per lane), 32 columns per
/// pipeline stage.
SWINRT_QKV_HOST_DEVICE constexpr bool normQkvInt8Takes(long long c, long long n) {
  return c > 0 && c % 32 == 0 && c <= 256 && n > 0 && n % 32 == 0;
}

} // namespace swinrt

#endif // SWINRT_NORM_QKV_INT8_LAYOUT_H
