"""The swin_compiler package on the CPU: export from timm, torchvision and
Hugging Face (small models, checked with onnxruntime), argument
validation, the compile wrapper (--emit=mlir and --emit=cuda need no GPU),
calibration_set, the report, the package build, and the import without
torch. The GPU path (load, engine(x)) is exercised by python/gpu_check.py."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, REPO

sys.path.insert(0, str(REPO / "python"))
import swin_compiler as sc  # noqa: E402
from swin_compiler.runtime import FLOAT16, FLOAT32, _from_cai  # noqa: E402

MODEL = FIXTURES / "timm_legacy" / "model.onnx"
# The fixtures' tiny Swin: every structural feature of Swin-T, 2.5 MB.
TINY = dict(embed_dim=16, depths=(2, 2, 2, 2), num_heads=(1, 2, 4, 8), num_classes=10)
HAS_PIL = importlib.util.find_spec("PIL") is not None


def _needs(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed: this test needs {', '.join(modules)}")


@pytest.fixture(autouse=True)
def _bin_dir(tools, monkeypatch):
    monkeypatch.setenv("SWIN_BIN_DIR", str(tools["swin-compile"].parent))


def _ort(path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def _torch(model, x: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        out = model(torch.from_numpy(x))
    return (out.logits if hasattr(out, "logits") else out).numpy()


def _check_export(model, path, size: int = 224) -> None:
    """The exported file runs in onnxruntime like the model, at two batches
    (the batch axis is dynamic), and swin-compile imports and fuses it."""
    for batch in (1, 3):
        x = np.random.default_rng(batch).standard_normal((batch, 3, size, size), np.float32)
        np.testing.assert_allclose(_ort(path, x), _torch(model, x), rtol=1e-4, atol=1e-4)
    out = sc.compile(path, path.with_suffix(".mlir"), emit="mlir", max_batch=4)
    assert "swin.window_attention" in out.read_text()


# ---- export --------------------------------------------------------------

def test_export_timm_module(tmp_path):
    _needs("torch", "timm", "onnx", "onnxruntime")
    import timm

    model = timm.create_model("swin_tiny_patch4_window7_224", pretrained=False, **TINY).eval()
    path = sc.export(model, tmp_path / "timm.onnx")
    assert path == tmp_path / "timm.onnx"
    assert [p.name for p in tmp_path.iterdir()] == ["timm.onnx"]  # no scratch left behind
    _check_export(model, path)


def test_export_timm_name_with_constructor_arguments(tmp_path):
    """Constructor arguments reach timm, and the image size comes from the
    model (256 here) when image_size is not given."""
    _needs("torch", "timm", "onnx", "onnxruntime")
    path = sc.export("swin_tiny_patch4_window7_224", tmp_path / "named.onnx", img_size=256,
                     window_size=8, **TINY)
    x = np.random.default_rng(0).standard_normal((3, 3, 256, 256), np.float32)
    assert _ort(path, x).shape == (3, 10)  # num_classes reached timm, batch is dynamic


def test_export_timm_module_with_dynamo(tmp_path):
    _needs("torch", "timm", "onnx", "onnxruntime", "onnxscript")
    import onnx
    import timm

    model = timm.create_model("swin_tiny_patch4_window7_224", pretrained=False, **TINY).eval()
    path = sc.export(model, tmp_path / "dynamo.onnx", exporter="dynamo")
    assert next(o.version for o in onnx.load(str(path)).opset_import if o.domain == "") >= 18
    _check_export(model, path)


def test_export_timm_checkpoint_files(tmp_path):
    """A state dict with arch= loads into that model (same logits as the
    model it came from); a whole pickled module loads as it is."""
    _needs("torch", "timm", "onnx", "onnxruntime")
    import timm
    import torch

    model = timm.create_model("swin_tiny_patch4_window7_224", **TINY).eval()
    torch.save(model.state_dict(), tmp_path / "weights.pth")
    from_state = sc.export(tmp_path / "weights.pth", tmp_path / "state.onnx",
                           arch="swin_tiny_patch4_window7_224", **TINY)
    x = np.random.default_rng(0).standard_normal((2, 3, 224, 224), np.float32)
    np.testing.assert_allclose(_ort(from_state, x), _torch(model, x), rtol=1e-4, atol=1e-4)

    torch.save(model, tmp_path / "module.pt")
    from_module = sc.export(tmp_path / "module.pt", tmp_path / "module.onnx")
    np.testing.assert_allclose(_ort(from_module, x), _torch(model, x), rtol=1e-4, atol=1e-4)

    with pytest.raises(ValueError, match="state dict.*arch="):
        sc.export(tmp_path / "weights.pth", tmp_path / "x.onnx")
    (tmp_path / "w.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(ValueError, match="safetensors file holds only weights; pass arch="):
        sc.export(tmp_path / "w.safetensors", tmp_path / "x.onnx")
    assert not (tmp_path / "x.onnx").exists()


def test_export_torchvision_module(tmp_path):
    _needs("torch", "torchvision", "onnx", "onnxruntime")
    from torchvision.models.swin_transformer import SwinTransformer

    model = SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[2, 2, 2, 2],
                            num_heads=[1, 2, 4, 8], window_size=[7, 7], num_classes=10).eval()
    _check_export(model, sc.export(model, tmp_path / "tv.onnx"))


def test_export_huggingface_module_and_dynamo_refusal(tmp_path):
    _needs("torch", "transformers", "onnx", "onnxruntime")
    from transformers import SwinConfig, SwinForImageClassification

    config = SwinConfig(embed_dim=16, depths=[2, 2, 2, 2], num_heads=[1, 2, 4, 8],
                        num_labels=10)
    model = SwinForImageClassification(config).eval()
    _check_export(model, sc.export(model, tmp_path / "hf.onnx"))
    with pytest.raises(ValueError, match="Hugging Face Swin models need exporter='legacy'"):
        sc.export(model, tmp_path / "hf_dynamo.onnx", exporter="dynamo")
    assert not (tmp_path / "hf_dynamo.onnx").exists()


def test_export_rejects_bad_arguments(tmp_path):
    _needs("torch", "timm")
    import timm

    model = timm.create_model("swin_tiny_patch4_window7_224", **TINY)
    with pytest.raises(ValueError, match="exporter must be one of"):
        sc.export(model, tmp_path / "a.onnx", exporter="xla")
    with pytest.raises(TypeError, match="model_or_name must be"):
        sc.export(42, tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="a module is used as it is"):
        sc.export(model, tmp_path / "a.onnx", num_classes=3)
    with pytest.raises(ValueError, match=r"export it in float32 \(model.float\(\)\)"):
        sc.export(model.half(), tmp_path / "a.onnx")
    with pytest.raises(ValueError, match="unknown library prefix 'keras'"):
        sc.export("keras:swin", tmp_path / "a.onnx")
    assert not (tmp_path / "a.onnx").exists()


# ---- compile -------------------------------------------------------------

def test_compile_emit_mlir_and_cuda(tmp_path):
    mlir = sc.compile(MODEL, tmp_path / "model.mlir", emit="mlir", max_batch=4)
    assert "swin.window_attention" in mlir.read_text()
    folder = sc.compile(MODEL, tmp_path / "cuda", emit="cuda", precision="bf16", max_batch=4,
                        arch=["sm_80", "sm_90"])
    meta = json.loads((folder / "model.json").read_text())
    assert (meta["precision"], meta["archs"], meta["max_batch"]) == ("bf16", ["sm_80", "sm_90"], 4)
    assert (folder / "src" / "model.cu").is_file() and not (folder / "libswinmodel.so").exists()


def test_compile_int8_with_calibration_and_accuracy_report(tmp_path):
    calib = tmp_path / "calib"
    calib.mkdir()
    rng = np.random.default_rng(2)
    for i in range(2):
        np.save(calib / f"{i}.npy", rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
    out = sc.compile(MODEL, tmp_path / "q.mlir", emit="mlir", precision="int8", calib=calib,
                     calib_table=tmp_path / "table.json", calibrator="entropy",
                     keep_float=["layers.0.blocks.0.attn.qkv"],
                     accuracy_report=tmp_path / "report.json")
    assert out.read_text().count("swin.quantize") == 31
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["images"] == 2 and 0.9 < report["cosine_mean"] <= 1.0
    assert [p["quantized"] for p in report["points"]][:2] == [False, True]
    table = json.loads((tmp_path / "table.json").read_text())
    assert table["calibrator"] == "entropy" and table["inputs"] == 2
    again = sc.compile(MODEL, tmp_path / "again.mlir", emit="mlir", precision="int8",
                       calib_table=tmp_path / "table.json",
                       keep_float=["layers.0.blocks.0.attn.qkv"])
    assert again.read_text() == out.read_text()
    attention = sc.compile(MODEL, tmp_path / "qa.mlir", emit="mlir", precision="int8",
                           calib_table=tmp_path / "table.json", quantize_attention=True)
    assert attention.read_text().count("qkv_quant_type = i8") == 8
    # The fused int8 MLP kernel is on by default; fuse_int8_mlp=False turns it off.
    for fuse in (True, False):
        source = sc.compile(MODEL, tmp_path / f"fuse{fuse}", emit="cuda", precision="int8",
                            calib_table=tmp_path / "table.json", fuse_int8_mlp=fuse)
        assert ("swinrt::mlpInt8Fused" in (source / "src" / "model.cu").read_text()) == fuse
    # So are the fused LayerNorm + partition + QKV and projection + residual
    # + LayerNorm kernels; fuse_int8_qkv=False and fuse_int8_proj=False turn
    # each off alone.
    for option, marker in (("fuse_int8_qkv", "normQkvInt8Fused"),
                           ("fuse_int8_proj", "projResidualInt8Fused")):
        for fuse in (True, False):
            source = sc.compile(MODEL, tmp_path / f"{option}{fuse}", emit="cuda",
                                precision="int8", calib_table=tmp_path / "table.json",
                                **{option: fuse})
            text = (source / "src" / "model.cu").read_text()
            assert (f"swinrt::{marker}" in text) == fuse
            assert "swinrt::mlpInt8Fused" in text
    with pytest.raises(ValueError, match="calib_table is for precision int8 or fp8"):
        sc.compile(MODEL, tmp_path / "x.mlir", emit="mlir", calib_table=tmp_path / "table.json")
    with pytest.raises(sc.SwinCompileError, match="needs calibration"):
        sc.compile(MODEL, tmp_path / "x.mlir", emit="mlir", precision="fp8")


def test_compile_cutlass_dir(tmp_path, monkeypatch):
    """int8 for sm_90 builds its GEMMs from CUTLASS where the package finds
    it: a folder that is not CUTLASS's root is refused before anything is
    written; "none" builds with libswinrt's own kernels and says so."""
    table = tmp_path / "table.json"
    calib = tmp_path / "calib"
    calib.mkdir()
    np.save(calib / "0.npy", np.random.default_rng(3).standard_normal(
        (1, 3, 224, 224)).astype(np.float32))
    with pytest.raises(sc.SwinCompileError, match="is not a CUTLASS root") as caught:
        sc.compile(MODEL, tmp_path / "bad", emit="cuda", precision="int8", calib=calib,
                   cutlass_dir=calib)
    assert caught.value.returncode == 1 and not (tmp_path / "bad").exists()
    none = sc.compile(MODEL, tmp_path / "none", emit="cuda", precision="int8", calib=calib,
                      calib_table=table, cutlass_dir="none")
    assert not list((none / "src").glob("gemm_int8_sm90*"))
    assert "-DSWINRT_SM90_INT8" not in (none / "build.sh").read_text()
    # The package's own lookup: the installed nvidia-cutlass, unless the
    # environment names one.
    monkeypatch.delenv("SWIN_CUTLASS_DIR", raising=False)
    found = sc.compiler._installed_cutlass()
    if found is None:
        pytest.skip("nvidia-cutlass is not installed")
    assert (Path(found) / "include" / "cute" / "tensor.hpp").is_file()
    built = sc.compile(MODEL, tmp_path / "cutlass", emit="cuda", precision="int8",
                       calib_table=table)
    assert sorted(p.name for p in (built / "src").glob("gemm_int8_sm90*")) == [
        "gemm_int8_sm90.cu", "gemm_int8_sm90_0.cu", "gemm_int8_sm90_1.cu",
        "gemm_int8_sm90_2.cu"]
    assert f"-I{found}/include" in (built / "build.sh").read_text()


def test_compile_progress_lines(tmp_path, capsys):
    sc.compile(MODEL, tmp_path / "cuda", emit="cuda", progress=True)
    err = capsys.readouterr().err
    assert "swin-compile: [" in err and "] importing " in err and "emitting CUDA C++" in err
    sc.compile(MODEL, tmp_path / "cuda2", emit="cuda", progress=False)
    assert capsys.readouterr().err == ""


def test_compile_error_carries_the_tools_message(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(MODEL.read_bytes()[:5000])
    with pytest.raises(sc.SwinCompileError) as caught:
        sc.compile(bad, tmp_path / "out", emit="cuda", progress=True)
    assert caught.value.returncode == 1
    assert str(caught.value).startswith("swin-compile: error: ")
    assert "bad.onnx" in str(caught.value) and "swin-compile: [" not in str(caught.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(precision="fp64"), ValueError, "precision must be one of"),
    (dict(max_batch=0), ValueError, "max_batch must be a positive int"),
    (dict(max_batch=2.5), ValueError, "max_batch must be a positive int"),
    (dict(arch="sm_75"), ValueError, "arch must name GPU targets"),
    (dict(arch=[]), ValueError, "arch must name GPU targets"),
    (dict(emit="ptx"), ValueError, "emit must be one of"),
    (dict(calib="."), ValueError, "calib is for precision int8 or fp8"),
    (dict(quantize_attention=True), ValueError, "quantize_attention is for precision int8"),
    (dict(fuse_int8_mlp=False), ValueError, "fuse_int8_mlp is for precision int8"),
    (dict(fuse_int8_qkv=False), ValueError, "fuse_int8_qkv is for precision int8"),
    (dict(fuse_int8_proj=False), ValueError, "fuse_int8_proj is for precision int8"),
    (dict(precision="int8", calib="/nonexistent"), FileNotFoundError, "does not exist"),
])
def test_compile_validates_arguments(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        sc.compile(MODEL, tmp_path / "out", **kwargs)


def test_compile_missing_model_and_missing_tool(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="no such ONNX file"):
        sc.compile(tmp_path / "none.onnx", tmp_path / "out")
    monkeypatch.setenv("SWIN_BIN_DIR", str(tmp_path))
    with pytest.raises(sc.ToolNotFoundError, match="swin-compile not found"):
        sc.compile(MODEL, tmp_path / "out")


def test_load_without_library(tmp_path):
    with pytest.raises(FileNotFoundError, match="no libswinmodel.so"):
        sc.load(tmp_path)


# ---- array interop (no GPU needed to parse the protocols) ------------------

class _FakeCai:
    def __init__(self, shape, typestr="<f4", strides=None, stream=None):
        self.__cuda_array_interface__ = {"shape": shape, "typestr": typestr,
                                         "data": (0x1000, False), "strides": strides,
                                         "version": 3, "stream": stream}


def test_cuda_array_interface_parsing():
    a = _from_cai(_FakeCai((2, 3, 4, 4), stream=7), "cai")
    assert (a.ptr, a.shape, a.dtype, a.stream, a.contiguous) == (0x1000, (2, 3, 4, 4),
                                                                 FLOAT32, 7, True)
    assert _from_cai(_FakeCai((2, 3), "<f2"), "cai").dtype == FLOAT16
    assert _from_cai(_FakeCai((2, 3), "<f8"), "cai").dtype is None
    assert _from_cai(_FakeCai((2, 3), strides=(12, 4)), "cai").contiguous
    assert not _from_cai(_FakeCai((2, 3), strides=(4, 8)), "cai").contiguous
    assert _from_cai(_FakeCai((1, 3), strides=(99, 4)), "cai").contiguous  # size-1 dims


# ---- calibration_set -------------------------------------------------------

def _images(folder, sizes, colours):
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for i, (size, colour) in enumerate(zip(sizes, colours)):
        Image.new("RGB", size, colour).save(folder / f"img{i}.{'png' if i % 2 else 'jpg'}",
                                            quality=100)


@pytest.mark.skipif(not HAS_PIL, reason="Pillow is not installed")
def test_calibration_set_writes_normalised_inputs(tmp_path):
    _images(tmp_path / "images", [(300, 200), (200, 400), (224, 224)],
            [(255, 0, 0), (0, 128, 255), (10, 20, 30)])
    out = sc.calibration_set(tmp_path / "images", 2, out_dir=tmp_path / "calib", image_size=96)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["calib_00000.npy", "calib_00001.npy"]
    first = np.load(out / "calib_00000.npy")
    assert first.shape == (1, 3, 96, 96) and first.dtype == np.float32
    # A flat colour survives resizing and cropping: every pixel is
    # (value / 255 - mean) / std (JPEG may move a value by a few levels).
    expected = (np.array([255, 0, 0]) / 255 - np.array([0.485, 0.456, 0.406])) / \
        np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(first[0].mean(axis=(1, 2)), expected, atol=0.05)
    # A rerun with fewer images replaces the earlier files.
    sc.calibration_set(tmp_path / "images", 1, out_dir=out, image_size=96)
    assert sorted(p.name for p in out.iterdir()) == ["calib_00000.npy"]


@pytest.mark.skipif(not HAS_PIL, reason="Pillow is not installed")
def test_calibration_set_matches_timm_preprocessing(tmp_path):
    """The same numbers as timm's eval transform for Swin (bicubic resize of
    the short side to 248, centre crop 224, ImageNet mean and std)."""
    _needs("torch", "timm")
    import timm
    from PIL import Image

    rng = np.random.default_rng(0)
    (tmp_path / "images").mkdir()
    pixels = rng.integers(0, 256, (333, 517, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "images" / "noise.png")
    out = sc.calibration_set(tmp_path / "images", 1, out_dir=tmp_path / "calib")
    model = timm.create_model("swin_tiny_patch4_window7_224", **TINY)
    config = timm.data.resolve_data_config({}, model=model)
    transform = timm.data.create_transform(**config)
    expected = transform(Image.fromarray(pixels)).numpy()
    np.testing.assert_allclose(np.load(out / "calib_00000.npy")[0], expected, atol=1e-5)


@pytest.mark.skipif(not HAS_PIL, reason="Pillow is not installed")
def test_calibration_set_errors(tmp_path):
    _images(tmp_path / "images", [(64, 64)], [(1, 2, 3)])
    with pytest.raises(ValueError, match="1 images, 5 asked for"):
        sc.calibration_set(tmp_path / "images", 5, out_dir=tmp_path / "calib")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        sc.calibration_set(tmp_path / "none", 1)
    with pytest.raises(ValueError, match="preprocessing must be one of"):
        sc.calibration_set(tmp_path / "images", 1, "caffe")
    with pytest.raises(ValueError, match="n must be a positive int"):
        sc.calibration_set(tmp_path / "images", 0)
    (tmp_path / "images" / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="broken.jpg: not a readable image"):
        sc.calibration_set(tmp_path / "images", 2, out_dir=tmp_path / "calib")
    assert not (tmp_path / "calib").exists()


# ---- report ----------------------------------------------------------------

BENCH = {
    "gpu": "Test GPU", "torch": "2.x", "date": "2026-01-01", "arch": "sm_90",
    "autotuned": True, "fp16_gemm_peak_tflops": 100.0,
    "models": {"swin_t": {
        "timm_model": "swin_tiny_patch4_window7_224", "image_size": 224,
        "flops_per_image": 9e9, "compile_s": {"fp16": 9.5},
        "ours": {"fp16": {"1": 0.5, "64": 3.0}},
        "baselines": {"ms": {"eager": {"1": 5.0, "64": 12.0}}, "compile_s": {}}}},
}


def test_report_markdown_and_chart(tmp_path):
    from swin_compiler import report

    results = tmp_path / "bench.json"
    results.write_text(json.dumps(BENCH))
    assert report.main([str(results), "--out-dir", str(tmp_path / "docs")]) == 0
    text = (tmp_path / "docs" / "benchmark-report.md").read_text()
    # batch 64: 3.0 ms = 21333 img/s; eager 12.0 ms = 4.00x; 9e9*64/3e-3 = 192 TFLOP/s = 192%
    assert "| 64 | 3.000 ms (21333 img/s) | 12.000 ms | 4.00x | 192.0% |" in text
    assert "| 1 | 0.500 ms (2000 img/s) | 5.000 ms | 10.00x | 18.0% |" in text
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib is not installed: the chart is not drawn")
    png = (tmp_path / "docs" / "benchmark-chart.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10000


def test_report_refuses_other_json(tmp_path, capsys):
    from swin_compiler import report

    (tmp_path / "x.json").write_text('{"models": 3}')
    assert report.main([str(tmp_path / "x.json"), "--out-dir", str(tmp_path)]) == 1
    assert "not bench results of one GPU" in capsys.readouterr().err
    other = dict(BENCH, gpu="Another GPU")
    (tmp_path / "a.json").write_text(json.dumps(BENCH))
    (tmp_path / "b.json").write_text(json.dumps(other))
    assert report.main([str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                        "--out-dir", str(tmp_path)]) == 1
    assert "runs from two GPUs" in capsys.readouterr().err


# ---- packaging, and life without torch ---------------------------------------

def test_wheel_holds_the_package(tmp_path):
    """pyproject.toml builds a wheel of the package alone (built from a copy:
    setuptools writes build/ next to pyproject.toml)."""
    _needs("setuptools", "wheel")
    import shutil

    source = tmp_path / "src"
    shutil.copytree(REPO / "python" / "swin_compiler", source / "python" / "swin_compiler",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "python" / "export_fixtures.py", source / "python")
    (source / "docs").mkdir()
    shutil.copy(REPO / "docs" / "python.md", source / "docs")
    shutil.copy(REPO / "pyproject.toml", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True,
                   capture_output=True, timeout=300)
    wheel = next((tmp_path / "dist").glob("swin_compiler-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("__init__", "export", "compiler", "runtime", "calibration", "bench",
                   "report", "_tools"):
        assert f"swin_compiler/{module}.py" in names
    assert not any("export_fixtures" in n for n in names)


def test_cpu_parts_work_without_torch(tmp_path, tools):
    """With torch, timm, torchvision and transformers unimportable, the
    package imports, compiles and builds calibration sets; export says
    what it needs."""
    _needs("PIL")
    script = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("torch", "timm", "torchvision", "transformers"):
                    raise ImportError("blocked: " + name)
        sys.meta_path.insert(0, Block())
        sys.path.insert(0, {str(REPO / "python")!r})
        import swin_compiler as sc
        out = sc.compile({str(MODEL)!r}, {str(tmp_path / "m.mlir")!r}, emit="mlir")
        assert "swin.window_attention" in out.read_text()
        try:
            sc.export("swin_tiny_patch4_window7_224", {str(tmp_path / "x.onnx")!r})
        except ImportError as error:
            assert "needs PyTorch" in str(error), error
        else:
            raise AssertionError("export worked without torch")
        from PIL import Image
        import pathlib
        images = pathlib.Path({str(tmp_path / "images")!r})
        images.mkdir()
        Image.new("RGB", (80, 60), (200, 100, 50)).save(images / "a.png")
        calib = sc.calibration_set(images, 1, image_size=32)
        assert [p.name for p in calib.iterdir()] == ["calib_00000.npy"]
        assert "torch" not in sys.modules
        print("ok")
    """)
    env = dict(os.environ, SWIN_BIN_DIR=str(tools["swin-compile"].parent))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


@pytest.mark.parametrize("precision", ["int8", "fp8"])
def test_bench_quantized_needs_calibration(capsys, precision):
    """int8 and fp8 rows need calibration inputs; the benchmark says so
    before it exports anything."""
    from swin_compiler import bench

    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--precisions", "fp16", precision])
    assert exit_info.value.code == 2
    assert "int8 and fp8 need --calib DIR" in capsys.readouterr().err
