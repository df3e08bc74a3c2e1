// Patch embedding (stride == kernel, no padding: the evaluator's fast path)
// with Swin's square 4x4 patches and with non-square 2x4 patches, and a
// pointwise 1x1 convolution, against the op's defining formula written out
// in numpy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(1); \
// RUN:   np.save('%t/x.npy', r.standard_normal((2, 3, 8, 12)).astype(np.float32)); \
// RUN:   np.save('%t/w.npy', r.standard_normal((5, 3, 4, 4)).astype(np.float32)); \
// RUN:   np.save('%t/b.npy', r.standard_normal(5).astype(np.float32)); \
// RUN:   np.save('%t/w1.npy', r.standard_normal((4, 5, 1, 1)).astype(np.float32)); \
// RUN:   np.save('%t/wr.npy', r.standard_normal((6, 3, 2, 4)).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/w.npy --input %t/b.npy \
// RUN:   --input %t/w1.npy --input %t/wr.npy --output %t/y.npy --output %t/z.npy --output %t/r.npy
// RUN: python3 -c "import numpy as np; \
// RUN:   ld = lambda name: np.load('%t/' + name + '.npy').astype(np.float64); \
// RUN:   x, w, b, w1, wr = ld('x'), ld('w'), ld('b'), ld('w1'), ld('wr'); \
// RUN:   y = np.array([[[[b[f] + sum(x[n, c, 4 * oy + i, 4 * ox + j] * w[f, c, i, j] \
// RUN:     for c in range(3) for i in range(4) for j in range(4)) \
// RUN:     for ox in range(3)] for oy in range(2)] for f in range(5)] for n in range(2)]); \
// RUN:   z = np.einsum('nchw,gc->nghw', y, w1[:, :, 0, 0]); \
// RUN:   r = np.array([[[[sum(x[n, c, 2 * oy + i, 4 * ox + j] * wr[f, c, i, j] \
// RUN:     for c in range(3) for i in range(2) for j in range(4)) \
// RUN:     for ox in range(3)] for oy in range(4)] for f in range(6)] for n in range(2)]); \
// RUN:   np.save('%t/y_ref.npy', y); np.save('%t/z_ref.npy', z); np.save('%t/r_ref.npy', r)"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/y_ref.npy %t/z.npy %t/z_ref.npy \
// RUN:   %t/r.npy %t/r_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x3x8x12xf32>, %w: tensor<5x3x4x4xf32>, %b: tensor<5xf32>,
                %w1: tensor<4x5x1x1xf32>, %wr: tensor<6x3x2x4xf32>)
    -> (tensor<?x5x2x3xf32>, tensor<?x4x2x3xf32>, tensor<?x6x4x3xf32>)
    attributes {swin.max_batch = 4 : i64} {
  %y = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 4, 4>}
      : (tensor<?x3x8x12xf32>, tensor<5x3x4x4xf32>, tensor<5xf32>) -> tensor<?x5x2x3xf32>
  %z = swin.conv2d %y, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
      : (tensor<?x5x2x3xf32>, tensor<4x5x1x1xf32>) -> tensor<?x4x2x3xf32>
  %r = swin.conv2d %x, %wr {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 4>}
      : (tensor<?x3x8x12xf32>, tensor<6x3x2x4xf32>) -> tensor<?x6x4x3xf32>
  return %y, %z, %r : tensor<?x5x2x3xf32>, tensor<?x4x2x3xf32>, tensor<?x6x4x3xf32>
}
