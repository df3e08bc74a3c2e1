#!/usr/bin/env python3
"""Export tiny random-weight Swin Transformer (V1) models to ONNX test fixtures.

Each fixture is written to ``<out>/<name>/`` and consists of:

``model.onnx``
    A single self-contained ONNX file (all weights embedded, no external data).
    Graph input is named ``input`` (float32, NCHW), graph output ``logits``.
    The batch axis is dynamic unless ``meta.json`` says otherwise.
``input.npy``
    float32 NCHW input, drawn from N(0, 1) with a fixed seed (looks like a
    normalised image batch).
``output.npy``
    float32 logits computed by the framework itself (torch, fp32, eval mode)
    for ``input.npy``.
``meta.json``
    Library / exporter / version information, the model hyper-parameters,
    whether the batch axis is dynamic, node count and op-type histogram, and
    the onnxruntime-vs-torch errors measured at export time.

Every export is verified with onnxruntime (CPU): on the saved input and, when
the batch axis is dynamic, on a batch-3 input as well (not saved).

Model weights come from ``torch.manual_seed(MODEL_SEED)`` immediately before
construction, so re-running reproduces identical weights (and fixtures that
share a model, e.g. ``timm_legacy`` / ``timm_dynamo``, share their weights and
input).  Inputs come from numpy's PCG64 generator and do not depend on torch.

Usage::

    python python/export_fixtures.py --out test/fixtures            # default set
    python python/export_fixtures.py --out /tmp/x --only swin_t_real
    python python/export_fixtures.py --list
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

MODEL_SEED = 0
INPUT_SEED = 1234
CHECK_SEED = 4321  # seed of the (unsaved) extra-batch check input
CHECK_BATCH = 3
LEGACY_OPSET = 17
MAX_BATCH = 1024  # upper bound of the symbolic batch dim for torch.export
INPUT_NAME = "input"
OUTPUT_NAME = "logits"
# Fail the export if onnxruntime disagrees with torch by more than this.
MAX_ABS_ERR = 1e-3


@dataclasses.dataclass(frozen=True)
class Fixture:
    """Description of one fixture: which model, how it is exported."""

    name: str
    library: str  # "timm" | "torchvision" | "transformers"
    exporter: str  # "legacy" | "dynamo"
    image_size: int
    patch_size: int
    window_size: int
    embed_dim: int
    depths: tuple[int, ...]
    num_heads: tuple[int, ...]
    num_classes: int
    batch: int = 2
    # Legacy: opset to request.  Dynamo: None = exporter default (recorded).
    opset: int | None = LEGACY_OPSET
    # Part of the default (committed) set, or only generated when named.
    default: bool = True
    description: str = ""


TINY = dict(patch_size=4, embed_dim=32, depths=(2, 2, 2, 2), num_heads=(1, 2, 4, 8), num_classes=10)

FIXTURES: dict[str, Fixture] = {
    f.name: f
    for f in [
        Fixture("timm_legacy", "timm", "legacy", image_size=224, window_size=7, **TINY,
                description="timm SwinTransformer 224/w7, tiny, TorchScript exporter opset 17"),
        Fixture("timm_dynamo", "timm", "dynamo", image_size=224, window_size=7, opset=None, **TINY,
                description="same model as timm_legacy, torch.export-based (dynamo) exporter"),
        Fixture("torchvision_legacy", "torchvision", "legacy", image_size=224, window_size=7, **TINY,
                description="torchvision SwinTransformer 224/w7, tiny, TorchScript exporter opset 17"),
        Fixture("torchvision_dynamo", "torchvision", "dynamo", image_size=224, window_size=7, opset=None,
                **TINY, description="same model as torchvision_legacy, dynamo exporter"),
        Fixture("hf_legacy", "transformers", "legacy", image_size=224, window_size=7, **TINY,
                description="HF transformers SwinForImageClassification 224/w7, tiny, exporter opset 17"),
        Fixture("timm_w12_384", "timm", "legacy", image_size=384, window_size=12, **TINY,
                description="timm SwinTransformer 384/w12, tiny, TorchScript exporter opset 17"),
        # ---- on demand only (never written unless named with --only) ----
        Fixture("hf_dynamo", "transformers", "dynamo", image_size=224, window_size=7, opset=None, **TINY,
                default=False, description="experimental: HF Swin through the dynamo exporter"),
        Fixture("swin_t_real", "timm", "legacy", image_size=224, patch_size=4, window_size=7, embed_dim=96,
                depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), num_classes=1000, batch=1, default=False,
                description="timm swin_tiny_patch4_window7_224 (pretrained=False), ~110 MB"),
    ]
}


# --------------------------------------------------------------------------
# Model construction
# --------------------------------------------------------------------------

def _build_timm(fx: Fixture):
    import timm
    from timm.models.swin_transformer import SwinTransformer

    if fx.name == "swin_t_real":
        return timm.create_model("swin_tiny_patch4_window7_224", pretrained=False,
                                 drop_rate=0.0, drop_path_rate=0.0)
    return SwinTransformer(
        img_size=fx.image_size, patch_size=fx.patch_size, window_size=fx.window_size,
        embed_dim=fx.embed_dim, depths=fx.depths, num_heads=fx.num_heads,
        num_classes=fx.num_classes, drop_rate=0.0, proj_drop_rate=0.0,
        attn_drop_rate=0.0, drop_path_rate=0.0)


def _build_torchvision(fx: Fixture):
    from torchvision.models.swin_transformer import SwinTransformer

    return SwinTransformer(
        patch_size=[fx.patch_size, fx.patch_size], embed_dim=fx.embed_dim,
        depths=list(fx.depths), num_heads=list(fx.num_heads),
        window_size=[fx.window_size, fx.window_size], num_classes=fx.num_classes,
        dropout=0.0, attention_dropout=0.0, stochastic_depth_prob=0.0)


def _build_transformers(fx: Fixture):
    import torch
    from transformers import SwinConfig, SwinForImageClassification

    class LogitsOnly(torch.nn.Module):
        """Return only ``.logits`` so the ONNX graph has a single tensor output."""

        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(pixel_values=x).logits

    config = SwinConfig(
        image_size=fx.image_size, patch_size=fx.patch_size, embed_dim=fx.embed_dim,
        depths=list(fx.depths), num_heads=list(fx.num_heads), window_size=fx.window_size,
        num_labels=fx.num_classes, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, drop_path_rate=0.0)
    return LogitsOnly(SwinForImageClassification(config))


BUILDERS: dict[str, Callable] = {
    "timm": _build_timm,
    "torchvision": _build_torchvision,
    "transformers": _build_transformers,
}


def library_version(library: str) -> str:
    module = __import__(library)
    return str(module.__version__)


def build_model(fx: Fixture):
    import torch

    torch.manual_seed(MODEL_SEED)
    model = BUILDERS[fx.library](fx)
    model.eval()
    return model


def make_input(batch: int, image_size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 3, image_size, image_size), dtype=np.float32)


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------

def export_legacy(model, x, path: Path, opset: int) -> bool:
    """TorchScript-based exporter. Returns True (the batch axis is always dynamic)."""
    import torch

    torch.onnx.export(
        model, (x,), str(path), dynamo=False, opset_version=opset,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        do_constant_folding=True, export_params=True)
    return True


def export_dynamo(model, x, path: Path, opset: int | None) -> tuple[bool, str]:
    """torch.export-based exporter.

    Tries a symbolic batch dim first, falls back to a static batch.  Returns
    (dynamic_batch, note).
    """
    import torch

    common = dict(dynamo=True, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                  external_data=False)
    if opset is not None:
        common["opset_version"] = opset
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    try:
        program = torch.onnx.export(model, (x,), dynamic_shapes=({0: batch},), **common)
        dynamic, note = True, ""
    except Exception as exc:  # noqa: BLE001 - any failure triggers the fallback
        note = f"dynamic-batch export failed ({type(exc).__name__}: {str(exc).splitlines()[0][:300]}); static batch used"
        print(f"  WARNING: {note}", file=sys.stderr)
        program = torch.onnx.export(model, (x,), **common)
        dynamic = False
    program.save(str(path), external_data=False)
    return dynamic, note


def make_self_contained(path: Path) -> None:
    """Re-save ``path`` with every initializer embedded and remove stray data files."""
    import onnx

    directory = path.parent
    before = set(directory.iterdir())
    model = onnx.load(str(path), load_external_data=True)
    onnx.save(model, str(path), save_as_external_data=False)
    for stray in set(directory.iterdir()) - before:
        stray.unlink()
    for init in model.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"{path}: initializer {init.name} still external")


# --------------------------------------------------------------------------
# Inspection and verification
# --------------------------------------------------------------------------

def _walk_nodes(graph):
    """Yield all nodes of ``graph`` including those in sub-graphs (If/Loop/Scan)."""
    import onnx

    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from _walk_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from _walk_nodes(g)


def inspect_onnx(path: Path) -> dict:
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    other_domains = {o.domain: o.version for o in model.opset_import if o.domain not in ("", "ai.onnx")}
    all_nodes = list(_walk_nodes(graph))
    histogram = collections.Counter(
        (n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}::{n.op_type}") for n in all_nodes)

    def dims(value_info):
        return [d.dim_param if d.dim_param else d.dim_value
                for d in value_info.type.tensor_type.shape.dim]

    in_shape = dims(graph.input[0])
    return {
        "opset": opset,
        "other_opset_domains": other_domains,
        "ir_version": model.ir_version,
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "input_names": [i.name for i in graph.input],
        "output_names": [o.name for o in graph.output],
        "onnx_input_shape": in_shape,
        "onnx_output_shape": dims(graph.output[0]),
        "dynamic_batch": isinstance(in_shape[0], str),
        "node_count": len(graph.node),
        "node_count_including_subgraphs": len(all_nodes),
        "num_initializers": len(graph.initializer),
        "num_local_functions": len(model.functions),
        "op_histogram": dict(sorted(histogram.items())),
    }


def run_ort(path: Path, x: np.ndarray) -> np.ndarray:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]


def torch_forward(model, x: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return model(torch.from_numpy(x)).detach().numpy().astype(np.float32)


def compare(ref: np.ndarray, got: np.ndarray) -> dict:
    if ref.shape != got.shape:
        raise RuntimeError(f"shape mismatch: torch {ref.shape} vs onnxruntime {got.shape}")
    diff = np.abs(ref.astype(np.float64) - got.astype(np.float64))
    denom = np.maximum(np.abs(ref.astype(np.float64)), 1e-6)
    return {"max_abs_err": float(diff.max()), "max_rel_err": float((diff / denom).max()),
            "max_abs_ref": float(np.abs(ref).max())}


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def export_fixture(fx: Fixture, out_root: Path) -> dict:
    import onnx
    import onnxruntime
    import torch

    started = time.time()
    out_dir = out_root / fx.name
    print(f"[{fx.name}] {fx.description}")
    model = build_model(fx)
    x_np = make_input(fx.batch, fx.image_size, INPUT_SEED)
    y_np = torch_forward(model, x_np)
    expected_shape = (fx.batch, fx.num_classes)
    if y_np.shape != expected_shape:
        raise RuntimeError(f"unexpected torch output shape {y_np.shape}, want {expected_shape}")

    # Export into a scratch dir first so a failure never leaves a half-written fixture.
    with tempfile.TemporaryDirectory(prefix=f"{fx.name}_") as tmp:
        tmp_path = Path(tmp) / "model.onnx"
        x_t = torch.from_numpy(x_np)
        note = ""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fx.exporter == "legacy":
                export_legacy(model, x_t, tmp_path, fx.opset)
            else:
                _, note = export_dynamo(model, x_t, tmp_path, fx.opset)
        make_self_contained(tmp_path)
        onnx.checker.check_model(str(tmp_path), full_check=True)
        info = inspect_onnx(tmp_path)

        checks = {f"batch{fx.batch}": compare(y_np, run_ort(tmp_path, x_np))}
        if info["dynamic_batch"]:
            x3 = make_input(CHECK_BATCH, fx.image_size, CHECK_SEED)
            checks[f"batch{CHECK_BATCH}"] = compare(torch_forward(model, x3), run_ort(tmp_path, x3))
        for label, c in checks.items():
            print(f"  ort vs torch {label}: max_abs={c['max_abs_err']:.3e} "
                  f"max_rel={c['max_rel_err']:.3e} (max |logit| {c['max_abs_ref']:.3f})")
            if c["max_abs_err"] > MAX_ABS_ERR:
                raise RuntimeError(f"{fx.name}: onnxruntime mismatch on {label}: {c}")

        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        shutil.copyfile(tmp_path, out_dir / "model.onnx")

    np.save(out_dir / "input.npy", x_np)
    np.save(out_dir / "output.npy", y_np)
    meta = {
        "name": fx.name,
        "description": fx.description,
        "library": fx.library,
        "library_version": library_version(fx.library),
        "torch_version": torch.__version__,
        "onnx_version": onnx.__version__,
        "onnxruntime_version": onnxruntime.__version__,
        "exporter": fx.exporter,
        "opset": info["opset"],
        "opset_requested": fx.opset,
        "image_size": fx.image_size,
        "patch_size": fx.patch_size,
        "window_size": fx.window_size,
        "embed_dim": fx.embed_dim,
        "depths": list(fx.depths),
        "num_heads": list(fx.num_heads),
        "num_classes": fx.num_classes,
        "batch": fx.batch,
        "dynamic_batch": info["dynamic_batch"],
        "dynamic_batch_note": note,
        "input_name": INPUT_NAME,
        "output_name": OUTPUT_NAME,
        "input_shape": list(x_np.shape),
        "output_shape": list(y_np.shape),
        "model_seed": MODEL_SEED,
        "input_seed": INPUT_SEED,
        "input_distribution": "numpy default_rng(input_seed).standard_normal, float32",
        "ort_check": checks,
        "model_bytes": (out_dir / "model.onnx").stat().st_size,
        **{k: info[k] for k in ("ir_version", "producer", "other_opset_domains", "onnx_input_shape",
                                "onnx_output_shape", "node_count", "node_count_including_subgraphs",
                                "num_initializers", "num_local_functions", "op_histogram")},
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"  wrote {out_dir}: {meta['model_bytes'] / 1e6:.2f} MB, {meta['node_count']} nodes, "
          f"opset {meta['opset']}, dynamic batch {meta['dynamic_batch']} ({time.time() - started:.1f}s)")
    return meta


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Fixtures marked 'on demand' are only exported when named with --only.")
    parser.add_argument("--out", type=Path, default=Path("test/fixtures"),
                        help="output root directory (default: %(default)s)")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(FIXTURES),
                        help="export only these fixtures (any name, including on-demand ones)")
    parser.add_argument("--list", action="store_true", help="list the known fixtures and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for fx in FIXTURES.values():
            tag = "default " if fx.default else "on demand"
            print(f"{fx.name:20s} {tag}  {fx.description}")
        return 0

    names = args.only or [n for n, fx in FIXTURES.items() if fx.default]
    failures = []
    for name in names:
        try:
            export_fixture(FIXTURES[name], args.out)
        except Exception as exc:  # noqa: BLE001 - report and keep going
            failures.append(name)
            print(f"[{name}] FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    if failures:
        print(f"failed fixtures: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
