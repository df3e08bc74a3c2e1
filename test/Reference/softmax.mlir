// swin.softmax along the last axis (contiguous rows) and along a middle axis
// (strided), with logits around 1000 that overflow exp() unless the maximum
// is subtracted first.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(9); \
// RUN:   np.save('%t/x.npy', (1000 + 4 * r.standard_normal((2, 3, 5, 7))).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/last.npy --output %t/mid.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   sm = lambda x, a: np.exp(x - x.max(a, keepdims=True)) / np.exp(x - x.max(a, keepdims=True)).sum(a, keepdims=True); \
// RUN:   np.save('%t/last_ref.npy', sm(x, 3)); np.save('%t/mid_ref.npy', sm(x, 1))"
// RUN: python3 %S/Inputs/allclose.py %t/last.npy %t/last_ref.npy %t/mid.npy %t/mid_ref.npy \
// RUN:   --rtol 1e-5 --atol 1e-6

func.func @main(%x: tensor<?x3x5x7xf32>) -> (tensor<?x3x5x7xf32>, tensor<?x3x5x7xf32>) {
  %a = swin.softmax %x {axis = 3 : i64} : tensor<?x3x5x7xf32>
  %b = swin.softmax %x {axis = 1 : i64} : tensor<?x3x5x7xf32>
  return %a, %b : tensor<?x3x5x7xf32>, tensor<?x3x5x7xf32>
}
