#!/usr/bin/env bash
# The GPU half of docs/reliability.md in one call, on the GPU machine:
#  1. export Swin-T there (gpu_check's model: timm swin_tiny_patch4_window7_224,
#     random weights), compile it in fp16 and in int8 with
#     --quantize-attention (the carried calibration table) for a maximum
#     batch of MAX_BATCH (default 32);
#  2. compute-sanitizer memcheck (with leak check), racecheck and initcheck
#     on each library, six processes at once, each running batches 1, 7 and
#     MAX_BATCH (python/run_batches.py), so every kernel the model launches
#     at those batches runs under each tool, CUDA graphs included (at batch 1
#     and 7 the int8 model takes its unfused paths, at MAX_BATCH the fused
#     kernels: both are covered). initcheck runs with SWINRT_GEMM=reference:
#     it cannot see the TMA stores of cuBLASLt's and CUTLASS's Hopper GEMMs
#     (step 5), so those GEMMs become plain kernels it tracks;
#  3. runtime/tests/concurrency_check.cpp on the fp16 library;
#  4. runtime/tests/debug_settings_check.cpp on both libraries: the
#     graph-capture fallback and the reference GEMMs against a normal engine;
#  5. runtime/probes/initcheck_gemm_probe.cu under initcheck: whether
#     initcheck sees the stores of cuBLASLt's GEMMs at all;
#  6. runtime/probes/initcheck_control.cpp under initcheck: the positive
#     control, a model run on a never-written input, which initcheck must
#     report.
# PRECISIONS and TOOLS narrow step 2 (defaults: "fp16 int8qa" and
# "memcheck:auto racecheck:auto initcheck:reference",
# TOOL:SWINRT_GEMM). A run whose process the kernel killed is repeated
# alone afterwards, to tell host memory pressure from a fault. Each run's summary line lands in
# OUT/summary.txt, the whole logs in OUT/logs.tar.gz.
#
#   python/gpu_reliability_run.sh .gpu/carry.tar.xz OUT
# with the carry packed as python/gpu_int8_run.sh describes.
set -uo pipefail
carry="$1"
out="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${WORK:-/tmp/swin-reliability-run}"
max_batch="${MAX_BATCH:-32}"
mkdir -p "$work" "$out"
tar -xJf "$carry" -C "$work" || exit 1
export SWIN_CUTLASS_DIR="$work/cutlass"
cuda="${CUDA_HOME:-/usr/local/cuda}"
sanitizer="$(command -v compute-sanitizer || echo "$cuda/bin/compute-sanitizer")"
summary="$out/summary.txt"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$summary"
"$sanitizer" --version | tail -1 | tee -a "$summary"

python3 - "$work/swin_t.onnx" <<'EOF' || exit 1
import sys
sys.path.insert(0, "python")
from gpu_check import build
from swin_compiler import export
export(build("swin_t"), sys.argv[1])
EOF
"$work/bin/swin-compile" "$work/swin_t.onnx" -o "$work/fp16" --precision fp16 \
  --max-batch "$max_batch" --arch sm_90 > "$work/fp16.log" 2>&1 &
"$work/bin/swin-compile" "$work/swin_t.onnx" -o "$work/int8qa" --precision int8 \
  --quantize-attention --calib-table "$work/swin_t-int8qa-table.json" \
  --max-batch "$max_batch" --arch sm_90 > "$work/int8qa.log" 2>&1 &
wait
tail -n 1 "$work/fp16.log" "$work/int8qa.log" | tee -a "$summary"

g++ -std=c++17 -O2 "$here/runtime/tests/concurrency_check.cpp" -I "$here/runtime/include" \
  -I "$cuda/include" -L "$work/fp16" -lswinmodel -L "$cuda/lib64" -lcudart -lpthread \
  -Wl,-rpath,"$work/fp16" -o "$work/concurrency_check" &&
  "$work/concurrency_check" "$work/fp16" 2>&1 | tee "$out/concurrency.txt" | tee -a "$summary"

# The int8 limit: see debug_settings_check.cpp.
for precision in fp16 int8qa; do
  limit=5e-3; [[ $precision == int8qa ]] && limit=2e-2
  g++ -std=c++17 -O2 "$here/runtime/tests/debug_settings_check.cpp" -I "$here/runtime/include" \
    -L "$work/$precision" -lswinmodel -Wl,-rpath,"$work/$precision" \
    -o "$work/debug_settings_check-$precision" &&
    "$work/debug_settings_check-$precision" "$work/$precision" "$limit" 2>&1 |
    sed "s/^/$precision: /" | tee -a "$out/concurrency.txt" | tee -a "$summary"
done

# The sanitizer runs at once (the GPU has room; each is one process).
sanitize() { # precision tool gemm
  local extra=()
  [[ "$2" == memcheck ]] && extra=(--leak-check full)
  local log="$out/sanitizer-$1-$2-$3.txt" start rc
  start=$(date +%s)
  # A hundred reports say as much as a million, and printing them is slow.
  # The shell reports how the Python process ended (a signal shows as
  # 128 + its number), which compute-sanitizer alone does not.
  SWINRT_GEMM=$3 timeout "${SANITIZER_TIMEOUT:-330}" "$sanitizer" --tool "$2" "${extra[@]}" \
    --error-exitcode 9 --print-limit 100 \
    bash -c 'python3 "$0" "$1" 1 7 "$2"; rc=$?; echo "run_batches exit $rc"; exit $rc' \
    "$here/python/run_batches.py" "$work/$1" "$max_batch" > "$log" 2>&1
  rc=$?
  echo "$1 $2 (SWINRT_GEMM=$3): exit $rc in $(( $(date +%s) - start )) s;" \
    "$(grep -E "^run_batches exit" "$log")" \
    "$(grep -E "ERROR SUMMARY|RACECHECK SUMMARY|LEAK SUMMARY" "$log" | tr '\n' ' ')" \
    "$(grep -c "all finite" "$log") of 3 batches finite" > "$log.summary"
}
nvcc -O2 -std=c++17 -arch=sm_90 "$here/runtime/probes/initcheck_gemm_probe.cu" -lcublasLt \
  -o "$work/initcheck_gemm_probe" &&
  "$sanitizer" --tool initcheck --print-limit 3 "$work/initcheck_gemm_probe" \
    > "$out/initcheck_gemm_probe.txt" 2>&1 &
g++ -std=c++17 -O2 "$here/runtime/probes/initcheck_control.cpp" -I "$here/runtime/include" \
  -I "$cuda/include" -L "$work/fp16" -lswinmodel -L "$cuda/lib64" -lcudart \
  -Wl,-rpath,"$work/fp16" -o "$work/initcheck_control" &&
  "$sanitizer" --tool initcheck --print-limit 3 "$work/initcheck_control" "$work/fp16" \
    > "$out/initcheck_control.txt" 2>&1 &
# Free host memory while the tools run (a process killed by the kernel
# shows up as run_batches exit 137).
(while sleep 2; do free -m | awk '/^Mem:/ {print $7}'; done) > "$work/available-mb.txt" &
sampler=$!
# TOOL:GEMM. initcheck only with reference GEMMs (see step 2); racecheck with
# the real ones: racecheck instruments every shared-memory access, and the
# reference GEMM's tiles would make it far slower.
for precision in ${PRECISIONS:-fp16 int8qa}; do
  for run in ${TOOLS:-memcheck:auto racecheck:auto initcheck:reference}; do
    sanitize "$precision" "${run%%:*}" "${run##*:}" &
  done
done
wait $(jobs -p | grep -vx "$sampler")
# Repeated alone: runs whose process was killed (exit 137).
for killed in $(grep -l "run_batches exit 137" "$out"/sanitizer-*.summary 2>/dev/null); do
  read -r precision tool gemm <<<"$(basename "$killed" .txt.summary |
    sed -E 's/^sanitizer-([^-]+)-([^-]+)-([^-]+)$/\1 \2 \3/')"
  mv "$killed" "$killed.together"
  sanitize "$precision" "$tool" "$gemm"
  sed -i "s/^/alone: /" "$killed"
done
kill "$sampler"
echo "least available host memory while the tools ran: $(sort -n "$work/available-mb.txt" |
  head -1) MB" | tee -a "$summary"
cat "$out"/sanitizer-*.summary* | tee -a "$summary"
grep -E "GEMM|reading|sum|ERROR SUMMARY|Uninitialized|  at " "$out/initcheck_gemm_probe.txt" \
  | tee -a "$summary"
echo "initcheck control (never-written input, reference GEMMs):" | tee -a "$summary"
grep -E "running|swinrt_run|ERROR SUMMARY|Uninitialized|  at " "$out/initcheck_control.txt" \
  | head -8 | tee -a "$summary"
# Three files come back: the summary, the concurrency and debug-settings
# checks and the logs.
tar -czf "$out/logs.tar.gz" -C "$out" $(cd "$out" && ls sanitizer-* initcheck_*.txt) &&
  (cd "$out" && rm -f sanitizer-* initcheck_*.txt)
