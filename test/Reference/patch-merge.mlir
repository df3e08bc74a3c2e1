// swin.patch_merge against NumPy (torchvision's x0..x3 concatenation), exact.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; np.save('%t/x.npy', np.arange(2 * 4 * 6 * 3, dtype=np.float32).reshape(2, 4, 6, 3))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/y.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); \
// RUN:   np.save('%t/ref.npy', np.concatenate([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1))"
// RUN: python3 %S/Inputs/allclose.py %t/y.npy %t/ref.npy --rtol 0 --atol 0

func.func @main(%x: tensor<?x4x6x3xf32>) -> tensor<?x2x3x12xf32> {
  %0 = swin.patch_merge %x : (tensor<?x4x6x3xf32>) -> tensor<?x2x3x12xf32>
  return %0 : tensor<?x2x3x12xf32>
}
