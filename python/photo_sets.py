#!/usr/bin/env python3
"""The real-image calibration and evaluation sets of docs/quantization.md.

We have no ImageNet here. These sets come from scikit-image's sample photos
(19 of them; four samples need a download and are left out), preprocessed
as timm's Swin eval transform does, plus deterministic random resized crops,
flips and mild colour jitter:

* calib: 32 inputs from 9 photos (the plain photos, then augmented ones);
* eval: 256 inputs from the 10 *other* photos.

  python python/photo_sets.py photos DIR        # the 19 PNGs (needs scikit-image)
  python python/photo_sets.py sets DIR OUT      # OUT/calib, OUT/eval (.npy)

The sets depend only on the PNGs and the seeds below.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from swin_compiler.calibration import calibration_set  # noqa: E402

CALIB = ["astronaut", "coffee", "hubble_deep_field", "motorcycle_left", "motorcycle_right",
         "camera", "moon", "text", "gravel"]
EVAL = ["chelsea", "rocket", "immunohistochemistry", "retina", "coins", "clock", "page",
        "brick", "grass", "cell"]
SETS = {"calib": (CALIB, 32, 1234), "eval": (EVAL, 256, 5678)}


def write_photos(out: Path) -> None:
    import skimage.data as data
    from PIL import Image

    left, right, _ = data.stereo_motorcycle()
    arrays = {"motorcycle_left": left, "motorcycle_right": right}
    for name in CALIB + EVAL:
        if name not in arrays:
            arrays[name] = getattr(data, name)()
    out.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        Image.fromarray(array).convert("RGB").save(out / f"{name}.png")


def random_resized_crop(image, rng: random.Random, scale=(0.3, 1.0), ratio=(3 / 4, 4 / 3)):
    width, height = image.size
    for _ in range(10):
        area = width * height * rng.uniform(*scale)
        aspect = float(np.exp(rng.uniform(np.log(ratio[0]), np.log(ratio[1]))))
        w, h = int(round((area * aspect) ** 0.5)), int(round((area / aspect) ** 0.5))
        if 0 < w <= width and 0 < h <= height:
            x, y = rng.randint(0, width - w), rng.randint(0, height - h)
            return image.crop((x, y, x + w, y + h))
    side = min(width, height)
    x, y = (width - side) // 2, (height - side) // 2
    return image.crop((x, y, x + side, y + side))


def augment(image, rng: random.Random):
    from PIL import Image, ImageEnhance

    image = random_resized_crop(image, rng)
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhance(image).enhance(rng.uniform(0.9, 1.1))
    return image


def write_set(photos: Path, names: list[str], count: int, seed: int, out: Path) -> None:
    from PIL import Image

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as staging:
        staging = Path(staging)
        for index, name in enumerate(names):  # the plain photos first
            shutil.copy(photos / f"{name}.png", staging / f"{index:05d}_plain_{name}.png")
        for index in range(len(names), count):
            name = names[(index - len(names)) % len(names)]
            with Image.open(photos / f"{name}.png") as image:
                augment(image.convert("RGB"), rng).save(staging / f"{index:05d}_aug_{name}.png")
        calibration_set(staging, count, out_dir=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("photos").add_argument("dir", type=Path)
    sets = sub.add_parser("sets")
    sets.add_argument("photos", type=Path)
    sets.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.command == "photos":
        write_photos(args.dir)
        return 0
    missing = [n for n in CALIB + EVAL if not (args.photos / f"{n}.png").is_file()]
    if missing:
        print(f"{args.photos}: missing {', '.join(missing)} (run 'photos' first)",
              file=sys.stderr)
        return 1
    for name, (names, count, seed) in SETS.items():
        write_set(args.photos, names, count, seed, args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
