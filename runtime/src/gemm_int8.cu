//===- gemm_int8.cu - the model's int8 GEMM sites --------------------------===//
//
// Built into int8 models only. This maps a GEMM site of the model onto a
// kernel: on Hopper, where the model was built with CUTLASS
// (SWINRT_SM90_INT8), the CUTLASS sm90 kernels of the site's epilogue class
// (gemm_int8_sm90.cuh, built by the generated gemm_int8_sm90*.cu units);
// otherwise libswinrt's own (gemm_int8.cuh), which also serve the shapes
// the CUTLASS kernels do not take.
//
//===----------------------------------------------------------------------===//

#include "engine.h"
#include "swinrt/gemm_int8.cuh"
#include "swinrt/mlp_int8_layout.h"
#include "swinrt/block_int8_layout.h"

namespace swinrt {

namespace {
std::atomic<int> smCountOf[64] = {}; // per device; set by prepareGemmInt8Kernels
std::atomic<bool> sm90Int8Active[64] = {}; // the CUTLASS kernels serve this device
} // namespace

#ifdef SWINRT_SM90_INT8
/// The epilogue classes the model's int8 sites use (generated).
int sm90Int8Classes(const Sm90Int8Class **classes);

namespace {

const Sm90Int8Class *sm90ClassOf(const GemmSpec &spec, Int8Activation activation) {
  const Sm90Int8Class *classes = nullptr;
  int count = sm90Int8Classes(&classes);
  for (int i = 0; i < count; ++i)
    if (classes[i].activation == activation &&
        classes[i].quantizedOutput == spec.quantizedOutput &&
        classes[i].residual == spec.residual)
      return &classes[i];
  return nullptr;
}
} // namespace
#endif

swinrt_status prepareGemmInt8Kernels() {
  if (cudaError_t error = prepareGemmInt8(); error != cudaSuccess)
    return cudaFailure(error, "prepareGemmInt8 (gemm_s8 shared memory, wgmma probe)");
  int device = int8gemm::currentDevice();
  int count = 0;
  if (device >= 0) {
    if (cudaError_t error =
            cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device);
        error != cudaSuccess)
      return cudaFailure(error, "cudaDeviceGetAttribute(multiprocessor count)");
    smCountOf[device] = count;
  }
#ifdef SWINRT_SM90_INT8
  // The CUTLASS kernels are sm_90a code: they run where the wgmma probe ran.
  if (device >= 0 && wgmmaInt8Available()) {
    const Sm90Int8Class *classes = nullptr;
    int classCount = sm90Int8Classes(&classes);
    for (int i = 0; i < classCount; ++i)
      for (const Sm90TileKernel &tile : classes[i].tiles)
        if (cudaError_t error = tile.prepare(); error != cudaSuccess)
          return cudaFailure(error, "preparing the CUTLASS int8 GEMM kernels");
    sm90Int8Active[device] = true;
  }
#endif
  return SWINRT_OK;
}

namespace {
/// The current device, where `rows` give each of its SMs at least one block
/// of a fused kernel's `rowsPerBlock`; -1 otherwise, or before
/// prepareGemmInt8Kernels. Below that the GEMM pairs' smaller tiles spread
/// the work wider (Swin-T stage 2's MLP at batch 1 on the H100: 29 against
/// 19 us).
int deviceFilledBy(int rows, int rowsPerBlock) {
  int device = int8gemm::currentDevice();
  if (device < 0 || smCountOf[device] == 0 ||
      (rows + rowsPerBlock - 1) / rowsPerBlock < smCountOf[device])
    return -1;
  return device;
}
} // namespace

bool mlpInt8Fused(int rows, int channels) {
  int device = deviceFilledBy(rows, 16 * kMlpInt8Warps);
  // The CUTLASS pair is faster at C = 192 (H100, batch 64: about 74 against 88 us);
  // the fused kernel at C = 96 (103 against 131 us).
  return device >= 0 && !(sm90Int8Active[device] && channels > 96);
}

bool normQkvInt8Fused(int rows, int channels) {
  int device = deviceFilledBy(rows, 16 * kNormQkvInt8Warps);
  // The CUTLASS QKV GEMM with norm_partition is faster at C = 192 (H200,
  // Swin-T stage 2, batch 64: norm_qkv_s8 56 us against about 50); the
  // fused kernel at C = 96 (59 against about 85).
  return device >= 0 && !(sm90Int8Active[device] && channels > 96);
}

bool projResidualInt8Fused(int rows) {
  return deviceFilledBy(rows, 16 * kProjResidualInt8Warps) >= 0;
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
#ifdef SWINRT_SM90_INT8
  // SWINRT_GEMM=reference keeps CUTLASS's TMA stores out of the run.
  if (int device = int8gemm::currentDevice(); device >= 0 && sm90Int8Active[device] &&
                                              !ex.engine->debug.referenceGemm &&
                                              sm90Int8Supports(args)) {
    if (const Sm90Int8Class *epilogueClass = sm90ClassOf(spec, activation)) {
      const Sm90TileKernel &tile =
          epilogueClass->tiles[sm90Int8Tile(args, spec.residual, smCountOf[device])];
      if (cudaError_t error = tile.launch(args, smCountOf[device], ex.stream);
          error != cudaSuccess)
        return cudaFailure(error, "the CUTLASS int8 GEMM");
      return SWINRT_OK;
    }
  }
#endif
  // kAuto: the wgmma kernel on Hopper, mma.sync 64 x 4 elsewhere.
  if (cudaError_t error = launchGemmInt8(args, spec.quantizedOutput, ex.stream);
      error != cudaSuccess)
    return cudaFailure(error, "gemm_s8");
  return SWINRT_OK;
}

} // namespace swinrt
