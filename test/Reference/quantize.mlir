// swin.quantize / swin.dequantize on the CPU reference against a NumPy
// model of the same arithmetic (Inputs/fake_quant.py): int8 per tensor and
// per channel, fp8 E4M3 with subnormals, ties and saturation. Exact.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; rng = np.random.default_rng(7); \
// RUN:   x = (rng.standard_normal((2, 4, 64)) * 3).astype(np.float32); \
// RUN:   x[0, 0, :8] = [0.5, 1.5, 2.5, -0.5, -2.5, 500.0, -1000.0, 0.0]; \
// RUN:   x[0, 1, :6] = [0.0009765625, 0.0029296875, 1.0625, 1.1875, 460.0, 0.001]; \
// RUN:   np.save('%t/x.npy', x)"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/int8.npy \
// RUN:   --output %t/int8_channels.npy --output %t/fp8.npy
// RUN: python3 -c "import sys, numpy as np; sys.path.insert(0, '%S/Inputs'); \
// RUN:   from fake_quant import quantize; x = np.load('%t/x.npy'); \
// RUN:   np.save('%t/int8_ref.npy', quantize(x, [1.0]) * 1.0); \
// RUN:   s = np.array([0.5, 0.25, 2.0, 1.0], np.float32); \
// RUN:   np.save('%t/int8_channels_ref.npy', quantize(x, s, axis=1) * s.reshape(1, 4, 1)); \
// RUN:   np.save('%t/fp8_ref.npy', quantize(x, [1.0], kind='fp8') * 1.0)"
// RUN: python3 %S/Inputs/allclose.py %t/int8.npy %t/int8_ref.npy \
// RUN:   %t/int8_channels.npy %t/int8_channels_ref.npy %t/fp8.npy %t/fp8_ref.npy \
// RUN:   --rtol 0 --atol 0
//
// The check can fail: round-half-away-from-zero gives other int8 values.
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); \
// RUN:   np.save('%t/away.npy', np.clip(np.sign(x) * np.floor(np.abs(x) + 0.5), -128, 127))"
// RUN: not python3 %S/Inputs/allclose.py %t/int8.npy %t/away.npy --rtol 0 --atol 0

func.func @main(%x: tensor<?x4x64xf32>) -> (tensor<?x4x64xf32>, tensor<?x4x64xf32>, tensor<?x4x64xf32>) {
  %q = swin.quantize %x {scales = array<f32: 1.0>} : (tensor<?x4x64xf32>) -> tensor<?x4x64xi8>
  %d = swin.dequantize %q {scales = array<f32: 1.0>} : (tensor<?x4x64xi8>) -> tensor<?x4x64xf32>
  %qc = swin.quantize %x {axis = 1 : i64, scales = array<f32: 0.5, 0.25, 2.0, 1.0>} : (tensor<?x4x64xf32>) -> tensor<?x4x64xi8>
  %dc = swin.dequantize %qc {axis = 1 : i64, scales = array<f32: 0.5, 0.25, 2.0, 1.0>} : (tensor<?x4x64xi8>) -> tensor<?x4x64xf32>
  %f = swin.quantize %x {scales = array<f32: 1.0>} : (tensor<?x4x64xf32>) -> tensor<?x4x64xf8E4M3FN>
  %fd = swin.dequantize %f {scales = array<f32: 1.0>} : (tensor<?x4x64xf8E4M3FN>) -> tensor<?x4x64xf32>
  return %d, %dc, %fd : tensor<?x4x64xf32>, tensor<?x4x64xf32>, tensor<?x4x64xf32>
}
