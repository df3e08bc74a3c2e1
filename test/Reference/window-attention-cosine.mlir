// swin.window_attention with logit_scales (Swin V2's cosine attention)
// against NumPy: q and k rows L2-normalised per head, head h's scores times
// logit_scales[h], then position bias, mask and softmax as usual. Head 0's
// scale of 100 is Swin V2's clamp, where a missing normalisation shows most.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(11); \
// RUN:   f = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   [np.save('%t/' + n + '.npy', a) for n, a in [('x', f(4, 3, 4)), ('w', f(12, 4)), \
// RUN:     ('b', f(12)), ('p', f(2, 3, 3)), ('m', np.where(f(2, 3, 3) > 0, 0, -100).astype(np.float32))]]"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/w.npy --input %t/b.npy \
// RUN:   --input %t/p.npy --input %t/m.npy --output %t/y.npy
// RUN: python3 -c "import numpy as np; l = lambda n: np.load('%t/' + n + '.npy'); \
// RUN:   x, w, b, p, m = map(l, 'xwbpm'); qkv = (x @ w.T + b).reshape(4, 3, 3, 2, 2).transpose(2, 0, 3, 1, 4); \
// RUN:   n = lambda t: t / np.maximum(np.linalg.norm(t, axis=-1, keepdims=True), 1e-12); \
// RUN:   q, k, v = n(qkv[0]), n(qkv[1]), qkv[2]; scales = np.array([100.0, 3.5], np.float32)[:, None, None]; \
// RUN:   s = scales * (q @ k.transpose(0, 1, 3, 2)) + p + m[[0, 1, 0, 1]][:, None]; \
// RUN:   e = np.exp(s - s.max(-1, keepdims=True)); a = e / e.sum(-1, keepdims=True); \
// RUN:   np.save('%t/ref.npy', (a @ v).transpose(0, 2, 1, 3).reshape(4, 3, 4))"
// atol 1e-5: a scale of 100 turns fp32 rounding of the unit dot products (1e-7) into 1e-5.
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x3x4xf32>, %w: tensor<12x4xf32>, %b: tensor<12xf32>,
                %p: tensor<2x3x3xf32>, %m: tensor<2x3x3xf32>) -> tensor<?x3x4xf32> {
  %0 = swin.window_attention %x, %w, %b, %p, %m {num_heads = 2 : i64, scale = 1.0 : f32, logit_scales = array<f32: 100.0, 3.5>}
     : (tensor<?x3x4xf32>, tensor<12x4xf32>, tensor<12xf32>, tensor<2x3x3xf32>, tensor<2x3x3xf32>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}
