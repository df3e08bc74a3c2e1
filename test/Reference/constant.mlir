// swin.constant in every spelling the importer may produce: element list,
// hex blob, splat, and a dense_resource blob; also a function that returns
// a constant and an argument directly.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; np.save('%t/x.npy', np.array([[7, 8]], np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/a.npy --output %t/b.npy \
// RUN:   --output %t/c.npy --output %t/d.npy --output %t/x_out.npy
// RUN: python3 -c "import numpy as np; \
// RUN:   [print(n, np.load('%t/' + n + '.npy').shape, np.load('%t/' + n + '.npy').ravel().tolist()) for n in ('a', 'b', 'c', 'd', 'x_out')]" \
// RUN:   | FileCheck %s
// CHECK: a (2, 3) [1.0, 2.0, 3.0, -4.0, 0.5, 1.0000000116860974e-07]
// CHECK: b (3,) [0.5, -1.0, 2.0]
// CHECK: c (2, 2, 2) [-0.25, -0.25, -0.25, -0.25, -0.25, -0.25, -0.25, -0.25]
// CHECK: d (2,) [1.0, 2.0]
// CHECK: x_out (1, 2) [7.0, 8.0]

func.func @main(%x: tensor<?x2xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<2x2x2xf32>, tensor<2xf32>, tensor<?x2xf32>) {
  %a = swin.constant dense<[[1.0, 2.0, 3.0], [-4.0, 0.5, 1.0e-7]]> : tensor<2x3xf32>
  %b = swin.constant dense<"0x0000003F000080BF00000040"> : tensor<3xf32>
  %c = swin.constant dense<-0.25> : tensor<2x2x2xf32>
  %d = swin.constant dense_resource<blob> : tensor<2xf32>
  return %a, %b, %c, %d, %x : tensor<2x3xf32>, tensor<3xf32>, tensor<2x2x2xf32>, tensor<2xf32>, tensor<?x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F00000040"
    }
  }
#-}
