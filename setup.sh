#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install the dependencies (Debian
# packages and PyPI), build swin-compiler, and run the bundled example
# (export a Swin from timm, compile it, run it on the CPU reference, compare
# with PyTorch). Pass --no-example to stop after the build.
set -euo pipefail
cd "$(dirname "$0")"

run_example=1
[[ "${1:-}" == "--no-example" ]] && run_example=0

sudo=""
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"

echo "== Debian packages (LLVM/MLIR 19, protobuf, ONNX schema, OpenBLAS)"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  cmake ninja-build g++ make \
  llvm-19-dev llvm-19-tools libmlir-19-dev mlir-19-tools \
  libzstd-dev zlib1g-dev protobuf-compiler libprotobuf-dev libonnx-dev \
  libopenblas-dev libblas-dev libgfortran-12-dev libgtest-dev python3 python3-venv >/dev/null

echo "== Python environment (.venv)"
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q --no-cache-dir -r python/requirements.txt
# CUTLASS's headers (nvidia-cutlass, without its Python DSL's dependencies):
# swin-compile builds int8 models' Hopper GEMM kernels from them.
.venv/bin/python -m pip install -q --no-cache-dir --no-deps nvidia-cutlass==4.2.0.0
# The swin_compiler package itself, editable: it finds the tools in build/bin.
.venv/bin/python -m pip install -q --no-deps -e .

echo "== Build"
# CUTLASS (headers only) from the nvidia-cutlass package: swin-compile's
# default for int8 models' Hopper GEMMs.
cutlass_dir="$(.venv/bin/python -c 'import cutlass_library, os; print(os.path.join(os.path.dirname(cutlass_library.__file__), "source"))')"
cmake -G Ninja -S . -B build -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
  -DSWIN_CUTLASS_DIR="$cutlass_dir" \
  >/dev/null
ninja -C build

if [[ "$run_example" == 1 ]]; then
  echo "== Example"
  .venv/bin/python python/example.py --work build/example
fi
