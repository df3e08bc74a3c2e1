#!/usr/bin/env python3
"""Seed inputs for the fuzz targets (tools/fuzzers; docs/reliability.md).

    python/fuzz_seeds.py OUT --bin build/bin

writes OUT/onnx/ (every lit ONNX model of test/Importer in binary form, and
tiny Swin exports from timm, torchvision and Hugging Face, small enough to
import thousands of times a second) and OUT/weights/ (the weights files
swin-compile writes for the tiny models, fp16 and int8). libFuzzer's
-merge=1 then keeps the inputs that add coverage: that minimised set is the
committed corpus in test/Fuzz/corpus. Needs torch, timm, torchvision,
transformers and onnx for the exports; missing libraries are skipped, with
a note.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))


def textproto_seeds(out: Path) -> int:
    import onnx
    from google.protobuf import text_format

    count = 0
    for path in sorted((REPO / "test" / "Importer").glob("*.textproto")):
        model = onnx.ModelProto()
        try:
            text_format.Parse(path.read_text(), model)
        except text_format.ParseError:
            continue  # the deliberately malformed ones
        (out / f"{path.stem}.onnx").write_bytes(model.SerializeToString())
        count += 1
    return count


def tiny_models():
    """(name, module) pairs: 32x32 inputs, window 4, two stages of width 16."""
    try:
        import timm
        yield "timm", timm.models.swin_transformer.SwinTransformer(
            img_size=32, patch_size=4, embed_dim=16, depths=(2, 2), num_heads=(1, 2),
            window_size=4, num_classes=10)
    except ImportError:
        print("timm missing: no timm seed", file=sys.stderr)
    try:
        from torchvision.models.swin_transformer import SwinTransformer
        yield "torchvision", SwinTransformer(
            patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[1, 2],
            window_size=[4, 4], num_classes=10)
    except ImportError:
        print("torchvision missing: no torchvision seed", file=sys.stderr)
    try:
        from transformers import SwinConfig, SwinForImageClassification
        yield "hf", SwinForImageClassification(SwinConfig(
            image_size=32, patch_size=4, embed_dim=16, depths=[2, 2], num_heads=[1, 2],
            window_size=4, num_labels=10))
    except ImportError:
        print("transformers missing: no Hugging Face seed", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bin", type=Path, default=REPO / "build" / "bin")
    args = parser.parse_args()
    onnx_dir, weights_dir = args.out / "onnx", args.out / "weights"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    weights_dir.mkdir(parents=True, exist_ok=True)
    print(f"{textproto_seeds(onnx_dir)} lit models")

    from swin_compiler.export import export

    for name, model in tiny_models():
        onnx_path = onnx_dir / f"tiny_{name}.onnx"
        export(model, onnx_path, image_size=32)
        for precision in ("fp16", "int8"):
            with tempfile.TemporaryDirectory() as tmp:
                extra = []
                if precision == "int8":
                    import numpy as np
                    calib = Path(tmp) / "calib"
                    calib.mkdir()
                    rng = np.random.default_rng(0)
                    for i in range(2):
                        np.save(calib / f"{i}.npy",
                                rng.standard_normal((1, 3, 32, 32), dtype=np.float32))
                    extra = ["--calib", str(calib)]
                proc = subprocess.run(
                    [str(args.bin / "swin-compile"), str(onnx_path), "-o", f"{tmp}/lib",
                     "--emit=cuda", "--precision", precision, *extra],
                    capture_output=True, text=True)
                if proc.returncode != 0:
                    print(f"{name} {precision}: {proc.stderr.strip()}", file=sys.stderr)
                    continue
                data = (Path(tmp) / "lib" / "model.swinw").read_bytes()
                digest = hashlib.sha1(data).hexdigest()[:12]
                (weights_dir / f"tiny_{name}_{precision}_{digest}.swinw").write_bytes(data)
        print(f"tiny {name}: {onnx_path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
