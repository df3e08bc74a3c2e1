// The seven binary ops with NumPy broadcasting: static against dynamic
// shapes, rank extension, a rank-0 scalar, two dynamic dimensions meeting,
// and an operand reused twice by one op (no in-place reuse of a value that
// is still read).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(6); \
// RUN:   np.save('%t/a.npy', r.standard_normal((2, 3, 4)).astype(np.float32)); \
// RUN:   np.save('%t/b.npy', r.standard_normal((3, 1)).astype(np.float32)); \
// RUN:   np.save('%t/c.npy', r.standard_normal((2, 1, 4)).astype(np.float32)); \
// RUN:   np.save('%t/d.npy', r.uniform(0.5, 2.0, (1, 4)).astype(np.float32)); \
// RUN:   np.save('%t/p.npy', r.uniform(0.5, 2.0, (2, 3, 4)).astype(np.float32)); \
// RUN:   np.save('%t/s.npy', np.float32(1.5))"
// RUN: swin-run --cpu-reference %s --input %t/a.npy --input %t/b.npy --input %t/c.npy \
// RUN:   --input %t/d.npy --input %t/p.npy --input %t/s.npy \
// RUN:   --output %t/add.npy --output %t/sub.npy --output %t/mul.npy --output %t/div.npy \
// RUN:   --output %t/pow.npy --output %t/max.npy --output %t/min.npy --output %t/twice.npy \
// RUN:   --output %t/scalar.npy
// RUN: python3 -c "import numpy as np; ld = lambda n: np.load('%t/' + n + '.npy').astype(np.float64); \
// RUN:   a, b, c, d, p, s = [ld(n) for n in 'abcdps']; \
// RUN:   sv = lambda n, v: np.save('%t/' + n + '_ref.npy', v); \
// RUN:   sv('add', a + b); sv('sub', b - a); sv('mul', a * c); sv('div', a / d); \
// RUN:   sv('pow', p ** s); sv('max', np.maximum(c, a)); sv('min', np.minimum(c, b)); \
// RUN:   sv('twice', (a + c) * (a + c)); sv('scalar', s - d)"
// RUN: python3 %S/Inputs/allclose.py --rtol 1e-6 --atol 1e-6 \
// RUN:   %t/add.npy %t/add_ref.npy %t/sub.npy %t/sub_ref.npy %t/mul.npy %t/mul_ref.npy \
// RUN:   %t/div.npy %t/div_ref.npy %t/pow.npy %t/pow_ref.npy %t/max.npy %t/max_ref.npy \
// RUN:   %t/min.npy %t/min_ref.npy %t/twice.npy %t/twice_ref.npy %t/scalar.npy %t/scalar_ref.npy

func.func @main(%a: tensor<?x3x4xf32>, %b: tensor<3x1xf32>, %c: tensor<?x1x4xf32>,
                %d: tensor<1x4xf32>, %p: tensor<?x3x4xf32>, %s: tensor<f32>)
    -> (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<1x4xf32>) {
  %add = swin.add %a, %b : (tensor<?x3x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %sub = swin.sub %b, %a : (tensor<3x1xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  // Two dynamic dimensions meet: both resolve to the batch.
  %mul = swin.mul %a, %c : (tensor<?x3x4xf32>, tensor<?x1x4xf32>) -> tensor<?x3x4xf32>
  %div = swin.div %a, %d : (tensor<?x3x4xf32>, tensor<1x4xf32>) -> tensor<?x3x4xf32>
  %pow = swin.pow %p, %s : (tensor<?x3x4xf32>, tensor<f32>) -> tensor<?x3x4xf32>
  %max = swin.max %c, %a : (tensor<?x1x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %min = swin.min %c, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %ac = swin.add %a, %c : (tensor<?x3x4xf32>, tensor<?x1x4xf32>) -> tensor<?x3x4xf32>
  %twice = swin.mul %ac, %ac : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %scalar = swin.sub %s, %d : (tensor<f32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  return %add, %sub, %mul, %div, %pow, %max, %min, %twice, %scalar
      : tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x3x4xf32>,
        tensor<1x4xf32>
}
