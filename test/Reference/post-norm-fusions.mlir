// Swin V2's forms of the fused block ops against NumPy: swin.norm_partition
// without a LayerNorm (roll by (-1, -2), 2x3 windows), and
// swin.attention_output / swin.residual_linear with a post-norm (the branch
// normalised over channels before the residual add).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(12); f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('a', f(8, 6, 5)), ('w', f(3, 5)), ('b', f(3)), ('x', f(2, 4, 6, 3)), \
// RUN:     ('h', f(2, 4, 6, 7)), ('v', f(3, 7)), ('g', f(3)), ('e', f(3))]]"
// RUN: swin-run --cpu-reference %s --input %t/a.npy --input %t/w.npy --input %t/b.npy --input %t/x.npy \
// RUN:   --input %t/h.npy --input %t/v.npy --input %t/g.npy --input %t/e.npy \
// RUN:   --output %t/s.npy --output %t/o.npy --output %t/m.npy
// RUN: python3 -c "import numpy as np; l = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); a, w, b, x, h, v, g, e = map(l, 'awbxhvge'); \
// RUN:   ln = lambda t: (t - t.mean(-1, keepdims=True)) / np.sqrt(t.var(-1, keepdims=True) + 1e-5) * g + e; \
// RUN:   s = np.roll(x, (-1, -2), axis=(1, 2)).reshape(2, 2, 2, 2, 3, 3).transpose(0, 1, 3, 2, 4, 5).reshape(-1, 6, 3); \
// RUN:   p = (a @ w.T + b).reshape(2, 2, 2, 2, 3, 3).transpose(0, 1, 3, 2, 4, 5).reshape(2, 4, 6, 3); \
// RUN:   np.save('%t/s_ref.npy', s.astype(np.float32)); \
// RUN:   np.save('%t/o_ref.npy', (x + ln(np.roll(p, (1, 2), axis=(1, 2)))).astype(np.float32)); \
// RUN:   np.save('%t/m_ref.npy', (x + ln(h @ v.T + b)).astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/s.npy %t/s_ref.npy %t/o.npy %t/o_ref.npy %t/m.npy %t/m_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%a: tensor<?x6x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>, %x: tensor<?x4x6x3xf32>,
                %h: tensor<?x4x6x7xf32>, %v: tensor<3x7xf32>, %g: tensor<3xf32>, %e: tensor<3xf32>)
    -> (tensor<?x6x3xf32>, tensor<?x4x6x3xf32>, tensor<?x4x6x3xf32>) {
  %s = swin.norm_partition %x {shifts = array<i64: -1, -2>, window = array<i64: 2, 3>} : (tensor<?x4x6x3xf32>) -> tensor<?x6x3xf32>
  %o = swin.attention_output %a, %w, %b, %x post_norm(%g, %e) {norm_epsilon = 1.0e-5 : f32, shifts = array<i64: 1, 2>, window = array<i64: 2, 3>} : (tensor<?x6x5xf32>, tensor<3x5xf32>, tensor<3xf32>, tensor<?x4x6x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4x6x3xf32>
  %m = swin.residual_linear %h, %v, %b, %x post_norm(%g, %e) {norm_epsilon = 1.0e-5 : f32} : (tensor<?x4x6x7xf32>, tensor<3x7xf32>, tensor<3xf32>, tensor<?x4x6x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4x6x3xf32>
  return %s, %o, %m : tensor<?x6x3xf32>, tensor<?x4x6x3xf32>, tensor<?x4x6x3xf32>
}
