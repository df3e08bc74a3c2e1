"""ctypes binding of the C API of a compiled model (swinrt.h), and the
array interop of `Engine.__call__`.

ctypes keeps the package free of a compiled extension: the library already
exports a plain C API, and each call hands over a few pointers and ints, so
the binding costs microseconds against a forward pass of 0.1 ms and more
(docs/python.md says more).
"""

from __future__ import annotations

import ctypes
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    lib.swinrt_run_on_stream.argtypes = [vp, vp, vp, i, vp, i, i]
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
    for name in ("swinrt_get_info", "swinrt_create", "swinrt_run", "swinrt_run_on_stream",
                 "swinrt_run_host",
                 "swinrt_benchmark", "swinrt_profile", "swinrt_autotune",
                 "swinrt_destroy"):
        getattr(lib, name).restype = i
    return lib



# __cuda_array_interface__ typestr -> swinrt dtype
_TYPESTR = {"<f4": FLOAT32, "<f2": FLOAT16}
_DTYPE_NAME = {FLOAT32: "float32", FLOAT16: "float16"}


@dataclass
class _DeviceArray:
    """A CUDA array seen through whichever protocol it offers."""

    ptr: int
    shape: tuple[int, ...]
    dtype: int | None  # FLOAT32, FLOAT16, or None for another dtype
    dtype_name: str
    device: int | None  # None: the protocol does not say
    stream: int  # the producer's stream (cudaStream_t as an int; 0 = legacy default)
    kind: str  # "torch", "cupy" or "cai"
    contiguous: bool


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "data_ptr")


def _is_cupy(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"


def _from_torch(x) -> _DeviceArray:
    import torch

    dtype = {torch.float32: FLOAT32, torch.float16: FLOAT16}.get(x.dtype)
    return _DeviceArray(x.data_ptr(), tuple(x.shape), dtype, str(x.dtype).replace("torch.", ""),
                        x.device.index, torch.cuda.current_stream(x.device).cuda_stream,
                        "torch", x.is_contiguous())


def _from_cai(x, kind: str) -> _DeviceArray:
    cai = x.__cuda_array_interface__
    shape = tuple(int(d) for d in cai["shape"])
    typestr = cai["typestr"]
    strides = cai.get("strides")
    itemsize = int(typestr[2:]) if typestr[2:].isdigit() else 0
    contiguous = True
    if strides is not None:
        expected, contiguous = itemsize, True
        for dim, stride in zip(reversed(shape), reversed(strides)):
            if dim != 1 and stride != expected:
                contiguous = False
            expected *= dim
    device = None
    stream = cai.get("stream")
    if kind == "cupy":
        import cupy

        device = x.device.id
        stream = cupy.cuda.get_current_stream().ptr
    return _DeviceArray(int(cai["data"][0]), shape, _TYPESTR.get(typestr), typestr, device,
                        int(stream or 0), kind, contiguous)


class Engine:
    """A compiled model on one GPU (see `load`).

    `stream` is the cudaStream_t (as an int) that `run_pointers` uses; 0
    makes the engine its own stream, ordered with the legacy default stream.
    `__call__` instead runs on the caller's current stream. Calls from
    several host threads are serialised by a lock.
    """

    def __init__(self, folder: str | os.PathLike, device: int = 0, stream: int = 0):
        self.folder = Path(folder)
        self.device = device
        self._engine = None
        self._lock = threading.Lock()
        self._lib = _load(self.folder)
        raw = _Info()
        self._lib.swinrt_get_info(ctypes.byref(raw))
        self.info = ModelInfo(raw.max_batch, raw.in_channels, raw.in_height, raw.in_width,
                              raw.num_classes, raw.precision.decode(), raw.archs.decode(),
                              raw.arena_bytes, raw.weights_bytes)
        engine = ctypes.c_void_p()
        self._check(self._lib.swinrt_create(str(self.folder).encode(), device,
                                            ctypes.c_void_p(stream), ctypes.byref(engine)))
        self._engine = engine

    def __repr__(self) -> str:
        i = self.info
        return (f"Engine({str(self.folder)!r}, device={self.device}: {i.precision}, "
                f"{i.in_channels}x{i.in_height}x{i.in_width} -> {i.num_classes}, "
                f"max_batch {i.max_batch}, {i.archs})")

    def _check(self, status: int) -> None:
        if status != 0:
            raise SwinRuntimeError(status, "%s: %s: %s" % (
                self.folder, self._lib.swinrt_status_string(status).decode(),
                self._lib.swinrt_last_error().decode()))

    def _handle(self) -> ctypes.c_void_p:
        if self._engine is None:
            raise RuntimeError(f"{self.folder}: the engine is closed")
        return self._engine

    def run_pointers(self, input_ptr: int, input_dtype: int, output_ptr: int,
                     output_dtype: int, batch: int, stream: int | None = None) -> None:
        """Runs on raw device pointers, asynchronously: on `stream` (a
        cudaStream_t as an int; 0 is the legacy default stream), or on the
        engine's stream when `stream` is None."""
        with self._lock:
            handle = self._handle()
            if stream is None:
                status = self._lib.swinrt_run(handle, ctypes.c_void_p(input_ptr), input_dtype,
                                              ctypes.c_void_p(output_ptr), output_dtype, batch)
            else:
                status = self._lib.swinrt_run_on_stream(
                    handle, ctypes.c_void_p(stream), ctypes.c_void_p(input_ptr), input_dtype,
                    ctypes.c_void_p(output_ptr), output_dtype, batch)
        self._check(status)

    # ---- __call__ and its array interop --------------------------------

    def _check_input(self, shape: tuple[int, ...], dtype: int | None, dtype_name: str) -> int:
        expected = (self.info.in_channels, self.info.in_height, self.info.in_width)
        if len(shape) != 4 or tuple(shape[1:]) != expected:
            raise ValueError(f"input shape {tuple(shape)} is not [batch, {expected[0]}, "
                             f"{expected[1]}, {expected[2]}]")
        if dtype is None:
            raise TypeError(f"input dtype {dtype_name} is not float32 or float16")
        batch = shape[0]
        if not 1 <= batch <= self.info.max_batch:
            raise ValueError(f"batch {batch} is outside [1, {self.info.max_batch}] "
                             "(the maximum compiled in: swin-compile --max-batch)")
        return batch

    def _check_output(self, shape: tuple[int, ...], dtype: int | None, dtype_name: str,
                      batch: int) -> None:
        if tuple(shape) != (batch, self.info.num_classes):
            raise ValueError(f"out has shape {tuple(shape)}, not [{batch}, "
                             f"{self.info.num_classes}]")
        if dtype is None:
            raise TypeError(f"out dtype {dtype_name} is not float32 or float16")

    def __call__(self, x, out=None, *, stream: int | None = None):
        """Runs images `x` [batch, C, H, W] (float32 or float16, NCHW) and
        returns the logits [batch, classes] (float32 unless `out` is float16).

        * torch CUDA tensors, CuPy arrays and other objects with
          ``__cuda_array_interface__`` or DLPack are read in place (no copy;
          a non-contiguous torch tensor is made contiguous on the GPU) on the
          caller's current stream (torch, CuPy) or the producer's stream
          (``__cuda_array_interface__``), or on `stream` if given. The result
          is of the input's kind and is ready once that stream gets there.
        * NumPy arrays (and CPU torch tensors) are copied to the GPU and
          back; the call returns when the logits are in host memory.

        `out` (optional) receives the logits in place, of the same kind.
        """
        if _is_torch(x):
            if x.device.type != "cuda":
                result = self._run_host(x.detach().numpy(),
                                        None if out is None else out.numpy())
                return out if out is not None else __import__("torch").from_numpy(result)
            if not x.is_contiguous():
                x = x.contiguous()
            return self._run_device(_from_torch(x), x, out, stream)
        if hasattr(x, "__cuda_array_interface__"):
            kind = "cupy" if _is_cupy(x) else "cai"
            return self._run_device(_from_cai(x, kind), x, out, stream)
        if hasattr(x, "__dlpack__") and hasattr(x, "__dlpack_device__"):
            device_type = int(x.__dlpack_device__()[0])
            if device_type in (2, 3):  # kDLCUDA, kDLCUDAHost
                return self(_import_dlpack(x), out, stream=stream)
            import numpy as np
            return self._run_host(np.from_dlpack(x), out)
        import numpy as np
        if isinstance(x, np.ndarray):
            return self._run_host(x, out)
        raise TypeError(f"cannot run a {type(x).__name__}: pass a torch tensor, a CuPy array, "
                        "an object with __cuda_array_interface__ or DLPack, or a NumPy array")

    def _run_device(self, a: _DeviceArray, x, out, stream: int | None):
        batch = self._check_input(a.shape, a.dtype, a.dtype_name)
        if not a.contiguous:
            raise ValueError("input must be C-contiguous (NCHW, packed)")
        if a.device is not None and a.device != self.device:
            raise ValueError(f"input is on GPU {a.device}; the engine runs on GPU {self.device}")
        if out is None:
            out = _allocate_like(a.kind, x, (batch, self.info.num_classes))
        if _is_torch(out):
            if out.device.type != "cuda":
                raise ValueError("out must be on the GPU, like the input")
            o = _from_torch(out)
        elif hasattr(out, "__cuda_array_interface__"):
            o = _from_cai(out, "cupy" if _is_cupy(out) else "cai")
        else:
            raise TypeError(f"out must be a CUDA array like the input, not {type(out).__name__}")
        self._check_output(o.shape, o.dtype, o.dtype_name, batch)
        if not o.contiguous:
            raise ValueError("out must be C-contiguous")
        if o.device is not None and o.device != self.device:
            raise ValueError(f"out is on GPU {o.device}; the engine runs on GPU {self.device}")
        self.run_pointers(a.ptr, a.dtype, o.ptr, o.dtype, batch,
                          a.stream if stream is None else stream)
        return out

    def _run_host(self, x, out=None):
        import numpy as np

        dtype = {np.dtype(np.float32): FLOAT32, np.dtype(np.float16): FLOAT16}.get(x.dtype)
        batch = self._check_input(x.shape, dtype, str(x.dtype))
        x = np.ascontiguousarray(x)
        if out is None:
            out = np.empty((batch, self.info.num_classes), dtype=np.float32)
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a NumPy array like the input, not {type(out).__name__}")
        out_dtype = {np.dtype(np.float32): FLOAT32, np.dtype(np.float16): FLOAT16}.get(out.dtype)
        self._check_output(out.shape, out_dtype, str(out.dtype), batch)
        if not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("out must be a writeable C-contiguous array")
        with self._lock:
            status = self._lib.swinrt_run_host(self._handle(), x.ctypes.data_as(ctypes.c_void_p),
                                               dtype, out.ctypes.data_as(ctypes.c_void_p),
                                               out_dtype, batch)
        self._check(status)
        return out

    # ---- timing, tuning --------------------------------------------------

    def benchmark(self, batch: int, iterations: int = 100) -> tuple[float, float]:
        """(median, min) milliseconds of one run, CUDA events, graph replays."""
        median, best = ctypes.c_double(), ctypes.c_double()
        with self._lock:
            status = self._lib.swinrt_benchmark(self._handle(), batch, iterations,
                                                ctypes.byref(median), ctypes.byref(best))
        self._check(status)
        return median.value, best.value

    def profile(self, batch: int = 1, iterations: int = 20) -> dict[str, float]:
        """Mean milliseconds per layer category at `batch` (eager launches,
        an event between layers), in the order of swin-run --profile's
        table; `format_profile` prints it."""
        ms = (ctypes.c_double * NUM_LAYERS)()
        with self._lock:
            status = self._lib.swinrt_profile(self._handle(), batch, iterations, ms)
        self._check(status)
        return {self._lib.swinrt_layer_name(i).decode(): ms[i] for i in range(NUM_LAYERS)}

    def autotune(self, batch: int, candidates: int = 16) -> tuple[float, float]:
        """Times cuBLASLt's candidates for each GEMM at `batch` on this GPU and
        keeps the fastest (saved to `tuning_file`). Returns the GEMM
        milliseconds of one forward pass: (heuristic choice, tuned)."""
        heuristic, tuned = ctypes.c_double(), ctypes.c_double()
        with self._lock:
            status = self._lib.swinrt_autotune(self._handle(), batch, candidates,
                                               ctypes.byref(heuristic), ctypes.byref(tuned))
        self._check(status)
        return heuristic.value, tuned.value

    @property
    def tuning_file(self) -> Path:
        """The tuning file of this GPU model in the model folder."""
        return Path(self._lib.swinrt_tuning_file(self._handle()).decode())

    def close(self) -> None:
        """Frees the engine's GPU memory; later calls raise."""
        with self._lock:
            if self._engine is not None:
                self._lib.swinrt_destroy(self._engine)
                self._engine = None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_engine", None) is not None:
            self.close()


def _allocate_like(kind: str, x, shape: tuple[int, int]):
    """A float32 device array of the input's kind (torch, CuPy; for a bare
    __cuda_array_interface__ object, torch or CuPy if importable)."""
    if kind == "torch":
        import torch
        return torch.empty(shape, dtype=torch.float32, device=x.device)
    if kind == "cupy":
        import cupy
        with x.device:
            return cupy.empty(shape, dtype=cupy.float32)
    try:
        import torch
        return torch.empty(shape, dtype=torch.float32, device="cuda")
    except ImportError:
        pass
    try:
        import cupy
        return cupy.empty(shape, dtype=cupy.float32)
    except ImportError:
        raise TypeError("pass out= (a float32 CUDA array of [batch, classes]): neither torch "
                        "nor CuPy is installed to allocate the logits") from None


def _import_dlpack(x):
    """A CUDA DLPack object as a torch tensor or CuPy array (no copy)."""
    try:
        import torch
        return torch.from_dlpack(x)
    except ImportError:
        pass
    try:
        import cupy
        return cupy.from_dlpack(x)
    except ImportError:
        raise TypeError("a CUDA DLPack input needs torch or CuPy to import it") from None


def load(out_dir: str | os.PathLike, device: int = 0) -> Engine:
    """Loads a folder written by `compile` (or swin-compile) onto GPU `device`."""
    return Engine(out_dir, device=device)


def format_profile(table: dict[str, float]) -> str:
    """`Engine.profile`'s table as text: ms and share per layer category."""
    total = sum(table.values()) or 1.0
    rows = [f"{'layer':14s} {'ms':>8s} {'share':>6s}"]
    rows += [f"{name:14s} {ms:8.3f} {ms / total * 100:5.1f}%" for name, ms in table.items()]
    rows.append(f"{'total':14s} {total:8.3f}")
    return "\n".join(rows)
