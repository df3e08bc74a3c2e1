// The CUTLASS sm90 int8 GEMM variants that gemm_int8_check tests and times
// (built with -DSWINRT_CHECK_SM90; see gemm_int8_sm90_variants.cu).
#ifndef SWINRT_TESTS_GEMM_INT8_SM90_VARIANTS_H
#define SWINRT_TESTS_GEMM_INT8_SM90_VARIANTS_H

#include "swinrt/gemm_int8_args.h"

#include <cuda_runtime.h>

#include <vector>

struct Sm90Variant {
  const char *name; // schedule and tile, e.g. "P128x128"
  swinrt::Int8Activation activation;
  bool residual, quantized;
  cudaError_t (*prepare)();
  cudaError_t (*launch)(const swinrt::Int8GemmArgs &, int smCount, cudaStream_t);
};

/// Each group is one translation unit (they compile in parallel).
std::vector<Sm90Variant> sm90VariantGroup0();
std::vector<Sm90Variant> sm90VariantGroup1();
std::vector<Sm90Variant> sm90VariantGroup2();
std::vector<Sm90Variant> sm90VariantGroup3();

#endif
