// swin.linear (x * W^T + b) with weights from constants in the three
// DenseElementsAttr spellings (element list, hex blob, splat), on a rank-3
// input with a dynamic batch, with and without bias.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(3); \
// RUN:   np.save('%t/x.npy', r.standard_normal((3, 2, 4)).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/y.npy --output %t/z.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   w = np.array([[1.0, -2.0, 0.5, 3.0], [0.25, 0.0, -1.0, 2.0], [4.0, 1.5, -0.5, -3.0]]); \
// RUN:   b = np.array([0.5, -1.0, 2.0]); \
// RUN:   y = np.einsum('nmk,ok->nmo', x, w) + b; \
// RUN:   w2 = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]); \
// RUN:   z = np.einsum('nmk,ok->nmo', y, w2) + 0.75; \
// RUN:   np.save('%t/y_ref.npy', y); np.save('%t/z_ref.npy', z)"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/y_ref.npy %t/z.npy %t/z_ref.npy --rtol 1e-5 --atol 1e-5
//
// Without bias, and the result feeding a second linear (buffers released
// after their last use must not disturb later ops).
// RUN: swin-run --cpu-reference %s --input %t/x.npy 2>&1 | FileCheck %s
// CHECK: result 0: [3,2,3]
// CHECK: result 1: [3,2,2]

func.func @main(%x: tensor<?x2x4xf32>) -> (tensor<?x2x3xf32>, tensor<?x2x2xf32>) {
  %w = swin.constant dense<[[1.0, -2.0, 0.5, 3.0], [0.25, 0.0, -1.0, 2.0], [4.0, 1.5, -0.5, -3.0]]> : tensor<3x4xf32>
  // [0.5, -1.0, 2.0] as little-endian float32 bytes.
  %b = swin.constant dense<"0x0000003F000080BF00000040"> : tensor<3xf32>
  %y = swin.linear %x, %w, %b : (tensor<?x2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x2x3xf32>
  %w2 = swin.constant dense<[[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]> : tensor<2x3xf32>
  %b2 = swin.constant dense<0.75> : tensor<2xf32>
  %z = swin.linear %y, %w2, %b2 : (tensor<?x2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2x2xf32>
  return %y, %z : tensor<?x2x3xf32>, tensor<?x2x2xf32>
}
