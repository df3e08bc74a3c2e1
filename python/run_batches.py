#!/usr/bin/env python3
"""Runs a compiled model once at each batch size given, on random inputs,
through the Python Engine, and checks that every logit is finite.

    python/run_batches.py MODEL_DIR 1 7 32

A small, torch-free process for tools that watch every kernel of a run:
python/gpu_reliability_run.sh runs it under compute-sanitizer.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from swin_compiler import Engine  # noqa: E402


def main() -> int:
    folder, batches = sys.argv[1], [int(b) for b in sys.argv[2:]]
    engine = Engine(folder)
    info = engine.info
    rng = np.random.default_rng(0)
    bad = 0
    for batch in batches:
        x = rng.standard_normal((batch, info.in_channels, info.in_height, info.in_width),
                                dtype=np.float32)
        y = engine(x)
        finite = bool(np.isfinite(y).all())
        bad += not finite
        print(f"batch {batch}: logits {y.shape}, {'all finite' if finite else 'NOT FINITE'}")
    engine.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
