// mlp_int8_check: the fused int8 MLP (mlp_int8.cuh) against a CPU
// reference, on the GPU.
//
// Every shape, GELU form, batch tail and residual placement runs on fresh
// random operands, with the output poisoned first (twice, different
// poison, so an element the kernel never writes cannot pass; in place, out
// starts as the residual). The reference computes in double with exact
// integer sums. A hidden value may round the other way only where the
// kernel's error could carry it across a rounding tie (tanh.approx is good
// to 2^-11 relative, plus float rounding); each output must lie within one
// fp16 rounding (2^-10 relative, 1e-3 absolute) plus what those ambiguous
// hidden values can move it. Large batches check every 61st row.
//
// Then times the kernel at Swin-T's stage-1 and stage-2 MLPs against the
// pair of libswinrt int8 GEMMs it replaces (medians of CUDA-graph replays
// of ten launches, as the models run; the CUTLASS pair's figures come from
// gemm_int8_check).
//
//   nvcc -O2 -std=c++17 -gencode arch=compute_90a,code=sm_90a \
//     -gencode arch=compute_80,code=sm_80 -I runtime/include \
//     runtime/tests/mlp_int8_check.cu -o mlp_check
#include "check_util.h"
#include "swinrt/gemm_int8.cuh"
#include "swinrt/mlp_int8.cuh"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

using namespace swinrt;

/// One MLP's operands on the device, and both ways of running it.
struct Mlp {
  int m, c, h;
  Int8Activation act;
  DeviceMemory memory;
  int8_t *x, *w1, *w2, *w2Permuted, *hidden;
  float *alpha1, *alpha2;
  __half *bias1, *bias2, *residual, *out;
  float inverse = 24.0f;

  Mlp(int m, int c, int h, Int8Activation act, std::mt19937 &rng) : m(m), c(c), h(h), act(act) {
    std::uniform_int_distribution<int> byte(-128, 127);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::vector<int8_t> hx((size_t)m * c), hw1((size_t)h * c), hw2((size_t)c * h),
        hw2p((size_t)c * h);
    for (auto &v : hx) v = (int8_t)byte(rng);
    for (auto &v : hw1) v = (int8_t)byte(rng);
    for (auto &v : hw2) v = (int8_t)byte(rng);
    for (int r = 0; r < c; ++r)
      for (int k = 0; k < h; ++k)
        hw2p[(size_t)r * h + k] = hw2[(size_t)r * h + mlpHiddenOrder(k)];
    // A sum of k products of uniform int8 values has a standard deviation
    // of about 5461 sqrt(k): alpha1 makes fc1's pre-activations about +-1.5
    // (hidden values of about +-30 after the inverse scale of 24, a few
    // saturating), alpha2 fc2's outputs about +-1.
    std::vector<float> ha1(h), ha2(c);
    for (auto &v : ha1) v = (1.0f + std::fabs(unit(rng))) / (5461.0f * std::sqrt((float)c));
    for (auto &v : ha2) v = (0.5f + 0.5f * std::fabs(unit(rng))) / (30.0f * 74.0f * std::sqrt((float)h));
    std::vector<__half> hb1(h), hb2(c), hres((size_t)m * c);
    for (auto &v : hb1) v = __float2half(unit(rng));
    for (auto &v : hb2) v = __float2half(unit(rng));
    for (auto &v : hres) v = __float2half(2.0f * unit(rng));
    x = memory.upload(hx);
    w1 = memory.upload(hw1);
    w2 = memory.upload(hw2);
    w2Permuted = memory.upload(hw2p);
    alpha1 = memory.upload(ha1);
    alpha2 = memory.upload(ha2);
    bias1 = memory.upload(hb1);
    bias2 = memory.upload(hb2);
    residual = memory.upload(hres);
    hidden = memory.allocate<int8_t>((size_t)m * h);
    out = memory.allocate<__half>((size_t)m * c * 2);
  }
  template <typename T> std::vector<T> download(const T *device, size_t n) {
    std::vector<T> host(n);
    CK(cudaMemcpy(host.data(), device, n * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }

  /// The pair of gemm_s8 sites the emitter would launch without fusion.
  cudaError_t unfused(const __half *res, __half *o, cudaStream_t s) {
    Int8GemmArgs fc1{x, w1, alpha1, bias1, nullptr, hidden, m, h, c, act, inverse};
    Int8GemmArgs fc2{hidden, w2, alpha2, bias2, res, o, m, c, h, kInt8ActNone, 1.0f};
    cudaError_t e = launchGemmInt8(fc1, true, s);
    return e != cudaSuccess ? e : launchGemmInt8(fc2, false, s);
  }
  template <int Warps> cudaError_t fused(const __half *res, __half *o, cudaStream_t s) {
    Int8MlpArgs a{x, w1, alpha1, bias1, w2Permuted, alpha2, bias2, res, o, inverse, m};
    return dispatch(c, h, act, [&](auto cc, auto hh, auto aa) {
      launchMlpInt8<decltype(cc)::value, decltype(hh)::value, decltype(aa)::value, Warps>(a, s);
      return cudaGetLastError();
    });
  }
  template <int Warps> cudaError_t prepare() {
    return dispatch(c, h, act, [&](auto cc, auto hh, auto aa) {
      return prepareMlpInt8<decltype(cc)::value, decltype(hh)::value, decltype(aa)::value,
                            Warps>();
    });
  }
  template <typename F> static cudaError_t dispatch(int c, int h, Int8Activation act, F f) {
    auto withAct = [&](auto cc, auto hh) {
      if (act == kInt8ActGeluErf)
        return f(cc, hh, std::integral_constant<Int8Activation, kInt8ActGeluErf>());
      return f(cc, hh, std::integral_constant<Int8Activation, kInt8ActGeluTanh>());
    };
    if (c == 32 && h == 128)
      return withAct(std::integral_constant<int, 32>(), std::integral_constant<int, 128>());
    if (c == 96 && h == 384)
      return withAct(std::integral_constant<int, 96>(), std::integral_constant<int, 384>());
    if (c == 192 && h == 768)
      return withAct(std::integral_constant<int, 192>(), std::integral_constant<int, 768>());
    return cudaErrorInvalidValue;
  }
};

static double gelu(double v, Int8Activation act) {
  if (act == kInt8ActGeluErf)
    return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  return 0.5 * v * (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
}

template <int Warps> static bool runCase(int m, int c, Int8Activation act, bool inPlace,
                                         std::mt19937 &rng) {
  int h = 4 * c;
  Mlp mlp(m, c, h, act, rng);
  CK(mlp.prepare<Warps>());
  size_t count = (size_t)m * c;
  std::vector<__half> got[2];
  const unsigned char poison[2] = {0xFF, 0x5A}; // fp16 0xFFFF is NaN
  for (int p = 0; p < 2; ++p) {
    if (inPlace)
      CK(cudaMemcpy(mlp.out, mlp.residual, count * 2, cudaMemcpyDeviceToDevice));
    else
      CK(cudaMemset(mlp.out, poison[p], count * 2));
    CK(mlp.fused<Warps>(inPlace ? mlp.out : mlp.residual, mlp.out, 0));
    CK(cudaDeviceSynchronize());
    got[p].resize(count);
    CK(cudaMemcpy(got[p].data(), mlp.out, count * 2, cudaMemcpyDeviceToHost));
  }
  auto x = mlp.download(mlp.x, (size_t)m * c), w1 = mlp.download(mlp.w1, (size_t)h * c),
       w2 = mlp.download(mlp.w2, (size_t)c * h);
  auto alpha1 = mlp.download(mlp.alpha1, h), alpha2 = mlp.download(mlp.alpha2, c);
  auto bias1 = mlp.download(mlp.bias1, h), bias2 = mlp.download(mlp.bias2, c);
  auto residual = mlp.download(mlp.residual, count);

  size_t unwritten = 0, bad = 0, ambiguous = 0, checkedRows = 0;
  double worst = 0.0;
  std::vector<int> hidden(h);
  std::vector<char> loose(h);
  std::vector<int> rows;
  for (int i = 0; i < m; i += m > 4096 ? 61 : 1)
    rows.push_back(i);
  if (rows.back() != m - 1)
    rows.push_back(m - 1); // the last block's tail
  for (int i : rows) {
    ++checkedRows;
    for (int j = 0; j < h; ++j) {
      int64_t sum = 0;
      for (int k = 0; k < c; ++k)
        sum += (int)x[(size_t)i * c + k] * w1[(size_t)j * c + k];
      double pre = (double)sum * alpha1[j] + __half2float(bias1[j]);
      double scaled = gelu(pre, act) * mlp.inverse;
      double q = std::min(127.0, std::max(-128.0, std::nearbyint(scaled)));
      // The kernel's error in `scaled`: tanh.approx's (tanh form only) and
      // a few float roundings.
      double window = (act == kInt8ActGeluTanh
                           ? std::ldexp(0.75 * std::fabs(pre) * mlp.inverse, -11)
                           : 0.0) +
                      std::ldexp(std::fabs(scaled), -18) + 1e-5;
      loose[j] = std::fabs(std::fabs(scaled - std::floor(scaled)) - 0.5) < window &&
                 std::fabs(scaled) < 127.5;
      ambiguous += loose[j];
      hidden[j] = (int)q;
    }
    for (int n = 0; n < c; ++n) {
      int64_t sum = 0;
      double slack = 0.0;
      for (int j = 0; j < h; ++j) {
        int wv = w2[(size_t)n * h + j];
        sum += (int64_t)hidden[j] * wv;
        if (loose[j])
          slack += std::abs(wv);
      }
      size_t at = (size_t)i * c + n;
      double want = (double)sum * alpha2[n] + __half2float(bias2[n]) +
                    __half2float(residual[at]);
      uint16_t b0, b1;
      memcpy(&b0, &got[0][at], 2);
      memcpy(&b1, &got[1][at], 2);
      if (b0 != b1) {
        ++unwritten;
        continue;
      }
      double d = std::fabs((double)__half2float(got[0][at]) - want);
      double tol = std::ldexp(std::fabs(want), -10) + 1e-3 + slack * alpha2[n];
      if (!(d <= tol))
        ++bad;
      worst = std::max(worst, d / (std::fabs(want) + 1e-3));
    }
  }
  bool ok = unwritten == 0 && bad == 0;
  printf("%s warps=%d m=%6d C=%3d H=%3d act=%d%s: rows checked %zu, unwritten %zu, bad %zu, "
         "ambiguous hidden %zu, worst rel %.3g\n",
         ok ? "ok  " : "FAIL", Warps, m, c, h, (int)act, inPlace ? " (in place)" : "",
         checkedRows, unwritten, bad, ambiguous, worst);
  return ok;
}

static void timeShape(const char *name, int m, int c, std::mt19937 &rng) {
  Mlp mlp(m, c, 4 * c, kInt8ActGeluTanh, rng);
  CK(mlp.prepare<4>());
  CK(mlp.prepare<8>());
  double pair = medianUs([&](cudaStream_t s) { CK(mlp.unfused(mlp.out, mlp.out, s)); });
  double fused4 = medianUs([&](cudaStream_t s) { CK(mlp.fused<4>(mlp.out, mlp.out, s)); });
  double fused8 = medianUs([&](cudaStream_t s) { CK(mlp.fused<8>(mlp.out, mlp.out, s)); });
  printf("time %-22s m=%6d C=%3d H=%3d: libswinrt pair %7.1f us, fused 4 warps %7.1f us, "
         "8 warps %7.1f us\n",
         name, m, c, 4 * c, pair, fused4, fused8);
}

int main(int argc, char **argv) {
  bool timeOnly = argc > 1 && strcmp(argv[1], "--time-only") == 0;
  CK(prepareGemmInt8());
  std::mt19937 rng(2026);
  bool all = true;
  if (!timeOnly) {
    for (int c : {32, 96, 192})
      for (int m : {1, 7, 16, 129, 1000, 3136})
        for (Int8Activation act : {kInt8ActGeluTanh, kInt8ActGeluErf}) {
          all &= runCase<4>(m, c, act, m % 2 == 1, rng);
          all &= runCase<8>(m, c, act, m % 2 == 0, rng);
        }
    all &= runCase<8>(64 * 3136, 96, kInt8ActGeluTanh, true, rng);
    all &= runCase<4>(64 * 784, 192, kInt8ActGeluTanh, false, rng);
  }
  timeShape("Swin-T stage 1, b64", 64 * 3136, 96, rng);
  timeShape("Swin-T stage 2, b64", 64 * 784, 192, rng);
  timeShape("Swin-T stage 1, b8", 8 * 3136, 96, rng);
  timeShape("Swin-T stage 2, b1", 784, 192, rng);
  printf(all ? "all cases pass\n" : "SOME CASES FAILED\n");
  return all ? 0 : 1;
}
