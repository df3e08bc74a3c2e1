//===- CudaEmitter.h - swin module to CUDA C++ ------------------*- C++ -*-===//
//
// Lowers the fused swin function to a CUDA C++ translation unit (model.cu)
// that instantiates the kernel templates of runtime/kernels for the model's
// shapes and drives cuBLASLt through libswinrt, plus the weights file it
// reads. Also registered as the `--swin-to-cuda` translation.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_TARGET_CUDA_CUDAEMITTER_H
#define SWIN_TARGET_CUDA_CUDAEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace swin::cuda {

/// Fp8 and Int8: fp16 activations, and 8-bit GEMMs at the model's quantize
/// points (swin-insert-quant-points with type=fp8 or int8): E4M3 through
/// cuBLASLt, int8 (per-channel weight scales) through libswinrt's gemm_s8.
enum class Precision { Fp32, Tf32, Fp16, Bf16, Fp8, Int8 };

/// "fp32", "tf32", "fp16", "bf16", "fp8" or "int8".
llvm::StringRef precisionName(Precision precision);
bool parsePrecision(llvm::StringRef name, Precision &precision);

struct EmitOptions {
  Precision precision = Precision::Fp16;
  /// sm_XX targets; they bound the attention kernel's shared memory.
  std::vector<std::string> archs = {"sm_90"};
  /// Exact erf GELU (a separate pass over fc1's output) instead of
  /// cuBLASLt's tanh-form GELU epilogue. Always on for fp32 and tf32.
  bool exactGelu = false;
  /// int8: each MLP whose fc1 writes the int8 input of its fc2 (C % 32 == 0,
  /// C <= 192) may run as one kernel (mlp_int8.cuh); the library chooses it
  /// or the two GEMMs per batch (swinrt::mlpInt8Fused).
  bool fuseInt8Mlp = true;
  /// int8: each LayerNorm + partition whose int8 output feeds only its
  /// attention's QKV GEMM (C % 32 == 0, C <= 256) may run as one kernel with
  /// it (norm_qkv_int8.cuh); the library chooses it or the pair per batch
  /// (swinrt::normQkvInt8Fused).
  bool fuseInt8Qkv = true;
  /// int8: each attention projection whose reverse + residual feeds an int8
  /// MLP LayerNorm (C % 32 == 0, C <= 192) may run as one kernel with them
  /// (proj_residual_int8.cuh); the library chooses it or the pair per batch
  /// (swinrt::projResidualInt8Fused).
  bool fuseInt8Proj = true;
};

/// The epilogue of int8 GEMM sites, as libswinrt's kernels specialise it:
/// each class the model uses gets its own CUTLASS sm90 kernels.
struct Int8GemmClass {
  int activation = 0; // swinrt::Int8Activation: none, GELU (tanh), GELU (erf)
  bool quantizedOutput = false;
  bool residual = false;
  bool operator<(const Int8GemmClass &other) const {
    return std::tie(activation, quantizedOutput, residual) <
           std::tie(other.activation, other.quantizedOutput, other.residual);
  }
};

struct CudaModel {
  std::string source;               // model.cu
  std::vector<char> weights;        // model.swinw, header included
  uint64_t modelHash = 0;
  uint64_t arenaBytes = 0;          // the plan's arena at the maximum batch
  uint64_t arenaLowerBound = 0;     // the liveness bound it is compared with
  unsigned numKernels = 0, numGemms = 0;
  std::vector<Int8GemmClass> int8GemmClasses; // distinct, sorted
  double flopsPerImage = 0;         // GEMMs and attention products

  /// Whether the model needs libswinrt's gemm_int8.cu.
  bool hasInt8Gemms() const { return !int8GemmClasses.empty(); }
};

/// Emits the model for the module's single function. Fails with a message
/// naming the op (and its ONNX node) that the backend cannot lower.
llvm::Expected<CudaModel> emitCudaModel(mlir::ModuleOp module, const EmitOptions &options);

/// Parses "sm_80,sm_90" into a list, checking each name.
llvm::Expected<std::vector<std::string>> parseArchList(llvm::StringRef list);

/// Registers `--swin-to-cuda` with mlir-translate's registry.
void registerToCudaTranslation();

/// A shifted-window attention mask [windows, n, n] in the kernels' form:
/// one group id per (window, token), and the value added to the scores of
/// keys outside the query's group (0 inside).
struct MaskGroups {
  std::vector<uint8_t> groups;
  float value = 0.0f;
};

/// Derives the groups of a dense mask, or says why it is not of that form
/// (mask values other than 0 and one negative constant, a token that may
/// attend to nothing, attention that is not symmetric and transitive).
llvm::Expected<MaskGroups> deriveMaskGroups(llvm::ArrayRef<float> mask, int64_t windows,
                                            int64_t n);

/// A position bias [heads, n, n] as a table of its distinct per-head value
/// columns and an index: bias[h][p] = table[h * classes + index[p]], for
/// p = query * n + key. Lossless (values compared bit for bit). For Swin's
/// relative position bias, classes = (2 Wh - 1)(2 Ww - 1).
struct CompactPositionBias {
  std::vector<float> table; // [heads, classes]
  std::vector<uint32_t> index; // [n, n]
  int64_t classes = 0;
};
CompactPositionBias compactPositionBias(llvm::ArrayRef<float> bias, int64_t heads, int64_t n);

} // namespace swin::cuda

#endif // SWIN_TARGET_CUDA_CUDAEMITTER_H
