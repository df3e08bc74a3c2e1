// swin.window_partition, swin.window_reverse and swin.roll against NumPy
// (the timm formulas: view/permute/view, and torch.roll), all exact. Non-square
// windows on a non-square map catch swapped axes.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.arange(2 * 4 * 6 * 5, dtype=np.float32).reshape(2, 4, 6, 5))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/w.npy --output %t/r.npy \
// RUN:   --output %t/s.npy --output %t/u.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); \
// RUN:   w = x.reshape(2, 2, 2, 2, 3, 5).transpose(0, 1, 3, 2, 4, 5).reshape(-1, 6, 5); \
// RUN:   np.save('%t/w_ref.npy', w); np.save('%t/r_ref.npy', x); \
// RUN:   np.save('%t/s_ref.npy', np.roll(x, (-1, -2), axis=(1, 2))); np.save('%t/u_ref.npy', x)"
// RUN: python3 %S/Inputs/allclose.py %t/w.npy %t/w_ref.npy %t/r.npy %t/r_ref.npy \
// RUN:   %t/s.npy %t/s_ref.npy %t/u.npy %t/u_ref.npy --rtol 0 --atol 0

func.func @main(%x: tensor<?x4x6x5xf32>)
    -> (tensor<?x6x5xf32>, tensor<?x4x6x5xf32>, tensor<?x4x6x5xf32>, tensor<?x4x6x5xf32>) {
  // 2x3 windows: 2 x 2 per image.
  %w = swin.window_partition %x {window = array<i64: 2, 3>} : (tensor<?x4x6x5xf32>) -> tensor<?x6x5xf32>
  %r = swin.window_reverse %w {window = array<i64: 2, 3>} : (tensor<?x6x5xf32>) -> tensor<?x4x6x5xf32>
  %s = swin.roll %x {shifts = array<i64: 0, -1, -2, 0>} : tensor<?x4x6x5xf32>
  // Rolling back by +1, +2 (and a full turn of 6) restores the input.
  %u = swin.roll %s {shifts = array<i64: 0, 1, 8, 0>} : tensor<?x4x6x5xf32>
  return %w, %r, %s, %u : tensor<?x6x5xf32>, tensor<?x4x6x5xf32>, tensor<?x4x6x5xf32>, tensor<?x4x6x5xf32>
}
