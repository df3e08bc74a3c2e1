#!/usr/bin/env python3
"""The bundled example: export a Swin Transformer, compile it, run it.

1. Exports a small random-weight timm Swin (the `timm_legacy` fixture recipe,
   see export_fixtures.py) to ONNX, with PyTorch's logits for a batch of 2.
2. `swin-compile --emit=mlir`: imports it into the swin dialect.
3. `swin-run --cpu-reference`: runs the module on the CPU reference
   evaluator and compares with PyTorch.
4. With a GPU present, says what it would run there: the CUDA backend is not
   built yet, so nothing is claimed.

Usage: python python/example.py [--work DIR] [--model NAME]
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]


def run(*args: object) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"example: {' '.join(map(str, args))} failed:\n{proc.stderr}")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=pathlib.Path, default=REPO / "build" / "example")
    parser.add_argument("--bin", type=pathlib.Path, default=REPO / "build" / "bin")
    parser.add_argument("--model", default="timm_legacy",
                        help="a fixture name from export_fixtures.py --list")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    model_dir = args.work / args.model

    t_export = time.perf_counter()
    subprocess.run([sys.executable, REPO / "python" / "export_fixtures.py", "--out", args.work,
                    "--only", args.model], check=True, capture_output=True)
    t_export = time.perf_counter() - t_export

    module = args.work / f"{args.model}.mlir"
    t_compile = run(args.bin / "swin-compile", model_dir / "model.onnx", "--emit=mlir",
                    "--max-batch", 8, "-o", module)
    logits = args.work / f"{args.model}.logits.npy"
    t_run = run(args.bin / "swin-run", "--cpu-reference", module, "--input",
                model_dir / "input.npy", "--output", logits)

    got, expected = np.load(logits), np.load(model_dir / "output.npy")
    err = float(np.max(np.abs(got - expected)) / np.max(np.abs(expected)))
    ok = np.allclose(got, expected, rtol=1e-4, atol=1e-5)
    print(f"model             {args.model} ({model_dir / 'model.onnx'})")
    print(f"export (PyTorch)  {t_export:6.2f} s")
    print(f"swin-compile      {t_compile:6.2f} s  -> {module}")
    print(f"swin-run (CPU)    {t_run:6.2f} s  batch {got.shape[0]}, logits {got.shape}")
    print(f"vs PyTorch        max |diff| / max |logit| = {err:.2e}  "
          f"({'OK' if ok else 'MISMATCH'} at rtol 1e-4)")
    print(f"top-1 PyTorch     {expected.argmax(axis=1).tolist()}")
    print(f"top-1 swin-run    {got.argmax(axis=1).tolist()}")
    if shutil.which("nvidia-smi"):
        print("GPU               present, but the CUDA backend is not built yet: "
              "only the CPU reference ran")
    else:
        print("GPU               none found: CPU reference only")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
