// swin.reshape resolves its dynamic dimension from the element count at run
// time (here 2 * batch and 6 * batch, with the dynamic dimension not first),
// shares its data with the input, and the shared buffer is still intact
// after later in-place elementwise ops.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; \
// RUN:   np.save('%t/x.npy', np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 6))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/a.npy --output %t/b.npy \
// RUN:   --output %t/c.npy --output %t/d.npy
// RUN: python3 -c "import numpy as np; x = np.load('%t/x.npy'); \
// RUN:   np.save('%t/a_ref.npy', x.reshape(-1, 3, 4, 2)); np.save('%t/b_ref.npy', x.reshape(3, -1, 4) * 2); \
// RUN:   np.save('%t/c_ref.npy', -x.reshape(-1)); np.save('%t/d_ref.npy', x.reshape(2, -1) + 1)"
// RUN: python3 %S/Inputs/allclose.py %t/a.npy %t/a_ref.npy %t/b.npy %t/b_ref.npy \
// RUN:   %t/c.npy %t/c_ref.npy %t/d.npy %t/d_ref.npy --rtol 0 --atol 0
//
// With batch 1 the dynamic dimensions resolve differently.
// RUN: python3 -c "import numpy as np; np.save('%t/x1.npy', np.ones((1, 4, 6), np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x1.npy | FileCheck %s
// CHECK: result 0: [1,3,4,2]
// CHECK: result 1: [3,2,4]
// CHECK: result 2: [24]
// CHECK: result 3: [2,12]

func.func @main(%x: tensor<?x4x6xf32>) -> (tensor<?x3x4x2xf32>, tensor<3x?x4xf32>, tensor<?xf32>, tensor<2x?xf32>) {
  %a = swin.reshape %x : tensor<?x4x6xf32> -> tensor<?x3x4x2xf32>
  %b0 = swin.reshape %x : tensor<?x4x6xf32> -> tensor<3x?x4xf32>
  %two = swin.constant dense<2.0> : tensor<f32>
  %b = swin.mul %b0, %two : (tensor<3x?x4xf32>, tensor<f32>) -> tensor<3x?x4xf32>
  %c0 = swin.reshape %a : tensor<?x3x4x2xf32> -> tensor<?xf32>
  %c = swin.neg %c0 : tensor<?xf32>
  %d0 = swin.reshape %x : tensor<?x4x6xf32> -> tensor<2x?xf32>
  %one = swin.constant dense<1.0> : tensor<1xf32>
  %d = swin.add %d0, %one : (tensor<2x?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
  return %a, %b, %c, %d : tensor<?x3x4x2xf32>, tensor<3x?x4xf32>, tensor<?xf32>, tensor<2x?xf32>
}
