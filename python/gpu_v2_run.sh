#!/usr/bin/env bash
# The Swin V2 GPU check and benchmark on the GPU machine, one call per model
# group (each well inside a 10-minute call):
#   MODELS="swinv2_t_w8" PRECISIONS="fp32 fp16 int8qa fp8" \
#     python/gpu_v2_run.sh .gpu/carry-v2.tar.xz OUT
# checks each precision (fresh random inputs, poisoned outputs, against
# PyTorch float64; quantized ones by cosine) and benchmarks BENCH (default
# fp16 int8qa fp8) at BATCHES beside PyTorch eager, CUDA-graph eager and
# torch.compile (reduce-overhead) in the same process. Set BENCH="" (and
# BASELINES="") for checks only.
#
# The carry holds what the GPU machine lacks: the static tools, CUTLASS, and
# the int8 calibration tables made on the development machine from the same
# exports (gpu_check.build's random weights, 16 N(0, 1) inputs):
#   swin-compile M.onnx --precision int8 --quantize-attention --calib DIR \
#       --calib-table tables/M-int8qa-table.json --emit=mlir -o /dev/null
#   tar -cJf .gpu/carry-v2.tar.xz -C .gpu bin cutlass tables
set -euo pipefail
carry="$1"
out="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK:-/tmp/swin-v2-run}"
read -r -a models <<< "${MODELS-swinv2_t_w8}"
read -r -a precisions <<< "${PRECISIONS-fp16 int8qa fp8}"
read -r -a bench <<< "${BENCH-fp16 int8qa fp8}"
read -r -a batches <<< "${BATCHES-1 64}"
read -r -a baselines <<< "${BASELINES-eager graph reduce-overhead}"
mkdir -p "$work" "$out"
tar -xJf "$carry" -C "$work"
export SWIN_CUTLASS_DIR="$work/cutlass"
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"
tables=()
for model in "${models[@]}"; do
  table="$work/tables/$model-int8qa-table.json"
  [[ -f "$table" ]] && tables+=("$model=$table")
done
python3 "$here/python/gpu_check.py" --bin "$work/bin" --out "$out" --work "$work/check" \
  --models "${models[@]}" --precisions "${precisions[@]}" --batches 1 7 32 --top1 128 \
  --max-batch 64 --bench-batches "${batches[@]}" --bench-precisions "${bench[@]}" \
  --baselines "${baselines[@]}" --quant-table "${tables[@]}"
