// Fused swin.attention_output (projection, window reverse, roll by (1, 2),
// residual) and swin.residual_linear against NumPy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(11); f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('a', f(8, 6, 5)), ('w', f(3, 5)), ('b', f(3)), ('x', f(2, 4, 6, 3)), \
// RUN:     ('h', f(2, 4, 6, 7)), ('v', f(3, 7))]]"
// RUN: swin-run --cpu-reference %s --input %t/a.npy --input %t/w.npy --input %t/b.npy --input %t/x.npy \
// RUN:   --input %t/h.npy --input %t/v.npy --output %t/o.npy --output %t/m.npy
// RUN: python3 -c "import numpy as np; l = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); a, w, b, x, h, v = map(l, 'awbxhv'); \
// RUN:   p = (a @ w.T + b).reshape(2, 2, 2, 2, 3, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 4, 6, 3); \
// RUN:   np.save('%t/o_ref.npy', (x + np.roll(p, (1, 2), axis=(1, 2))).astype(np.float32)); \
// RUN:   np.save('%t/m_ref.npy', (x + h @ v.T + b).astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/o.npy %t/o_ref.npy %t/m.npy %t/m_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%a: tensor<?x6x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>, %x: tensor<?x4x6x3xf32>,
                %h: tensor<?x4x6x7xf32>, %v: tensor<3x7xf32>) -> (tensor<?x4x6x3xf32>, tensor<?x4x6x3xf32>) {
  %o = swin.attention_output %a, %w, %b, %x {shifts = array<i64: 1, 2>, window = array<i64: 2, 3>} : (tensor<?x6x5xf32>, tensor<3x5xf32>, tensor<3xf32>, tensor<?x4x6x3xf32>) -> tensor<?x4x6x3xf32>
  %m = swin.residual_linear %h, %v, %b, %x : (tensor<?x4x6x7xf32>, tensor<3x7xf32>, tensor<3xf32>, tensor<?x4x6x3xf32>) -> tensor<?x4x6x3xf32>
  return %o, %m : tensor<?x4x6x3xf32>, tensor<?x4x6x3xf32>
}
