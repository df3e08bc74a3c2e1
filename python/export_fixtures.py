#!/usr/bin/env python3
"""Export tiny random-weight Swin Transformer (V1 and V2) models to ONNX test fixtures.

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

Weights (``--init test``, the default): the libraries' own initialisation makes
every Linear bias 0, every LayerNorm weight 1 / bias 0 (HF: also the relative
position bias tables 0) and gives near-uniform attention, so a compiler that
dropped biases, LayerNorm affine parameters or the relative position bias would
still match the reference exactly; the dynamo exporter also specialises the
graph on those values (drops zero biases, merges equal initializers).  The
default therefore re-draws every parameter from a seeded generator with
magnitudes that keep activations O(1) and make attention clearly non-uniform.
Swin V2 models (``version=2``) get the same treatment for their own
parameters: the cosine attention's ``logit_scale``, the continuous position
bias MLP (``cpb_mlp`` / ``continuous_position_bias_mlp``: two Linears) and
timm's separate ``q_bias`` / ``v_bias``.
``--init default`` keeps the libraries' initialisation.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from swin_compiler.export import (  # noqa: E402
    INPUT_NAME, LEGACY_OPSET, OUTPUT_NAME, export_dynamo, export_legacy, finalize_onnx,
    iter_nodes, logits_only)

MODEL_SEED = 0
INIT_SEED = 1  # seed of the test-friendly re-initialisation (see reinit_for_testing)
INPUT_SEED = 1234
CHECK_SEED = 4321  # seed of the (unsaved) extra-batch check input
CHECK_BATCH = 3
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
    # transformers only: attention implementation (None = library default, "sdpa").
    attn_implementation: str | None = None
    # timm only: build this registered model via timm.create_model instead of
    # constructing SwinTransformer from the hyper-parameters above.
    timm_model: str | None = None
    # Swin Transformer version: 1, or 2 (cosine attention, continuous position
    # bias MLP, post-norm residuals, PatchMergingV2 = reduction then LayerNorm):
    # timm SwinTransformerV2, torchvision SwinTransformer with
    # SwinTransformerBlockV2 / PatchMergingV2 (as swin_v2_t), HF Swinv2.
    version: int = 1
    # V2 only (timm, transformers): window size of each stage at pre-training;
    # the position-bias coordinates are normalised by it instead of by the
    # window size. None = the library default (no pre-training window).
    pretrained_window_sizes: tuple[int, ...] | None = None
    description: str = ""


# Small enough to commit (about 2.5 MB of weights), with every structural
# feature of Swin-T: four stages, shifted blocks in stages 1-3, patch merging.
TINY = dict(patch_size=4, embed_dim=16, depths=(2, 2, 2, 2), num_heads=(1, 2, 4, 8), num_classes=10)
# At 384/w12 the legacy exporter stores each shift mask as a constant
# (5.3 MB for stage 1's 64 windows of 144x144); one block in stage 1 keeps it
# unshifted so the fixture stays small. Stages 2 and 3 still shift.
TINY_W12 = dict(TINY, depths=(1, 2, 2, 2))
# Swin V2: the same tiny model at SwinV2-T's 256/w8. Larger than TINY's files:
# timm stores the shift masks as constants (1.3 MB at 256/w8), and the dynamo
# exporter folds each block's first position-bias Linear over the coordinate
# table into a [1, 15, 15, 512] float32 initializer (0.46 MB a block, 3.7 MB
# for the 8 blocks): timm_v2_dynamo 8.3 MB, torchvision_v2_dynamo 7.1 MB.
TINY_V2 = dict(TINY, version=2, image_size=256, window_size=8)
# 384-pixel V2 variants keep TINY_W12's single unshifted stage-1 block.
TINY_V2_W12 = dict(TINY_W12, version=2, image_size=384)

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
        Fixture("timm_w12_384", "timm", "legacy", image_size=384, window_size=12, **TINY_W12,
                description="timm SwinTransformer 384/w12, tiny, TorchScript exporter opset 17"),
        # ---- on demand only (never written unless named with --only) ----
        # Window and resolution variants, exported at test time.
        Fixture("timm_w8_256", "timm", "legacy", image_size=256, window_size=8, **TINY,
                default=False, description="timm SwinTransformer 256/w8, tiny"),
        Fixture("timm_w16_256", "timm", "legacy", image_size=256, window_size=16, **TINY,
                default=False, description="timm SwinTransformer 256/w16, tiny"),
        Fixture("timm_w24_384", "timm", "legacy", image_size=384, window_size=24, **TINY_W12,
                default=False, description="timm SwinTransformer 384/w24, tiny"),
        # With the default attention ("sdpa") the dynamo exporter fails while decomposing
        # SDPA ("Cannot view a tensor with shape [B*nW, 49, heads, hd] ... as [B*nW, 49, C]"),
        # dynamic or static batch alike; the eager attention path exports fine.
        Fixture("hf_dynamo", "transformers", "dynamo", image_size=224, window_size=7, opset=None, **TINY,
                default=False, attn_implementation="eager",
                description="HF Swin, dynamo exporter, attn_implementation='eager' (sdpa fails)"),
        Fixture("swin_t_real", "timm", "legacy", image_size=224, patch_size=4, window_size=7, embed_dim=96,
                depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), num_classes=1000, batch=1, default=False,
                timm_model="swin_tiny_patch4_window7_224",
                description="timm swin_tiny_patch4_window7_224 (pretrained=False), ~110 MB"),
        # ---- Swin V2 (default set: the legacy exporter) ----
        Fixture("timm_v2_legacy", "timm", "legacy", **TINY_V2,
                description="timm SwinTransformerV2 256/w8, tiny, TorchScript exporter opset 17"),
        Fixture("torchvision_v2_legacy", "torchvision", "legacy", **TINY_V2,
                description="torchvision SwinTransformer V2 (SwinTransformerBlockV2, PatchMergingV2) "
                            "256/w8, tiny, TorchScript exporter opset 17"),
        Fixture("hf_v2_legacy", "transformers", "legacy", **TINY_V2,
                description="HF transformers Swinv2ForImageClassification 256/w8, tiny, exporter opset 17"),
        # ---- Swin V2, on demand only ----
        # The dynamo exports are 8-10 MB each (the folded position-bias tables, see
        # TINY_V2): exported at test time (test/python/test_window_variants.py) to keep
        # the repository small.
        Fixture("timm_v2_dynamo", "timm", "dynamo", opset=None, **TINY_V2, default=False,
                description="same model as timm_v2_legacy, dynamo exporter"),
        Fixture("torchvision_v2_dynamo", "torchvision", "dynamo", opset=None, **TINY_V2,
                default=False, description="same model as torchvision_v2_legacy, dynamo exporter"),
        # Swinv2 has no SDPA path (its attention is explicit matmul + softmax), so unlike
        # hf_dynamo this exports with the library's default attention. On demand for its
        # size (8.8 MB, see TINY_V2) and because swin_compiler.export refuses HF + dynamo.
        Fixture("hf_v2_dynamo", "transformers", "dynamo", opset=None, **TINY_V2, default=False,
                description="HF Swinv2 256/w8, tiny, dynamo exporter (default attention exports)"),
        Fixture("timm_v2_w16_256", "timm", "legacy", **dict(TINY_V2, window_size=16), default=False,
                description="timm SwinTransformerV2 256/w16, tiny"),
        Fixture("timm_v2_w12_384", "timm", "legacy", window_size=12, **TINY_V2_W12, default=False,
                description="timm SwinTransformerV2 384/w12, tiny (stage 1 unshifted, as timm_w12_384)"),
        Fixture("timm_v2_w24_384", "timm", "legacy", window_size=24, **TINY_V2_W12, default=False,
                description="timm SwinTransformerV2 384/w24, tiny (stage 1 unshifted, as timm_w12_384)"),
        # Fine-tuned at a larger window than pre-trained: the position-bias coordinate
        # table is normalised by the pre-training window (8), so it spans beyond +-8.
        Fixture("timm_v2_w12_384_pw8", "timm", "legacy", window_size=12, **TINY_V2_W12, default=False,
                pretrained_window_sizes=(8, 8, 8, 8),
                description="timm SwinTransformerV2 384/w12, pretrained_window_sizes=(8, 8, 8, 8), tiny"),
        Fixture("hf_v2_w12_384_pw8", "transformers", "legacy", window_size=12, **TINY_V2_W12, default=False,
                pretrained_window_sizes=(8, 8, 8, 8),
                description="HF Swinv2 384/w12, pretrained_window_sizes=[8, 8, 8, 8], tiny"),
        Fixture("swinv2_t_real", "timm", "legacy", image_size=256, patch_size=4, window_size=8, embed_dim=96,
                depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), num_classes=1000, batch=1, default=False,
                version=2, timm_model="swinv2_tiny_window8_256",
                description="timm swinv2_tiny_window8_256 (pretrained=False), SwinV2-T real size"),
    ]
}


# --------------------------------------------------------------------------
# Model construction
# --------------------------------------------------------------------------

def _build_timm(fx: Fixture):
    import timm
    from timm.models.swin_transformer import SwinTransformer
    from timm.models.swin_transformer_v2 import SwinTransformerV2

    if fx.timm_model is not None:
        model = timm.create_model(fx.timm_model, pretrained=False, drop_rate=0.0, drop_path_rate=0.0)
        cfg = (model.patch_embed.patch_size[0], model.embed_dim, model.num_classes,
               isinstance(model, SwinTransformerV2) + 1)
        if cfg != (fx.patch_size, fx.embed_dim, fx.num_classes, fx.version):
            raise RuntimeError(f"{fx.timm_model}: (patch, embed_dim, classes, version) = {cfg} "
                               f"disagrees with {fx.name}")
        return model
    common = dict(
        img_size=fx.image_size, patch_size=fx.patch_size, window_size=fx.window_size,
        embed_dim=fx.embed_dim, depths=fx.depths, num_heads=fx.num_heads,
        num_classes=fx.num_classes, drop_rate=0.0, proj_drop_rate=0.0,
        attn_drop_rate=0.0, drop_path_rate=0.0)
    if fx.version == 2:
        if fx.pretrained_window_sizes is not None:
            common["pretrained_window_sizes"] = fx.pretrained_window_sizes
        return SwinTransformerV2(**common)
    return SwinTransformer(**common)


def _build_torchvision(fx: Fixture):
    from torchvision.models.swin_transformer import (
        PatchMergingV2, SwinTransformer, SwinTransformerBlockV2)

    if fx.pretrained_window_sizes is not None:
        raise ValueError("torchvision's Swin V2 has no pretrained window sizes")
    # V2 as torchvision's own swin_v2_t builds it.
    v2 = dict(block=SwinTransformerBlockV2, downsample_layer=PatchMergingV2) if fx.version == 2 else {}
    return SwinTransformer(
        patch_size=[fx.patch_size, fx.patch_size], embed_dim=fx.embed_dim,
        depths=list(fx.depths), num_heads=list(fx.num_heads),
        window_size=[fx.window_size, fx.window_size], num_classes=fx.num_classes,
        dropout=0.0, attention_dropout=0.0, stochastic_depth_prob=0.0, **v2)


def _build_transformers(fx: Fixture):
    from transformers import (
        SwinConfig, SwinForImageClassification, Swinv2Config, Swinv2ForImageClassification)

    common = dict(
        image_size=fx.image_size, patch_size=fx.patch_size, embed_dim=fx.embed_dim,
        depths=list(fx.depths), num_heads=list(fx.num_heads), window_size=fx.window_size,
        num_labels=fx.num_classes, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, drop_path_rate=0.0)
    if fx.version == 2:
        if fx.pretrained_window_sizes is not None:
            common["pretrained_window_sizes"] = list(fx.pretrained_window_sizes)
        config_class, model_class = Swinv2Config, Swinv2ForImageClassification
    else:
        config_class, model_class = SwinConfig, SwinForImageClassification
    config = config_class(**common)
    if fx.attn_implementation is not None:
        config._attn_implementation = fx.attn_implementation
    model = model_class(config)
    used = model.config._attn_implementation
    if fx.attn_implementation is not None and used != fx.attn_implementation:
        raise RuntimeError(f"asked for attention {fx.attn_implementation!r}, got {used!r}")
    return logits_only(model)


BUILDERS: dict[str, Callable] = {
    "timm": _build_timm,
    "torchvision": _build_torchvision,
    "transformers": _build_transformers,
}


def _attn_implementation(model, library: str) -> str:
    """Which attention code path the model ran: "sdpa" (fused) or "eager" (matmul/softmax)."""
    if library == "transformers":
        return str(model.inner.config._attn_implementation)
    if library == "timm":
        fused = [m.fused_attn for m in model.modules() if hasattr(m, "fused_attn")]
        return "sdpa" if any(fused) else "eager"
    return "eager"  # torchvision's shifted_window_attention is explicit matmul + softmax


def library_version(library: str) -> str:
    module = __import__(library)
    return str(module.__version__)


def reinit_for_testing(model, seed: int = INIT_SEED) -> None:
    """Re-draw all parameters so that every one of them influences the output.

    * Linear / Conv weights: N(0, 1/fan_in) -- unit-variance activations and
      attention logits of order 1 (library init gives ~0.01: uniform softmax).
    * Linear / Conv biases and LayerNorm biases: N(0, std 0.1).
    * LayerNorm weights: 1 + N(0, std 0.1).
    * Swin V2 ``logit_scale`` (per head, before clamp(max=log 100) and exp):
      log(10) + N(0, std 0.5), i.e. scales of about 3 to 35 (tiny models)
      around the libraries' 10, different for every head; the clamp is not
      reached by the committed fixtures: a scale of 100 in every block makes the
      model too ill-conditioned for fp32 checks at 1e-4 (onnxruntime itself
      then differs from torch by 5e-4), so the clamp is tested on its own
      (test/Importer/fold_logit_scale_clamp.textproto).
    * Swin V2 ``q_bias`` / ``v_bias`` (timm keeps them outside the qkv
      Linear): N(0, std 0.1), like the other biases. The continuous position
      bias MLP is two Linears and follows the Linear rule (its 16*sigmoid
      output then spreads over about 4..12 within each head).
    * Everything else (relative position bias tables): N(0, std 1).
    Buffers (relative position index, precomputed attention masks, timm V2's
    zero k_bias and coordinate table) are kept. torchvision V2 zeroes the key
    third of qkv.bias in its forward; it is zeroed here too, so the stored
    weights say what the model computes.
    """
    import math

    import torch

    gen = torch.Generator().manual_seed(seed)

    def draw(param, std, mean=0.0):
        param.copy_(torch.randn(param.shape, generator=gen, dtype=param.dtype) * std + mean)

    done = set()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (torch.nn.Linear, torch.nn.Conv2d)):
                draw(module.weight, 1.0 / math.sqrt(module.weight[0].numel()))
                done.add(id(module.weight))
                if module.bias is not None:
                    draw(module.bias, 0.1)
                    done.add(id(module.bias))
            elif isinstance(module, torch.nn.LayerNorm):
                draw(module.weight, 0.1, mean=1.0)
                draw(module.bias, 0.1)
                done.update((id(module.weight), id(module.bias)))
        for name, param in model.named_parameters():
            if id(param) in done:
                continue
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "logit_scale":  # Swin V2 cosine attention (timm, torchvision, HF)
                draw(param, 0.5, mean=math.log(10.0))
            elif leaf in ("q_bias", "v_bias"):  # timm Swin V2
                draw(param, 0.1)
            else:
                draw(param, 1.0)
        # torchvision Swin V2 ignores the key bias (zeroed in shifted_window_attention).
        for module in model.modules():
            if type(module).__name__ == "ShiftedWindowAttentionV2" and module.qkv.bias is not None:
                third = module.qkv.bias.numel() // 3
                module.qkv.bias[third:2 * third].zero_()


def build_model(fx: Fixture, init: str = "test"):
    import torch

    torch.manual_seed(MODEL_SEED)
    model = BUILDERS[fx.library](fx)
    if init == "test":
        reinit_for_testing(model)
    elif init != "default":
        raise ValueError(f"unknown init {init!r}")
    model.eval()
    return model


def make_input(batch: int, image_size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, 3, image_size, image_size), dtype=np.float32)


# --------------------------------------------------------------------------
# Inspection and verification
# --------------------------------------------------------------------------

def inspect_onnx(path: Path) -> dict:
    import onnx

    model = onnx.load(str(path))
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    other_domains = {o.domain: o.version for o in model.opset_import if o.domain not in ("", "ai.onnx")}
    all_nodes = list(iter_nodes(graph))
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

def export_fixture(fx: Fixture, out_root: Path, init: str = "test") -> dict:
    import onnx
    import onnxruntime
    import torch

    started = time.time()
    out_dir = out_root / fx.name
    print(f"[{fx.name}] {fx.description}")
    model = build_model(fx, init)
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
        finalize_onnx(tmp_path)
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
        "attn_implementation": _attn_implementation(model, fx.library),
        "swin_version": fx.version,
        "image_size": fx.image_size,
        "patch_size": fx.patch_size,
        "window_size": fx.window_size,
        **({"pretrained_window_sizes": list(fx.pretrained_window_sizes)}
           if fx.pretrained_window_sizes is not None else {}),
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
        "weight_init": (f"reinit_for_testing(seed={INIT_SEED}) after library init: normal draws, "
                        "Linear/Conv weight std 1/sqrt(fan_in), biases std 0.1, LayerNorm weight "
                        "mean 1 std 0.1, LayerNorm bias std 0.1, relative position bias tables std 1"
                        + (", V2 logit_scale log(10) + std 0.5, q_bias/v_bias std 0.1, torchvision "
                           "qkv key bias zeroed" if fx.version == 2 else "")
                        if init == "test" else "library default"),
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
    parser.add_argument("--init", choices=("test", "default"), default="test",
                        help="weights: 'test' re-draws every parameter so biases, LayerNorm affine and "
                             "relative position bias all matter (default); 'default' keeps the "
                             "libraries' own initialisation")
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
            export_fixture(FIXTURES[name], args.out, args.init)
        except Exception as exc:  # noqa: BLE001 - report and keep going
            failures.append(name)
            print(f"[{name}] FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
    if failures:
        print(f"failed fixtures: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
