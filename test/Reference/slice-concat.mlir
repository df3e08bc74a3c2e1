// swin.slice with offsets and steps (Swin's patch-merging quadrants), with
// the dynamic dimension taken whole, and the cyclic shift of shifted-window
// attention written as slice + concat along each spatial axis; plus concat
// of three inputs and concat along the dynamic dimension.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.arange(2 * 6 * 8 * 3, dtype=np.float32).reshape(2, 6, 8, 3))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/merge.npy --output %t/odd.npy \
// RUN:   --output %t/roll.npy --output %t/three.npy --output %t/batch.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); \
// RUN:   q = [x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]]; \
// RUN:   np.save('%t/merge_ref.npy', np.concatenate(q, 3)); \
// RUN:   np.save('%t/odd_ref.npy', x[:, 1:6:3, 2:8:5, 1:3]); \
// RUN:   np.save('%t/roll_ref.npy', np.roll(x, (-2, -3), axis=(1, 2))); \
// RUN:   np.save('%t/three_ref.npy', np.concatenate([x[:, :, :, 2:3], x, x[:, :, :, 0:1]], 3)); \
// RUN:   np.save('%t/batch_ref.npy', np.concatenate([x, x[:, :, :, ::-1]], 0))"
// RUN: python3 %S/Inputs/allclose.py --rtol 0 --atol 0 %t/merge.npy %t/merge_ref.npy \
// RUN:   %t/odd.npy %t/odd_ref.npy %t/roll.npy %t/roll_ref.npy %t/three.npy %t/three_ref.npy \
// RUN:   %t/batch.npy %t/batch_ref.npy

!X = tensor<?x6x8x3xf32>
func.func @main(%x: !X) -> (tensor<?x3x4x12xf32>, tensor<?x2x2x2xf32>, !X, tensor<?x6x8x5xf32>, tensor<?x6x8x3xf32>) {
  %q0 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 3, 4, 3>, strides = array<i64: 1, 2, 2, 1>} : (!X) -> tensor<?x3x4x3xf32>
  %q1 = swin.slice %x {offsets = array<i64: 0, 1, 0, 0>, sizes = array<i64: -9223372036854775808, 3, 4, 3>, strides = array<i64: 1, 2, 2, 1>} : (!X) -> tensor<?x3x4x3xf32>
  %q2 = swin.slice %x {offsets = array<i64: 0, 0, 1, 0>, sizes = array<i64: -9223372036854775808, 3, 4, 3>, strides = array<i64: 1, 2, 2, 1>} : (!X) -> tensor<?x3x4x3xf32>
  %q3 = swin.slice %x {offsets = array<i64: 0, 1, 1, 0>, sizes = array<i64: -9223372036854775808, 3, 4, 3>, strides = array<i64: 1, 2, 2, 1>} : (!X) -> tensor<?x3x4x3xf32>
  %merge = swin.concat %q0, %q1, %q2, %q3 {axis = 3 : i64} : (tensor<?x3x4x3xf32>, tensor<?x3x4x3xf32>, tensor<?x3x4x3xf32>, tensor<?x3x4x3xf32>) -> tensor<?x3x4x12xf32>
  // Steps 3 and 5, last index exactly at the end of the dimension.
  %odd = swin.slice %x {offsets = array<i64: 0, 1, 2, 1>, sizes = array<i64: -9223372036854775808, 2, 2, 2>, strides = array<i64: 1, 3, 5, 1>} : (!X) -> tensor<?x2x2x2xf32>
  // roll by (-2, -3) over (H, W).
  %h0 = swin.slice %x {offsets = array<i64: 0, 2, 0, 0>, sizes = array<i64: -9223372036854775808, 4, 8, 3>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x4x8x3xf32>
  %h1 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 2, 8, 3>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x2x8x3xf32>
  %h = swin.concat %h0, %h1 {axis = 1 : i64} : (tensor<?x4x8x3xf32>, tensor<?x2x8x3xf32>) -> !X
  %w0 = swin.slice %h {offsets = array<i64: 0, 0, 3, 0>, sizes = array<i64: -9223372036854775808, 6, 5, 3>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x6x5x3xf32>
  %w1 = swin.slice %h {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 6, 3, 3>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x6x3x3xf32>
  %roll = swin.concat %w0, %w1 {axis = 2 : i64} : (tensor<?x6x5x3xf32>, tensor<?x6x3x3xf32>) -> !X
  %c2 = swin.slice %x {offsets = array<i64: 0, 0, 0, 2>, sizes = array<i64: -9223372036854775808, 6, 8, 1>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x6x8x1xf32>
  %c0 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 6, 8, 1>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x6x8x1xf32>
  %three = swin.concat %c2, %x, %c0 {axis = 3 : i64} : (tensor<?x6x8x1xf32>, !X, tensor<?x6x8x1xf32>) -> tensor<?x6x8x5xf32>
  // Channels reversed with two slices and a concat, then stacked on the batch.
  %r2 = swin.slice %x {offsets = array<i64: 0, 0, 0, 0>, sizes = array<i64: -9223372036854775808, 6, 8, 1>, strides = array<i64: 1, 1, 1, 3>} : (!X) -> tensor<?x6x8x1xf32>
  %r1 = swin.slice %x {offsets = array<i64: 0, 0, 0, 1>, sizes = array<i64: -9223372036854775808, 6, 8, 1>, strides = array<i64: 1, 1, 1, 1>} : (!X) -> tensor<?x6x8x1xf32>
  %rev = swin.concat %c2, %r1, %r2 {axis = 3 : i64} : (tensor<?x6x8x1xf32>, tensor<?x6x8x1xf32>, tensor<?x6x8x1xf32>) -> !X
  %batch = swin.concat %x, %rev {axis = 0 : i64} : (!X, !X) -> !X
  return %merge, %odd, %roll, %three, %batch : tensor<?x3x4x12xf32>, tensor<?x2x2x2xf32>, !X, tensor<?x6x8x5xf32>, !X
}
