// swin.gelu, exact (erf) and tanh approximation, on values spanning the
// interesting range.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.linspace(-6, 6, 2 * 3 * 41).reshape(2, 3, 41).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/erf.npy --output %t/tanh.npy
// RUN: python3 -c "import numpy as np, math; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   np.save('%t/erf_ref.npy', 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))); \
// RUN:   np.save('%t/tanh_ref.npy', 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))))"
// RUN: python3 %S/Inputs/allclose.py %t/erf.npy %t/erf_ref.npy %t/tanh.npy %t/tanh_ref.npy \
// RUN:   --rtol 1e-5 --atol 1e-6
//
// The two forms really differ (by up to ~5e-4 here), so the check above
// tells them apart.
// RUN: not python3 %S/Inputs/allclose.py %t/erf.npy %t/tanh_ref.npy --rtol 1e-5 --atol 1e-6

func.func @main(%x: tensor<?x3x41xf32>) -> (tensor<?x3x41xf32>, tensor<?x3x41xf32>) {
  %e = swin.gelu %x : tensor<?x3x41xf32>
  %t = swin.gelu %x {approximation = #swin<gelu_approximation<tanh>>} : tensor<?x3x41xf32>
  return %e, %t : tensor<?x3x41xf32>, tensor<?x3x41xf32>
}
