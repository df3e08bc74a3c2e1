"""swin_compiler: compile Swin Transformers to CUDA libraries and run them.

    import swin_compiler as sc
    sc.export("swin_tiny_patch4_window7_224", "swin_t.onnx")
    sc.compile("swin_t.onnx", "swin_t_fp16", precision="fp16", max_batch=32)
    engine = sc.load("swin_t_fp16")
    logits = engine(images)          # a torch CUDA tensor, CuPy array, NumPy array, ...

Only NumPy is needed to import the package; `export` needs torch (and the
model's library), `calibration_set` needs Pillow, `load` needs a GPU.
docs/python.md is the user guide.
"""

from ._tools import ToolNotFoundError, find_tool
from .calibration import calibration_set
from .compiler import SwinCompileError, compile
from .export import export
from .runtime import Engine, ModelInfo, SwinRuntimeError, format_profile, load

__all__ = [
    "Engine",
    "ModelInfo",
    "SwinCompileError",
    "SwinRuntimeError",
    "ToolNotFoundError",
    "calibration_set",
    "compile",
    "export",
    "find_tool",
    "format_profile",
    "load",
]
