"""python/photo_sets.py: the real-image calibration and evaluation sets of
docs/quantization.md are deterministic, disjoint and the right size."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))


def test_sets_are_deterministic_and_disjoint(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    import photo_sets

    assert not set(photo_sets.CALIB) & set(photo_sets.EVAL)
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    # Stand-ins for the scikit-image photos: each a different flat colour
    # plus noise, so a set's inputs tell which photo they came from.
    for index, name in enumerate(photo_sets.CALIB + photo_sets.EVAL):
        pixels = np.full((40 + index, 60, 3), 10 * index, np.uint8)
        pixels += rng.integers(0, 5, pixels.shape, dtype=np.uint8)
        Image.fromarray(pixels).save(photos / f"{name}.png")

    def build(out):
        subprocess.run([sys.executable, str(REPO / "python" / "photo_sets.py"), "sets",
                        str(photos), str(out)], check=True, timeout=300)
        return {name: [np.load(f) for f in sorted((out / name).glob("*.npy"))]
                for name in ("calib", "eval")}

    first, second = build(tmp_path / "a"), build(tmp_path / "b")
    assert len(first["calib"]) == 32 and len(first["eval"]) == 256
    assert all(x.shape == (1, 3, 224, 224) and x.dtype == np.float32 for x in first["eval"])
    for name in first:
        assert all(np.array_equal(x, y) for x, y in zip(first[name], second[name]))
    # Augmented inputs differ from each other.
    assert not np.array_equal(first["eval"][10], first["eval"][20])


def test_missing_photos_are_named(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "python" / "photo_sets.py"), "sets",
                             str(tmp_path), str(tmp_path / "out")], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "missing astronaut" in result.stderr and not (tmp_path / "out").exists()
