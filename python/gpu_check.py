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

Quantized precisions (int8, fp8) compile with a calibration table made on the CPU
(`--quant-table`, from `swin-compile --calib` on the same export), and
are checked on real-image inputs (`--quant-eval`, python/photo_sets.py):
logits cosine, top-1 agreement and relative error against PyTorch fp32,
against the targets of docs/quantization.md, and, where `--quant-reference`
holds the CPU reference's logits of the quantized module on those inputs
(one file per precision: `--quant-reference int8=A.npy fp8=B.npy`),
the distance between our kernels and the quantized IR they implement.

Prints a short table last and writes everything to OUT/results.json.

  python python/gpu_check.py --bin build-static/bin --out $OUT \
      --models swin_t --precisions fp32 fp16 bf16 --batches 1 7 32 128
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

import torch  # noqa: E402

from export_fixtures import reinit_for_testing  # noqa: E402
from swin_compiler import Engine, SwinCompileError, export  # noqa: E402
from swin_compiler import compile as swin_compile  # noqa: E402
from swin_compiler.bench import baselines, gemm_peak_tflops  # noqa: E402
from swin_compiler.export import logits_only  # noqa: E402

# name: (library, constructor argument, image size)
MODELS = {
    "swin_t": ("timm", "swin_tiny_patch4_window7_224", 224),
    "swin_s": ("timm", "swin_small_patch4_window7_224", 224),
    "swin_b": ("timm", "swin_base_patch4_window7_224", 224),
    "swin_b_384": ("timm", "swin_base_patch4_window12_384", 384),
    "tv_swin_t": ("torchvision", "swin_t", 224),
    "hf_swin_t": ("transformers", "tiny", 224),
    # Swin V2 (cosine attention, continuous position bias, post-norm).
    "swinv2_t_w8": ("timm", "swinv2_tiny_window8_256", 256),
    "swinv2_t_w16": ("timm", "swinv2_tiny_window16_256", 256),
    "swinv2_b_w8": ("timm", "swinv2_base_window8_256", 256),
    "swinv2_b_w16": ("timm", "swinv2_base_window16_256", 256),
    # Windows 12 and 24, and the fine-tuned-from-window-12 variants.
    "swinv2_b_w12_192": ("timm", "swinv2_base_window12_192", 192),
    "swinv2_b_w12to16_256": ("timm", "swinv2_base_window12to16_192to256", 256),
    "swinv2_b_w12to24_384": ("timm", "swinv2_base_window12to24_192to384", 384),
    "tv_swinv2_t": ("torchvision", "swin_v2_t", 256),
    "hf_swinv2_t": ("transformers-v2", "tiny", 256),
}

# Relative L2 tolerance per precision, against float64 PyTorch.
TOLERANCE = {"fp32": 1e-4, "tf32": 5e-3, "fp16": 5e-3, "bf16": 2e-2}
# "int8qa": int8 with --quantize-attention (q, k and v in int8 too);
# "int8mp": int8 with the points named by --keep-float left in fp16 (mixed
# precision, e.g. the list `swin-compile --target-cosine` chose on the CPU).
# "int8qa-pair": int8qa with every MLP as its two GEMMs (--fuse-int8-mlp=false),
# the A/B partner of int8qa's fused MLP kernels; "int8qa-noqkv": int8qa with
# every LayerNorm + partition and QKV GEMM as two kernels (--fuse-int8-qkv=false),
# the A/B partner of its fused norm_qkv_s8 kernels; "int8qa-noproj": int8qa
# with every projection apart from its reverse + residual + LayerNorm
# (--fuse-int8-proj=false), the A/B partner of proj_residual_s8; "int8qa-unfused":
# all three fusions off.
QUANTIZED = ("int8", "fp8", "int8qa", "int8mp", "int8qa-pair", "int8qa-noqkv",
             "int8qa-noproj", "int8qa-unfused")
# docs/quantization.md's targets against fp32, on real-image inputs.
ACCURACY_TARGET = {"cosine_mean": 0.995, "top1": 0.98}
# Fresh random inputs through a quantized engine: every logit written, and
# a cosine with float64 PyTorch that only a broken kernel falls below.
QUANT_SANITY_COSINE = 0.99


def build(name: str) -> torch.nn.Module:
    library, arg, _ = MODELS[name]
    torch.manual_seed(0)
    if library == "timm":
        import timm
        model = timm.create_model(arg, pretrained=False, drop_rate=0.0, drop_path_rate=0.0)
    elif library == "torchvision":
        import torchvision
        model = getattr(torchvision.models, arg)(weights=None)
    elif library == "transformers":
        from transformers import SwinConfig, SwinForImageClassification

        config = SwinConfig(num_labels=1000, hidden_dropout_prob=0.0,
                            attention_probs_dropout_prob=0.0, drop_path_rate=0.0)
        config._attn_implementation = "eager"
        model = logits_only(SwinForImageClassification(config))
    else:
        from transformers import Swinv2Config, Swinv2ForImageClassification

        # SwinV2-T at 256 with window 8 (swinv2-tiny-patch4-window8-256).
        config = Swinv2Config(image_size=256, window_size=8, num_labels=1000,
                              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                              drop_path_rate=0.0)
        config._attn_implementation = "eager"
        model = logits_only(Swinv2ForImageClassification(config))
    reinit_for_testing(model)
    return model.eval()


def export_timed(model: torch.nn.Module, path: Path, size: int) -> float:
    start = time.perf_counter()
    export(model, path, image_size=size)
    return time.perf_counter() - start


def compile_model(bin_dir: Path, onnx: Path, out: Path, precision: str, max_batch: int,
                  arch: str, calib_table: Path | None = None,
                  keep_float: list[str] | None = None) -> tuple[float, dict]:
    """Compiles with the carried swin-compile; returns (seconds, model.json)."""
    start = time.perf_counter()
    quant = {"calib_table": calib_table} if precision in QUANTIZED else {}
    if precision.startswith("int8qa"):
        quant["quantize_attention"] = True
        unfused = precision == "int8qa-unfused"
        quant["fuse_int8_mlp"] = precision != "int8qa-pair" and not unfused
        quant["fuse_int8_qkv"] = precision != "int8qa-noqkv" and not unfused
        quant["fuse_int8_proj"] = precision != "int8qa-noproj" and not unfused
        precision = "int8"
    elif precision == "int8mp":
        precision, quant["keep_float"] = "int8", keep_float
    swin_compile(onnx, out, precision=precision, max_batch=max_batch, arch=arch,
                 progress=False, bin_dir=bin_dir, **quant)
    return time.perf_counter() - start, json.loads((out / "model.json").read_text())


def rel_l2(got: torch.Tensor, ref: torch.Tensor) -> float:
    return float((got.double() - ref).norm() / ref.norm())


TORCH_DTYPE = {"fp16": torch.float16, "bf16": torch.bfloat16}


def run_poisoned(engine: Engine, x: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """Our logits for `x`, into an output filled with NaN first; and
    whether every logit was written."""
    out = torch.full((x.shape[0], engine.info.num_classes), float("nan"), device="cuda")
    engine(x, out)
    torch.cuda.synchronize()
    return out, bool(torch.isfinite(out).all())


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
        out, written = run_poisoned(engine, x)
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
        out, _ = run_poisoned(engine, x)
        agree += int((out.argmax(1) == ref.argmax(1)).sum())
        total += batch
    return {"batches": rows, "top1_agreement": agree / total, "top1_inputs": total,
            "torch_rel_l2": torch_rel_l2}


def logits_accuracy(got: torch.Tensor, ref: torch.Tensor) -> dict:
    """docs/quantization.md's figures: per-image cosine, top-1 agreement,
    |got - ref| / max|ref| per image (max and mean)."""
    got, ref = got.double(), ref.double()
    cosine = torch.nn.functional.cosine_similarity(got, ref, dim=1)
    rel = (got - ref).abs() / ref.abs().amax(dim=1, keepdim=True)
    return {"cosine_mean": float(cosine.mean()), "cosine_min": float(cosine.min()),
            "top1": float((got.argmax(1) == ref.argmax(1)).double().mean()),
            "rel_err_max": float(rel.max()), "rel_err_mean": float(rel.mean()),
            "images": got.shape[0]}


def check_quantized(engine: Engine, model64, model32, batches, size: int, eval_dir: Path | None,
                    reference: Path | None, seed: int) -> dict:
    gen = torch.Generator(device="cuda").manual_seed(seed)
    rows = []
    for batch in batches:
        x = torch.randn(batch, 3, size, size, device="cuda", generator=gen)
        with torch.no_grad():
            ref = model64(x.double())
        out, written = run_poisoned(engine, x)
        cosine = float(torch.nn.functional.cosine_similarity(out.double(), ref, dim=1).min()) \
            if written else float("nan")
        rows.append({"batch": batch, "all_written": written, "cosine_min": cosine,
                     "rel_l2": rel_l2(out, ref) if written else float("nan"),
                     "ok": written and cosine >= QUANT_SANITY_COSINE})
    result = {"batches": rows}
    if eval_dir is not None:
        import numpy as np

        files = sorted(eval_dir.glob("*.npy"))
        inputs = torch.from_numpy(np.concatenate([np.load(f) for f in files])).cuda()
        outs, refs = [], []
        for start in range(0, len(inputs), engine.info.max_batch):
            x = inputs[start:start + engine.info.max_batch]
            outs.append(run_poisoned(engine, x)[0])
            with torch.no_grad():
                refs.append(model32(x))
        got, ref = torch.cat(outs), torch.cat(refs)
        result["real_images"] = logits_accuracy(got, ref)
        result["real_images"]["inputs"] = str(eval_dir)
        if reference is not None:
            cpu = torch.from_numpy(np.load(reference)).cuda()
            # Our kernels against the quantized IR, next to the IR's own
            # distance from fp32: the kernels differ from the IR only where
            # a value rounds to another 8-bit step (fp16 activations).
            result["vs_quantized_ir"] = {
                "rel_l2": rel_l2(got, cpu.double()),
                "ir_vs_fp32_rel_l2": rel_l2(cpu, ref.double()),
                "top1": float((got.argmax(1) == cpu.argmax(1)).double().mean()),
                "ir": logits_accuracy(cpu, ref)}
    return result


def kernel_profile(engine: Engine, batch: int, size: int, top: int = 14) -> list[dict]:
    """GPU time per kernel name (CUPTI, through torch.profiler) over 10
    graph replays at `batch`: where the time goes, below swinrt_profile's
    layer categories."""
    from torch.profiler import ProfilerActivity, profile

    x = torch.randn(batch, 3, size, size, device="cuda")
    out = torch.empty(batch, engine.info.num_classes, device="cuda")
    engine(x, out)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(10):
            engine(x, out)
        torch.cuda.synchronize()
    totals: dict[str, list[float]] = {}
    for event in prof.events():
        if event.device_type != torch.autograd.DeviceType.CUDA:
            continue
        name = event.name.split("(")[0]
        name = name.split("<")[0] if name.startswith("void swinrt::") or "swinrt::" in name \
            else name[:60]
        entry = totals.setdefault(name.replace("void ", ""), [0.0, 0])
        entry[0] += event.device_time_total / 10 / 1e3  # ms per run
        entry[1] += 1
    rows = sorted(totals.items(), key=lambda item: -item[1][0])[:top]
    return [{"kernel": k, "ms": v[0], "launches": v[1] // 10} for k, v in rows]


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


def guide_example() -> str:
    """The first ```python block of docs/python.md: the user guide's example."""
    text = (REPO / "docs" / "python.md").read_text()
    start = text.index("```python\n") + len("```python\n")
    return text[start:text.index("```", start)]


def python_api_checks(bin_dir: Path, work: Path) -> tuple[list[str], dict]:
    """Runs the user guide's example as written, then checks engine(x) on the
    folder it compiled: every kind of input, streams, out=, errors, no host
    copies for CUDA tensors, and the cost of a call. Returns (failures,
    record)."""
    import subprocess

    import numpy as np

    from swin_compiler import load

    failures: list[str] = []
    record: dict = {}
    guide = work / "guide"
    guide.mkdir(parents=True, exist_ok=True)
    (guide / "example.py").write_text(guide_example())
    env = dict(os.environ, SWIN_BIN_DIR=str(bin_dir.resolve()),
               PYTHONPATH=str(REPO / "python"))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "example.py"], cwd=guide, env=env,
                          capture_output=True, text=True)
    record["guide_s"] = time.perf_counter() - start
    record["guide_stdout"] = proc.stdout
    if proc.returncode != 0:
        failures.append(f"user guide example failed: {proc.stderr.strip()[-2000:]}")
        return failures, record

    engine = load(guide / "swin_t_fp16")
    gen = torch.Generator(device="cuda").manual_seed(7)

    def fresh(batch: int) -> torch.Tensor:
        return torch.randn(batch, 3, 224, 224, device="cuda", generator=gen)

    def close(got, want, label: str, tol: float = 1e-6) -> None:
        if hasattr(got, "__cuda_array_interface__") and not isinstance(got, torch.Tensor):
            got = torch.as_tensor(got, device="cuda")  # CuPy: read in place
        elif not isinstance(got, torch.Tensor):
            got = torch.from_numpy(np.asarray(got))
        got = got.to("cuda", torch.float64)
        err = float((got - want.double()).norm() / want.double().norm())
        record.setdefault("interop_rel_l2", {})[label] = err
        if not err <= tol:
            failures.append(f"engine({label}): rel L2 {err:.2e} against the reference (tol {tol})")

    x = fresh(8)
    reference = engine(x).clone()
    torch.cuda.synchronize()
    close(engine(x.half()), reference, "fp16 input", 5e-3)
    out16 = torch.full((8, 1000), float("nan"), device="cuda", dtype=torch.half)
    engine(x, out=out16)
    close(out16.float(), reference, "out=fp16, poisoned", 5e-3)
    side = torch.cuda.Stream()
    with torch.cuda.stream(side):
        on_side = engine(x)
    side.synchronize()
    close(on_side, reference, "side stream")
    # Alternate two streams without synchronising: the runtime orders the
    # calls (they share the arena), so every result is right.
    inputs = [fresh(8) for _ in range(6)]
    expected = [engine(t).clone() for t in inputs]
    torch.cuda.synchronize()
    streams = [torch.cuda.Stream(), torch.cuda.Stream()]
    outs = []
    for i, t in enumerate(inputs * 3):
        streams[i % 2].wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(streams[i % 2]):
            outs.append(engine(t))
    torch.cuda.synchronize()
    for i, got in enumerate(outs):
        close(got, expected[i % len(inputs)], f"two streams, call {i}")

    class CudaArrayOnly:  # a Numba/JAX-like producer
        def __init__(self, tensor):
            self.__cuda_array_interface__ = tensor.__cuda_array_interface__
            self.keep = tensor

    class DlpackOnly:
        def __init__(self, tensor):
            self.tensor = tensor

        def __dlpack__(self, **kwargs):
            return self.tensor.__dlpack__(**kwargs)

        def __dlpack_device__(self):
            return self.tensor.__dlpack_device__()

    close(engine(CudaArrayOnly(x)), reference, "__cuda_array_interface__")
    close(engine(DlpackOnly(x)), reference, "DLPack")
    close(engine(x.cpu().numpy()), reference, "NumPy", 1e-6)
    close(engine(x.cpu()), reference, "CPU torch tensor", 1e-6)
    wide = torch.empty(8, 3, 224, 448, device="cuda")[..., ::2]
    wide.copy_(x)
    close(engine(wide), reference, "non-contiguous torch tensor")
    try:
        import cupy  # noqa: F401
        got = engine(cupy.asarray(x))
        if not isinstance(got, cupy.ndarray):
            failures.append(f"engine(CuPy array) returned a {type(got).__name__}")
        close(got, reference, "CuPy")
    except ImportError:
        record["cupy"] = "not installed on the GPU machine: not checked"

    # No host copies for CUDA tensors: the profiler sees our kernels and no memcpy.
    from torch.profiler import ProfilerActivity, profile
    out = torch.empty(8, 1000, device="cuda")
    engine(x, out)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA, ProfilerActivity.CPU]) as prof:
        engine(x, out)
        torch.cuda.synchronize()
    names = [e.name for e in prof.events()]
    memcpy = [n for n in names if "memcpy" in n.lower() and "cudaGraph" not in n]
    kernels = [n for n in names if "window_attention" in n or "nvjet" in n or "gemm" in n.lower()]
    record["profiler"] = {"memcpy_events": memcpy, "kernel_events": len(kernels)}
    if memcpy:
        failures.append(f"engine(cuda tensor) copied memory: {memcpy}")
    if not kernels:
        failures.append("the profiler saw none of our kernels: the no-copy check proves nothing")

    # Argument errors come before anything runs.
    for label, call, error in [
        ("wrong shape", lambda: engine(torch.zeros(2, 3, 200, 200, device="cuda")), ValueError),
        ("int8 input", lambda: engine(torch.zeros(2, 3, 224, 224, device="cuda",
                                                  dtype=torch.int8)), TypeError),
        ("batch 33", lambda: engine(torch.zeros(33, 3, 224, 224, device="cuda")), ValueError),
        ("bad out shape", lambda: engine(x, out=torch.empty(3, 1000, device="cuda")), ValueError),
        ("a list", lambda: engine([1, 2, 3]), TypeError),
    ]:
        try:
            call()
            failures.append(f"engine({label}) was accepted")
        except error as caught:
            record.setdefault("errors", {})[label] = str(caught)

    # What a call costs on the host, in bursts short enough that the launch
    # queue never fills (a full queue makes the host wait for the GPU):
    # engine(x) (protocol, checks, ctypes, the C call), run_pointers (ctypes
    # and the C call) and PyTorch's own CUDA-graph replay for scale.
    x1, out1 = fresh(1), torch.empty(1, 1000, device="cuda")
    static = torch.zeros(1, device="cuda")
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        static.add_(1)
    stream = torch.cuda.current_stream().cuda_stream
    calls = {
        "engine(x, out)": lambda: engine(x1, out1),
        "run_pointers": lambda: engine.run_pointers(x1.data_ptr(), 0, out1.data_ptr(), 0, 1,
                                                    stream),
        "torch CUDAGraph.replay (1 node)": graph.replay,
    }
    record["host_us_per_call_b1"] = {}
    for label, call in calls.items():
        best = float("inf")
        for _ in range(20):
            torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(10):
                call()
            best = min(best, (time.perf_counter() - start) / 10 * 1e6)
        record["host_us_per_call_b1"][label] = best
    torch.cuda.synchronize()
    record["gpu_ms_b1"] = engine.benchmark(1, 100)[0]
    engine.close()
    try:
        engine(x)
        failures.append("a closed engine ran")
    except RuntimeError as caught:
        record.setdefault("errors", {})["closed engine"] = str(caught)
    return failures, record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/swin-gpu-check"))
    parser.add_argument("--models", nargs="*", default=["swin_t"], choices=sorted(MODELS))
    parser.add_argument("--precisions", nargs="*", default=["fp32", "fp16", "bf16"])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 7, 32, 128])
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument("--top1", type=int, default=256)
    parser.add_argument("--bench-batches", nargs="*", type=int, default=[])
    parser.add_argument("--bench-precisions", nargs="*", default=["fp16", "bf16"])
    parser.add_argument("--baselines", nargs="*", default=[],
                        choices=["eager", "graph", "reduce-overhead", "max-autotune"])
    parser.add_argument("--profile-batches", nargs="*", type=int, default=[])
    parser.add_argument("--kernel-profile-batches", nargs="*", type=int, default=[])
    parser.add_argument("--arch", default="sm_90")
    parser.add_argument("--autotune", action="store_true",
                        help="bench with cuBLASLt's heuristic choice, autotune each bench "
                             "batch, check and bench again")
    parser.add_argument("--quant-table", nargs="*", default=[], metavar="[MODEL=]JSON",
                        help="calibration tables for int8/fp8 (swin-compile --calib-table): "
                             "MODEL=JSON for one model, a bare JSON for the others")
    parser.add_argument("--keep-float", default="",
                        help="for precision int8mp: quantize points left in fp16, comma "
                             "separated (swin-compile --keep-float)")
    parser.add_argument("--quant-eval", type=Path,
                        help="real-image .npy inputs for the int8/fp8 accuracy check")
    parser.add_argument("--quant-reference", nargs="*", default=[], metavar="PRECISION=NPY",
                        help="per quantized precision, the CPU reference's logits of the "
                             "quantized module on --quant-eval (.npy, [N, classes])")
    parser.add_argument("--python-api", action="store_true",
                        help="run docs/python.md's example as written, then check engine(x) "
                             "on every kind of input")
    args = parser.parse_args()
    quant_references = {}
    for item in args.quant_reference:
        precision, sep, path = item.partition("=")
        if not sep or precision not in QUANTIZED:
            parser.error(f"--quant-reference takes PRECISION=NPY with PRECISION in "
                         f"{QUANTIZED}, got '{item}'")
        quant_references[precision] = Path(path)
    if "int8qa" in quant_references:  # the same IR: fusion is a kernel choice
        quant_references.setdefault("int8qa-pair", quant_references["int8qa"])
        for variant in ("int8qa-noqkv", "int8qa-noproj", "int8qa-unfused"):
            quant_references.setdefault(variant, quant_references["int8qa"])
    quant_tables: dict[str | None, Path] = {}
    for item in args.quant_table:
        model, sep, path = item.rpartition("=")
        if sep and model not in MODELS:
            parser.error(f"--quant-table: unknown model '{model}' in '{item}'")
        quant_tables[model if sep else None] = Path(path)
    keep_float = [name for name in args.keep_float.split(",") if name]
    if "int8mp" in set(args.precisions) | set(args.bench_precisions) and not keep_float:
        parser.error("precision int8mp needs --keep-float NAME[,NAME...]")

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
    if args.python_api:
        problems, results["python_api"] = python_api_checks(args.bin, args.work)
        failures += len(problems)
        lines.extend(f"python API FAIL: {p}" for p in problems)
        api = results["python_api"]
        if not problems:
            lines.append(f"python API PASS: guide example ({api['guide_s']:.0f} s), "
                         f"{len(api['interop_rel_l2'])} interop checks, "
                         f"{len(api['errors'])} errors refused, no memcpy "
                         f"({api['profiler']['kernel_events']} kernels seen), "
                         "host us per call at batch 1: " + ", ".join(
                             f"{k} {v:.1f}" for k, v in api["host_us_per_call_b1"].items())
                         + f" (GPU {api['gpu_ms_b1'] * 1e3:.0f} us)")
        lines.append(api.get("guide_stdout", "").strip())
        (args.out / "results.json").write_text(json.dumps(results, indent=1))
    for name in args.models:
        size = MODELS[name][2]
        model32 = build(name)
        onnx = args.work / f"{name}.onnx"
        entry = {"export_s": export_timed(model32, onnx, size)}
        model32 = model32.cuda()
        model64 = copy.deepcopy(model32).double()
        for precision in sorted(set(args.precisions) | set(args.bench_precisions)):
            folder = args.work / f"{name}_{precision}"
            try:
                seconds, meta = compile_model(args.bin, onnx, folder, precision,
                                              args.max_batch, args.arch,
                                              quant_tables.get(name, quant_tables.get(None)),
                                              keep_float)
            except SwinCompileError as error:
                entry[precision] = {"error": str(error)}
                lines.append(f"{name:10s} {precision:5s} COMPILE FAILED: {error}")
                failures += 1
                continue
            engine = Engine(folder)
            record = {"compile_s": seconds, "model": meta,
                      "flops_per_image": meta["flops_per_image"]}
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
            if precision in args.precisions and precision in QUANTIZED:
                record["check"] = q = check_quantized(
                    engine, model64, model32, args.batches, size, args.quant_eval,
                    quant_references.get(precision), seed=len(lines) + 1)
                ok = all(r["ok"] for r in q["batches"])
                failures += not ok
                line = (f"{name:10s} {precision:5s} check {'PASS' if ok else 'FAIL'}: every "
                        f"logit written, random-input cosine >= "
                        f"{min(r['cosine_min'] for r in q['batches']):.4f} "
                        f"(floor {QUANT_SANITY_COSINE})")
                if "real_images" in q:
                    a = q["real_images"]
                    met = all(a[k] >= v for k, v in ACCURACY_TARGET.items())
                    line += (f"; {a['images']} real images vs fp32: cosine {a['cosine_mean']:.5f} "
                             f"(min {a['cosine_min']:.5f}), top-1 {a['top1'] * 100:.1f}%, "
                             f"rel err max {a['rel_err_max']:.3f} mean {a['rel_err_mean']:.4f}"
                             f" -> targets {'MET' if met else 'NOT MET'}")
                if "vs_quantized_ir" in q:
                    v = q["vs_quantized_ir"]
                    line += (f"; vs the quantized IR on the CPU: rel L2 {v['rel_l2']:.2e} "
                             f"(IR vs fp32 {v['ir_vs_fp32_rel_l2']:.2e}), top-1 "
                             f"{v['top1'] * 100:.1f}%")
                lines.append(line + f", compile {seconds:.1f} s")
            elif precision in args.precisions:
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
                record["kernel_profile"] = {b: kernel_profile(engine, b, size)
                                            for b in args.kernel_profile_batches
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
            for batch, table in record.get("kernel_profile", {}).items():
                lines.append(f"{name:10s} {precision:5s} b{batch} kernels: " + ", ".join(
                    f"{r['kernel']} x{r['launches']} {r['ms']:.3f}" for r in table))
            for batch, table in record.get("profile", {}).items():
                total = sum(table.values())
                lines.append(f"{name:10s} {precision:5s} b{batch} profile: " + ", ".join(
                    f"{k} {v:.3f} ({v / total * 100:.0f}%)" for k, v in table.items() if v))
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print("\n".join(lines))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
