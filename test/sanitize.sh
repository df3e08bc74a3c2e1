#!/usr/bin/env bash
# The sanitizer run (docs/reliability.md): builds the compiler, the CPU
# evaluator and the fuzz targets with AddressSanitizer and
# UndefinedBehaviorSanitizer (clang 19, LLVM's LLVM_USE_SANITIZER; its
# LLVM_UBSAN_FLAGS default lives in LLVM's own build, not in the installed
# CMake files, so it is spelled out here: vptr needs RTTI, which Debian's
# LLVM is built without) in build-asan, then runs under them the whole lit
# suite (which replays the committed fuzz corpus and runs the unit tests;
# where nvcc is present, swin-compile builds libraries under them too), and
# the
# Python end-to-end tests of the six real exports against PyTorch's logits
# and of every pass's numbers. Run ./setup.sh first; CI runs this after
# ./test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] && export PATH="$PWD/.venv/bin:$PATH"

sudo=""
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"
if ! command -v clang++-19 >/dev/null; then
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    clang-19 libclang-rt-19-dev llvm-19 >/dev/null
fi

cmake -G Ninja -S . -B build-asan -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-gline-tables-only" \
  -DLLVM_USE_SANITIZER="Address;Undefined" \
  -DLLVM_UBSAN_FLAGS="-fsanitize=undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all" \
  >/dev/null
ninja -C build-asan swin-opt swin-compile swin-run swin-translate swin-unit-tests \
  swin-import-fuzzer swin-weights-fuzzer

# allow_user_poisoning=0: LLVM's headers poison BumpPtrAllocator slabs when
# our code is instrumented, but Debian's libLLVM (not instrumented) never
# unpoisons them, so every such read would be a false report.
# abort_on_error: a report kills the process with SIGABRT, which even a
# `not tool` RUN line (expecting an ordinary failure) counts as a failure.
export ASAN_OPTIONS="allow_user_poisoning=0:detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-19/bin/llvm-symbolizer

ninja -C build-asan check-swin-lit
SWIN_BIN_DIR="$PWD/build-asan/bin" python3 -m pytest -q \
  test/python/test_fixtures.py test/python/test_pass_numerics.py
