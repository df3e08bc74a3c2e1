"""Windows 8 to 24 at 256 and 384, Swin V1 and V2: fused, same numbers.

Exported at test time (python/export_fixtures.py, on-demand fixtures), so
they need torch and timm and are skipped with a reason without them. For
each: the pipeline leaves one window attention per block and one fused
patch merging per merge, and the fused module matches PyTorch (rtol 1e-4,
as for the committed fixtures) and the unfused import (rtol 1e-5, as for
every pass). The V2 variants add windows 12 and 24 at 384, models
fine-tuned at window 12 from a pre-training window of 8 (timm and HF), and
the dynamo exports of all three libraries (too large to commit).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import export_on_demand, run_tool

VARIANTS = ["timm_w8_256", "timm_w16_256", "timm_w24_384",
            "timm_v2_w16_256", "timm_v2_w12_384", "timm_v2_w24_384", "timm_v2_w12_384_pw8",
            "hf_v2_w12_384_pw8", "timm_v2_dynamo", "torchvision_v2_dynamo", "hf_v2_dynamo"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return export_on_demand(tmp_path_factory.mktemp("variants"), *VARIANTS)


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_fuses_and_keeps_numbers(tools, tmp_path, exported, name):
    d = exported / name
    depths = json.loads((d / "meta.json").read_text())["depths"]
    blocks = sum(depths)
    outputs = {}
    for mode in ("fused", "imported"):
        module = tmp_path / f"{mode}.mlir"
        flags = ["--import-only"] if mode == "imported" else []
        run_tool(tools["swin-compile"], d / "model.onnx", "--emit=mlir", "--max-batch", 2,
                 *flags, "-o", module)
        if mode == "fused":
            text = module.read_text()
            assert text.count("swin.window_attention") == blocks
            assert text.count("swin.patch_merging") == len(depths) - 1
        y = tmp_path / f"{mode}.npy"
        run_tool(tools["swin-run"], "--cpu-reference", module, "--input", d / "input.npy",
                 "--output", y)
        outputs[mode] = np.load(y)
    np.testing.assert_allclose(outputs["fused"], np.load(d / "output.npy"), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(outputs["fused"], outputs["imported"], rtol=1e-5, atol=1e-6)
