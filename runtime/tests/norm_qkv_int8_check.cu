// norm_qkv_int8_check: the fused LayerNorm + shift + partition + int8 QKV
// kernel (norm_qkv_int8.cuh) against a CPU reference, on the GPU.
//
// Every geometry (window, shift, channels), output type and batch tail runs
// on fresh random operands, with the output poisoned first (twice,
// different poison, so an element the kernel never writes cannot pass).
// The reference builds the windows the way the model defines them
// (torch.roll, then the window partition), normalises in double and sums
// exactly in integers. A normalised value may round to the other int8
// only where the kernel's float LayerNorm could carry it across a rounding
// tie (within 1e-4 (1 + |v|) of one); each output must lie within its own
// rounding (int8: half a step; fp16: 2^-10 relative, 1e-3 absolute) plus
// what those ambiguous inputs can move it. Large batches check every 61st
// row.
//
// Then times the kernel at Swin-T's stage-1 and stage-2 shapes against the
// pair it replaces: norm_partition writing int8 and libswinrt's int8 GEMM
// (medians of CUDA-graph replays of ten launches, as the models run; the
// CUTLASS GEMM's comparison is the in-model one, swin-compile
// --fuse-int8-qkv=false).
//
//   nvcc -O2 -std=c++17 -gencode arch=compute_90a,code=sm_90a \
//     -gencode arch=compute_80,code=sm_80 -I runtime/include \
//     runtime/tests/norm_qkv_int8_check.cu -o norm_qkv_check
#include "check_util.h"
#include "swinrt/gemm_int8.cuh"
#include "swinrt/norm_qkv_int8.cuh"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <type_traits>
#include <vector>

using namespace swinrt;

/// The compile-time shape of one case.
template <int C_, int H_, int W_, int WIN_, int SHIFT_> struct Geometry {
  static constexpr int C = C_, N = 3 * C_, H = H_, W = W_, WIN = WIN_, SHIFT = SHIFT_;
};

template <typename G> struct Case {
  int batch, m;
  DeviceMemory memory;
  std::vector<__half> hin;
  std::vector<float> hgamma, hbeta, halpha;
  std::vector<int8_t> hw;   // [N, C], natural order
  std::vector<__half> hbias;
  __half *in, *bias;
  float *gamma, *beta, *alpha;
  int8_t *w, *normOut;
  void *out;
  float eps = 1e-5f, inputInverse = 36.0f;

  Case(int batch, bool int8Out, std::mt19937 &rng) : batch(batch), m(batch * G::H * G::W) {
    constexpr int C = G::C, N = G::N;
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_int_distribution<int> byte(-128, 127);
    hin.resize((size_t)m * C);
    // Rows with their own offset and spread, as a residual stream has.
    for (int r = 0; r < m; ++r) {
      float offset = 2.0f * unit(rng), spread = 0.25f + std::fabs(unit(rng));
      for (int c = 0; c < C; ++c)
        hin[(size_t)r * C + c] = __float2half(offset + spread * unit(rng));
    }
    hgamma.resize(C), hbeta.resize(C);
    for (int c = 0; c < C; ++c)
      hgamma[c] = 1.0f + 0.5f * unit(rng), hbeta[c] = 0.5f * unit(rng);
    hw.resize((size_t)N * C);
    for (auto &v : hw)
      v = (int8_t)byte(rng);
    // Normalised inputs are about +-36 after the inverse scale, weights
    // +-74: alpha makes the outputs about +-40 (int8, a few saturating) or
    // +-2 (fp16).
    float target = int8Out ? 40.0f : 2.0f;
    halpha.resize(N), hbias.resize(N);
    for (int n = 0; n < N; ++n) {
      halpha[n] = target * (1.0f + 0.5f * unit(rng)) / (36.0f * 74.0f * std::sqrt((float)C));
      hbias[n] = __float2half((int8Out ? 8.0f : 0.5f) * unit(rng));
    }
    in = memory.upload(hin);
    gamma = memory.upload(hgamma);
    beta = memory.upload(hbeta);
    w = memory.upload(hw);
    alpha = memory.upload(halpha);
    bias = memory.upload(hbias);
    normOut = memory.allocate<int8_t>((size_t)m * C);
    out = memory.allocate<char>((size_t)m * N * 2);
  }

  template <typename TO> void prepare() {
    CK((prepareNormQkvInt8<G::C, G::N, G::H, G::W, G::WIN, G::WIN, G::SHIFT, G::SHIFT, TO,
                           kNormQkvInt8Warps>()));
  }
  template <typename TO> cudaError_t fused(cudaStream_t s) {
    Int8NormQkvArgs a{in, gamma, beta, eps, inputInverse, w, alpha, bias, out, m};
    launchNormQkvInt8<G::C, G::N, G::H, G::W, G::WIN, G::WIN, G::SHIFT, G::SHIFT, TO,
                      kNormQkvInt8Warps>(a, s);
    return cudaGetLastError();
  }
  /// norm_partition writing int8, then libswinrt's int8 GEMM.
  template <typename TO> cudaError_t unfused(cudaStream_t s) {
    norm_partition<__half, int8_t, G::C, G::H, G::W, G::WIN, G::WIN, G::SHIFT, G::SHIFT,
                   true>
        <<<(m + kRowsPerBlock - 1) / kRowsPerBlock, kRowThreads, 0, s>>>(
            in, normOut, gamma, beta, eps, inputInverse, m);
    Int8GemmArgs a{normOut, w, alpha, bias, nullptr, out, m, G::N, G::C, kInt8ActNone, 1.0f};
    return launchGemmInt8(a, sizeof(TO) == 1, s);
  }
};

/// The image row that window row r reads: torch.roll by SHIFT, then the
/// window partition, written out as the model defines them.
template <typename G> static std::vector<int> windowSources(int batch) {
  constexpr int H = G::H, W = G::W, WIN = G::WIN;
  std::vector<int> rolled(H * W), sources;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) // roll(t, s)[i] = t[(i - s) mod n]
      rolled[y * W + x] = (((y - G::SHIFT) % H + H) % H) * W + ((x - G::SHIFT) % W + W) % W;
  for (int b = 0; b < batch; ++b)
    for (int wy = 0; wy < H / WIN; ++wy)
      for (int wx = 0; wx < W / WIN; ++wx)
        for (int ty = 0; ty < WIN; ++ty)
          for (int tx = 0; tx < WIN; ++tx)
            sources.push_back(b * H * W + rolled[(wy * WIN + ty) * W + wx * WIN + tx]);
  return sources;
}

template <typename G, typename TO> static bool runCase(int batch, std::mt19937 &rng) {
  constexpr int C = G::C, N = G::N;
  constexpr bool kInt8 = sizeof(TO) == 1;
  Case<G> k(batch, kInt8, rng);
  k.template prepare<TO>();
  int m = k.m;
  size_t bytes = (size_t)m * N * sizeof(TO);
  std::vector<unsigned char> got[2];
  const unsigned char poison[2] = {0xFF, 0x5A};
  for (int p = 0; p < 2; ++p) {
    CK(cudaMemset(k.out, poison[p], bytes));
    CK(k.template fused<TO>(0));
    CK(cudaDeviceSynchronize());
    got[p].resize(bytes);
    CK(cudaMemcpy(got[p].data(), k.out, bytes, cudaMemcpyDeviceToHost));
  }
  std::vector<int> sources = windowSources<G>(batch);
  std::vector<int> rows;
  for (int i = 0; i < m; i += m > 4096 ? 61 : 1)
    rows.push_back(i);
  if (rows.back() != m - 1)
    rows.push_back(m - 1);
  size_t unwritten = 0, bad = 0, ambiguous = 0;
  double worst = 0.0;
  std::vector<int> x(C);
  std::vector<char> loose(C);
  for (int r : rows) {
    const __half *src = &k.hin[(size_t)sources[r] * C];
    double mean = 0.0, var = 0.0;
    for (int c = 0; c < C; ++c)
      mean += __half2float(src[c]);
    mean /= C;
    for (int c = 0; c < C; ++c)
      var += (__half2float(src[c]) - mean) * (__half2float(src[c]) - mean);
    double rstd = 1.0 / std::sqrt(var / C + k.eps);
    for (int c = 0; c < C; ++c) {
      double v = ((__half2float(src[c]) - mean) * rstd * k.hgamma[c] + k.hbeta[c]) *
                 k.inputInverse;
      loose[c] = std::fabs(std::fabs(v - std::floor(v)) - 0.5) < 1e-4 * (1.0 + std::fabs(v)) &&
                 std::fabs(v) < 127.5;
      ambiguous += loose[c];
      x[c] = (int)std::min(127.0, std::max(-128.0, std::nearbyint(v)));
    }
    for (int n = 0; n < N; ++n) {
      int64_t sum = 0;
      double slack = 0.0;
      for (int c = 0; c < C; ++c) {
        int wv = k.hw[(size_t)n * C + c];
        sum += (int64_t)x[c] * wv;
        if (loose[c])
          slack += std::abs(wv);
      }
      double want = (double)sum * k.halpha[n] + __half2float(k.hbias[n]);
      size_t at = ((size_t)r * N + n) * sizeof(TO);
      if (memcmp(&got[0][at], &got[1][at], sizeof(TO)) != 0) {
        ++unwritten;
        continue;
      }
      double value, tol;
      if constexpr (kInt8) {
        value = (int8_t)got[0][at];
        want = std::min(127.0, std::max(-128.0, want));
        tol = 0.5 + 1e-4 + slack * k.halpha[n];
      } else {
        __half h;
        memcpy(&h, &got[0][at], 2);
        value = __half2float(h);
        tol = std::ldexp(std::fabs(want), -10) + 1e-3 + slack * k.halpha[n];
      }
      double d = std::fabs(value - want);
      if (!(d <= tol))
        ++bad;
      // int8: the distance in steps from the exact value; fp16: relative.
      worst = std::max(worst, kInt8 ? d : d / (std::fabs(want) + 1e-3));
    }
  }
  bool ok = unwritten == 0 && bad == 0;
  printf("%s C=%3d N=%3d %2dx%-2d window %2d shift %2d %s batch %3d (m=%6d): rows checked %zu, "
         "unwritten %zu, bad %zu, ambiguous inputs %zu, worst %s %.3g\n",
         ok ? "ok  " : "FAIL", C, N, G::H, G::W, G::WIN, G::SHIFT, kInt8 ? "int8" : "fp16",
         batch, m, rows.size(), unwritten, bad, ambiguous, kInt8 ? "steps" : "rel", worst);
  return ok;
}

template <typename G, typename TO> static void timeShape(const char *name, int batch,
                                                         std::mt19937 &rng) {
  Case<G> k(batch, sizeof(TO) == 1, rng);
  k.template prepare<TO>();
  double pair = medianUs([&](cudaStream_t s) { CK(k.template unfused<TO>(s)); });
  double fused = medianUs([&](cudaStream_t s) { CK(k.template fused<TO>(s)); });
  printf("time %-24s %s out m=%6d C=%3d N=%3d: norm_partition + libswinrt GEMM %7.1f us, "
         "fused %7.1f us\n",
         name, sizeof(TO) == 1 ? "int8" : "fp16", k.m, G::C, G::N, pair, fused);
}

int main(int argc, char **argv) {
  bool timeOnly = argc > 1 && strcmp(argv[1], "--time-only") == 0;
  CK(prepareGemmInt8());
  std::mt19937 rng(2026);
  bool all = true;
  using Small = Geometry<32, 8, 8, 4, 0>;
  using SmallShifted = Geometry<32, 8, 8, 4, -2>;
  using Stage1 = Geometry<96, 56, 56, 7, 0>;
  using Stage1Shifted = Geometry<96, 56, 56, 7, -3>;
  using Stage2Shifted = Geometry<192, 28, 28, 7, -3>;
  using BaseStage1 = Geometry<128, 56, 56, 7, -3>;
  using Window12 = Geometry<256, 24, 24, 12, -6>;
  if (!timeOnly) {
    for (int batch : {1, 3, 5}) {
      all &= runCase<Small, int8_t>(batch, rng);
      all &= runCase<Small, __half>(batch, rng);
      all &= runCase<SmallShifted, int8_t>(batch, rng);
      all &= runCase<SmallShifted, __half>(batch, rng);
    }
    for (int batch : {1, 2}) {
      all &= runCase<Stage1, int8_t>(batch, rng);
      all &= runCase<Stage1Shifted, int8_t>(batch, rng);
      all &= runCase<Stage1Shifted, __half>(batch, rng);
      all &= runCase<Stage2Shifted, int8_t>(batch, rng);
      all &= runCase<Stage2Shifted, __half>(batch, rng);
      all &= runCase<BaseStage1, int8_t>(batch, rng);
      all &= runCase<Window12, int8_t>(batch, rng);
      all &= runCase<Window12, __half>(batch, rng);
    }
    all &= runCase<Stage1Shifted, int8_t>(64, rng);
    all &= runCase<Stage2Shifted, __half>(64, rng);
  }
  timeShape<Stage1Shifted, int8_t>("Swin-T stage 1, b64", 64, rng);
  timeShape<Stage1Shifted, __half>("Swin-T stage 1, b64", 64, rng);
  timeShape<Stage2Shifted, int8_t>("Swin-T stage 2, b64", 64, rng);
  timeShape<BaseStage1, int8_t>("Swin-B stage 1, b64", 64, rng);
  timeShape<Stage1Shifted, int8_t>("Swin-T stage 1, b8", 8, rng);
  timeShape<Stage2Shifted, int8_t>("Swin-T stage 2, b1", 1, rng);
  printf(all ? "all cases pass\n" : "SOME CASES FAILED\n");
  return all ? 0 : 1;
}
