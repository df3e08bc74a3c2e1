// reduce_mean / reduce_sum / reduce_max / reduce_l2 over one axis, over
// non-adjacent axes, with and without keep_dims, and global_avg_pool.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(11); \
// RUN:   np.save('%t/x.npy', r.standard_normal((2, 3, 4, 5)).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/mean.npy --output %t/sum.npy \
// RUN:   --output %t/max.npy --output %t/l2.npy --output %t/inner.npy --output %t/gap.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   sv = lambda n, v: np.save('%t/' + n + '_ref.npy', v); \
// RUN:   sv('mean', x.mean(axis=(1, 3))); sv('sum', x.sum(axis=(1, 2), keepdims=True)); \
// RUN:   sv('max', x.max(axis=(1, 3), keepdims=True)); sv('l2', np.sqrt((x * x).sum(axis=2))); \
// RUN:   sv('inner', x.max(axis=3)); sv('gap', x.mean(axis=(2, 3), keepdims=True))"
// RUN: python3 %S/Inputs/allclose.py --rtol 1e-5 --atol 1e-6 %t/mean.npy %t/mean_ref.npy \
// RUN:   %t/sum.npy %t/sum_ref.npy %t/max.npy %t/max_ref.npy %t/l2.npy %t/l2_ref.npy \
// RUN:   %t/inner.npy %t/inner_ref.npy %t/gap.npy %t/gap_ref.npy

!X = tensor<?x3x4x5xf32>
func.func @main(%x: !X) -> (tensor<?x4xf32>, tensor<?x1x1x5xf32>, tensor<?x1x4x1xf32>, tensor<?x3x5xf32>, tensor<?x3x4xf32>, tensor<?x3x1x1xf32>) {
  %mean = swin.reduce_mean %x {axes = array<i64: 1, 3>} : (!X) -> tensor<?x4xf32>
  %sum = swin.reduce_sum %x {axes = array<i64: 1, 2>, keep_dims = true} : (!X) -> tensor<?x1x1x5xf32>
  %max = swin.reduce_max %x {axes = array<i64: 1, 3>, keep_dims = true} : (!X) -> tensor<?x1x4x1xf32>
  %l2 = swin.reduce_l2 %x {axes = array<i64: 2>} : (!X) -> tensor<?x3x5xf32>
  %inner = swin.reduce_max %x {axes = array<i64: 3>} : (!X) -> tensor<?x3x4xf32>
  %gap = swin.global_avg_pool %x : (!X) -> tensor<?x3x1x1xf32>
  return %mean, %sum, %max, %l2, %inner, %gap : tensor<?x4xf32>, tensor<?x1x1x5xf32>, tensor<?x1x4x1xf32>, tensor<?x3x5xf32>, tensor<?x3x4xf32>, tensor<?x3x1x1xf32>
}
