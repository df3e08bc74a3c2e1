#!/bin/sh
# Builds gemm_int8_check with the CUTLASS sm90 kernels:
#   runtime/tests/build_gemm_int8_check.sh CUTLASS_INCLUDE_DIR OUT
# CUTLASS_INCLUDE_DIR holds cutlass/ and cute/ (and cutlass/util/, from
# CUTLASS's tools/util/include, or pass it as a second include directory in
# CUTLASS_UTIL_INCLUDE_DIR). Without CUTLASS, build gemm_int8_check.cu alone
# (its header says how).
set -e
cutlass="$1"
out="$2"
util="${CUTLASS_UTIL_INCLUDE_DIR:-$cutlass/../tools/util/include}"
here="$(cd "$(dirname "$0")" && pwd)"
nvcc="${NVCC:-nvcc}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
flags="-O3 -DNDEBUG -std=c++17 --expt-relaxed-constexpr -I $here/../include -I $cutlass -I $util"
for group in 0 1 2 3; do
  $nvcc $flags -DSWINRT_SM90_GROUP=$group -gencode arch=compute_90a,code=sm_90a \
    -c "$here/gemm_int8_sm90_variants.cu" -o "$work/variants$group.o" &
  pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done
$nvcc -O2 -std=c++17 -DSWINRT_CHECK_SM90 -I "$here/../include" \
  -gencode arch=compute_90a,code=sm_90a -gencode arch=compute_80,code=sm_80 \
  "$here/gemm_int8_check.cu" "$work"/variants*.o -lcublasLt -o "$out"
