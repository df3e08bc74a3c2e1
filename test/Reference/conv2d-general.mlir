// The im2col convolution path: asymmetric padding, strides, dilations and
// groups (including depthwise), with and without bias. The reference is the
// op's defining formula, summed term by term in numpy.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(2); \
// RUN:   np.save('%t/x.npy', r.standard_normal((2, 4, 7, 9)).astype(np.float32)); \
// RUN:   np.save('%t/w.npy', r.standard_normal((6, 2, 3, 2)).astype(np.float32)); \
// RUN:   np.save('%t/b.npy', r.standard_normal(6).astype(np.float32)); \
// RUN:   np.save('%t/w3.npy', r.standard_normal((3, 4, 3, 3)).astype(np.float32)); \
// RUN:   np.save('%t/wd.npy', r.standard_normal((4, 1, 3, 3)).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/w.npy --input %t/b.npy \
// RUN:   --input %t/w3.npy --input %t/wd.npy --output %t/y.npy --output %t/y3.npy --output %t/yd.npy
// RUN: python3 -c "import numpy as np; \
// RUN:   conv = lambda x, w, b, s, p, d, g: np.array([[[[(b[f] if b is not None else 0.0) + sum( \
// RUN:     x[n, (f // (w.shape[0] // g)) * w.shape[1] + c, oy * s[0] + i * d[0] - p[0], ox * s[1] + j * d[1] - p[1]] * w[f, c, i, j] \
// RUN:     for c in range(w.shape[1]) for i in range(w.shape[2]) for j in range(w.shape[3]) \
// RUN:     if 0 <= oy * s[0] + i * d[0] - p[0] < x.shape[2] and 0 <= ox * s[1] + j * d[1] - p[1] < x.shape[3]) \
// RUN:     for ox in range((x.shape[3] + p[1] + p[3] - d[1] * (w.shape[3] - 1) - 1) // s[1] + 1)] \
// RUN:     for oy in range((x.shape[2] + p[0] + p[2] - d[0] * (w.shape[2] - 1) - 1) // s[0] + 1)] \
// RUN:     for f in range(w.shape[0])] for n in range(x.shape[0])]); \
// RUN:   ld = lambda name: np.load('%t/' + name + '.npy').astype(np.float64); \
// RUN:   x = ld('x'); \
// RUN:   np.save('%t/y_ref.npy', conv(x, ld('w'), ld('b'), (2, 1), (1, 2, 0, 1), (1, 2), 2)); \
// RUN:   np.save('%t/y3_ref.npy', conv(x, ld('w3'), None, (1, 1), (1, 1, 1, 1), (1, 1), 1)); \
// RUN:   np.save('%t/yd_ref.npy', conv(x, ld('wd'), None, (3, 2), (2, 0, 2, 3), (2, 1), 4))"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/y_ref.npy %t/y3.npy %t/y3_ref.npy \
// RUN:   %t/yd.npy %t/yd_ref.npy --rtol 1e-5 --atol 1e-5

func.func @main(%x: tensor<?x4x7x9xf32>, %w: tensor<6x2x3x2xf32>, %b: tensor<6xf32>,
                %w3: tensor<3x4x3x3xf32>, %wd: tensor<4x1x3x3xf32>)
    -> (tensor<?x6x3x10xf32>, tensor<?x3x7x9xf32>, tensor<?x4x3x5xf32>) {
  // padding = [top, left, bottom, right]: height (7+1+0-1*2-1)/2+1 = 3,
  // width (9+2+1-2*1-1)/1+1 = 10.
  %y = swin.conv2d %x, %w, %b {dilations = array<i64: 1, 2>, groups = 2 : i64, padding = array<i64: 1, 2, 0, 1>, strides = array<i64: 2, 1>}
      : (tensor<?x4x7x9xf32>, tensor<6x2x3x2xf32>, tensor<6xf32>) -> tensor<?x6x3x10xf32>
  %y3 = swin.conv2d %x, %w3 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
      : (tensor<?x4x7x9xf32>, tensor<3x4x3x3xf32>) -> tensor<?x3x7x9xf32>
  // Depthwise: height (7+2+2-2*2-1)/3+1 = 3, width (9+0+3-1*2-1)/2+1 = 5.
  %yd = swin.conv2d %x, %wd {dilations = array<i64: 2, 1>, groups = 4 : i64, padding = array<i64: 2, 0, 2, 3>, strides = array<i64: 3, 2>}
      : (tensor<?x4x7x9xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x3x5xf32>
  return %y, %y3, %yd : tensor<?x6x3x10xf32>, tensor<?x3x7x9xf32>, tensor<?x4x3x5xf32>
}
