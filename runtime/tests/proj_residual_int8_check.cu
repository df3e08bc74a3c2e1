// proj_residual_int8_check: the fused int8 projection + window reverse +
// residual + MLP LayerNorm kernel (proj_residual_int8.cuh) against a CPU
// reference, on the GPU.
//
// Every geometry (window, reverse shift, channels) and batch tail runs on
// fresh random operands, in place (out is the residual, as in the models)
// and not, with both outputs poisoned first (twice, different poison, so
// an element the kernel never writes cannot pass). The reference reverses
// the windows the way the model defines them (window reverse, then
// torch.roll), sums exactly in integers and normalises in double. Each
// residual output must lie within two fp16 roundings (the projection's and
// the sum's: 2^-10 of each, plus 1e-3 absolute); each int8 LayerNorm output
// within half a step of the exact value plus what those roundings can move
// it (1e-4 (1 + |v|) plus the projection's rounding through the norm).
// Large batches check every 61st row.
//
// Then times the kernel at Swin-T's stage-1 and stage-2 shapes against the
// pair it replaces: libswinrt's int8 GEMM writing fp16 and
// window_reverse_residual (medians of CUDA-graph replays of ten launches;
// the CUTLASS GEMM's comparison is the in-model one, swin-compile
// --fuse-int8-proj=false).
//
//   nvcc -O2 -std=c++17 -gencode arch=compute_90a,code=sm_90a \
//     -gencode arch=compute_80,code=sm_80 -I runtime/include \
//     runtime/tests/proj_residual_int8_check.cu -o proj_check
#include "check_util.h"
#include "swinrt/gemm_int8.cuh"
#include "swinrt/proj_residual_int8.cuh"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace swinrt;

template <int C_, int H_, int W_, int WIN_, int SHIFT_> struct Geometry {
  static constexpr int C = C_, H = H_, W = W_, WIN = WIN_, SHIFT = SHIFT_;
};

template <typename G> struct Case {
  int m;
  DeviceMemory memory;
  std::vector<int8_t> hx, hw;
  std::vector<float> halpha, hgamma, hbeta;
  std::vector<__half> hbias, hres;
  int8_t *x, *w, *normOut;
  float *alpha, *gamma, *beta;
  __half *bias, *residual, *out, *proj;
  float eps = 1e-5f, normInverse = 36.0f;

  Case(int batch, std::mt19937 &rng) : m(batch * G::H * G::W) {
    constexpr int C = G::C;
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_int_distribution<int> byte(-128, 127);
    hx.resize((size_t)m * C), hw.resize((size_t)C * C);
    for (auto &v : hx) v = (int8_t)byte(rng);
    for (auto &v : hw) v = (int8_t)byte(rng);
    // Sums of C products of uniform int8 values are about 5461 sqrt(C):
    // alpha makes the projection about +-1, the residual rows have their
    // own offset and spread.
    halpha.resize(C), hbias.resize(C), hgamma.resize(C), hbeta.resize(C);
    for (int c = 0; c < C; ++c) {
      halpha[c] = (0.5f + std::fabs(unit(rng))) / (5461.0f * std::sqrt((float)C));
      hbias[c] = __float2half(0.5f * unit(rng));
      hgamma[c] = 1.0f + 0.5f * unit(rng);
      hbeta[c] = 0.5f * unit(rng);
    }
    hres.resize((size_t)m * C);
    for (int r = 0; r < m; ++r) {
      float offset = 2.0f * unit(rng), spread = 0.25f + std::fabs(unit(rng));
      for (int c = 0; c < C; ++c)
        hres[(size_t)r * C + c] = __float2half(offset + spread * unit(rng));
    }
    x = memory.upload(hx), w = memory.upload(hw), alpha = memory.upload(halpha);
    bias = memory.upload(hbias), gamma = memory.upload(hgamma), beta = memory.upload(hbeta);
    residual = memory.upload(hres);
    out = memory.allocate<__half>((size_t)m * C * 2);
    proj = memory.allocate<__half>((size_t)m * C * 2);
    normOut = memory.allocate<int8_t>((size_t)m * C);
  }
  void prepare() {
    CK((prepareProjResidualInt8<G::C, G::H, G::W, G::WIN, G::WIN, G::SHIFT, G::SHIFT,
                                kProjResidualInt8Warps>()));
  }
  cudaError_t fused(const __half *res, cudaStream_t s) {
    Int8ProjResidualArgs a{x, w, alpha, bias, res, out, normOut, gamma, beta, eps, normInverse,
                           m};
    launchProjResidualInt8<G::C, G::H, G::W, G::WIN, G::WIN, G::SHIFT, G::SHIFT,
                           kProjResidualInt8Warps>(a, s);
    return cudaGetLastError();
  }
  /// libswinrt's int8 GEMM writing fp16, then window_reverse_residual.
  cudaError_t unfused(cudaStream_t s) {
    Int8GemmArgs a{x, w, alpha, bias, nullptr, proj, m, G::C, G::C, kInt8ActNone, 1.0f};
    if (cudaError_t e = launchGemmInt8(a, false, s); e != cudaSuccess)
      return e;
    window_reverse_residual<__half, int8_t, G::C, G::H, G::W, G::WIN, G::WIN, G::SHIFT,
                            G::SHIFT, true, false>
        <<<(m + kRowsPerBlock - 1) / kRowsPerBlock, kRowThreads, 0, s>>>(
            proj, out, out, normOut, gamma, beta, eps, normInverse, nullptr, nullptr, 0.0f,
            m);
    return cudaGetLastError();
  }
};

/// The image row of each window row: the window reverse, then torch.roll
/// by SHIFT (roll(t, s)[i] = t[(i - s) mod n]), written out as the model
/// defines them.
template <typename G> static std::vector<int> windowTargets(int batch) {
  constexpr int H = G::H, W = G::W, WIN = G::WIN;
  std::vector<int> targets;
  for (int b = 0; b < batch; ++b)
    for (int wy = 0; wy < H / WIN; ++wy)
      for (int wx = 0; wx < W / WIN; ++wx)
        for (int ty = 0; ty < WIN; ++ty)
          for (int tx = 0; tx < WIN; ++tx) {
            int y = wy * WIN + ty, x = wx * WIN + tx; // the reversed (shifted) image
            // rolled[i] = reversed[i - s]: reversed pixel y lands at y + s.
            targets.push_back(b * H * W + ((y + G::SHIFT) % H + H) % H * W +
                              ((x + G::SHIFT) % W + W) % W);
          }
  return targets;
}

template <typename G> static bool runCase(int batch, bool inPlace, std::mt19937 &rng) {
  constexpr int C = G::C;
  Case<G> k(batch, rng);
  k.prepare();
  int m = k.m;
  size_t count = (size_t)m * C;
  std::vector<__half> got[2];
  std::vector<int8_t> gotNorm[2];
  const unsigned char poison[2] = {0xFF, 0x5A};
  for (int p = 0; p < 2; ++p) {
    if (inPlace)
      CK(cudaMemcpy(k.out, k.residual, count * 2, cudaMemcpyDeviceToDevice));
    else
      CK(cudaMemset(k.out, poison[p], count * 2));
    CK(cudaMemset(k.normOut, poison[p], count));
    CK(k.fused(inPlace ? k.out : k.residual, 0));
    CK(cudaDeviceSynchronize());
    got[p].resize(count), gotNorm[p].resize(count);
    CK(cudaMemcpy(got[p].data(), k.out, count * 2, cudaMemcpyDeviceToHost));
    CK(cudaMemcpy(gotNorm[p].data(), k.normOut, count, cudaMemcpyDeviceToHost));
  }
  std::vector<int> targets = windowTargets<G>(batch);
  std::vector<int> rows;
  for (int i = 0; i < m; i += m > 4096 ? 61 : 1)
    rows.push_back(i);
  if (rows.back() != m - 1)
    rows.push_back(m - 1);
  size_t unwritten = 0, bad = 0, badNorm = 0;
  double worst = 0.0;
  std::vector<double> v(C), projUlp(C);
  for (int r : rows) {
    size_t pixel = (size_t)targets[r];
    for (int c = 0; c < C; ++c) {
      int64_t sum = 0;
      for (int kk = 0; kk < C; ++kk)
        sum += (int64_t)k.hx[(size_t)r * C + kk] * k.hw[(size_t)c * C + kk];
      double proj = (double)sum * k.halpha[c] + __half2float(k.hbias[c]);
      projUlp[c] = std::ldexp(std::fabs(proj), -10) + 6e-8;
      v[c] = __half2float(k.hres[pixel * C + c]) + proj;
      size_t at = pixel * C + c;
      uint16_t b0, b1;
      memcpy(&b0, &got[0][at], 2), memcpy(&b1, &got[1][at], 2);
      if (!inPlace && b0 != b1) {
        ++unwritten;
        continue;
      }
      double d = std::fabs((double)__half2float(got[0][at]) - v[c]);
      double tol = projUlp[c] + std::ldexp(std::fabs(v[c]), -10) + 1e-3;
      if (!(d <= tol))
        ++bad;
      worst = std::max(worst, d / (std::fabs(v[c]) + 1e-3));
    }
    double mean = 0.0, var = 0.0;
    for (int c = 0; c < C; ++c)
      mean += v[c];
    mean /= C;
    for (int c = 0; c < C; ++c)
      var += (v[c] - mean) * (v[c] - mean);
    double rstd = 1.0 / std::sqrt(var / C + k.eps);
    for (int c = 0; c < C; ++c) {
      size_t at = pixel * C + c;
      if (gotNorm[0][at] != gotNorm[1][at]) {
        ++unwritten;
        continue;
      }
      double want = ((v[c] - mean) * rstd * k.hgamma[c] + k.hbeta[c]) * k.normInverse;
      double window = 1e-4 * (1.0 + std::fabs(want)) +
                      2.0 * projUlp[c] * rstd * std::fabs(k.hgamma[c]) * k.normInverse;
      want = std::min(127.0, std::max(-128.0, want));
      if (!(std::fabs(gotNorm[0][at] - want) <= 0.5 + window))
        ++badNorm;
    }
  }
  bool ok = unwritten == 0 && bad == 0 && badNorm == 0;
  printf("%s C=%3d %2dx%-2d window %2d shift %2d batch %3d (m=%6d)%s: rows checked %zu, "
         "unwritten %zu, bad residual %zu, bad LN %zu, worst rel %.3g\n",
         ok ? "ok  " : "FAIL", C, G::H, G::W, G::WIN, G::SHIFT, batch, m,
         inPlace ? " in place" : "", rows.size(), unwritten, bad, badNorm, worst);
  return ok;
}

template <typename G> static void timeShape(const char *name, int batch, std::mt19937 &rng) {
  Case<G> k(batch, rng);
  k.prepare();
  CK(cudaMemcpy(k.out, k.residual, (size_t)k.m * G::C * 2, cudaMemcpyDeviceToDevice));
  double pair = medianUs([&](cudaStream_t s) { CK(k.unfused(s)); });
  double fused = medianUs([&](cudaStream_t s) { CK(k.fused(k.out, s)); });
  printf("time %-24s m=%6d C=%3d: libswinrt GEMM + window_reverse_residual %7.1f us, "
         "fused %7.1f us\n",
         name, k.m, G::C, pair, fused);
}

int main(int argc, char **argv) {
  bool timeOnly = argc > 1 && strcmp(argv[1], "--time-only") == 0;
  CK(prepareGemmInt8());
  std::mt19937 rng(2027);
  bool all = true;
  using Small = Geometry<32, 8, 8, 4, 0>;
  using SmallShifted = Geometry<32, 8, 8, 4, 2>;
  using Stage1 = Geometry<96, 56, 56, 7, 0>;
  using Stage1Shifted = Geometry<96, 56, 56, 7, 3>;
  using Stage2Shifted = Geometry<192, 28, 28, 7, 3>;
  using BaseStage1 = Geometry<128, 56, 56, 7, 3>;
  if (!timeOnly) {
    for (int batch : {1, 3, 5}) {
      all &= runCase<Small>(batch, batch % 2 == 1, rng);
      all &= runCase<SmallShifted>(batch, batch % 2 == 0, rng);
    }
    for (int batch : {1, 2}) {
      all &= runCase<Stage1>(batch, batch == 1, rng);
      all &= runCase<Stage1Shifted>(batch, batch == 2, rng);
      all &= runCase<Stage2Shifted>(batch, batch == 1, rng);
      all &= runCase<BaseStage1>(batch, batch == 2, rng);
    }
    all &= runCase<Stage1Shifted>(64, true, rng);
    all &= runCase<Stage2Shifted>(64, false, rng);
  }
  timeShape<Stage1Shifted>("Swin-T stage 1, b64", 64, rng);
  timeShape<Stage2Shifted>("Swin-T stage 2, b64", 64, rng);
  timeShape<BaseStage1>("Swin-B stage 1, b64", 64, rng);
  timeShape<Stage1Shifted>("Swin-T stage 1, b8", 8, rng);
  timeShape<Stage2Shifted>("Swin-T stage 2, b1", 1, rng);
  printf(all ? "all cases pass\n" : "SOME CASES FAILED\n");
  return all ? 0 : 1;
}
