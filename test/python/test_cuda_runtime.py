"""The compiled library's checks that need no GPU: libswinrt validates the
weights file (magic, version, model, size, checksum) before it touches a
device, reports a missing device cleanly, and swin-run and the Python
Engine turn every failure into one message and a status. Needs nvcc to
build the library; skipped without it."""

from __future__ import annotations

import os
import pathlib
import shutil
import struct
import subprocess
import sys

import numpy as np
import pytest

from conftest import FIXTURES, REPO, run_tool

NVCC = shutil.which("nvcc") or shutil.which(
    "nvcc", path=os.path.join(os.environ.get("CUDA_HOME", "/usr/local/cuda"), "bin"))
pytestmark = pytest.mark.skipif(NVCC is None, reason="nvcc not found: the library cannot be built")

MODEL = FIXTURES / "timm_legacy" / "model.onnx"
HEADER_BYTES = 128


def _has_gpu() -> bool:
    try:
        return subprocess.run(["nvidia-smi", "-L"], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(NVCC) + os.pathsep + env.get("PATH", "")
    return env


@pytest.fixture(scope="module")
def library(tools, tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("lib") / "timm_fp16"
    proc = subprocess.run([str(tools["swin-compile"]), str(MODEL), "-o", str(out), "--precision",
                           "fp16", "--max-batch", "4", "--arch", "sm_90"],
                          capture_output=True, text=True, env=_env(), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def _copy(library: pathlib.Path, tmp_path: pathlib.Path) -> pathlib.Path:
    copy = tmp_path / "lib"
    shutil.copytree(library, copy)
    return copy


def _run(tools, folder: pathlib.Path, *extra: str) -> subprocess.CompletedProcess:
    x = folder.parent / "x.npy"
    np.save(x, np.random.default_rng(0).standard_normal((2, 3, 224, 224), dtype=np.float32))
    return run_tool(tools["swin-run"], folder, "--input", x, "--output", folder.parent / "y.npy",
                    *extra, check=False)


def _expect_error(proc: subprocess.CompletedProcess, text: str) -> None:
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert text in lines[0], lines[0]


def test_folder_layout(library):
    for name in ("libswinmodel.so", "model.swinw", "swinrt.h", "build.sh", "src/model.cu",
                 "src/engine.cu", "src/engine.h", "src/gemm.cu",
                 "src/include/swinrt/kernels.cuh"):
        assert (library / name).exists(), name
    assert not list(library.parent.glob("*.partial-*")), "staging folder left behind"
    header = (library / "model.swinw").read_bytes()[:16]
    assert header[:8] == b"SWINWTS\0"
    assert struct.unpack("<II", header[8:16]) == (1, HEADER_BYTES)


@pytest.mark.skipif(_has_gpu(), reason="a GPU is present: the no-device path cannot be shown")
def test_no_device_is_reported(tools, library, tmp_path):
    proc = _run(tools, _copy(library, tmp_path))
    _expect_error(proc, "no CUDA device: cudaGetDeviceCount:")
    assert not (tmp_path / "y.npy").exists()


@pytest.mark.parametrize("damage, message", [
    ("truncate", "truncated weights file"),
    ("header_only", "truncated weights file"),
    ("tiny", "less than its 128-byte header"),
    ("flip_payload", "weights checksum mismatch"),
    ("magic", "not a swin weights file (bad magic)"),
    ("version", "weights format version 9, this runtime reads version 1"),
    ("header_byte", "corrupt weights header (checksum mismatch)"),
    ("append", "oversized weights file"),
    ("missing", "cannot open the weights file"),
])
def test_bad_weights_file_is_refused(tools, library, tmp_path, damage, message):
    folder = _copy(library, tmp_path)
    weights = folder / "model.swinw"
    data = bytearray(weights.read_bytes())
    if damage == "truncate":
        data = data[:-1000]
    elif damage == "header_only":
        data = data[:HEADER_BYTES]
    elif damage == "tiny":
        data = data[:50]
    elif damage == "flip_payload":
        data[HEADER_BYTES + len(data) // 2] ^= 0x40
    elif damage == "magic":
        data[0:8] = b"NOTSWIN\0"
    elif damage == "version":
        data[8:12] = struct.pack("<I", 9)
    elif damage == "header_byte":
        data[40] ^= 1  # inside model_hash, covered by the header checksum
    elif damage == "append":
        data += b"\0" * 64
    if damage == "missing":
        weights.unlink()
    else:
        weights.write_bytes(bytes(data))
    _expect_error(_run(tools, folder), message)


def test_weights_of_another_compile_are_refused(tools, library, tmp_path):
    other = tmp_path / "fp32"
    proc = subprocess.run([str(tools["swin-compile"]), str(MODEL), "-o", str(other), "--emit=cuda",
                           "--precision", "fp32", "--max-batch", "4"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    folder = _copy(library, tmp_path)
    shutil.copy(other / "model.swinw", folder / "model.swinw")
    _expect_error(_run(tools, folder), "the weights belong to another model")


def test_batch_above_the_maximum(tools, library):
    proc = run_tool(tools["swin-run"], library, "--bench", "--batch", "5", check=False)
    _expect_error(proc, "batch 5 is outside [1, 4] (the maximum compiled in)")


@pytest.mark.parametrize("candidates", ["0", "65"])
def test_autotune_candidates_are_checked(tools, library, candidates):
    proc = run_tool(tools["swin-run"], library, "--autotune", "--autotune-candidates",
                    candidates, check=False)
    _expect_error(proc, "--autotune-candidates must be in [1, 64]")


@pytest.mark.skipif(_has_gpu(), reason="a GPU is present: the no-device path cannot be shown")
def test_autotune_without_a_device_is_reported(tools, library, tmp_path):
    folder = _copy(library, tmp_path)
    proc = run_tool(tools["swin-run"], folder, "--autotune", "--batch", "2", check=False)
    _expect_error(proc, "no CUDA device: cudaGetDeviceCount:")
    assert not list(folder.glob("tuning-*")), "a tuning file was written without a GPU"


def test_input_shape_is_checked(tools, library, tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 3, 200, 224), dtype=np.float32))
    proc = run_tool(tools["swin-run"], library, "--input", x, check=False)
    _expect_error(proc, "input shape must be [batch, 3, 224, 224]")


def test_source_only_folder_has_no_library(tools, tmp_path):
    out = tmp_path / "src_only"
    run_tool(tools["swin-compile"], MODEL, "-o", out, "--emit=cuda")
    proc = run_tool(tools["swin-run"], out, "--bench", check=False)
    _expect_error(proc, "no libswinmodel.so (compile with swin-compile --emit=lib)")


@pytest.mark.parametrize("nvcc, message", [
    ("/nonexistent/nvcc", "SWIN_NVCC='/nonexistent/nvcc' is not an executable"),
    ("/bin/false", "nvcc failed (/bin/false ... build/model.o)"),
])
def test_nvcc_failure_leaves_no_output(tools, tmp_path, nvcc, message):
    out = tmp_path / "never"
    env = dict(os.environ, SWIN_NVCC=nvcc)
    proc = subprocess.run([str(tools["swin-compile"]), str(MODEL), "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1
    assert message in proc.stderr, proc.stderr
    assert not out.exists() and not list(tmp_path.glob("never.partial-*"))


def test_python_engine_raises_with_the_status(library, tmp_path):
    sys.path.insert(0, str(REPO / "python"))
    from swin_compiler import Engine, SwinRuntimeError

    folder = _copy(library, tmp_path)
    data = bytearray((folder / "model.swinw").read_bytes())
    data[-1] ^= 1
    (folder / "model.swinw").write_bytes(bytes(data))
    with pytest.raises(SwinRuntimeError) as error:
        Engine(folder)
    assert error.value.status == 5  # SWINRT_ERROR_WEIGHTS
    assert "weights checksum mismatch" in str(error.value)
    if not _has_gpu():
        with pytest.raises(SwinRuntimeError) as error:
            Engine(library)
        assert error.value.status == 2  # SWINRT_ERROR_NO_DEVICE
