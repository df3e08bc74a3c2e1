#!/usr/bin/env bash
# The int8 GPU run in one command, on the GPU machine (which has nvcc and
# PyTorch but no MLIR, CUTLASS or scikit-image): the fused kernels' own
# checks against their CPU references, then gpu_check.py on Swin-T (fp16,
# int8 with --quantize-attention, and the A/B builds named in
# INT8_VARIANTS) with PyTorch eager, CUDA-graph eager and torch.compile
# from the same process.
#
# Prepare on a development machine (python/photo_sets.py, swin-compile
# --calib, swin-run --cpu-reference; docs/quantization.md says how), then
# pack into one archive what the GPU machine lacks:
#   tar -cJf .gpu/carry.tar.xz -C .gpu bin cutlass photos \
#       swin_t-int8qa-table.json swin_t-int8qa-cpu-logits.npy eval.sha256
# and run, with .gpu/carry.tar.xz carried:
#   python/gpu_int8_run.sh .gpu/carry.tar.xz OUT
set -euo pipefail
carry="$1"
out="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK:-/tmp/swin-int8-run}"
variants="${INT8_VARIANTS:-int8qa-noqkv}"
mkdir -p "$work" "$out"
tar -xJf "$carry" -C "$work"
export SWIN_CUTLASS_DIR="$work/cutlass"

nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"

# The kernel checks build beside gpu_check's compiles.
checks=(norm_qkv_int8_check)
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

python3 "$here/python/gpu_check.py" --bin "$work/bin" --out "$out" --work "$work/check" \
  --models swin_t --precisions int8qa $variants --batches 1 7 32 128 \
  --bench-precisions fp16 int8qa $variants --bench-batches 1 8 32 64 128 \
  --baselines eager graph reduce-overhead --kernel-profile-batches 64 \
  --quant-table "$work/swin_t-int8qa-table.json" --quant-eval "$work/sets/eval" \
  --quant-reference "int8qa=$work/swin_t-int8qa-cpu-logits.npy"
