// Fused swin.patch_embed and swin.classifier_head against NumPy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(13); f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('x', f(2, 3, 8, 12)), ('w', f(5, 3, 4, 4)), ('b', f(5)), ('g', f(5)), ('s', f(5)), \
// RUN:     ('hw', f(7, 5)), ('hb', f(7))]]"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/w.npy --input %t/b.npy --input %t/g.npy \
// RUN:   --input %t/s.npy --input %t/hw.npy --input %t/hb.npy --output %t/e.npy --output %t/y.npy
// RUN: python3 -c "import numpy as np; l = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); \
// RUN:   x, w, b, g, s, hw, hb = map(l, ['x', 'w', 'b', 'g', 's', 'hw', 'hb']); \
// RUN:   p = x.reshape(2, 3, 2, 4, 3, 4).transpose(0, 2, 4, 1, 3, 5).reshape(2, 2, 3, 48); \
// RUN:   c = p @ w.reshape(5, 48).T + b; ln = lambda v: (v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + 1e-5) * g + s; \
// RUN:   e = ln(c); np.save('%t/e_ref.npy', e.astype(np.float32)); \
// RUN:   np.save('%t/y_ref.npy', (ln(e).mean((1, 2)) @ hw.T + hb).astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/e.npy %t/e_ref.npy %t/y.npy %t/y_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x3x8x12xf32>, %w: tensor<5x3x4x4xf32>, %b: tensor<5xf32>, %g: tensor<5xf32>, %s: tensor<5xf32>,
                %hw: tensor<7x5xf32>, %hb: tensor<7xf32>) -> (tensor<?x2x3x5xf32>, tensor<?x7xf32>) {
  %e = swin.patch_embed %x, %w, %b, %g, %s {epsilon = 1.0e-5 : f32} : (tensor<?x3x8x12xf32>, tensor<5x3x4x4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<?x2x3x5xf32>
  %y = swin.classifier_head %e, %g, %s, %hw, %hb {epsilon = 1.0e-5 : f32} : (tensor<?x2x3x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<7x5xf32>, tensor<7xf32>) -> tensor<?x7xf32>
  return %e, %y : tensor<?x2x3x5xf32>, tensor<?x7xf32>
}
