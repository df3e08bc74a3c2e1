// swin.transpose: Swin's window partition (contiguous inner runs), the
// qkv split permutation, and a swap of the two innermost dimensions
// (strided inner loop), all exact.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.arange(2 * 4 * 6 * 5, dtype=np.float32).reshape(2, 4, 6, 5)); \
// RUN:   np.save('%t/q.npy', np.arange(2 * 4 * 3 * 2 * 5, dtype=np.float32).reshape(2, 4, 3, 2, 5))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --input %t/q.npy --output %t/w.npy \
// RUN:   --output %t/s.npy --output %t/k.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); q = np.load('%t/q.npy'); \
// RUN:   np.save('%t/w_ref.npy', x.reshape(2, 2, 2, 3, 2, 5).transpose(0, 1, 3, 2, 4, 5).reshape(-1, 4, 5)); \
// RUN:   np.save('%t/s_ref.npy', q.transpose(2, 0, 3, 1, 4)); np.save('%t/k_ref.npy', x.transpose(0, 1, 3, 2))"
// RUN: python3 %S/Inputs/allclose.py %t/w.npy %t/w_ref.npy %t/s.npy %t/s_ref.npy \
// RUN:   %t/k.npy %t/k_ref.npy --rtol 0 --atol 0

func.func @main(%x: tensor<?x4x6x5xf32>, %q: tensor<?x4x3x2x5xf32>)
    -> (tensor<?x4x5xf32>, tensor<3x?x2x4x5xf32>, tensor<?x4x5x6xf32>) {
  // 2x2 windows of a 4x6 map with 5 channels.
  %0 = swin.reshape %x : tensor<?x4x6x5xf32> -> tensor<?x2x2x3x2x5xf32>
  %1 = swin.transpose %0 {perm = array<i64: 0, 1, 3, 2, 4, 5>} : (tensor<?x2x2x3x2x5xf32>) -> tensor<?x2x3x2x2x5xf32>
  %w = swin.reshape %1 : tensor<?x2x3x2x2x5xf32> -> tensor<?x4x5xf32>
  %s = swin.transpose %q {perm = array<i64: 2, 0, 3, 1, 4>} : (tensor<?x4x3x2x5xf32>) -> tensor<3x?x2x4x5xf32>
  %k = swin.transpose %x {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x4x6x5xf32>) -> tensor<?x4x5x6xf32>
  return %w, %s, %k : tensor<?x4x5xf32>, tensor<3x?x2x4x5xf32>, tensor<?x4x5x6xf32>
}
