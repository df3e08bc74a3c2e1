//===- gemm_int8_sm90.cuh - int8 GEMMs on Hopper from CUTLASS collectives -===//
//
// The int8 GEMM of gemm_int8.cuh (the same Int8GemmArgs and the same
// epilogue semantics) built from CUTLASS 3's sm90 collectives: TMA loads,
// warp-specialised producer and consumer warpgroups on a persistent tile
// scheduler (so one tile's epilogue overlaps the next tile's loads and
// multiplies), and an epilogue visitor tree
//
//   out[m, c] = convert(scale * (act(alpha[c] * acc[m, c] + bias[c])
//                                + residual[m, c]))
//
// with `scale` = outputInverse for an int8 output (cvt.rni.sat: round to
// nearest even, saturate) and 1 for fp16. GELU is CUTLASS's GELU_taylor
// (tanh.approx, the same form as gemm_int8.cuh and cuBLASLt) or GELU (erf).
//
// Only for translation units built for sm_90a with CUTLASS's include
// directory. Each variant is a template instance; the model's generated
// gemm_int8_sm90.cu instantiates the ones its GEMM sites use.
//
// Needs n % 16 == 0 and k % 16 == 0 and 16-byte aligned x, w, alpha, bias,
// residual and out (TMA, and 16-byte vectors of alpha and bias);
// sm90Int8Supports (gemm_int8_args.h) checks. The residual may alias out (each element is read
// before it is written, by the same tile).
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_GEMM_INT8_SM90_CUH
#define SWINRT_GEMM_INT8_SM90_CUH

#include "swinrt/gemm_int8_args.h"

#include <cute/tensor.hpp>
#include <cutlass/cutlass.h>
#include <cutlass/epilogue/collective/collective_builder.hpp>
#include <cutlass/epilogue/thread/activation.h>
#include <cutlass/gemm/collective/collective_builder.hpp>
#include <cutlass/gemm/device/gemm_universal_adapter.h>
#include <cutlass/gemm/kernel/gemm_universal.hpp>
#include <cutlass/util/packed_stride.hpp>

namespace swinrt {
namespace sm90 {

/// Ping-pong: each consumer warpgroup owns a whole tile, and the two take
/// turns (one's epilogue under the other's multiplies). Cooperative: both
/// warpgroups share each tile (half the rows each).
enum class Schedule { kPingpong, kCooperative };

template <Int8Activation Act> struct ActivationOf;
template <> struct ActivationOf<kInt8ActNone> {
  template <class T> using Fn = cutlass::epilogue::thread::Identity<T>;
};
template <> struct ActivationOf<kInt8ActGeluTanh> {
  template <class T> using Fn = cutlass::epilogue::thread::GELU_taylor<T>;
};
template <> struct ActivationOf<kInt8ActGeluErf> {
  template <class T> using Fn = cutlass::epilogue::thread::GELU<T>;
};

template <Int8Activation Act, typename TOut, bool Residual, int BM, int BN, Schedule S>
struct Int8Gemm {
  static_assert(sizeof(TOut) == 1 || sizeof(TOut) == 2, "int8 or fp16 output");
  using Out = std::conditional_t<sizeof(TOut) == 1, int8_t, cutlass::half_t>;
  using Half = cutlass::half_t;
  using TileShape = cute::Shape<cute::Int<BM>, cute::Int<BN>, cute::_128>;
  using ClusterShape = cute::Shape<cute::_1, cute::_1, cute::_1>;
  static constexpr auto kRound = cutlass::FloatRoundStyle::round_to_nearest;

  // The epilogue visitor tree, innermost first.
  using Alpha = cutlass::epilogue::fusion::Sm90RowBroadcast<
      0, TileShape, float, float, cute::Stride<cute::_0, cute::_1, cute::_0>, 4>;
  using Bias = cutlass::epilogue::fusion::Sm90RowBroadcast<
      0, TileShape, Half, float, cute::Stride<cute::_0, cute::_1, cute::_0>, 8>;
  using Dequantized = cutlass::epilogue::fusion::Sm90EVT<
      cutlass::epilogue::fusion::Sm90Compute<cutlass::homogeneous_multiply_add, float, float,
                                             kRound>,
      Alpha, cutlass::epilogue::fusion::Sm90AccFetch, Bias>;
  using Activated = cutlass::epilogue::fusion::Sm90EVT<
      cutlass::epilogue::fusion::Sm90Compute<ActivationOf<Act>::template Fn, float, float,
                                             kRound>,
      Dequantized>;
  using Summed = std::conditional_t<
      Residual,
      cutlass::epilogue::fusion::Sm90EVT<
          cutlass::epilogue::fusion::Sm90Compute<cutlass::plus, float, float, kRound>,
          Activated, cutlass::epilogue::fusion::Sm90SrcFetch<Half>>,
      Activated>;
  using Stored = cutlass::epilogue::fusion::Sm90EVT<
      cutlass::epilogue::fusion::Sm90Compute<cutlass::multiplies, Out, float, kRound>,
      cutlass::epilogue::fusion::Sm90ScalarBroadcast<float>, Summed>;

  using ElementC = std::conditional_t<Residual, Half, void>;
  using EpilogueSchedule =
      std::conditional_t<S == Schedule::kPingpong, cutlass::epilogue::TmaWarpSpecialized,
                         cutlass::epilogue::TmaWarpSpecializedCooperative>;
  using KernelSchedule =
      std::conditional_t<S == Schedule::kPingpong,
                         cutlass::gemm::KernelTmaWarpSpecializedPingpong,
                         cutlass::gemm::KernelTmaWarpSpecializedCooperative>;
  using Epilogue = typename cutlass::epilogue::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, TileShape, ClusterShape,
      cutlass::epilogue::collective::EpilogueTileAuto, int32_t, float, ElementC,
      cutlass::layout::RowMajor, 8, Out, cutlass::layout::RowMajor, 16 / sizeof(Out),
      EpilogueSchedule, Stored>::CollectiveOp;
  using Mainloop = typename cutlass::gemm::collective::CollectiveBuilder<
      cutlass::arch::Sm90, cutlass::arch::OpClassTensorOp, int8_t, cutlass::layout::RowMajor,
      16, int8_t, cutlass::layout::ColumnMajor, 16, int32_t, TileShape, ClusterShape,
      cutlass::gemm::collective::StageCountAutoCarveout<static_cast<int>(
          sizeof(typename Epilogue::SharedStorage))>,
      KernelSchedule>::CollectiveOp;
  using Kernel = cutlass::gemm::kernel::GemmUniversal<cute::Shape<int, int, int, int>, Mainloop,
                                                      Epilogue, cutlass::gemm::PersistentScheduler>;
  using Device = cutlass::gemm::device::GemmUniversalAdapter<Kernel>;

  static typename Device::Arguments arguments(const Int8GemmArgs &a, int smCount) {
    using StrideA = typename Kernel::StrideA;
    using StrideB = typename Kernel::StrideB;
    using StrideC = typename Kernel::StrideC;
    using StrideD = typename Kernel::StrideD;
    typename Device::Arguments args{
        cutlass::gemm::GemmUniversalMode::kGemm,
        {a.m, a.n, a.k, 1},
        {a.x, cutlass::make_cute_packed_stride(StrideA{}, {a.m, a.k, 1}), a.w,
         cutlass::make_cute_packed_stride(StrideB{}, {a.n, a.k, 1})},
        {{},
         Residual ? reinterpret_cast<const Half *>(a.residual) : nullptr,
         cutlass::make_cute_packed_stride(StrideC{}, {a.m, a.n, 1}),
         static_cast<Out *>(a.out),
         cutlass::make_cute_packed_stride(StrideD{}, {a.m, a.n, 1})}};
    typename Dequantized::Arguments dequantized{
        {a.alpha}, {}, {reinterpret_cast<const Half *>(a.bias)}, {}};
    typename Activated::Arguments activated{dequantized, {}};
    // The store's scale: 1 / the next point's scale for int8, 1 for fp16.
    if constexpr (Residual)
      args.epilogue.thread = {{{sizeof(TOut) == 1 ? a.outputInverse : 1.0f}},
                              {activated, {}, {}},
                              {}};
    else
      args.epilogue.thread = {{{sizeof(TOut) == 1 ? a.outputInverse : 1.0f}}, activated, {}};
    args.hw_info.sm_count = smCount;
    return args;
  }

  /// Raises the kernel's dynamic shared-memory limit; once per device,
  /// outside stream capture.
  static cudaError_t prepare() {
    int bytes = Kernel::SharedStorageSize;
    if (bytes < (48 << 10))
      return cudaSuccess;
    return cudaFuncSetAttribute(cutlass::device_kernel<Kernel>,
                                cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  }

  static cudaError_t launch(const Int8GemmArgs &a, int smCount, cudaStream_t stream) {
    if (!sm90Int8Supports(a))
      return cudaErrorNotSupported;
    typename Device::Arguments args = arguments(a, smCount);
    if (Device::can_implement(args) != cutlass::Status::kSuccess)
      return cudaErrorNotSupported;
    if (Device::get_workspace_size(args) != 0)
      return cudaErrorNotSupported; // no split-K or stream-K here
    typename Kernel::Params params = Kernel::to_underlying_arguments(args, nullptr);
    if (Device::run(params, stream) != cutlass::Status::kSuccess) {
      cudaError_t error = cudaGetLastError();
      return error != cudaSuccess ? error : cudaErrorLaunchFailure;
    }
    return cudaSuccess;
  }
};

template <Int8Activation Act, typename TOut, bool Residual, int BM, int BN,
          Schedule S = Schedule::kPingpong>
Sm90TileKernel tileKernel(const char *name) {
  using G = Int8Gemm<Act, TOut, Residual, BM, BN, S>;
  return {name, &G::prepare, &G::launch};
}

/// The kernels of one epilogue class, one per Sm90Tile.
template <Int8Activation Act, typename TOut, bool Residual> Sm90Int8Class int8Class() {
  return {Act,
          sizeof(TOut) == 1,
          Residual,
          {tileKernel<Act, TOut, Residual, 128, 128>("P128x128"),
           tileKernel<Act, TOut, Residual, 128, 96>("P128x96"),
           tileKernel<Act, TOut, Residual, 64, 128>("P64x128")}};
}

} // namespace sm90
} // namespace swinrt

#endif // SWINRT_GEMM_INT8_SM90_CUH
