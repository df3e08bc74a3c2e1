"""Export a Swin Transformer from timm, torchvision or Hugging Face to ONNX.

The settings are the ones whose graphs swin-compile's importer handles: one
float32 NCHW input named ``input``, one output ``logits``, a dynamic batch
axis, every weight embedded in the file, and no node metadata that carries
the exporting machine's paths.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

INPUT_NAME = "input"
OUTPUT_NAME = "logits"
LEGACY_OPSET = 17
MAX_BATCH = 1024  # upper bound of the symbolic batch dimension for torch.export
EXPORTERS = ("legacy", "dynamo")

# Node metadata the dynamo exporter writes that embeds absolute source paths.
PATH_DEPENDENT_METADATA = {"pkg.torch.onnx.stack_trace"}

HF_NEEDS_LEGACY = (
    "Hugging Face Swin models need exporter='legacy': the dynamo exporter fails on their "
    "default SDPA attention ('Cannot view a tensor with shape [B*nW, N, heads, hd] ... as "
    "[B*nW, N, C]'), dynamic or static batch alike")


def logits_only(model):
    """Wraps a Hugging Face image classifier to return only ``.logits``, so
    the ONNX graph has a single tensor output."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return self.inner(pixel_values=x).logits

    return LogitsOnly(model)


def model_library(model) -> str:
    """"timm", "torchvision", "transformers" or "other", from the class's module."""
    inner = getattr(model, "inner", None) if type(model).__name__ == "LogitsOnly" else None
    root = type(inner if inner is not None else model).__module__.split(".")[0]
    return root if root in ("timm", "torchvision", "transformers") else "other"


def _load_named(name: str, *, pretrained: bool, arch: str | None, kwargs: dict):
    """A model from a name or a path (see `export`)."""
    import torch

    path = Path(name)
    if path.is_dir() and (path / "config.json").is_file():
        from transformers import AutoModelForImageClassification
        return AutoModelForImageClassification.from_pretrained(str(path), **kwargs)
    if path.is_file():
        if arch is not None:
            import timm
            return timm.create_model(arch, pretrained=False, checkpoint_path=str(path), **kwargs)
        if path.suffix == ".safetensors":
            raise ValueError(f"{path}: a safetensors file holds only weights; pass "
                             "arch='<timm model name>' to say which model they belong to")
        # A whole pickled module (torch.save(model)): unpickling runs code from
        # the file, so only load checkpoints you trust.
        loaded = torch.load(str(path), map_location="cpu", weights_only=False)
        if isinstance(loaded, torch.nn.Module):
            if kwargs:
                raise ValueError(f"{path} holds a whole module; {sorted(kwargs)} cannot apply")
            return loaded
        raise ValueError(f"{path}: holds a {type(loaded).__name__} (a state dict?), not a "
                         "module; pass arch='<timm model name>' to load it into that model")
    if arch is not None:
        raise ValueError(f"arch={arch!r} is for checkpoint files, and {name!r} is not a file")
    library, _, model_name = name.partition(":") if ":" in name else ("timm", "", name)
    if library == "timm":
        import timm
        return timm.create_model(model_name, pretrained=pretrained, **kwargs)
    if library == "torchvision":
        import torchvision
        return torchvision.models.get_model(model_name, weights="DEFAULT" if pretrained else None,
                                            **kwargs)
    if library == "hf":
        from transformers import AutoConfig, AutoModelForImageClassification
        if pretrained:
            return AutoModelForImageClassification.from_pretrained(model_name, **kwargs)
        config = AutoConfig.from_pretrained(model_name, **kwargs)
        return AutoModelForImageClassification.from_config(config)
    raise ValueError(f"{name!r}: unknown library prefix {library!r} (use a timm name, "
                     "'torchvision:NAME', 'hf:ID', a Hugging Face folder or a checkpoint file)")


def _image_size(model, library: str, image_size) -> tuple[int, int]:
    if image_size is not None:
        if isinstance(image_size, int):
            return image_size, image_size
        height, width = image_size
        return int(height), int(width)
    if library == "timm":
        size = getattr(getattr(model, "patch_embed", None), "img_size", None)
        if size is not None:
            return int(size[0]), int(size[1])
    if library == "transformers":
        config = (model.inner if hasattr(model, "inner") else model).config
        size = config.image_size
        return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    return 224, 224


def export_legacy(model, x, path: Path, opset: int) -> None:
    """TorchScript-based exporter, batch axis marked dynamic through ``dynamic_axes``."""
    import torch

    torch.onnx.export(
        model, (x,), str(path), dynamo=False, opset_version=opset,
        input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        do_constant_folding=True, export_params=True)


def export_dynamo(model, x, path: Path, opset: int | None) -> tuple[bool, str]:
    """torch.export-based exporter. Tries a symbolic batch dimension first and
    falls back to a static batch. Returns (dynamic_batch, note)."""
    import torch

    common: dict[str, Any] = dict(dynamo=True, input_names=[INPUT_NAME],
                                  output_names=[OUTPUT_NAME], external_data=False,
                                  verbose=False)
    if opset is not None:
        common["opset_version"] = opset
    batch = torch.export.Dim("batch", min=1, max=MAX_BATCH)
    try:
        program = torch.onnx.export(model, (x,), dynamic_shapes=({0: batch},), **common)
        dynamic, note = True, ""
    except Exception as exc:  # noqa: BLE001 - any failure triggers the fallback
        note = (f"dynamic-batch export failed ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:300]}); static batch used")
        print(f"swin_compiler.export: warning: {note}", file=sys.stderr)
        program = torch.onnx.export(model, (x,), **common)
        dynamic = False
    program.save(str(path), external_data=False)
    return dynamic, note


def iter_nodes(graph):
    """Every node of `graph`, sub-graphs (If/Loop/Scan) included."""
    import onnx

    for node in graph.node:
        yield node
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_nodes(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for g in attr.graphs:
                    yield from iter_nodes(g)


def finalize_onnx(path: Path) -> None:
    """Re-saves `path` self-contained: every initializer embedded, stray data
    files removed, path-dependent node metadata stripped."""
    import onnx

    directory = path.parent
    before = set(directory.iterdir())
    model = onnx.load(str(path), load_external_data=True)
    for node in iter_nodes(model.graph):
        keep = [p for p in node.metadata_props if p.key not in PATH_DEPENDENT_METADATA]
        if len(keep) != len(node.metadata_props):
            del node.metadata_props[:]
            node.metadata_props.extend(keep)
    onnx.save(model, str(path), save_as_external_data=False)
    for stray in set(directory.iterdir()) - before:
        stray.unlink()
    for init in model.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"{path}: initializer {init.name} still external")


def export(model_or_name, path: str | os.PathLike, *,
           image_size: int | tuple[int, int] | None = None, exporter: str = "legacy",
           opset: int | None = None, arch: str | None = None,
           pretrained: bool = False, **model_kwargs: Any) -> Path:
    """Exports a Swin Transformer to the ONNX file `path` and returns its path.

    `model_or_name` is one of:

    * a timm model name (``"swin_tiny_patch4_window7_224"``, or ``"timm:NAME"``);
      ``pretrained=True`` asks timm for its weights (network or local cache);
    * ``"torchvision:swin_t"`` (any torchvision model name);
    * ``"hf:ID"`` or a local Hugging Face model folder (with config.json);
    * a checkpoint file: a state dict (.pth, .bin or .safetensors) with
      ``arch`` naming the timm model it belongs to, or a whole pickled
      module (``torch.save(model)``; unpickling runs code, so only for
      trusted files);
    * a ``torch.nn.Module`` from timm, torchvision or transformers.

    `model_kwargs` go to the model's constructor for names and checkpoints
    (timm: ``num_classes=10``, ``img_size=256``, ...).

    `image_size` (N or (H, W)) defaults to the model's own (timm, Hugging
    Face) or 224. `exporter` is ``"legacy"`` (TorchScript, opset 17 unless
    `opset` says otherwise) or ``"dynamo"`` (torch.export; not for Hugging
    Face models, see HF_NEEDS_LEGACY). The model is exported in eval mode,
    in float32, with a dynamic batch axis; the file is written only when
    the export succeeded.
    """
    try:
        import torch
    except ImportError:
        raise ImportError("swin_compiler.export needs PyTorch (and the model's library: timm, "
                          "torchvision or transformers) and onnx; pip install torch onnx") from None

    if exporter not in EXPORTERS:
        raise ValueError(f"exporter must be one of {EXPORTERS}, got {exporter!r}")
    if isinstance(model_or_name, (str, os.PathLike)):
        model = _load_named(os.fspath(model_or_name), pretrained=pretrained, arch=arch,
                            kwargs=model_kwargs)
    elif isinstance(model_or_name, torch.nn.Module):
        if arch is not None or model_kwargs:
            raise ValueError("arch= and constructor arguments are for model names and "
                             "checkpoint files; a module is used as it is")
        model = model_or_name
    else:
        raise TypeError("model_or_name must be a model name, a path or a torch.nn.Module, "
                        f"not {type(model_or_name).__name__}")

    original = model  # its train/eval mode is restored after the export
    library = model_library(model)
    if library == "transformers":
        if exporter == "dynamo":
            raise ValueError(HF_NEEDS_LEGACY)
        if type(model).__name__ != "LogitsOnly":
            model = logits_only(model)
    floating = {p.dtype for p in model.parameters() if p.is_floating_point()}
    if floating - {torch.float32}:
        raise ValueError(f"the model's parameters are {sorted(map(str, floating))}; export "
                         "it in float32 (model.float()): swin-compile picks the precision")
    height, width = _image_size(model, library, image_size)
    if opset is None and exporter == "legacy":
        opset = LEGACY_OPSET

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    device = next(iter(model.parameters())).device
    x = torch.randn(2, 3, height, width, device=device)
    was_training = original.training
    model.eval()
    try:
        with tempfile.TemporaryDirectory(prefix=".swin-export-", dir=path.parent) as tmp:
            scratch = Path(tmp) / "model.onnx"
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                if exporter == "legacy":
                    export_legacy(model, x, scratch, opset)
                else:
                    export_dynamo(model, x, scratch, opset)
            finalize_onnx(scratch)
            os.replace(scratch, path)
    finally:
        original.train(was_training)
    return path
