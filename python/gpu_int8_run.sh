#!/usr/bin/env bash
# The int8 GPU run in one command, on the GPU machine (which has nvcc and
# PyTorch but no MLIR, CUTLASS or scikit-image). Two modes, each well
# inside one 10-minute call:
#   check: the fused kernels' own checks against their CPU references
#          (KERNEL_CHECKS: by default LayerNorm + QKV and projection +
#          residual + LayerNorm), then
#          gpu_check.py on Swin-T: int8 with --quantize-attention and the
#          A/B builds named in INT8_VARIANTS (default: every fusion off,
#          and the projection's alone off), checked and benchmarked beside
#          fp16;
#   bench: fp16 and int8qa benchmarked beside PyTorch eager, CUDA-graph
#          eager and torch.compile (reduce-overhead) in the same process.
#
# Prepare on a development machine (python/photo_sets.py, swin-compile
# --calib, swin-run --cpu-reference; docs/quantization.md says how), then
# pack into one archive what the GPU machine lacks:
#   tar -cJf .gpu/carry.tar.xz -C .gpu bin cutlass photos \
#       swin_t-int8qa-table.json swin_t-int8qa-cpu-logits.npy eval.sha256
# and run, with .gpu/carry.tar.xz carried:
#   python/gpu_int8_run.sh check|bench .gpu/carry.tar.xz OUT
set -euo pipefail
mode="$1"
carry="$2"
out="$3"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK:-/tmp/swin-int8-run}"
variants="${INT8_VARIANTS:-int8qa-unfused int8qa-noproj}"
mkdir -p "$work" "$out"
tar -xJf "$carry" -C "$work"
export SWIN_CUTLASS_DIR="$work/cutlass"

nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"

# mlp_int8_check (74 cases) takes minutes: name it in KERNEL_CHECKS to run it.
read -r -a checks <<< "${KERNEL_CHECKS:-norm_qkv_int8_check proj_residual_int8_check}"
[[ "$mode" == check ]] || checks=()
for check in "${checks[@]}"; do
  nvcc -O2 -std=c++17 -gencode arch=compute_90a,code=sm_90a -I "$here/runtime/include" \
    "$here/runtime/tests/$check.cu" -o "$work/$check" > "$work/$check.build.log" 2>&1 &
done

# The evaluation set, rebuilt from the photos; its hash must match the one
# the CPU reference's logits were computed on.
python3 "$here/python/photo_sets.py" sets "$work/photos" "$work/sets" > /dev/null
python3 - "$work/sets/eval" "$work/eval.sha256" <<'EOF'
import hashlib, sys
from pathlib import Path
import numpy as np
files = sorted(Path(sys.argv[1]).glob("*.npy"))
digest = hashlib.sha256(np.concatenate([np.load(f) for f in files]).tobytes()).hexdigest()
want = Path(sys.argv[2]).read_text().split()[0]
print("eval set", "matches" if digest == want else f"DIFFERS ({digest} vs {want})",
      "the CPU reference's")
EOF

wait
for check in "${checks[@]}"; do
  "$work/$check" > "$out/$check.txt" 2>&1 || echo "$check FAILED (exit $?)"
  grep -E "FAIL|time|all cases|SOME" "$out/$check.txt" | head -40
done

common=(--bin "$work/bin" --work "$work/check" --models swin_t --bench-batches 1 8 32 64 128
        --quant-table "$work/swin_t-int8qa-table.json")
if [[ "$mode" == check ]]; then
  python3 "$here/python/gpu_check.py" "${common[@]}" --out "$out" \
    --precisions int8qa $variants --batches 1 7 32 128 \
    --bench-precisions fp16 int8qa $variants --kernel-profile-batches 64 \
    --quant-eval "$work/sets/eval" --quant-reference "int8qa=$work/swin_t-int8qa-cpu-logits.npy"
else
  python3 "$here/python/gpu_check.py" "${common[@]}" --out "$out" \
    --precisions --bench-precisions fp16 int8qa --baselines eager graph reduce-overhead
fi
