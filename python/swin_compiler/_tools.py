"""Where the swin-compiler command-line tools are."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# python/swin_compiler/_tools.py -> the checkout root, for a package used
# from the source tree (pip install -e, or PYTHONPATH=python).
_SOURCE_TREE_BIN = Path(__file__).resolve().parents[2] / "build" / "bin"


class ToolNotFoundError(FileNotFoundError):
    """swin-compile or swin-run is nowhere the package looks."""


def find_tool(name: str, bin_dir: str | os.PathLike | None = None) -> Path:
    """The path of tool `name` ("swin-compile", "swin-run").

    Looks in `bin_dir`, then $SWIN_BIN_DIR, then PATH, then the build folder
    of the source tree this package sits in.
    """
    candidates = []
    if bin_dir is not None:
        candidates.append(Path(bin_dir) / name)
    elif os.environ.get("SWIN_BIN_DIR"):
        candidates.append(Path(os.environ["SWIN_BIN_DIR"]) / name)
    else:
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
        candidates.append(_SOURCE_TREE_BIN / name)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    looked = ", ".join(str(p) for p in candidates) or "PATH"
    raise ToolNotFoundError(
        f"{name} not found (looked at {looked}): build swin-compiler (./setup.sh), then put "
        f"its build/bin on PATH or set SWIN_BIN_DIR")
