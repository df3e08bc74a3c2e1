//===- model.h - interface between generated model code and libswinrt ----===//
//
// swin-compile emits model.cu, which defines `swinrt::kModel`: the model's
// constants (shapes, arena and weights sizes, GEMM table) and three host
// functions that enqueue its kernels. engine.cu implements the C API in
// swinrt.h on top of it: weights, arena, cuBLASLt plans, CUDA graphs.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_MODEL_H
#define SWINRT_MODEL_H

#include "swinrt.h"

#include <cuda_runtime.h>

namespace swinrt {

/// kFp8 and kInt8: fp16 activations, and 8-bit GEMMs (E4M3 through
/// cuBLASLt; int8 through gemm_int8.cuh) wherever the model has quantize
/// points (the rest in fp16).
enum Precision { kFp32 = 0, kTf32 = 1, kFp16 = 2, kBf16 = 3, kFp8 = 4, kInt8 = 5 };

/// GELU is cuBLASLt's tanh form; kEpilogueGeluErfBias (int8 sites only)
/// the exact erf form.
enum GemmEpilogue {
  kEpilogueNone = 0,
  kEpilogueBias = 1,
  kEpilogueGeluBias = 2,
  kEpilogueGeluErfBias = 3
};

/// Element type of a GEMM's x and w.
enum GemmOperands { kOperandsStorage = 0, kOperandsE4M3 = 1, kOperandsInt8 = 2 };

/// One GEMM site: out[M, n] = x[M, k] * w[n, k]^T (+ bias) (+ residual),
/// M = rowsPerImage * batch, all row-major. E4M3 sites compute
/// out = quantize?(epilogue(sx * sw * (x w^T) + bias) (+ residual)) with
/// the scales read from the device (see `gemm`); int8 sites the same with
/// one weight scale per output channel (see `gemmInt8`).
struct GemmSpec {
  int rowsPerImage;
  int n;
  int k;
  GemmEpilogue epilogue;
  bool residual;    // beta = 1 with the residual as cuBLASLt's C
  GemmOperands operands;
  bool quantizedOutput; // out 8-bit, scaled by the output point's 1 / scale
  const char *name;     // for messages and the profile
};

struct Engine;

/// What a generated launch sequence sees.
struct Exec {
  Engine *engine;
  cudaStream_t stream;
  char *arena;
  const char *weights;
};

struct ModelDesc {
  uint64_t modelHash;
  uint64_t payloadChecksum;
  uint64_t weightsBytes;
  /// Weights derived on the device at load time (expanded position-bias
  /// tiles), placed after the file's payload in the same allocation.
  uint64_t derivedWeightsBytes;
  uint64_t arenaBytes;
  Precision precision;
  int maxBatch;
  int inChannels, inHeight, inWidth;
  int numClasses;
  const char *precisionName;
  const char *archs;
  const GemmSpec *gemms;
  int numGemms;
  /// One-time setup on the device (shared-memory limits); also proves that
  /// the kernels were built for it.
  swinrt_status (*init)();
  /// Fills the derived weights from the uploaded payload (launches on the
  /// legacy default stream; the caller synchronizes).
  swinrt_status (*expandWeights)(char *weights);
  /// Reads the caller's input into the arena (outside the CUDA graph).
  swinrt_status (*prologue)(Exec &, const void *input, swinrt_dtype dtype, int batch);
  /// Everything between input and logits: what the CUDA graph captures.
  swinrt_status (*body)(Exec &, int batch);
  /// Writes the logits to the caller's output (outside the CUDA graph).
  swinrt_status (*epilogue)(Exec &, void *output, swinrt_dtype dtype, int batch);
};

extern const ModelDesc kModel;

/// cuBLASLt reads FP8 scales from device memory, each 16-byte aligned.
struct alignas(16) GemmScale {
  float value, pad[3];
};
/// Per-site scales of an E4M3 GEMM: w's, x's, and the output's reciprocal.
struct GemmScales {
  GemmScale weight, input, outputInverse;
};

/// Runtime services for the generated code (engine.cu). `scales` is null
/// for storage-type sites.
swinrt_status gemm(Exec &ex, int id, int batch, const void *x, const void *w,
                   const void *bias, const void *residual, void *out,
                   const GemmScales *scales = nullptr);
/// An int8 site (kOperandsInt8): x and w int8, alpha[c] = sx * sw[c]
/// (float), bias and residual in T; out int8 (scaled by `outputInverse`)
/// where the site has a quantized output, T otherwise.
swinrt_status gemmInt8(Exec &ex, int id, int batch, const void *x, const void *w,
                       const float *alpha, const void *bias, const void *residual, void *out,
                       float outputInverse);
/// Once, in the model's init, before any int8 site runs.
swinrt_status prepareGemmInt8Kernels();
/// Whether an int8 MLP of `rows` rows and `channels` channels runs as one
/// kernel (mlp_int8.cuh) rather than as its two GEMM sites, on the current
/// device (docs/quantization.md has the timings behind the rule).
bool mlpInt8Fused(int rows, int channels);
/// Whether a LayerNorm + partition of `rows` rows and `channels` channels
/// runs as one kernel with its attention's int8 QKV GEMM
/// (norm_qkv_int8.cuh) rather than as norm_partition and the GEMM site, on
/// the current device.
bool normQkvInt8Fused(int rows, int channels);
/// Whether an attention projection of `rows` rows runs as one kernel with
/// the window reverse, residual and MLP LayerNorm (proj_residual_int8.cuh)
/// rather than as the GEMM site and window_reverse_residual.
bool projResidualInt8Fused(int rows);
/// Profiling mark: the time up to the next mark counts for `layer`.
void markLayer(Exec &ex, int layer);
/// Checks the last launch; names the kernel on failure.
swinrt_status checkLaunch(const char *kernel);
swinrt_status cudaFailure(cudaError_t error, const char *call);

} // namespace swinrt

#define SWINRT_TRY(expr)                                                       \
  do {                                                                         \
    swinrt_status swinrt_try_status_ = (expr);                                 \
    if (swinrt_try_status_ != SWINRT_OK)                                       \
      return swinrt_try_status_;                                               \
  } while (0)

#endif // SWINRT_MODEL_H
