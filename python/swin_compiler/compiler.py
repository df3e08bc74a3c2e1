"""`compile`: a thin wrapper over the swin-compile tool."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Sequence

from ._tools import find_tool

PRECISIONS = ("fp32", "tf32", "fp16", "bf16", "int8", "fp8")
QUANTIZED = ("int8", "fp8")
EMITS = ("lib", "cuda", "mlir")
ARCHS = ("sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_100", "sm_120")


class SwinCompileError(RuntimeError):
    """swin-compile failed: the message is the tool's own; `returncode` and
    the whole `stderr` come with it."""

    def __init__(self, message: str, returncode: int, stderr: str):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


def _arch_list(arch: str | Sequence[str]) -> str:
    archs = [a.strip() for a in (arch.split(",") if isinstance(arch, str) else arch)]
    unknown = [a for a in archs if a not in ARCHS]
    if not archs or unknown:
        raise ValueError(f"arch must name GPU targets from {', '.join(ARCHS)}; "
                         f"got {arch!r}")
    return ",".join(archs)


def _tool_message(stderr: str) -> str:
    """The tool's error line(s), without the progress lines."""
    lines = [line for line in stderr.splitlines()
             if line.strip() and not line.startswith("swin-compile: [")]
    return "\n".join(lines) or "swin-compile failed without a message"


def _installed_cutlass() -> str | None:
    """CUTLASS's root from the nvidia-cutlass package, where installed."""
    try:
        import cutlass_library  # headers only; its DSL's dependencies are not needed
    except ImportError:
        return None
    root = Path(cutlass_library.__file__).parent / "source"
    return str(root) if (root / "include" / "cutlass" / "cutlass.h").is_file() else None


def compile(onnx_path: str | os.PathLike, out_dir: str | os.PathLike, *,
            precision: str = "fp16", max_batch: int = 1,
            arch: str | Sequence[str] = "sm_90", calib: str | os.PathLike | None = None,
            calib_table: str | os.PathLike | None = None, calibrator: str | None = None,
            percentile: float | None = None, keep_float: Sequence[str] = (),
            target_cosine: float | None = None, quantize_attention: bool = False,
            fuse_int8_mlp: bool = True, fuse_int8_qkv: bool = True,
            fuse_int8_proj: bool = True,
            accuracy_inputs: str | os.PathLike | None = None,
            accuracy_report: str | os.PathLike | None = None,
            emit: str = "lib", image_size: int | tuple[int, int] | None = None,
            exact_gelu: bool = False, progress: bool | None = None,
            cutlass_dir: str | os.PathLike | None = None,
            bin_dir: str | os.PathLike | None = None) -> Path:
    """Compiles `onnx_path` with swin-compile and returns `out_dir`.

    ``emit="lib"`` (the default) writes a folder with libswinmodel.so (nvcc
    builds it for each `arch`), model.swinw and swinrt.h; ``"cuda"`` stops
    at the CUDA C++ source; ``"mlir"`` writes the fused swin module to the
    file `out_dir`.

    For ``precision="int8"`` or ``"fp8"``: `calib` is a folder of .npy
    inputs (see `calibration_set`); `calib_table` is a calibration table to
    read instead, or with `calib`, where to write the new one. `calibrator`
    ("max", "percentile", "entropy") and `percentile` choose the activation
    thresholds; `keep_float` names quantize points left in fp16, and
    `target_cosine` keeps the most sensitive ones in fp16 until the logits
    cosine against fp32 reaches it. `quantize_attention` also quantizes q, k
    and v, the operands of the attention products (int8 libraries; the
    probabilities stay 16-bit). ``fuse_int8_mlp=False`` always runs an int8
    MLP as its two GEMMs (by default the library may run it as one kernel,
    fc1's output kept on chip); ``fuse_int8_qkv=False`` likewise always
    runs a block's LayerNorm + window partition and its QKV GEMM as two
    kernels (by default they may run as one, the int8 window rows kept on
    chip), and ``fuse_int8_proj=False`` the attention projection apart from
    the window reverse, residual and MLP LayerNorm. The accuracy against fp32 (CPU
    reference, on `accuracy_inputs` or the calibration inputs) is written as
    JSON to `accuracy_report` (see docs/quantization.md). fp8 builds a
    library with E4M3 GEMMs through cuBLASLt (sm_89 and newer); int8 one
    with libswinrt's int8 GEMM and per-channel weight scales (sm_80 and
    newer, Jetson Orin included).

    int8 libraries for sm_90 build their GEMMs from CUTLASS where it is
    found: `cutlass_dir` (its root, or ``"none"``), else $SWIN_CUTLASS_DIR,
    else the nvidia-cutlass package, else the one swin-compile was built
    with; without it libswinrt's own (slower) int8 kernels serve.

    With `progress` (default: when stderr is a terminal) the tool's step
    lines (import, passes, CUDA emission, nvcc) show as they happen. A
    failure raises SwinCompileError with the tool's message, and leaves
    `out_dir` as it was.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}; got {precision!r}")
    if emit not in EMITS:
        raise ValueError(f"emit must be one of {', '.join(EMITS)}; got {emit!r}")
    if isinstance(max_batch, bool) or not isinstance(max_batch, int) or max_batch < 1:
        raise ValueError(f"max_batch must be a positive int; got {max_batch!r}")
    if calib is not None and precision not in QUANTIZED:
        raise ValueError(f"calib is for precision int8 or fp8, not {precision}")
    if calib is not None and not Path(calib).is_dir():
        raise FileNotFoundError(f"calibration folder {calib} does not exist")
    quant_options = dict(calib_table=calib_table, calibrator=calibrator, percentile=percentile,
                         keep_float=list(keep_float) or None, target_cosine=target_cosine,
                         accuracy_inputs=accuracy_inputs, accuracy_report=accuracy_report)
    for name, value in quant_options.items():
        if value is not None and precision not in QUANTIZED:
            raise ValueError(f"{name} is for precision int8 or fp8, not {precision}")
    if quantize_attention and precision not in QUANTIZED:
        raise ValueError(f"quantize_attention is for precision int8 or fp8, not {precision}")
    if not fuse_int8_mlp and precision != "int8":
        raise ValueError(f"fuse_int8_mlp is for precision int8, not {precision}")
    if not fuse_int8_qkv and precision != "int8":
        raise ValueError(f"fuse_int8_qkv is for precision int8, not {precision}")
    if not fuse_int8_proj and precision != "int8":
        raise ValueError(f"fuse_int8_proj is for precision int8, not {precision}")
    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        raise FileNotFoundError(f"{onnx_path}: no such ONNX file")

    command = [str(find_tool("swin-compile", bin_dir)), str(onnx_path), "-o", str(out_dir),
               f"--emit={emit}", "--precision", precision, "--max-batch", str(max_batch),
               "--arch", _arch_list(arch)]
    if calib is not None:
        command += ["--calib", str(calib)]
    for name, value in quant_options.items():
        if value is None:
            continue
        flag = "--" + name.replace("_", "-")
        if name == "keep_float":
            value = ",".join(value)
        command += [flag, str(value)]
    if image_size is not None:
        size = (image_size, image_size) if isinstance(image_size, int) else image_size
        command += ["--image-size", f"{int(size[0])}x{int(size[1])}"]
    if exact_gelu:
        command.append("--exact-gelu")
    if quantize_attention:
        command.append("--quantize-attention")
    if not fuse_int8_mlp:
        command.append("--fuse-int8-mlp=false")
    if not fuse_int8_qkv:
        command.append("--fuse-int8-qkv=false")
    if not fuse_int8_proj:
        command.append("--fuse-int8-proj=false")
    if cutlass_dir is None and "SWIN_CUTLASS_DIR" not in os.environ:
        cutlass_dir = _installed_cutlass()
    if cutlass_dir is not None:
        command += ["--cutlass-dir", str(cutlass_dir)]
    if progress is None:
        progress = sys.stderr.isatty()
    if progress:
        command.append("--progress")

    # stderr is read line by line so progress shows while nvcc runs, and
    # kept whole for the error.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, errors="replace")
    lines: list[str] = []

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if progress:
                sys.stderr.write(line)
                sys.stderr.flush()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        returncode = process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait()
        raise
    reader.join()
    stderr = "".join(lines)
    if returncode != 0:
        raise SwinCompileError(_tool_message(stderr), returncode, stderr)
    return Path(out_dir)
