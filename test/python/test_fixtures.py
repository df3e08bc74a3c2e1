"""End-to-end numerics of the importer and the CPU reference evaluator.

For every committed fixture (real exports from timm, torchvision and Hugging
Face, legacy and dynamo exporters), the CPU reference must reproduce the
framework's saved logits and onnxruntime's, at batch 1, 2 and 3 from one
import with a dynamic batch.

Tolerance: rtol 1e-4, atol 1e-5 on logits of magnitude ~1 (fp32 end to end).
The evaluator sums in a different order than PyTorch (BLAS blocking, fused
LayerNorm statistics), which moves fp32 results by ~1e-6 here; onnxruntime
and PyTorch differ by the same amount (see each fixture's meta.json). A
wrong mask, bias or window layout moves logits by 1e-2 or more.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import FIXTURE_NAMES, FIXTURES, run_tool, swin_version

RTOL, ATOL = 1e-4, 1e-5
MAX_BATCH = 4


def cpu_reference(tools, model, x, tmp_path, *extra):
    inp, out = tmp_path / "x.npy", tmp_path / "y.npy"
    np.save(inp, x)
    run_tool(tools["swin-run"], "--cpu-reference", model, "--input", inp, "--output", out,
             "--max-batch", MAX_BATCH, *extra)
    return np.load(out)


def onnxruntime_logits(model, x):
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})[0]


def test_all_six_exporter_variants_are_present():
    expected = {"timm_legacy", "timm_dynamo", "torchvision_legacy", "torchvision_dynamo",
                "hf_legacy", "timm_w12_384"}
    assert expected <= set(FIXTURE_NAMES)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_matches_framework_output(tools, tmp_path, name):
    d = FIXTURES / name
    x, expected = np.load(d / "input.npy"), np.load(d / "output.npy")
    got = cpu_reference(tools, d / "model.onnx", x, tmp_path)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@pytest.mark.parametrize("batch", [1, 3])
def test_matches_onnxruntime_at_other_batches(tools, tmp_path, name, batch):
    d = FIXTURES / name
    x = np.load(d / "input.npy")
    rng = np.random.default_rng(4321 + batch)
    x = np.concatenate([x, rng.standard_normal(x.shape, dtype=np.float32)])[:batch]
    got = cpu_reference(tools, d / "model.onnx", x, tmp_path)
    np.testing.assert_allclose(got, onnxruntime_logits(d / "model.onnx", x), rtol=RTOL, atol=ATOL)
    # The images are independent: each row must equal a batch-1 run.
    single = cpu_reference(tools, d / "model.onnx", x[-1:], tmp_path)
    np.testing.assert_allclose(got[-1:], single, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_printed_module_runs_identically(tools, tmp_path, name):
    """The --emit=mlir output parses back and evaluates to the same bits."""
    d = FIXTURES / name
    module = tmp_path / "model.mlir"
    run_tool(tools["swin-compile"], d / "model.onnx", "--emit=mlir", "--import-only",
             "--max-batch", MAX_BATCH,
             "-o", module)
    x = np.load(d / "input.npy")
    from_onnx = cpu_reference(tools, d / "model.onnx", x, tmp_path)
    from_mlir = cpu_reference(tools, module, x, tmp_path)
    np.testing.assert_array_equal(from_onnx, from_mlir)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_shape_computation_is_folded(tools, name):
    """Only tensor ops on the image remain; the imported ops stay within the
    primitive set and the batch stays dynamic."""
    d = FIXTURES / name
    text = run_tool(tools["swin-compile"], d / "model.onnx", "--emit=mlir", "--import-only",
                    "--max-batch", 8,
                    "--mlir-elide-elementsattrs-if-larger=1", "-o", "-").stdout
    meta = json.loads((d / "meta.json").read_text())
    size = meta["image_size"]
    assert f"func.func @main(%arg0: tensor<?x3x{size}x{size}xf32>) -> tensor<?x10xf32>" in text
    assert "swin.max_batch = 8" in text
    blocks = sum(meta["depths"])
    assert text.count("swin.softmax") == blocks
    # One LayerNorm after the patch embedding, two per block, one per merge, one final.
    assert text.count("swin.layer_norm") == 1 + 2 * blocks + (len(meta["depths"]) - 1) + 1


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if swin_version(n) == 2])
def test_v2_weight_only_subgraphs_are_folded(tools, name):
    """Swin V2's continuous position-bias MLP and its logit scale depend on
    weights only: the importer folds them to constants, so no ReLU, sigmoid,
    exponential or position-table gather is left on the image path."""
    d = FIXTURES / name
    text = run_tool(tools["swin-compile"], d / "model.onnx", "--emit=mlir", "--import-only",
                    "--mlir-elide-elementsattrs-if-larger=1", "-o", "-").stdout
    for folded in ("swin.relu", "swin.sigmoid", "swin.exp"):
        assert folded not in text, folded
    # The CPB lookup once expanded into one slice per table row (4096 a block).
    assert text.count("swin.slice") < 200
    blocks = sum(json.loads((d / "meta.json").read_text())["depths"])
    # The clamp on the logit scale is folded; the two left per block are
    # the cosine normalisation's floor on the norms of q and k.
    assert text.count("swin.clip") == 2 * blocks
    # q k^T and a v; nothing of the MLP.
    assert text.count("swin.matmul ") >= 2 * blocks
