//===- concurrency_check.cpp - engines across streams and host threads ----===//
//
//   concurrency_check MODEL_DIR
//
// Checks what swinrt.h promises about threads, on a compiled model folder:
//  1. two engines of the model, each on its own stream, driven at the same
//     time from two host threads, give each input's logits exactly as a
//     serial run of the same engine does;
//  2. one engine shared by four host threads (swinrt_run_host, two inputs)
//     gives every thread exactly the serial logits of its input;
//  3. the same through swinrt_run_on_stream, each thread with its own
//     stream and device buffers.
// Outputs are poisoned (NaN) before every call. "Exactly": the same engine
// replays the same kernels and GEMM algorithms, so any difference is a race.
// Prints one line per part and exits 1 if any fails.
//
// Build (the GPU script does): g++ -std=c++17 concurrency_check.cpp
//   -I runtime/include -I CUDA/include -L DIR -lswinmodel -L CUDA/lib64 -lcudart
//   -lpthread -Wl,-rpath,DIR
//
//===----------------------------------------------------------------------===//

#include "swinrt.h"

#include <cuda_runtime.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kBatch = 2;
constexpr int kRounds = 25;

#define CHECK_CUDA(call)                                                                 \
  do {                                                                                   \
    cudaError_t e_ = (call);                                                             \
    if (e_ != cudaSuccess) {                                                             \
      std::fprintf(stderr, "%s: %s\n", #call, cudaGetErrorString(e_));                   \
      std::exit(2);                                                                      \
    }                                                                                    \
  } while (0)

void check(swinrt_status status, const char *what) {
  if (status != SWINRT_OK) {
    std::fprintf(stderr, "%s: %s (%s)\n", what, swinrt_status_string(status),
                 swinrt_last_error());
    std::exit(2);
  }
}

struct Model {
  swinrt_model_info info;
  size_t inputCount() const {
    return size_t(kBatch) * info.in_channels * info.in_height * info.in_width;
  }
  size_t outputCount() const { return size_t(kBatch) * info.num_classes; }
};

std::vector<float> randomInput(const Model &m, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> x(m.inputCount());
  for (float &v : x)
    v = normal(rng);
  return x;
}

std::vector<float> runHost(swinrt_engine *engine, const Model &m, const std::vector<float> &x) {
  std::vector<float> y(m.outputCount(), std::nanf(""));
  check(swinrt_run_host(engine, x.data(), SWINRT_FLOAT32, y.data(), SWINRT_FLOAT32, kBatch),
        "swinrt_run_host");
  return y;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

bool allFinite(const std::vector<float> &a) {
  for (float v : a)
    if (!std::isfinite(v))
      return false;
  return true;
}

/// Runs `rounds` device-buffer calls of `engine` on `stream` with input `x`
/// and counts the outputs that differ from `want`.
int deviceRounds(swinrt_engine *engine, cudaStream_t stream,
                 const std::vector<float> &x, const std::vector<float> &want, bool onStream) {
  float *dx, *dy;
  CHECK_CUDA(cudaMalloc(&dx, x.size() * 4));
  CHECK_CUDA(cudaMalloc(&dy, want.size() * 4));
  CHECK_CUDA(cudaMemcpy(dx, x.data(), x.size() * 4, cudaMemcpyHostToDevice));
  std::vector<float> y(want.size());
  int wrong = 0;
  for (int r = 0; r < kRounds; ++r) {
    CHECK_CUDA(cudaMemsetAsync(dy, 0xff, want.size() * 4, stream)); // NaN
    if (onStream)
      check(swinrt_run_on_stream(engine, stream, dx, SWINRT_FLOAT32, dy, SWINRT_FLOAT32, kBatch),
            "swinrt_run_on_stream");
    else
      check(swinrt_run(engine, dx, SWINRT_FLOAT32, dy, SWINRT_FLOAT32, kBatch), "swinrt_run");
    CHECK_CUDA(cudaMemcpyAsync(y.data(), dy, y.size() * 4, cudaMemcpyDeviceToHost, stream));
    CHECK_CUDA(cudaStreamSynchronize(stream));
    wrong += !sameBits(y, want);
  }
  CHECK_CUDA(cudaFree(dx));
  CHECK_CUDA(cudaFree(dy));
  return wrong;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: concurrency_check MODEL_DIR\n");
    return 2;
  }
  Model m;
  check(swinrt_get_info(&m.info), "swinrt_get_info");
  if (m.info.max_batch < kBatch) {
    std::fprintf(stderr, "the model's maximum batch is below %d\n", kBatch);
    return 2;
  }
  cudaStream_t streamA, streamB;
  CHECK_CUDA(cudaStreamCreateWithFlags(&streamA, cudaStreamNonBlocking));
  CHECK_CUDA(cudaStreamCreateWithFlags(&streamB, cudaStreamNonBlocking));
  swinrt_engine *a, *b;
  check(swinrt_create(argv[1], 0, streamA, &a), "swinrt_create A");
  check(swinrt_create(argv[1], 0, streamB, &b), "swinrt_create B");

  std::vector<float> x[2] = {randomInput(m, 1), randomInput(m, 2)};
  std::vector<float> wantA[2] = {runHost(a, m, x[0]), runHost(a, m, x[1])};
  std::vector<float> wantB[2] = {runHost(b, m, x[0]), runHost(b, m, x[1])};
  bool ok = allFinite(wantA[0]) && allFinite(wantA[1]) && !sameBits(wantA[0], wantA[1]);
  std::printf("serial references: %s\n", ok ? "finite, and differ between the inputs"
                                             : "NOT finite or identical (FAIL)");

  // 1. Two engines, two streams, two threads, at the same time.
  std::atomic<int> wrong{0};
  {
    std::thread ta([&] { wrong += deviceRounds(a, streamA, x[0], wantA[0], false); });
    std::thread tb([&] { wrong += deviceRounds(b, streamB, x[1], wantB[1], false); });
    ta.join();
    tb.join();
  }
  std::printf("two engines on two streams, two threads, %d rounds each: %d wrong outputs%s\n",
              kRounds, wrong.load(), wrong ? " (FAIL)" : "");
  ok = ok && wrong == 0;

  // 2. One engine, four threads, swinrt_run_host.
  std::atomic<int> wrongHost{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int r = 0; r < kRounds; ++r)
          wrongHost += !sameBits(runHost(a, m, x[t % 2]), wantA[t % 2]);
      });
    for (std::thread &t : threads)
      t.join();
  }
  std::printf("one engine, four threads, swinrt_run_host, %d rounds each: %d wrong outputs%s\n",
              kRounds, wrongHost.load(), wrongHost ? " (FAIL)" : "");
  ok = ok && wrongHost == 0;

  // 3. One engine, four threads, each on its own stream.
  std::atomic<int> wrongStream{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        cudaStream_t s;
        CHECK_CUDA(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
        wrongStream += deviceRounds(a, s, x[t % 2], wantA[t % 2], true);
        CHECK_CUDA(cudaStreamDestroy(s));
      });
    for (std::thread &t : threads)
      t.join();
  }
  std::printf("one engine, four threads on four streams, swinrt_run_on_stream, %d rounds "
              "each: %d wrong outputs%s\n",
              kRounds, wrongStream.load(), wrongStream ? " (FAIL)" : "");
  ok = ok && wrongStream == 0;

  check(swinrt_destroy(a), "swinrt_destroy");
  check(swinrt_destroy(b), "swinrt_destroy");
  std::printf("%s\n", ok ? "concurrency: all parts pass" : "concurrency: SOME PARTS FAIL");
  return ok ? 0 : 1;
}
