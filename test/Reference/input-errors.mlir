// Inputs that do not fit the model: wrong dimension, wrong rank, batch above
// swin.max_batch or below 1, and the wrong number of inputs or outputs. Also
// --print-time on a good run.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; z = lambda *s: np.zeros(s, np.float32); \
// RUN:   np.save('%t/good.npy', z(2, 3, 224, 224)); np.save('%t/h200.npy', z(1, 3, 200, 224)); \
// RUN:   np.save('%t/rank3.npy', z(3, 224, 224)); np.save('%t/batch3.npy', z(3, 3, 224, 224)); \
// RUN:   np.save('%t/batch0.npy', z(0, 3, 224, 224))"
//
// RUN: swin-run --cpu-reference %s --input %t/good.npy --output %t/ok.npy --print-time 2>&1 | FileCheck %s --check-prefix=TIME
// TIME: swin-run: evaluation took {{[0-9.]+}} ms
//
// RUN: not swin-run --cpu-reference %s --input %t/h200.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=DIM
// DIM: swin-run: error: {{.*}}h200.npy: input shape [1,3,200,224] does not match the model input [?,3,224,224] (dimension 2)
// RUN: not swin-run --cpu-reference %s --input %t/rank3.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RANK: swin-run: error: {{.*}}rank3.npy: input shape [3,224,224] does not match the model input [?,3,224,224] (rank 3, expected 4)
// RUN: not swin-run --cpu-reference %s --input %t/batch3.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=BATCH
// BATCH: swin-run: error: {{.*}}batch3.npy: batch 3 (dimension 0) exceeds the model's swin.max_batch 2
// RUN: not swin-run --cpu-reference %s --input %t/batch0.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: swin-run: error: {{.*}}batch0.npy: batch 0 (dimension 0 of shape [0,3,224,224]) must be at least 1
// RUN: not swin-run --cpu-reference %s --input %t/good.npy --input %t/good.npy --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=NINPUTS
// NINPUTS: swin-run: error: {{.*}}input-errors.mlir: function @main takes 1 input(s), but 2 --input file(s) were given
// RUN: not swin-run --cpu-reference %s --output %t/y.npy 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: swin-run: error: no --input given
// RUN: not swin-run --cpu-reference %s --input %t/good.npy --output %t/y.npy --output %t/y2.npy 2>&1 | FileCheck %s --check-prefix=NOUTPUTS
// NOUTPUTS: swin-run: error: {{.*}}input-errors.mlir: function @main returns 1 result(s), but 2 --output file(s) were given
// RUN: not test -e %t/y.npy

func.func @main(%x: tensor<?x3x224x224xf32>) -> tensor<?x3x224x224xf32> attributes {swin.max_batch = 2 : i64} {
  %y = swin.relu %x : tensor<?x3x224x224xf32>
  return %y : tensor<?x3x224x224xf32>
}
