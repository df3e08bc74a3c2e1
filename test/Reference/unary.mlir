// Unary elementwise ops and clip, chained so that dead intermediate buffers
// are reused in place, against numpy (erf through math.erf).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: python3 -c "import numpy as np; r = np.random.default_rng(7); \
// RUN:   np.save('%t/x.npy', (3 * r.standard_normal((2, 5, 6))).astype(np.float32))"
// RUN: swin-run --cpu-reference %s --input %t/x.npy --output %t/neg.npy --output %t/abs.npy \
// RUN:   --output %t/sqrt.npy --output %t/recip.npy --output %t/exp.npy --output %t/log.npy \
// RUN:   --output %t/erf.npy --output %t/tanh.npy --output %t/sigmoid.npy --output %t/relu.npy \
// RUN:   --output %t/clip.npy --output %t/chain.npy
// RUN: python3 -c "import numpy as np, math; x = np.load('%t/x.npy').astype(np.float64); \
// RUN:   erf = np.vectorize(math.erf); \
// RUN:   sv = lambda n, v: np.save('%t/' + n + '_ref.npy', v); \
// RUN:   sv('neg', -x); sv('abs', np.abs(x)); sv('sqrt', np.sqrt(np.abs(x))); sv('recip', 1 / x); \
// RUN:   sv('exp', np.exp(x)); sv('log', np.log(np.abs(x))); sv('erf', erf(x)); sv('tanh', np.tanh(x)); \
// RUN:   sv('sigmoid', 1 / (1 + np.exp(-x))); sv('relu', np.maximum(x, 0)); \
// RUN:   sv('clip', np.clip(x, -1.0, 2.5)); sv('chain', np.exp(-np.sqrt(np.abs(np.tanh(x)))))"
// RUN: python3 %S/Inputs/allclose.py --rtol 2e-6 --atol 1e-6 \
// RUN:   %t/neg.npy %t/neg_ref.npy %t/abs.npy %t/abs_ref.npy %t/sqrt.npy %t/sqrt_ref.npy \
// RUN:   %t/recip.npy %t/recip_ref.npy %t/exp.npy %t/exp_ref.npy %t/log.npy %t/log_ref.npy \
// RUN:   %t/erf.npy %t/erf_ref.npy %t/tanh.npy %t/tanh_ref.npy %t/sigmoid.npy %t/sigmoid_ref.npy \
// RUN:   %t/relu.npy %t/relu_ref.npy %t/clip.npy %t/clip_ref.npy %t/chain.npy %t/chain_ref.npy

!T = tensor<?x5x6xf32>
func.func @main(%x: !T) -> (!T, !T, !T, !T, !T, !T, !T, !T, !T, !T, !T, !T) {
  %neg = swin.neg %x : !T
  %abs = swin.abs %x : !T
  %sqrt = swin.sqrt %abs : !T
  %recip = swin.reciprocal %x : !T
  %exp = swin.exp %x : !T
  %log = swin.log %abs : !T
  %erf = swin.erf %x : !T
  %tanh = swin.tanh %x : !T
  %sigmoid = swin.sigmoid %x : !T
  %relu = swin.relu %x : !T
  %clip = swin.clip %x {min = -1.0 : f32, max = 2.5 : f32} : !T
  %t = swin.tanh %x : !T
  %t1 = swin.abs %t : !T
  %t2 = swin.sqrt %t1 : !T
  %t3 = swin.neg %t2 : !T
  %chain = swin.exp %t3 : !T
  return %neg, %abs, %sqrt, %recip, %exp, %log, %erf, %tanh, %sigmoid, %relu, %clip, %chain
      : !T, !T, !T, !T, !T, !T, !T, !T, !T, !T, !T, !T
}
