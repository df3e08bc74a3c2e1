// swin.layer_norm over the last dimension and over the last two, with
// constant scale and bias, on inputs with a large common offset (which a
// one-pass E[x^2] - E[x]^2 variance would get badly wrong).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(8); \
// RUN:   np.save('%t/x.npy', (1000 + r.standard_normal((2, 3, 4))).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/y.npy --output %t/z.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   ln = lambda x, axes, eps: (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps); \
// RUN:   y = ln(x, (2,), 1e-5) * np.array([1.0, 2.0, -0.5, 0.25]) + np.array([0.0, 1.0, 2.0, -3.0]); \
// RUN:   z = ln(x, (1, 2), 1e-6) * np.arange(12).reshape(3, 4) * 0.1 + 0.5; \
// RUN:   np.save('%t/y_ref.npy', y); np.save('%t/z_ref.npy', z)"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/y_ref.npy %t/z.npy %t/z_ref.npy --rtol 1e-4 --atol 1e-4

func.func @main(%x: tensor<?x3x4xf32>) -> (tensor<?x3x4xf32>, tensor<?x3x4xf32>) {
  %g = swin.constant dense<[1.0, 2.0, -0.5, 0.25]> : tensor<4xf32>
  %b = swin.constant dense<[0.0, 1.0, 2.0, -3.0]> : tensor<4xf32>
  %y = swin.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32}
      : (tensor<?x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x3x4xf32>
  %g2 = swin.constant dense<[[0.0, 0.1, 0.2, 0.3], [0.4, 0.5, 0.6, 0.7], [0.8, 0.9, 1.0, 1.1]]> : tensor<3x4xf32>
  %b2 = swin.constant dense<0.5> : tensor<3x4xf32>
  %z = swin.layer_norm %x, %g2, %b2 {axis = 1 : i64, epsilon = 1.0e-6 : f32}
      : (tensor<?x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<?x3x4xf32>
  return %y, %z : tensor<?x3x4xf32>, tensor<?x3x4xf32>
}
