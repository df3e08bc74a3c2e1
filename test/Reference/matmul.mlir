// swin.matmul with NumPy batch broadcasting: batched x batched (attention),
// batched x plain matrix (one folded GEMM), plain x batched, and batch
// dimensions that broadcast against each other, with a dynamic batch.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(5); \
// RUN:   g = lambda *s: r.standard_normal(s).astype(np.float32); \
// RUN:   np.save('%t/q.npy', g(2, 3, 5, 4)); np.save('%t/k.npy', g(2, 3, 4, 6)); \
// RUN:   np.save('%t/m.npy', g(4, 7)); np.save('%t/p.npy', g(5, 4)); \
// RUN:   np.save('%t/u.npy', g(2, 1, 5, 4)); np.save('%t/v.npy', g(3, 4, 2))"
// RUN: swin-run --cpu-reference %s --input %t/q.npy --input %t/k.npy --input %t/m.npy \
// RUN:   --input %t/p.npy --input %t/u.npy --input %t/v.npy \
// RUN:   --output %t/o1.npy --output %t/o2.npy --output %t/o3.npy --output %t/o4.npy
// RUN: python3 -c "import numpy as np; ld = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); \
// RUN:   mm = lambda a, b: np.einsum('...mk,...kn->...mn', a, b); \
// RUN:   np.save('%t/o1_ref.npy', mm(ld('q'), ld('k'))); \
// RUN:   np.save('%t/o2_ref.npy', mm(ld('q'), ld('m'))); \
// RUN:   np.save('%t/o3_ref.npy', mm(ld('p'), ld('k'))); \
// RUN:   np.save('%t/o4_ref.npy', mm(ld('u'), ld('v')))"
// RUN: python3 %S/Inputs/allclose.py %t/o1.npy %t/o1_ref.npy %t/o2.npy %t/o2_ref.npy \
// RUN:   %t/o3.npy %t/o3_ref.npy %t/o4.npy %t/o4_ref.npy --rtol 1e-5 --atol 1e-5
//
// The runtime check of broadcast batch dimensions: two dynamic dimensions
// that resolve to different sizes.
// RUN: python3 -c "import numpy as np; np.save('%t/k3.npy', np.zeros((3, 3, 4, 6), np.float32))"
// RUN: not swin-run --cpu-reference %s --input %t/q.npy --input %t/k3.npy --input %t/m.npy \
// RUN:   --input %t/p.npy --input %t/u.npy --input %t/v.npy --output %t/bad.npy --output %t/b2.npy \
// RUN:   --output %t/b3.npy --output %t/b4.npy 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERR
// RUN: not test -e %t/bad.npy
// ERR: swin-run: error: {{.*}}matmul.mlir: 'swin.matmul' at {{.*}}matmul.mlir:[[@LINE+5]]:9: batch dimensions of [2,3,5,4] and [3,3,4,6] do not broadcast (dimension 0 of the broadcast result: 2 vs 3)

func.func @main(%q: tensor<?x3x5x4xf32>, %k: tensor<?x3x4x6xf32>, %m: tensor<4x7xf32>,
                %p: tensor<5x4xf32>, %u: tensor<?x1x5x4xf32>, %v: tensor<3x4x2xf32>)
    -> (tensor<?x3x5x6xf32>, tensor<?x3x5x7xf32>, tensor<?x3x5x6xf32>, tensor<?x3x5x2xf32>) {
  %o1 = swin.matmul %q, %k : (tensor<?x3x5x4xf32>, tensor<?x3x4x6xf32>) -> tensor<?x3x5x6xf32>
  %o2 = swin.matmul %q, %m : (tensor<?x3x5x4xf32>, tensor<4x7xf32>) -> tensor<?x3x5x7xf32>
  %o3 = swin.matmul %p, %k : (tensor<5x4xf32>, tensor<?x3x4x6xf32>) -> tensor<?x3x5x6xf32>
  // [?, 1] against [3]: the batch dimensions broadcast to [?, 3].
  %o4 = swin.matmul %u, %v : (tensor<?x1x5x4xf32>, tensor<3x4x2xf32>) -> tensor<?x3x5x2xf32>
  return %o1, %o2, %o3, %o4 : tensor<?x3x5x6xf32>, tensor<?x3x5x7xf32>, tensor<?x3x5x6xf32>, tensor<?x3x5x2xf32>
}
