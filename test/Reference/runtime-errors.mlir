// Shape errors that only show at run time, when the dynamic dimensions get
// their sizes: each names the op and its location, and no output is written.
// (Each check line sits just above the op it names; split-file keeps the
// line numbers.)
//
// RUN: rm -rf %t && mkdir -p %t && split-file --leading-lines %s %t
// RUN: python3 -c "import numpy as np; z = lambda *s: np.zeros(s, np.float32); \
// RUN:   np.save('%t/a1.npy', z(1, 4)); np.save('%t/a2.npy', z(2, 4)); np.save('%t/a3.npy', z(3, 4)); \
// RUN:   np.save('%t/b2.npy', z(2, 5))"
//
// RUN: not swin-run --cpu-reference %t/add.mlir --input %t/a2.npy --input %t/a3.npy --output %t/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ADD
// RUN: not swin-run --cpu-reference %t/reshape.mlir --input %t/b2.npy --output %t/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=RESHAPE
// RUN: not swin-run --cpu-reference %t/concat.mlir --input %t/a2.npy --input %t/a3.npy --output %t/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CONCAT
//
// A dynamic dimension that meets a static one: fine for batch 1, an error
// for batch 2.
// RUN: swin-run --cpu-reference %t/static.mlir --input %t/a1.npy | FileCheck %s --check-prefix=STATIC-OK
// STATIC-OK: result 0: [3,4]
// RUN: not swin-run --cpu-reference %t/static.mlir --input %t/a2.npy --output %t/y.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=STATIC
//
// RUN: not test -e %t/y.npy

//--- add.mlir
func.func @main(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // ADD: swin-run: error: {{.*}}add.mlir: 'swin.add' at {{.*}}add.mlir:[[@LINE+1]]:8: operand shapes [2,4] and [3,4] do not broadcast (dimension 0 of the broadcast result: 2 vs 3)
  %y = swin.add %a, %b : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

//--- reshape.mlir
func.func @main(%a: tensor<?x5xf32>) -> tensor<?x3xf32> {
  // RESHAPE: swin-run: error: {{.*}}reshape.mlir: 'swin.reshape' at {{.*}}reshape.mlir:[[@LINE+1]]:8: input [2,5] has 10 elements, not divisible by the 3 of result [?,3]
  %y = swin.reshape %a : tensor<?x5xf32> -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

//--- concat.mlir
func.func @main(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x8xf32> {
  // CONCAT: swin-run: error: {{.*}}concat.mlir: 'swin.concat' at {{.*}}concat.mlir:[[@LINE+1]]:8: input 1 [3,4] does not match input 0 [2,4] outside axis 1
  %y = swin.concat %a, %b {axis = 1 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

//--- static.mlir
func.func @main(%a: tensor<?x4xf32>) -> tensor<3x4xf32> {
  %b = swin.constant dense<2.0> : tensor<3x4xf32>
  // STATIC: swin-run: error: {{.*}}static.mlir: 'swin.mul' at {{.*}}static.mlir:[[@LINE+1]]:8: operand shapes [2,4] and [3,4] do not broadcast (dimension 0 of the broadcast result: 2 vs 3)
  %y = swin.mul %a, %b : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}
