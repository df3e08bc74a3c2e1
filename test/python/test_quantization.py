"""The quantized IR computes what it says: the CPU reference of the module
`swin-compile --precision int8|fp8` writes matches an independent PyTorch
fake-quant model of timm's Swin, built from the calibration table alone.

The PyTorch side quantizes the input of each named module (timm's module
paths are the quantize points' names) with scale threshold / 127 (int8) or
/ 448 (fp8), and its weight per output channel (int8) or per tensor (fp8),
rounding half to even and saturating. No GPU needed.
"""
from __future__ import annotations

import importlib.util
import json
import sys

import numpy as np
import pytest

from conftest import REPO, run_tool

sys.path.insert(0, str(REPO / "python"))
import swin_compiler as sc  # noqa: E402

TINY = dict(embed_dim=16, depths=(2, 2, 2, 2), num_heads=(1, 2, 4, 8), num_classes=10)


def _fake_quant(x, scale, kind):
    import torch

    # The IR's arithmetic: fp32 scale, times its fp32 reciprocal.
    scale = torch.as_tensor(scale, dtype=torch.float32)
    scaled = x * (1.0 / scale)
    if kind == "int8":
        q = torch.clamp(torch.round(scaled), -128, 127)  # torch.round: half to even
    else:
        q = torch.clamp(scaled, -448, 448).to(torch.float8_e4m3fn).to(torch.float32)
    return q * scale


def _torch_fake_quant_model(model, table, kind):
    """`model` with every table point's input and weight fake-quantized."""
    import torch

    modules = dict(model.named_modules())
    type_max = 127.0 if kind == "int8" else 448.0
    for point in table["points"]:
        module = modules[point["name"]]  # the names are timm's module paths
        assert isinstance(module, torch.nn.Linear), point["name"]
        scale = np.float32(point["threshold"]) / np.float32(type_max)
        module.register_forward_pre_hook(
            lambda m, args, scale=scale: (_fake_quant(args[0], scale, kind),))
        with torch.no_grad():
            w = module.weight
            if kind == "int8":
                ws = w.abs().amax(dim=1, keepdim=True) / torch.tensor(127.0)
            else:
                ws = w.abs().amax() / torch.tensor(448.0)
            w.copy_(_fake_quant(w, ws, kind))
    return model


ATTENTION_PARTS = (".attn.q", ".attn.k", ".attn.v")


def _torch_fake_quant_attention(model, points, kind):
    """`model` with q, k and v of the blocks in `points` (attn.q/k/v entries)
    fake-quantized: the three thirds of timm's qkv Linear output."""
    import torch

    modules = dict(model.named_modules())
    type_max = np.float32(127.0 if kind == "int8" else 448.0)
    scales = {}
    for point in points:
        block, part = point["name"].rsplit(".", 1)  # "layers.0.blocks.0.attn", "q"
        scales.setdefault(block, {})[part] = np.float32(point["threshold"]) / type_max
    for block, parts in scales.items():
        assert sorted(parts) == ["k", "q", "v"], block

        def quantize_output(m, args, out, parts=parts):
            thirds = out.chunk(3, dim=-1)
            return torch.cat([_fake_quant(t, parts[p], kind) for t, p in zip(thirds, "qkv")],
                             dim=-1)

        modules[block + ".qkv"].register_forward_hook(quantize_output)
    return model


SINGLE_POINTS = ["layers.0.blocks.0.attn.qkv", "layers.0.blocks.1.attn.proj",
                 "layers.1.blocks.0.mlp.fc1", "layers.2.blocks.1.mlp.fc2",
                 "layers.1.downsample.reduction"]


@pytest.mark.parametrize("kind", ["int8", "fp8"])
def test_quantized_ir_matches_pytorch_fake_quant(tmp_path, tools, kind):
    for module in ("torch", "timm", "onnx"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    import timm
    import torch

    torch.manual_seed(0)
    model = timm.create_model("swin_tiny_patch4_window7_224", pretrained=False, **TINY).eval()
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    onnx_path = sc.export(model, tmp_path / "swin.onnx")
    rng = np.random.default_rng(1)
    (tmp_path / "calib").mkdir()
    for i in range(2):
        np.save(tmp_path / "calib" / f"{i}.npy",
                rng.standard_normal((2, 3, 224, 224)).astype(np.float32))
    x = rng.standard_normal((2, 3, 224, 224)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    with torch.no_grad():
        fp32 = model(torch.from_numpy(x)).numpy()

    def compile_and_run(*options):
        run_tool(tools["swin-compile"], onnx_path, "--precision", kind, "--max-batch", 2,
                 *options, "--emit=mlir", "-o", tmp_path / "q.mlir")
        run_tool(tools["swin-run"], "--cpu-reference", tmp_path / "q.mlir", "--input",
                 tmp_path / "x.npy", "--output", tmp_path / "ours.npy")
        return np.load(tmp_path / "ours.npy")

    def pytorch(points):
        fresh = timm.create_model("swin_tiny_patch4_window7_224", pretrained=False, **TINY)
        fresh.load_state_dict(weights)
        gemm = [p for p in points if not p["name"].endswith(ATTENTION_PARTS)]
        attention = [p for p in points if p["name"].endswith(ATTENTION_PARTS)]
        fake = _torch_fake_quant_model(fresh.eval(), {"points": gemm}, kind)
        fake = _torch_fake_quant_attention(fake, attention, kind)
        with torch.no_grad():
            return fake(torch.from_numpy(x)).numpy()

    ours = compile_and_run("--calib", tmp_path / "calib", "--calib-table", tmp_path / "table.json")
    table = json.loads((tmp_path / "table.json").read_text())
    assert len(table["points"]) == 35 + 3 * 8  # GEMM inputs, then q, k, v of 8 blocks
    gemm_points = [p for p in table["points"] if not p["name"].endswith(ATTENTION_PARTS)]
    names = [p["name"] for p in gemm_points]
    attention_names = [p["name"] for p in table["points"] if p["name"].endswith(ATTENTION_PARTS)]

    # One point at a time (the rest kept in float), every kind of point: the
    # two fake-quant models agree to fp32 summation noise.
    for name in SINGLE_POINTS:
        single = compile_and_run("--calib-table", tmp_path / "table.json", "--keep-float",
                                 ",".join(n for n in names if n != name))
        reference = pytorch([p for p in table["points"] if p["name"] == name])
        effect, mismatch = np.abs(reference - fp32).max(), np.abs(single - reference).max()
        assert effect > 1e-7, (name, effect)
        assert mismatch <= 0.05 * effect, (name, mismatch, effect)

    # Quantized attention operands alone (--quantize-attention, every GEMM
    # point kept in float), one block's q, k and v.
    block = "layers.1.blocks.1.attn"
    single = compile_and_run("--calib-table", tmp_path / "table.json", "--quantize-attention",
                             "--keep-float", ",".join(names + [n for n in attention_names
                                                               if not n.startswith(block)]))
    reference = pytorch([p for p in table["points"] if p["name"].startswith(block + ".")
                         and p["name"].endswith(ATTENTION_PARTS)])
    effect, mismatch = np.abs(reference - fp32).max(), np.abs(single - reference).max()
    assert effect > 1e-7, (block, effect)
    assert mismatch <= 0.05 * effect, (block, mismatch, effect)

    # Everything quantized: rounding flips (a value within fp32 noise of a
    # rounding boundary) compound through the network, so the agreement is
    # looser, but still far closer than either is to fp32.
    reference = pytorch(gemm_points)
    effect, mismatch = np.abs(reference - fp32).max(), np.abs(ours - reference).max()
    assert effect > 1e-4, effect
    assert mismatch <= 0.3 * effect, (mismatch, effect)
    # And with q, k and v too.
    everything = compile_and_run("--calib-table", tmp_path / "table.json", "--quantize-attention")
    reference = pytorch(table["points"])
    effect, mismatch = np.abs(reference - fp32).max(), np.abs(everything - reference).max()
    assert effect > 1e-4, effect
    assert mismatch <= 0.3 * effect, (mismatch, effect)
