#!/usr/bin/env bash
# Runs every test: the lit suite (dialect, importer, CPU reference) and the
# Python end-to-end suite (CPU reference against PyTorch and onnxruntime on
# real exports). Run ./setup.sh first.
set -euo pipefail
cd "$(dirname "$0")"
[[ -x .venv/bin/python ]] && export PATH="$PWD/.venv/bin:$PATH"

ninja -C build
ninja -C build check-swin-lit
python3 -m pytest -q test/python
