//===- int8_mma.cuh - int8 tensor-core building blocks (mma.sync, cp.async) ===//
//
// Shared by libswinrt's int8 GEMM (gemm_int8.cuh) and the fused int8 kernels
// (mlp_int8.cuh, norm_qkv_int8.cuh, proj_residual_int8.cuh): asynchronous
// copies, ldmatrix, mma.sync m16n8k32 on int8, A-fragment loads, int8
// rounding and packing, and the GEMM epilogues' activations. sm_80 and newer.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_INT8_MMA_CUH
#define SWINRT_INT8_MMA_CUH

#include "swinrt/gemm_int8_args.h"
#include "swinrt/kernels.cuh"

namespace swinrt {
namespace int8gemm {

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

/// m16n8k32 A fragments of rows `row` and `row + 8` of an int8 [m, K]
/// matrix (zeros past m): x[s][h] holds k = 32s + 4t .. + 3 of row + 8h,
/// x[s][2 + h] k = 32s + 16 + 4t .. + 3 (lane t = lane % 4).
template <int K>
__device__ __forceinline__ void loadRowFragments(unsigned (&x)[K / 32][4], const int8_t *matrix,
                                                 int row, int m, int t) {
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    int r = row + 8 * h;
    const int8_t *src = matrix + (size_t)r * K + 4 * t;
#pragma unroll
    for (int s = 0; s < K / 32; ++s) {
      x[s][h] = r < m ? *reinterpret_cast<const unsigned *>(src + 32 * s) : 0u;
      x[s][2 + h] = r < m ? *reinterpret_cast<const unsigned *>(src + 32 * s + 16) : 0u;
    }
  }
}

/// {alpha[c], alpha[c + 1], bias[c], bias[c + 1]} (zeros for a null bias):
/// a column pair of an int8 epilogue, as the fused kernels keep it in
/// shared memory.
__device__ __forceinline__ float4 alphaBiasPair(const float *alpha, const __half *bias, int c) {
  float2 b = bias ? __half22float2(*reinterpret_cast<const __half2 *>(bias + c))
                  : make_float2(0.0f, 0.0f);
  return make_float4(alpha[c], alpha[c + 1], b.x, b.y);
}

/// fromFloat<int8_t>(v)'s byte in the low 8 bits (higher bits are junk).
__device__ __forceinline__ unsigned int8Bits(float v) {
  float clamped = v == v ? fminf(fmaxf(v, -128.0f), 127.0f) : 0.0f;
  return __float_as_uint(clamped + 12582912.0f);
}

/// Bytes 0 of a, b, c and d as one register (a lowest).
__device__ __forceinline__ unsigned packBytes(unsigned a, unsigned b, unsigned c, unsigned d) {
  unsigned ab, cd, abcd;
  asm("prmt.b32 %0, %1, %2, 0x0040;" : "=r"(ab) : "r"(a), "r"(b));
  asm("prmt.b32 %0, %1, %2, 0x0040;" : "=r"(cd) : "r"(c), "r"(d));
  asm("prmt.b32 %0, %1, %2, 0x5410;" : "=r"(abcd) : "r"(ab), "r"(cd));
  return abcd;
}

/// Eight values rounded to int8 (fromFloat<int8_t>), v[0] in the lowest byte.
__device__ __forceinline__ uint2 packInt8x8(const float (&v)[8]) {
  return make_uint2(packBytes(int8Bits(v[0]), int8Bits(v[1]), int8Bits(v[2]), int8Bits(v[3])),
                    packBytes(int8Bits(v[4]), int8Bits(v[5]), int8Bits(v[6]), int8Bits(v[7])));
}

template <Int8Activation Act> __device__ __forceinline__ float activate(float v) {
  if constexpr (Act == kInt8ActGeluErf)
    return geluErf(v);
  if constexpr (Act == kInt8ActGeluTanh) { // tanh.approx: 2^-11 relative, like cuBLASLt's
    float u = 0.7978845608028654f * (v + 0.044715f * v * v * v), th;
    asm("tanh.approx.f32 %0, %1;" : "=f"(th) : "f"(u));
    return 0.5f * v * (1.0f + th);
  }
  return v;
}

} // namespace int8gemm
} // namespace swinrt

#endif // SWINRT_INT8_MMA_CUH
