"""Benchmark compiled Swin models against PyTorch on this GPU, in one run.

    python -m swin_compiler.bench --models swin_t swin_s swin_b \\
        --batches 1 8 32 64 128 --out bench.json

For each model: export it (timm, random weights: speed does not depend on
them), compile it at each precision for this GPU, optionally autotune its
GEMMs at each batch, and time it (CUDA graphs; median of CUDA-event timed
runs) against PyTorch fp16 eager, eager replayed as a CUDA graph and
torch.compile (reduce-overhead, max-autotune), all in this process. Prints
ms, images/s, the ratio to each baseline and the share of the GPU's fp16
GEMM peak measured in the same run, with compile times; writes it all to
--out as JSON for `python -m swin_compiler.report`.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

# name: (timm model, image size)
MODELS = {
    "swin_t": ("swin_tiny_patch4_window7_224", 224),
    "swin_s": ("swin_small_patch4_window7_224", 224),
    "swin_b": ("swin_base_patch4_window7_224", 224),
    "swin_b_384": ("swin_base_patch4_window12_384", 384),
}
BASELINES = ("eager", "graph", "reduce-overhead", "max-autotune")


def time_cuda(fn, iterations: int = 50, warmup: int = 10) -> float:
    """Median milliseconds of `fn`, each call timed alone with CUDA events."""
    import torch

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


def gemm_peak_tflops() -> float:
    """fp16 TFLOP/s of an 8192^3 torch.matmul: the GPU's practical peak."""
    import torch

    a = torch.randn(8192, 8192, device="cuda", dtype=torch.half)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.half)
    ms = time_cuda(lambda: a @ b, iterations=20, warmup=5)
    return 2 * 8192**3 / (ms * 1e-3) / 1e12


def baselines(model32, size: int, batches, modes) -> dict:
    """PyTorch fp16 baselines: {"ms": {mode: {batch: ms}}, "compile_s": {...}}."""
    import torch

    model = copy.deepcopy(model32).half().eval()
    result: dict[str, dict[int, float]] = {m: {} for m in modes}
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


QUANTIZED = ("int8", "fp8")


def bench_model(name: str, args, work: Path) -> dict:
    import timm
    import torch

    from .compiler import compile as swin_compile
    from .export import export
    from .runtime import Engine

    timm_name, size = MODELS[name]
    torch.manual_seed(0)
    model = timm.create_model(timm_name, pretrained=False).eval()
    onnx = work / f"{name}.onnx"
    start = time.perf_counter()
    export(model, onnx)
    entry: dict = {"timm_model": timm_name, "image_size": size,
                   "export_s": time.perf_counter() - start, "ours": {}, "compile_s": {}}
    for precision in args.precisions:
        folder = work / f"{name}_{precision}"
        start = time.perf_counter()
        quant = {}
        if precision in QUANTIZED:  # calibrated once per model, the table reused
            table = work / f"{name}_calibration.json"
            quant = {"calib_table": table} if table.exists() else \
                {"calib": args.calib, "calib_table": table}
        swin_compile(onnx, folder, precision=precision, max_batch=max(args.batches),
                     arch=args.arch, progress=False, bin_dir=args.bin, **quant)
        entry["compile_s"][precision] = time.perf_counter() - start
        meta = json.loads((folder / "model.json").read_text())
        entry["flops_per_image"] = meta["flops_per_image"]
        with Engine(folder) as engine:
            times, tuning = {}, {}
            for batch in args.batches:
                if args.autotune:
                    heuristic, tuned = engine.autotune(batch)
                    tuning[batch] = {"gemm_ms_heuristic": heuristic, "gemm_ms_tuned": tuned}
                times[batch] = engine.benchmark(batch, args.iterations)[0]
            entry["ours"][precision] = times
            if tuning:
                entry.setdefault("autotune", {})[precision] = tuning
    if args.baselines:
        model = model.cuda()
        entry["baselines"] = baselines(model, size, args.batches, args.baselines)
        del model
        torch.cuda.empty_cache()
    return entry


def summary_lines(results: dict) -> list[str]:
    """The printed table: one line per model, precision and batch."""
    lines = []
    peak = results.get("fp16_gemm_peak_tflops")
    for name, entry in results["models"].items():
        for precision, times in entry["ours"].items():
            for batch, ms in times.items():
                tflops = entry["flops_per_image"] * int(batch) / (ms * 1e-3) / 1e12
                row = (f"{name:10s} {precision:5s} b{int(batch):<4d} ours {ms:8.3f} ms "
                       f"{int(batch) / ms * 1e3:9.0f} img/s {tflops:6.1f} TFLOP/s")
                if peak:
                    row += f" ({tflops / peak * 100:4.1f}% of peak)"
                for mode, base in entry.get("baselines", {}).get("ms", {}).items():
                    if batch in base:
                        row += f" | {mode} {base[batch]:.3f} ({base[batch] / ms:.2f}x)"
                lines.append(row)
        compile_s = ", ".join(f"{p} {s:.1f} s" for p, s in entry["compile_s"].items())
        lines.append(f"{name:10s} swin-compile (nvcc included): {compile_s}")
        torch_compile = entry.get("baselines", {}).get("compile_s", {})
        if torch_compile:
            lines.append(f"{name:10s} torch.compile first call: " + ", ".join(
                f"{k} {v:.1f} s" for k, v in torch_compile.items()))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m swin_compiler.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["swin_t", "swin_s", "swin_b"],
                        choices=sorted(MODELS))
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 8, 32, 64, 128])
    parser.add_argument("--precisions", nargs="+", default=["fp16", "bf16"],
                        choices=["fp32", "tf32", "fp16", "bf16", "int8", "fp8"])
    parser.add_argument("--calib", type=Path,
                        help="calibration inputs (.npy folder) for int8 and fp8; the table is kept "
                             "in --work and reused")
    parser.add_argument("--baselines", nargs="*", default=["eager", "graph", "reduce-overhead"],
                        choices=BASELINES,
                        help="PyTorch fp16 baselines (max-autotune takes minutes per batch)")
    parser.add_argument("--autotune", action="store_true",
                        help="autotune the GEMMs at each batch before timing")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--arch", default=None,
                        help="GPU target (default: this GPU's, e.g. sm_90)")
    parser.add_argument("--bin", default=None, help="folder of swin-compile (default: see "
                        "find_tool)")
    parser.add_argument("--work", type=Path, default=Path("swin-bench-work"))
    parser.add_argument("--out", type=Path, default=Path("swin-bench.json"))
    args = parser.parse_args(argv)
    if any(b < 1 for b in args.batches):
        parser.error("batches must be positive")
    if any(p in QUANTIZED for p in args.precisions) and args.calib is None:
        parser.error("int8 and fp8 need --calib DIR (calibration inputs, see calibration_set)")

    import torch

    if not torch.cuda.is_available():
        print("swin_compiler.bench: no CUDA GPU: nothing to benchmark", file=sys.stderr)
        return 2
    if args.arch is None:
        major, minor = torch.cuda.get_device_capability()
        args.arch = f"sm_{major}{minor}"
    torch.backends.cuda.matmul.allow_tf32 = False
    args.work.mkdir(parents=True, exist_ok=True)
    results = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
               "date": time.strftime("%Y-%m-%d"), "arch": args.arch,
               "autotuned": args.autotune, "fp16_gemm_peak_tflops": gemm_peak_tflops(),
               "models": {}}
    for name in args.models:
        results["models"][name] = bench_model(name, args, args.work)
        args.out.write_text(json.dumps(results, indent=1))
    print("\n".join(summary_lines(results)))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
