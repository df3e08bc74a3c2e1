#!/usr/bin/env python3
"""The CUDA backend's GPU check and benchmark, in one run on the GPU machine.

For each model: build it with random weights (the fixtures' re-draw, so every
weight matters and logits are not near-tied), export it to ONNX there (legacy
exporter, dynamic batch), compile it with the carried static swin-compile at
each precision, then

* check: fresh random inputs at each batch, the output poisoned with NaN
  before every run, against PyTorch in float64 (relative L2 error, max abs
  error, every element written), and top-1 agreement with PyTorch fp32 on
  256 inputs;
* bench: our library (CUDA graphs, median of CUDA-event timed runs) against
  PyTorch eager fp16, eager fp16 replayed as a CUDA graph, and torch.compile
  (reduce-overhead, optionally max-autotune), with compile times;
* profile: the per-layer table of swinrt_profile.

Prints a short table last and writes everything to OUT/results.json.

  python python/gpu_check.py --bin build-static/bin --out $OUT \
      --models swin_t --precisions fp32 fp16 bf16 --batches 1 7 32 128
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from export_fixtures import logits_only, reinit_for_testing  # noqa: E402
from swin_compiler import Engine  # noqa: E402

# name: (library, constructor argument, image size)
MODELS = {
    "swin_t": ("timm", "swin_tiny_patch4_window7_224", 224),
    "swin_s": ("timm", "swin_small_patch4_window7_224", 224),
    "swin_b": ("timm", "swin_base_patch4_window7_224", 224),
    "swin_b_384": ("timm", "swin_base_patch4_window12_384", 384),
    "tv_swin_t": ("torchvision", "swin_t", 224),
    "hf_swin_t": ("transformers", "tiny", 224),
}

# Relative L2 tolerance per precision, against float64 PyTorch.
TOLERANCE = {"fp32": 1e-4, "tf32": 5e-3, "fp16": 5e-3, "bf16": 2e-2}


def build(name: str) -> torch.nn.Module:
    library, arg, _ = MODELS[name]
    torch.manual_seed(0)
    if library == "timm":
        import timm
        model = timm.create_model(arg, pretrained=False, drop_rate=0.0, drop_path_rate=0.0)
    elif library == "torchvision":
        import torchvision
        model = getattr(torchvision.models, arg)(weights=None)
    else:
        from transformers import SwinConfig, SwinForImageClassification

        config = SwinConfig(num_labels=1000, hidden_dropout_prob=0.0,
                            attention_probs_dropout_prob=0.0, drop_path_rate=0.0)
        config._attn_implementation = "eager"
        model = logits_only(SwinForImageClassification(config))
    reinit_for_testing(model)
    return model.eval()


def export(model: torch.nn.Module, size: int, path: Path) -> float:
    start = time.perf_counter()
    x = torch.randn(2, 3, size, size)
    torch.onnx.export(model, (x,), str(path), dynamo=False, opset_version=17,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return time.perf_counter() - start


def compile_model(bin_dir: Path, onnx: Path, out: Path, precision: str, max_batch: int,
                  arch: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run([str(bin_dir / "swin-compile"), str(onnx), "-o", str(out),
                           "--precision", precision, "--max-batch", str(max_batch),
                           "--arch", arch], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"swin-compile failed: {proc.stderr.strip()}")
    return seconds, proc.stderr.strip()


def rel_l2(got: torch.Tensor, ref: torch.Tensor) -> float:
    return float((got.double() - ref).norm() / ref.norm())


TORCH_DTYPE = {"fp16": torch.float16, "bf16": torch.bfloat16}


def check(engine: Engine, model64, model32, name: str, precision: str, batches, size: int,
          top1_inputs: int, seed: int) -> dict:
    gen = torch.Generator(device="cuda").manual_seed(seed)
    rows = []
    # PyTorch's own error at this precision on the same kind of input: the
    # yardstick for ours (weights and activations rounded to 16 bits).
    torch_rel_l2 = None
    if precision in TORCH_DTYPE:
        low = copy.deepcopy(model32).to(TORCH_DTYPE[precision])
        x = torch.randn(7, 3, size, size, device="cuda", generator=gen)
        with torch.no_grad():
            torch_rel_l2 = rel_l2(low(x.to(TORCH_DTYPE[precision])).float(), model64(x.double()))
        del low
    for batch in batches:
        x = torch.randn(batch, 3, size, size, device="cuda", generator=gen)
        with torch.no_grad():
            ref = model64(x.double())
        out = torch.full((batch, engine.info.num_classes), float("nan"), device="cuda")
        engine(x, out)
        torch.cuda.synchronize()
        written = bool(torch.isfinite(out).all())
        err = rel_l2(out, ref) if written else float("nan")
        max_abs = float((out.double() - ref).abs().max()) if written else float("nan")
        rows.append({"batch": batch, "rel_l2": err, "max_abs": max_abs,
                     "ref_max": float(ref.abs().max()), "all_written": written,
                     "ok": written and err <= TOLERANCE[precision]})
    # Top-1 agreement with PyTorch fp32 (TF32 off) on `top1_inputs` inputs.
    agree = total = 0
    step = engine.info.max_batch
    while total < top1_inputs:
        batch = min(step, top1_inputs - total)
        x = torch.randn(batch, 3, size, size, device="cuda", generator=gen)
        with torch.no_grad():
            ref = model32(x)
        out = torch.full((batch, engine.info.num_classes), float("nan"), device="cuda")
        engine(x, out)
        torch.cuda.synchronize()
        agree += int((out.argmax(1) == ref.argmax(1)).sum())
        total += batch
    return {"batches": rows, "top1_agreement": agree / total, "top1_inputs": total,
            "torch_rel_l2": torch_rel_l2}


def tuning_file_checks(folder: Path) -> list[str]:
    """The tuning file is input too: a malformed one is refused with its line,
    a stale one (another compile of the model) is ignored. Returns failures."""
    from swin_compiler import SwinRuntimeError

    probe = Engine(folder)
    path = probe.tuning_file
    probe.close()
    original = path.read_text() if path.exists() else None
    failures = []

    def expect_error(text: str, needle: str) -> None:
        path.write_text(text)
        try:
            Engine(folder).close()
            failures.append(f"tuning file {text[:40]!r}: accepted")
        except SwinRuntimeError as error:
            if error.status != 6 or needle not in str(error):
                failures.append(f"tuning file {text[:40]!r}: wrong error {error}")

    header = original.splitlines()[1] if original else "model 0 cublaslt 0"
    words = " ".join(["0"] * 8)
    expect_error("hello\n", ":1: malformed tuning file (no 'swinrt-tuning' header)")
    expect_error("swinrt-tuning 7\n" + header + "\n", ":1: malformed tuning file (unknown version)")
    expect_error(f"swinrt-tuning 1\n{header}\ngemm 9999 1 {words}\n",
                 ":3: malformed tuning file (GEMM site or batch out of range)")
    expect_error(f"swinrt-tuning 1\n{header}\ngemm 0 1 12\n", ":3: malformed tuning file")
    expect_error("swinrt-tuning 1\n", ":2: malformed tuning file (truncated)")
    # Stale: another model hash is ignored, the engine runs.
    path.write_text(f"swinrt-tuning 1\nmodel 0123456789abcdef cublaslt 1\ngemm 0 1 {words}\n")
    try:
        Engine(folder).close()
    except Exception as error:  # noqa: BLE001
        failures.append(f"stale tuning file refused: {error}")
    if original is None:
        path.unlink()
    else:
        path.write_text(original)
    return failures


def time_cuda(fn, iterations: int = 50, warmup: int = 10) -> float:
    """Median milliseconds of `fn`, each call timed alone with CUDA events."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iterations):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    times.sort()
    return times[len(times) // 2]


def baselines(model32, size: int, batches, modes) -> dict:
    """PyTorch fp16 baselines: {mode: {batch: ms}} and compile seconds."""
    model = copy.deepcopy(model32).half().eval()
    result = {m: {} for m in modes}
    compile_s = {}
    with torch.inference_mode():
        for batch in batches:
            x = torch.randn(batch, 3, size, size, device="cuda", dtype=torch.half)
            if "eager" in modes:
                result["eager"][batch] = time_cuda(lambda: model(x))
            if "graph" in modes:
                static = x.clone()
                stream = torch.cuda.Stream()
                stream.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(stream):
                    for _ in range(3):
                        model(static)
                torch.cuda.current_stream().wait_stream(stream)
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    model(static)
                result["graph"][batch] = time_cuda(graph.replay)
    for mode in [m for m in modes if m in ("reduce-overhead", "max-autotune")]:
        # Static shapes, one compile per batch: with the default, dynamo
        # recompiles the second batch size with a dynamic batch dimension,
        # a slower graph than a user compiling for one batch size gets.
        torch._dynamo.reset()
        torch._dynamo.config.cache_size_limit = max(64, len(batches) * 2)
        compiled = torch.compile(model, mode=mode, dynamic=False)
        for batch in batches:
            x = torch.randn(batch, 3, size, size, device="cuda", dtype=torch.half)
            start = time.perf_counter()
            with torch.inference_mode():
                compiled(x)
                torch.cuda.synchronize()
            compile_s[f"{mode}@{batch}"] = time.perf_counter() - start
            with torch.inference_mode():
                result[mode][batch] = time_cuda(lambda: compiled(x))
    return {"ms": result, "compile_s": compile_s}


def gemm_peak_tflops() -> float:
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.half)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.half)
    ms = time_cuda(lambda: a @ b, iterations=20, warmup=5)
    return 2 * 8192**3 / (ms * 1e-3) / 1e12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/swin-gpu-check"))
    parser.add_argument("--models", nargs="+", default=["swin_t"], choices=sorted(MODELS))
    parser.add_argument("--precisions", nargs="*", default=["fp32", "fp16", "bf16"])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 7, 32, 128])
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--top1", type=int, default=256)
    parser.add_argument("--bench-batches", nargs="*", type=int, default=[])
    parser.add_argument("--bench-precisions", nargs="*", default=["fp16", "bf16"])
    parser.add_argument("--baselines", nargs="*", default=[],
                        choices=["eager", "graph", "reduce-overhead", "max-autotune"])
    parser.add_argument("--profile-batches", nargs="*", type=int, default=[])
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--autotune", action="store_true",
                        help="bench with cuBLASLt's heuristic choice, autotune each bench "
                             "batch, check and bench again")
    args = parser.parse_args()

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
               "date": time.strftime("%Y-%m-%d"), "models": {}}
    if args.bench_batches:
        results["fp16_gemm_peak_tflops"] = gemm_peak_tflops()
    lines = []
    failures = 0
    for name in args.models:
        size = MODELS[name][2]
        model32 = build(name)
        onnx = args.work / f"{name}.onnx"
        entry = {"export_s": export(model32, size, onnx)}
        model32 = model32.cuda()
        model64 = copy.deepcopy(model32).double()
        for precision in sorted(set(args.precisions) | set(args.bench_precisions)):
            folder = args.work / f"{name}_{precision}"
            try:
                seconds, summary = compile_model(args.bin, onnx, folder, precision,
                                                 args.max_batch, args.arch)
            except RuntimeError as error:
                entry[precision] = {"error": str(error)}
                lines.append(f"{name:10s} {precision:5s} COMPILE FAILED: {error}")
                failures += 1
                continue
            flops = float(re.search(r"([\d.]+) GFLOP/image", summary).group(1)) * 1e9
            engine = Engine(folder)
            record = {"compile_s": seconds, "summary": summary, "flops_per_image": flops}
            bench_batches = [b for b in args.bench_batches if b <= args.max_batch]
            if args.autotune and precision in args.bench_precisions:
                record["heuristic_bench_ms"] = {b: engine.benchmark(b, 100)[0]
                                                for b in bench_batches}
                record["autotune"] = {}
                for batch in bench_batches:
                    start = time.perf_counter()
                    heuristic, tuned = engine.autotune(batch)
                    record["autotune"][batch] = {"gemm_ms_heuristic": heuristic,
                                                 "gemm_ms_tuned": tuned,
                                                 "seconds": time.perf_counter() - start}
                engine.close()
                problems = tuning_file_checks(folder)
                record["tuning_file_checks"] = problems or "pass"
                failures += bool(problems)
                lines.extend(f"{name:10s} {precision:5s} FAIL: {p}" for p in problems)
                engine = Engine(folder)  # reads the tuning file back
            if precision in args.precisions:
                record["check"] = check(engine, model64, model32, name, precision,
                                        args.batches, size, args.top1, seed=len(lines) + 1)
                worst = max(r["rel_l2"] for r in record["check"]["batches"])
                ok = all(r["ok"] for r in record["check"]["batches"])
                failures += not ok
                theirs = record["check"]["torch_rel_l2"]
                lines.append(f"{name:10s} {precision:5s} check {'PASS' if ok else 'FAIL'}: "
                             f"worst rel L2 {worst:.2e} (tol {TOLERANCE[precision]:.0e}"
                             + (f", PyTorch {precision} {theirs:.2e}" if theirs else "") + "), "
                             f"top-1 {record['check']['top1_agreement']*100:.1f}% of "
                             f"{record['check']['top1_inputs']}, compile {seconds:.1f} s")
            if precision in args.bench_precisions:
                record["bench_ms"] = {b: engine.benchmark(b, 100)[0] for b in bench_batches}
                record["profile"] = {b: engine.profile(b) for b in args.profile_batches
                                     if b <= args.max_batch}
            engine.close()
            entry[precision] = record
        if args.bench_batches and args.baselines:
            entry["baselines"] = baselines(model32, size, args.bench_batches, args.baselines)
        results["models"][name] = entry
        del model64
        torch.cuda.empty_cache()
        (args.out / "results.json").write_text(json.dumps(results, indent=1))

    # Summary tables.
    peak = results.get("fp16_gemm_peak_tflops")
    for name, entry in results["models"].items():
        for precision in args.bench_precisions:
            record = entry.get(precision, {})
            for batch, ms in record.get("bench_ms", {}).items():
                tflops = record["flops_per_image"] * batch / (ms * 1e-3) / 1e12
                row = f"{name:10s} {precision:5s} b{batch:<4d} ours {ms:8.3f} ms " \
                      f"{batch / ms * 1e3:9.0f} img/s {tflops:6.1f} TFLOP/s"
                if peak:
                    row += f" ({tflops / peak * 100:4.1f}% of {peak:.0f})"
                if batch in record.get("heuristic_bench_ms", {}):
                    row += f" | untuned {record['heuristic_bench_ms'][batch]:.3f}"
                for mode, times in entry.get("baselines", {}).get("ms", {}).items():
                    if batch in times:
                        row += f" | {mode} {times[batch]:.3f} ({times[batch] / ms:.2f}x)"
                lines.append(row)
            for batch, table in record.get("profile", {}).items():
                total = sum(table.values())
                lines.append(f"{name:10s} {precision:5s} b{batch} profile: " + ", ".join(
                    f"{k} {v:.3f} ({v / total * 100:.0f}%)" for k, v in table.items() if v))
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
