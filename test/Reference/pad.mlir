// swin.pad with asymmetric low/high padding and a non-zero fill value, and
// padding of a rank-1 tensor; the dynamic dimension is left unpadded.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(10); \
// RUN:   np.save('%t/x.npy', r.standard_normal((2, 3, 5, 4)).astype(np.float32)); \
// RUN:   np.save('%t/v.npy', np.arange(3, dtype=np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/v.npy --output %t/y.npy --output %t/w.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); v = np.load('%t/v.npy'); \
// RUN:   np.save('%t/y_ref.npy', np.pad(x, ((0, 0), (1, 0), (0, 2), (3, 1)), constant_values=-2.5)); \
// RUN:   np.save('%t/w_ref.npy', np.pad(v, (2, 1)))"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/y_ref.npy %t/w.npy %t/w_ref.npy --rtol 0 --atol 0

func.func @main(%x: tensor<?x3x5x4xf32>, %v: tensor<3xf32>) -> (tensor<?x4x7x8xf32>, tensor<6xf32>) {
  %y = swin.pad %x {low = array<i64: 0, 1, 0, 3>, high = array<i64: 0, 0, 2, 1>, value = -2.5 : f32} : (tensor<?x3x5x4xf32>) -> tensor<?x4x7x8xf32>
  %w = swin.pad %v {low = array<i64: 2>, high = array<i64: 1>, value = 0.0 : f32} : (tensor<3xf32>) -> tensor<6xf32>
  return %y, %w : tensor<?x4x7x8xf32>, tensor<6xf32>
}
