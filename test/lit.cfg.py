# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SWIN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
# .textproto files are ONNX models in protobuf text format, for the importer.
config.suffixes = [".mlir", ".textproto", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.swin_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "fixtures", "python", "Inputs",
                   "corpus"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%fixtures", config.swin_fixtures_dir))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tools = ["swin-opt", "swin-compile", "swin-run", "swin-translate", "swin-unit-tests",
         "swin-import-fuzzer", "swin-weights-fuzzer"]
llvm_config.add_tool_substitutions(tools, [config.swin_tools_dir])

# nvcc (CUDA_HOME, PATH or /usr/local/cuda): the tests that build libraries.
import shutil

_cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
_nvcc = shutil.which("nvcc") or shutil.which("nvcc", path=os.path.join(_cuda_home, "bin"))
if _nvcc:
    config.available_features.add("nvcc")
    llvm_config.with_environment("PATH", os.path.dirname(_nvcc), append_path=True)

# CUTLASS (the one swin-compile was configured with): the tests that build
# int8 models' Hopper kernels from it.
if config.swin_cutlass_dir and os.path.exists(
    os.path.join(config.swin_cutlass_dir, "include", "cutlass", "cutlass.h")):
    config.available_features.add("cutlass")
