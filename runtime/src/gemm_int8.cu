//===- gemm_int8.cu - the model's int8 GEMM sites --------------------------===//
//
// Built into int8 models only. The kernel is swinrt/gemm_int8.cuh; this maps
// a GEMM site of the model onto it.
//
//===----------------------------------------------------------------------===//

#include "engine.h"
#include "swinrt/gemm_int8.cuh"

namespace swinrt {

swinrt_status prepareGemmInt8Kernels() {
  if (cudaError_t error = prepareGemmInt8(); error != cudaSuccess)
    return cudaFailure(error, "prepareGemmInt8 (gemm_s8 shared memory, wgmma probe)");
  return SWINRT_OK;
}

swinrt_status gemmInt8(Exec &ex, int id, int batch, const void *x, const void *w,
                       const float *alpha, const void *bias, const void *residual, void *out,
                       float outputInverse) {
  const GemmSpec &spec = kModel.gemms[id];
  if (spec.operands != kOperandsInt8)
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "GEMM '%s' is not an int8 site", spec.name);
  Int8Activation activation = spec.epilogue == kEpilogueGeluBias      ? kInt8ActGeluTanh
                              : spec.epilogue == kEpilogueGeluErfBias ? kInt8ActGeluErf
                                                                      : kInt8ActNone;
  Int8GemmArgs args{static_cast<const int8_t *>(x),
                    static_cast<const int8_t *>(w),
                    alpha,
                    spec.epilogue == kEpilogueNone ? nullptr
                                                   : static_cast<const __half *>(bias),
                    spec.residual ? static_cast<const __half *>(residual) : nullptr,
                    out,
                    spec.rowsPerImage * batch,
                    spec.n,
                    spec.k,
                    activation,
                    outputInverse};
  if (const char *why = checkGemmInt8(args))
    return fail(SWINRT_ERROR_INVALID_ARGUMENT, "GEMM '%s': %s", spec.name, why);
  // kAuto: the wgmma kernel on Hopper, mma.sync 64 x 4 elsewhere.
  if (cudaError_t error = launchGemmInt8(args, spec.quantizedOutput, ex.stream);
      error != cudaSuccess)
    return cudaFailure(error, "gemm_s8");
  return SWINRT_OK;
}

} // namespace swinrt
