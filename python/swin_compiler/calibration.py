"""`calibration_set`: images to the folder of .npy inputs that
``swin-compile --calib DIR`` reads. Needs NumPy and Pillow, not torch."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm"}

# ImageNet evaluation preprocessing as timm configures it for Swin: resize
# the short side to int(size / 0.9) (bicubic), centre crop, scale to
# [0, 1], normalise per channel. Sizes and crop offsets are computed the way
# torchvision's Resize and CenterCrop compute them, so the result equals
# timm's transform.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMAGENET_CROP_PCT = 0.9
PREPROCESSINGS = ("imagenet",)


def preprocess_imagenet(image, image_size: int) -> np.ndarray:
    """One PIL image to a float32 [3, size, size] array."""
    from PIL import Image

    image = image.convert("RGB")
    short = int(image_size / IMAGENET_CROP_PCT)
    width, height = image.size
    if width <= height:
        size = (short, int(short * height / width))
    else:
        size = (int(short * width / height), short)
    resized = image.resize(size, Image.Resampling.BICUBIC)
    left = int(round((resized.width - image_size) / 2.0))
    top = int(round((resized.height - image_size) / 2.0))
    crop = resized.crop((left, top, left + image_size, top + image_size))
    pixels = np.asarray(crop, dtype=np.float32) / 255.0
    pixels = (pixels - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


def calibration_set(image_dir: str | os.PathLike, n: int, preprocessing: str = "imagenet", *,
                    out_dir: str | os.PathLike | None = None, image_size: int = 224) -> Path:
    """Writes the first `n` images of `image_dir` (sorted by path, searched
    recursively) as calib_00000.npy, ... (float32 [1, 3, image_size,
    image_size]) and returns the folder: `out_dir`, or a new temporary
    folder. Earlier calib_*.npy files there are replaced.

    Fewer than `n` images is an error, as is an image Pillow cannot read:
    a calibration set that silently shrank would calibrate worse. On an
    error `out_dir` is left as it was.
    """
    from PIL import Image, UnidentifiedImageError

    if preprocessing not in PREPROCESSINGS:
        raise ValueError(f"preprocessing must be one of {PREPROCESSINGS}; got {preprocessing!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int; got {n!r}")
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 1:
        raise ValueError(f"image_size must be a positive int; got {image_size!r}")
    image_dir = Path(image_dir)
    if not image_dir.is_dir():
        raise FileNotFoundError(f"{image_dir}: no such folder")
    images = sorted(p for p in image_dir.rglob("*")
                    if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if len(images) < n:
        raise ValueError(f"{image_dir}: {len(images)} images, {n} asked for")
    arrays = []
    for path in images[:n]:
        try:
            with Image.open(path) as image:
                arrays.append(preprocess_imagenet(image, image_size))
        except (UnidentifiedImageError, OSError) as error:
            raise ValueError(f"{path}: not a readable image ({error})") from None

    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="swin-calib-"))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("calib_*.npy"):
        old.unlink()
    for index, pixels in enumerate(arrays):
        np.save(out / f"calib_{index:05d}.npy", pixels[None])
    return out
