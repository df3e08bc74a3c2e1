// Fused swin.norm_partition (LayerNorm, roll by (-1, -2), 2x3 windows)
// against NumPy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(9); f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('x', f(2, 4, 6, 3)), ('g', f(3)), ('b', f(3))]]"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/g.npy --input %t/b.npy --output %t/y.npy
// RUN: python3 -c "import numpy as np; x, g, b = [np.load('%t/' + n + '.npy').astype(np.float64) for n in 'xgb']; \
// RUN:   n = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * g + b; \
// RUN:   s = np.roll(n, (-1, -2), axis=(1, 2)); \
// RUN:   np.save('%t/ref.npy', s.reshape(2, 2, 2, 2, 3, 3).transpose(0, 1, 3, 2, 4, 5).reshape(-1, 6, 3).astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x4x6x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x6x3xf32> {
  %0 = swin.norm_partition %x, %g, %b {epsilon = 1.0e-5 : f32, shifts = array<i64: -1, -2>, window = array<i64: 2, 3>} : (tensor<?x4x6x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x6x3xf32>
  return %0 : tensor<?x6x3xf32>
}
