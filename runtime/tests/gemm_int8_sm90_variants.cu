// Instances of gemm_int8_sm90.cuh for gemm_int8_check, in four groups, one
// per build of this file (-DSWINRT_SM90_GROUP=0..3), so that they compile in
// parallel. Tiles: ping-pong (P) and cooperative (C), rows x columns, 128
// bytes of k. Epilogues: the Swin sites (QKV/projection: bias, fp16; fc1:
// GELU, int8; fc2: bias + residual, fp16) at every tile, the others at
// P128x128.
#include "gemm_int8_sm90_variants.h"
#include "swinrt/gemm_int8_sm90.cuh"

using swinrt::sm90::Schedule;

template <swinrt::Int8Activation Act, typename TOut, bool Residual, int BM, int BN, Schedule S>
static Sm90Variant variant(const char *name) {
  swinrt::Sm90TileKernel kernel = swinrt::sm90::tileKernel<Act, TOut, Residual, BM, BN, S>(name);
  return {kernel.name, Act, Residual, sizeof(TOut) == 1, kernel.prepare, kernel.launch};
}

#define SWIN_SITES(S, BM, BN, NAME)                                                     \
  variant<swinrt::kInt8ActNone, __half, false, BM, BN, S>(NAME),                        \
      variant<swinrt::kInt8ActGeluTanh, int8_t, false, BM, BN, S>(NAME),                 \
      variant<swinrt::kInt8ActNone, __half, true, BM, BN, S>(NAME)

#if SWINRT_SM90_GROUP == 0
std::vector<Sm90Variant> sm90VariantGroup0() {
  return {SWIN_SITES(Schedule::kPingpong, 128, 128, "P128x128"),
          variant<swinrt::kInt8ActGeluErf, int8_t, false, 128, 128, Schedule::kPingpong>(
              "P128x128"),
          variant<swinrt::kInt8ActNone, int8_t, false, 128, 128, Schedule::kPingpong>(
              "P128x128"),
          variant<swinrt::kInt8ActGeluTanh, __half, false, 128, 128, Schedule::kPingpong>(
              "P128x128"),
          variant<swinrt::kInt8ActGeluErf, __half, true, 128, 128, Schedule::kPingpong>(
              "P128x128")};
}
#elif SWINRT_SM90_GROUP == 1
std::vector<Sm90Variant> sm90VariantGroup1() {
  return {SWIN_SITES(Schedule::kPingpong, 64, 128, "P64x128"),
          SWIN_SITES(Schedule::kPingpong, 128, 96, "P128x96")};
}
#elif SWINRT_SM90_GROUP == 2
std::vector<Sm90Variant> sm90VariantGroup2() {
  return {SWIN_SITES(Schedule::kPingpong, 64, 256, "P64x256"),
          SWIN_SITES(Schedule::kCooperative, 128, 128, "C128x128")};
}
#else
std::vector<Sm90Variant> sm90VariantGroup3() {
  return {SWIN_SITES(Schedule::kCooperative, 128, 256, "C128x256"),
          SWIN_SITES(Schedule::kCooperative, 256, 128, "C256x128")};
}
#endif
