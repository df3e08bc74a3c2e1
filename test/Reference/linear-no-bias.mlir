// swin.linear without bias on a rank-2 input and a rank-4 input (all leading
// dimensions fold into one GEMM).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(4); \
// RUN:   np.save('%t/a.npy', r.standard_normal((5, 6)).astype(np.float32)); \
// RUN:   np.save('%t/b.npy', r.standard_normal((2, 3, 4, 6)).astype(np.float32)); \
// RUN:   np.save('%t/w.npy', r.standard_normal((7, 6)).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/a.npy --input %t/b.npy --input %t/w.npy \
// RUN:   --output %t/ya.npy --output %t/yb.npy
// RUN: python3 -c "import numpy as np; ld = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); \
// RUN:   w = ld('w'); np.save('%t/ya_ref.npy', ld('a') @ w.T); np.save('%t/yb_ref.npy', ld('b') @ w.T)"
// RUN: python3 %S/Inputs/allclose.py %t/ya.npy %t/ya_ref.npy %t/yb.npy %t/yb_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%a: tensor<?x6xf32>, %b: tensor<?x3x4x6xf32>, %w: tensor<7x6xf32>)
    -> (tensor<?x7xf32>, tensor<?x3x4x7xf32>) {
  %ya = swin.linear %a, %w : (tensor<?x6xf32>, tensor<7x6xf32>) -> tensor<?x7xf32>
  %yb = swin.linear %b, %w : (tensor<?x3x4x6xf32>, tensor<7x6xf32>) -> tensor<?x3x4x7xf32>
  return %ya, %yb : tensor<?x7xf32>, tensor<?x3x4x7xf32>
}
