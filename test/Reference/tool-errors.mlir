// Command-line and model errors of swin-run: one line each, exit code 1.
//
// RUN: rm -rf %t && mkdir -p %t/lib && split-file --leading-lines %s %t
// RUN: python3 -c "import numpy as np; np.save('%t/x.npy', np.zeros((2, 4), np.float32))"
//
// A folder is a compiled library; running one needs the GPU runtime.
// RUN: not swin-run %t/lib --input %t/x.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=LIBRARY
// LIBRARY: swin-run: error: {{.*}}lib: no libswinmodel.so (compile with swin-compile --emit=lib)
// RUN: not swin-run --cpu-reference %t/lib --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=LIBRARY-CPU
// LIBRARY-CPU: swin-run: error: {{.*}}lib: --cpu-reference runs a .mlir or ONNX model, not a compiled library folder
// RUN: not swin-run %t/good.mlir --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=NOFLAG
// NOFLAG: swin-run: error: {{.*}}good.mlir: not a compiled library folder; pass --cpu-reference to run a .mlir or ONNX model on the CPU
// RUN: not swin-run --cpu-reference %t/missing.mlir --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: swin-run: error: {{.*}}missing.mlir: no such file or directory
// RUN: not swin-run --cpu-reference 2>&1 | FileCheck %s --check-prefix=NOMODEL
// NOMODEL: swin-run: error: no model given
//
// Parse and verifier errors: MLIR's diagnostic, on one line.
// RUN: not swin-run --cpu-reference %t/unknown-op.mlir --input %t/x.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not swin-run --cpu-reference %t/verify.mlir --input %t/x.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=VERIFY
//
// Which function runs: @main, else the only one.
// RUN: swin-run --cpu-reference %t/single.mlir --input %t/x.npy | FileCheck %s --check-prefix=SINGLE
// SINGLE: result 0: [2,4]
// RUN: not swin-run --cpu-reference %t/two.mlir --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=TWO
// TWO: swin-run: error: {{.*}}two.mlir: no function @main (and not exactly one function to run instead)
//
// Element types other than f32 are rejected with a clear message.
// RUN: not swin-run --cpu-reference %t/f16.mlir --input %t/x.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=F16
// F16: swin-run: error: {{.*}}f16.mlir: function @main argument 0: the CPU reference supports f32 tensors only, got tensor<?x4xf16>
//
// RUN: not test -e %t/y.npy

//--- good.mlir
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

//--- unknown-op.mlir
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // PARSE: swin-run: error: {{.*}}unknown-op.mlir:[[@LINE+1]]:8: custom op 'swin.frobnicate' is unknown
  %y = swin.frobnicate %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

//--- verify.mlir
func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // VERIFY: swin-run: error: {{.*}}verify.mlir:[[@LINE+1]]:8: 'swin.softmax' op axis 2 out of range for rank 2
  %y = swin.softmax %x {axis = 2 : i64} : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

//--- single.mlir
func.func @forward(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = swin.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

//--- two.mlir
func.func @a(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
func.func @b(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

//--- f16.mlir
func.func @main(%x: tensor<?x4xf16>) -> tensor<?x4xf16> {
  %y = swin.relu %x : tensor<?x4xf16>
  return %y : tensor<?x4xf16>
}
