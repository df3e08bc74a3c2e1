"""Full-size Swin-T (embed 96, heads 3/6/12/24, depths 2/2/6/2, 28M params).

Too large to commit (116 MB), so it is exported here with random weights by
python/export_fixtures.py; needs torch and timm, and is skipped with a reason
without them. Same tolerance as the committed fixtures (see test_fixtures.py).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from conftest import export_on_demand, run_tool

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(scope="module")
def swin_t(tmp_path_factory):
    return export_on_demand(tmp_path_factory.mktemp("swin_t"), "swin_t_real") / "swin_t_real"


def test_swin_t_matches_pytorch(tools, tmp_path, swin_t):
    y = tmp_path / "y.npy"
    start = time.perf_counter()
    run_tool(tools["swin-run"], "--cpu-reference", swin_t / "model.onnx", "--input",
             swin_t / "input.npy", "--output", y)
    elapsed = time.perf_counter() - start
    expected = np.load(swin_t / "output.npy")
    got = np.load(y)
    assert got.shape == expected.shape == (1, 1000)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    # Reported, not asserted: timings are not tests.
    print(f"\nSwin-T 224, batch 1: import + CPU reference {elapsed:.2f} s")


def test_swin_t_imports_with_real_shapes(tools, swin_t):
    text = run_tool(tools["swin-compile"], swin_t / "model.onnx", "--emit=mlir", "--import-only",
                    "--max-batch", 64, "--mlir-elide-elementsattrs-if-larger=1", "-o", "-").stdout
    assert "func.func @main(%arg0: tensor<?x3x224x224xf32>) -> tensor<?x1000xf32>" in text
    assert text.count("swin.softmax") == 12
    # Stage widths 96, 192, 384, 768 show up as LayerNorm widths.
    for width in (96, 192, 384, 768):
        assert f"tensor<{width}xf32>, tensor<{width}xf32>) -> tensor<?x" in text


def test_swin_t_pipeline_keeps_numbers(tools, tmp_path, swin_t):
    """The raised module (one window attention per block) still matches PyTorch."""
    module, y = tmp_path / "raised.mlir", tmp_path / "y.npy"
    run_tool(tools["swin-compile"], swin_t / "model.onnx", "--emit=mlir", "-o", module)
    text = module.read_text()
    assert text.count("swin.window_attention") == 12
    run_tool(tools["swin-run"], "--cpu-reference", module, "--input", swin_t / "input.npy",
             "--output", y)
    np.testing.assert_allclose(np.load(y), np.load(swin_t / "output.npy"), rtol=RTOL, atol=ATOL)
