// swin.linear's GELU epilogues (exact and tanh) against NumPy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(3); \
// RUN:   np.save('%t/x.npy', r.standard_normal((2, 5, 4)).astype(np.float32)); \
// RUN:   np.save('%t/w.npy', r.standard_normal((6, 4)).astype(np.float32)); \
// RUN:   np.save('%t/b.npy', r.standard_normal(6).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/w.npy --input %t/b.npy \
// RUN:   --output %t/e.npy --output %t/t.npy
// RUN: python3 -c "import numpy as np, math; x, w, b = [np.load('%t/' + n + '.npy').astype(np.float64) for n in 'xwb']; \
// RUN:   y = x @ w.T + b; erf = np.vectorize(math.erf); \
// RUN:   np.save('%t/e_ref.npy', (0.5 * y * (1 + erf(y / math.sqrt(2)))).astype(np.float32)); \
// RUN:   np.save('%t/t_ref.npy', (0.5 * y * (1 + np.tanh(math.sqrt(2 / math.pi) * (y + 0.044715 * y ** 3)))).astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/e.npy %t/e_ref.npy %t/t.npy %t/t_ref.npy --rtol 1e-5 --atol 1e-6

func.func @main(%x: tensor<?x5x4xf32>, %w: tensor<6x4xf32>, %b: tensor<6xf32>) -> (tensor<?x5x6xf32>, tensor<?x5x6xf32>) {
  %e = swin.linear %x, %w, %b {activation = #swin.activation<gelu>} : (tensor<?x5x4xf32>, tensor<6x4xf32>, tensor<6xf32>) -> tensor<?x5x6xf32>
  %t = swin.linear %x, %w, %b {activation = #swin.activation<gelu_tanh>} : (tensor<?x5x4xf32>, tensor<6x4xf32>, tensor<6xf32>) -> tensor<?x5x6xf32>
  return %e, %t : tensor<?x5x6xf32>, tensor<?x5x6xf32>
}
