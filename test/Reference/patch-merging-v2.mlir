// Fused swin.patch_merging with norm_after_reduction (Swin V2's
// PatchMergingV2: gather, reduction, then LayerNorm over the reduced
// channels) against NumPy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(9); f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('x', f(2, 4, 6, 3)), ('g', f(5)), ('b', f(5)), ('w', f(5, 12))]]"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/g.npy --input %t/b.npy --input %t/w.npy --output %t/y.npy
// RUN: python3 -c "import numpy as np; x, g, b, w = [np.load('%t/' + n + '.npy').astype(np.float64) for n in 'xgbw']; \
// RUN:   m = np.concatenate([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1) @ w.T; \
// RUN:   n = (m - m.mean(-1, keepdims=True)) / np.sqrt(m.var(-1, keepdims=True) + 1e-5) * g + b; \
// RUN:   np.save('%t/ref.npy', n.astype(np.float32))"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x4x6x3xf32>, %g: tensor<5xf32>, %b: tensor<5xf32>, %w: tensor<5x12xf32>) -> tensor<?x2x3x5xf32> {
  %0 = swin.patch_merging %x, %g, %b, %w {epsilon = 1.0e-5 : f32, norm_after_reduction} : (tensor<?x4x6x3xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5x12xf32>) -> tensor<?x2x3x5xf32>
  return %0 : tensor<?x2x3x5xf32>
}
