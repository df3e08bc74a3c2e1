"""swin_compiler: compile Swin Transformers to CUDA libraries and run them.

`Engine` loads a folder written by `swin-compile` (its libswinmodel.so,
through the C API in swinrt.h) and runs it on device tensors.
"""

from .runtime import Engine, ModelInfo, SwinRuntimeError

__all__ = ["Engine", "ModelInfo", "SwinRuntimeError"]
