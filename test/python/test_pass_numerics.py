"""Every pass keeps the model's numbers.

For each fixture, the CPU reference runs the imported module before and
after each pass (and the whole pipeline), and the logits agree to 1e-5
relative. The passes replace ops with equivalent ones (matmul + add by
linear, the erf formula by gelu), which reorders fp32 sums and rounds
intermediate values differently: about 1e-7 here. A wrong match (a missing
bias, the wrong GELU constant, a transposed weight) moves logits by 1e-2
or more.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from conftest import FIXTURE_NAMES, FIXTURES, run_tool, swin_version

PASSES = ["--swin-raise-gelu", "--swin-raise-linear", "--swin-raise-windows",
          "--swin-raise-attention", "--swin-raise-patch-merging",
          "--swin-raise-gelu --swin-raise-linear --swin-fuse-linear-activation",
          "--swin-raise-linear --swin-raise-patch-merging --swin-fuse-patch-merging",
          "--swin-raise-windows --swin-fuse-norm-partition",
          "--swin-raise-linear --swin-raise-windows --swin-fuse-residual",
          "--swin-raise-linear --swin-raise-windows --swin-fuse-residual --swin-sink-reshapes",
          "--swin-raise-linear --swin-raise-embed-head",
          "--swin-pipeline"]
RTOL, ATOL = 1e-5, 1e-6


@pytest.fixture(scope="module")
def imported(tools, tmp_path_factory):
    """Imports each fixture once; returns {name: (module path, reference logits)}."""
    cache = {}

    def get(name):
        if name not in cache:
            d = FIXTURES / name
            work = tmp_path_factory.mktemp(name)
            module = work / "imported.mlir"
            run_tool(tools["swin-compile"], d / "model.onnx", "--emit=mlir", "--import-only",
                     "--max-batch", 4, "-o", module)
            logits = work / "imported.npy"
            run_tool(tools["swin-run"], "--cpu-reference", module, "--input", d / "input.npy",
                     "--output", logits)
            cache[name] = (module, np.load(logits))
        return cache[name]

    return get


@pytest.mark.parametrize("name", FIXTURE_NAMES)
@pytest.mark.parametrize("pass_flag", PASSES)
def test_pass_keeps_numbers(tools, imported, tmp_path, name, pass_flag):
    module, before = imported(name)
    transformed = tmp_path / "after.mlir"
    run_tool(tools["swin-opt"], module, *pass_flag.split(), "-o", transformed)
    out = tmp_path / "after.npy"
    run_tool(tools["swin-run"], "--cpu-reference", transformed, "--input",
             FIXTURES / name / "input.npy", "--output", out)
    np.testing.assert_allclose(np.load(out), before, rtol=RTOL, atol=ATOL)


def _blocks(name):
    return sum(json.loads((FIXTURES / name / "meta.json").read_text())["depths"])


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_pipeline_raises_gelu_windows_and_merges(tools, name):
    """After the pipeline, no GELU formula is left, every block's windows are
    partitioned and merged back by the raised ops, every patch merging is one
    fused swin.patch_merging, and no slice or concat (shifts, merges) remains.
    Swin V2's post-norms are inside the residual ops."""
    text = run_tool(tools["swin-compile"], FIXTURES / name / "model.onnx", "--emit=mlir",
                    "--mlir-elide-elementsattrs-if-larger=1", "-o", "-").stdout
    blocks = _blocks(name)
    assert "swin.erf" not in text and "swin.gelu" not in text
    # fc1's GELU is the linear's epilogue.
    assert text.count("activation = #swin.activation<gelu>") == blocks
    # LayerNorm, shift and partition are one fused op per block.
    assert text.count("swin.norm_partition") == blocks
    assert "swin.window_partition" not in text
    # Projection, window reverse, reverse shift and residual are one op, and
    # so are fc2 and its residual.
    assert text.count("swin.attention_output") == blocks
    assert text.count("swin.residual_linear") == blocks
    assert "swin.window_reverse" not in text and "swin.roll" not in text
    stages = len(json.loads((FIXTURES / name / "meta.json").read_text())["depths"])
    if swin_version(name) == 2:
        # Both post-norms of a block are fused, the partitions have no norm,
        # and each merge normalises after its reduction.
        assert text.count("post_norm(") == 2 * blocks
        assert len(re.findall(r"swin\.norm_partition %\w+ \{", text)) == blocks
        assert "swin.layer_norm" not in text
        assert text.count("norm_after_reduction") == stages - 1
    else:
        # The MLP's LayerNorm is the only one left on its own.
        assert "post_norm(" not in text and "norm_after_reduction" not in text
        assert text.count("swin.layer_norm") == blocks
    # No layout op is left between the first block's first op and the last
    # block's last op (patch embedding and head may still have some).
    assert text.count("swin.patch_embed") == 1 and text.count("swin.classifier_head") == 1
    for layout_op in ("swin.conv2d", "swin.transpose", "swin.reshape", "swin.reduce_mean",
                      "swin.global_avg_pool"):
        assert layout_op not in text
    lines = text.splitlines()
    first = next(i for i, l in enumerate(lines) if "swin.norm_partition" in l)
    last = max(i for i, l in enumerate(lines) if "swin.residual_linear" in l)
    inside = [l for l in lines[first:last] if "swin.reshape" in l or "swin.transpose" in l]
    assert inside == []
    # The gather, LayerNorm and reduction of each merge are one fused op.
    assert text.count("swin.patch_merging") == stages - 1
    assert "swin.patch_merge " not in text
    assert "swin.slice" not in text and "swin.concat" not in text


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_pipeline_raises_one_attention_per_block(tools, name):
    text = run_tool(tools["swin-compile"], FIXTURES / name / "model.onnx", "--emit=mlir",
                    "--mlir-elide-elementsattrs-if-larger=1", "-o", "-").stdout
    assert text.count("swin.window_attention") == _blocks(name)
    assert "swin.softmax" not in text
    assert "swin.matmul" not in text
