"""Shared pytest fixtures: where the built tools and the committed ONNX fixtures are."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "test" / "fixtures"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "model.onnx").exists())


def swin_version(name: str) -> int:
    """1 or 2: which Swin the fixture is (meta.json; V1 fixtures predate the field)."""
    return json.loads((FIXTURES / name / "meta.json").read_text()).get("swin_version", 1)


def _bin_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("SWIN_BIN_DIR", REPO / "build" / "bin"))


@pytest.fixture(scope="session")
def tools() -> dict[str, pathlib.Path]:
    found = {}
    for name in ("swin-compile", "swin-run", "swin-opt"):
        path = _bin_dir() / name
        if not path.exists():
            pytest.fail(f"{path} not found: build first, or set SWIN_BIN_DIR")
        found[name] = path
    return found


def run_tool(*args: object, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a tool; on failure the assertion message carries its stderr."""
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def export_on_demand(out: pathlib.Path, *names: str) -> pathlib.Path:
    """Exports on-demand fixtures (python/export_fixtures.py --only) into
    `out`; skips the calling test, with the reason, when torch, timm or onnx
    is missing."""
    for module in ("torch", "timm", "onnx"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed; exporting {', '.join(names)} needs "
                        "torch, timm and onnx")
    subprocess.run([sys.executable, REPO / "python" / "export_fixtures.py", "--out", out,
                    "--only", *names], check=True, capture_output=True, timeout=900)
    return out
