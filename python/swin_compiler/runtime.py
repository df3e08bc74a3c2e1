"""ctypes binding of the C API of a compiled model (swinrt.h).

ctypes keeps the package free of a compiled extension: the library already
exports a plain C API, and each call hands over a few pointers and ints, so
the binding costs microseconds against a forward pass of 0.1 ms and more.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from pathlib import Path

FLOAT32 = 0
FLOAT16 = 1
NUM_LAYERS = 9


class SwinRuntimeError(RuntimeError):
    """A failed swinrt call: `status` is the swinrt_status code."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _Info(ctypes.Structure):
    _fields_ = [
        ("max_batch", ctypes.c_int),
        ("in_channels", ctypes.c_int),
        ("in_height", ctypes.c_int),
        ("in_width", ctypes.c_int),
        ("num_classes", ctypes.c_int),
        ("precision", ctypes.c_char_p),
        ("archs", ctypes.c_char_p),
        ("arena_bytes", ctypes.c_uint64),
        ("weights_bytes", ctypes.c_uint64),
        ("model_hash", ctypes.c_uint64),
    ]


@dataclass(frozen=True)
class ModelInfo:
    max_batch: int
    in_channels: int
    in_height: int
    in_width: int
    num_classes: int
    precision: str
    archs: str
    arena_bytes: int
    weights_bytes: int


def _load(folder: Path) -> ctypes.CDLL:
    path = folder / "libswinmodel.so"
    if not path.is_file():
        raise FileNotFoundError(f"{folder}: no libswinmodel.so (swin-compile --emit=lib)")
    lib = ctypes.CDLL(str(path), mode=os.RTLD_LOCAL if hasattr(os, "RTLD_LOCAL") else 0)
    vp, i, d = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
    lib.swinrt_get_info.argtypes = [ctypes.POINTER(_Info)]
    lib.swinrt_create.argtypes = [ctypes.c_char_p, i, vp, ctypes.POINTER(vp)]
    lib.swinrt_run.argtypes = [vp, vp, i, vp, i, i]
    lib.swinrt_run_host.argtypes = [vp, vp, i, vp, i, i]
    lib.swinrt_benchmark.argtypes = [vp, i, i, ctypes.POINTER(d), ctypes.POINTER(d)]
    lib.swinrt_profile.argtypes = [vp, i, i, ctypes.POINTER(d)]
    lib.swinrt_autotune.argtypes = [vp, i, i, ctypes.POINTER(d), ctypes.POINTER(d)]
    lib.swinrt_tuning_file.argtypes = [vp]
    lib.swinrt_tuning_file.restype = ctypes.c_char_p
    lib.swinrt_destroy.argtypes = [vp]
    lib.swinrt_layer_name.argtypes = [i]
    lib.swinrt_layer_name.restype = ctypes.c_char_p
    lib.swinrt_last_error.restype = ctypes.c_char_p
    lib.swinrt_status_string.restype = ctypes.c_char_p
    for name in ("swinrt_get_info", "swinrt_create", "swinrt_run", "swinrt_run_host",
                 "swinrt_benchmark", "swinrt_profile", "swinrt_autotune",
                 "swinrt_destroy"):
        getattr(lib, name).restype = i
    return lib


class Engine:
    """A compiled model on one GPU.

    `stream` is a cudaStream_t as an int (torch: `torch.cuda.current_stream()
    .cuda_stream`); 0 runs on an engine stream ordered with the legacy
    default stream.
    """

    def __init__(self, folder: str | os.PathLike, device: int = 0, stream: int = 0):
        self.folder = Path(folder)
        self._lib = _load(self.folder)
        raw = _Info()
        self._lib.swinrt_get_info(ctypes.byref(raw))
        self.info = ModelInfo(raw.max_batch, raw.in_channels, raw.in_height, raw.in_width,
                              raw.num_classes, raw.precision.decode(), raw.archs.decode(),
                              raw.arena_bytes, raw.weights_bytes)
        self._engine = ctypes.c_void_p()
        self._check(self._lib.swinrt_create(str(self.folder).encode(), device,
                                            ctypes.c_void_p(stream),
                                            ctypes.byref(self._engine)))

    def _check(self, status: int) -> None:
        if status != 0:
            raise SwinRuntimeError(status, "%s: %s: %s" % (
                self.folder, self._lib.swinrt_status_string(status).decode(),
                self._lib.swinrt_last_error().decode()))

    def run_pointers(self, input_ptr: int, input_dtype: int, output_ptr: int,
                     output_dtype: int, batch: int) -> None:
        """swinrt_run on raw device pointers (asynchronous)."""
        self._check(self._lib.swinrt_run(self._engine, ctypes.c_void_p(input_ptr),
                                         input_dtype, ctypes.c_void_p(output_ptr),
                                         output_dtype, batch))

    def __call__(self, x, out=None):
        """Runs a torch CUDA tensor [B, C, H, W] (float32 or float16)."""
        import torch

        if not (isinstance(x, torch.Tensor) and x.is_cuda):
            raise TypeError("expected a torch CUDA tensor")
        expected = (self.info.in_channels, self.info.in_height, self.info.in_width)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(f"input shape {tuple(x.shape)} is not [B, {expected[0]}, "
                             f"{expected[1]}, {expected[2]}]")
        if x.dtype not in (torch.float32, torch.float16):
            raise TypeError(f"input dtype {x.dtype} is not float32 or float16")
        x = x.contiguous()
        batch = x.shape[0]
        if out is None:
            out = torch.empty(batch, self.info.num_classes, device=x.device,
                              dtype=torch.float32)
        dtype = lambda t: FLOAT32 if t.dtype == torch.float32 else FLOAT16
        self.run_pointers(x.data_ptr(), dtype(x), out.data_ptr(), dtype(out), batch)
        return out

    def benchmark(self, batch: int, iterations: int = 100) -> tuple[float, float]:
        """(median, min) milliseconds of one run, CUDA events, graph replays."""
        median, best = ctypes.c_double(), ctypes.c_double()
        self._check(self._lib.swinrt_benchmark(self._engine, batch, iterations,
                                               ctypes.byref(median), ctypes.byref(best)))
        return median.value, best.value

    def profile(self, batch: int, iterations: int = 20) -> dict[str, float]:
        """Mean milliseconds per layer category (eager launches)."""
        ms = (ctypes.c_double * NUM_LAYERS)()
        self._check(self._lib.swinrt_profile(self._engine, batch, iterations, ms))
        return {self._lib.swinrt_layer_name(i).decode(): ms[i] for i in range(NUM_LAYERS)}

    def autotune(self, batch: int, candidates: int = 16) -> tuple[float, float]:
        """Times cuBLASLt's candidates for each GEMM at `batch` on this GPU and
        keeps the fastest (saved to `tuning_file`). Returns the GEMM
        milliseconds of one forward pass: (heuristic choice, tuned)."""
        heuristic, tuned = ctypes.c_double(), ctypes.c_double()
        self._check(self._lib.swinrt_autotune(self._engine, batch, candidates,
                                              ctypes.byref(heuristic), ctypes.byref(tuned)))
        return heuristic.value, tuned.value

    @property
    def tuning_file(self) -> Path:
        """The tuning file of this GPU model in the model folder."""
        return Path(self._lib.swinrt_tuning_file(self._engine).decode())

    def close(self) -> None:
        if getattr(self, "_engine", None):
            self._lib.swinrt_destroy(self._engine)
            self._engine = None

    def __del__(self):
        self.close()
