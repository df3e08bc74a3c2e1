#!/usr/bin/env python3
"""The bundled example: export a Swin Transformer, compile it, run it.

1. Exports a small random-weight timm Swin (the `timm_legacy` fixture recipe,
   see export_fixtures.py) to ONNX, with PyTorch's logits for a batch of 2.
2. `swin-compile --emit=mlir`: imports it into the swin dialect.
3. `swin-run --cpu-reference`: runs the module on the CPU reference
   evaluator and compares with PyTorch.
4. With nvcc present, `swin-compile` (default --emit=lib) builds the CUDA
   library; with a GPU present too, `swin-run OUT/` runs it there and
   compares with PyTorch (fp16 tolerance). Without a GPU, swin-run shows the
   runtime's "no CUDA device" error instead of claiming a result.

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
    nvcc = shutil.which("nvcc") or shutil.which("nvcc", path="/usr/local/cuda/bin")
    if not nvcc:
        print("CUDA library      nvcc not found: skipped (CPU reference only)")
        return 0 if ok else 1
    library = args.work / f"{args.model}.lib"
    t_lib = run(args.bin / "swin-compile", model_dir / "model.onnx", "-o", library,
                "--precision", "fp16", "--max-batch", 8, "--arch", "sm_80,sm_90")
    print(f"swin-compile lib  {t_lib:6.2f} s  -> {library}/libswinmodel.so (fp16, sm_80,sm_90)")
    gpu_logits = args.work / f"{args.model}.gpu.npy"
    proc = subprocess.run([str(args.bin / "swin-run"), str(library), "--input",
                           str(model_dir / "input.npy"), "--output", str(gpu_logits)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"swin-run (GPU)    not run: {proc.stderr.strip()}")
        return 0 if ok else 1
    gpu = np.load(gpu_logits)
    gpu_err = float(np.linalg.norm(gpu - expected) / np.linalg.norm(expected))
    gpu_ok = gpu_err <= 5e-3
    print(f"swin-run (GPU)    rel L2 vs PyTorch {gpu_err:.2e} "
          f"({'OK' if gpu_ok else 'MISMATCH'} at fp16 tolerance 5e-3), "
          f"top-1 {gpu.argmax(axis=1).tolist()}")
    return 0 if ok and gpu_ok else 1


if __name__ == "__main__":
    sys.exit(main())
