//===- debug_settings_check.cpp - the engine's debug settings on a GPU ----===//
//
//   debug_settings_check MODEL_DIR [LIMIT]
//
// Checks the two debug settings swinrt.h documents, on a compiled model
// folder, against an engine created without them, at batch 1, 7 and the
// maximum, twice each (the first call at a batch captures its graph, the
// second replays it), outputs poisoned (NaN) before every call:
//  1. SWINRT_INJECT_FAULT=graph-capture: every call succeeds, the logits are
//     exactly those of the normal engine (the same kernels and GEMM
//     algorithms, launched eagerly), and stderr carries the fallback message
//     exactly once for the engine's life, the normal engine none;
//  2. SWINRT_GEMM=reference: logits within LIMIT (default 5e-3) of the
//     normal engine's, relative to the largest logit. fp16: both accumulate
//     in fp32 and round the same fp16 values, only the summation order
//     differs. An int8 library needs a looser LIMIT: its int8 sites move
//     from CUTLASS to the wgmma kernel, whose requantized outputs may differ
//     by one step where a value sits on a rounding boundary.
// Prints one line per part and exits 1 if any fails.
//
// Build (the GPU script does): g++ -std=c++17 debug_settings_check.cpp
//   -I runtime/include -I CUDA/include -L DIR -lswinmodel -Wl,-rpath,DIR
//
//===----------------------------------------------------------------------===//

#include "swinrt.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

void check(swinrt_status status, const char *what) {
  if (status != SWINRT_OK) {
    // stdout: stderr may be captured at the time.
    std::printf("%s: %s (%s)\n", what, swinrt_status_string(status), swinrt_last_error());
    std::exit(2);
  }
}

/// Everything the process writes to stderr while it lives (the engine's
/// message comes from the library's own fprintf).
class CapturedStderr {
public:
  CapturedStderr() {
    std::fflush(stderr);
    saved_ = dup(2);
    file_ = std::tmpfile();
    dup2(fileno(file_), 2);
  }
  std::string finish() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    std::string text;
    std::rewind(file_);
    for (int c; (c = std::fgetc(file_)) != EOF;)
      text.push_back((char)c);
    std::fclose(file_);
    return text;
  }

private:
  int saved_ = -1;
  std::FILE *file_ = nullptr;
};

swinrt_engine *createWith(const char *dir, const char *variable, const char *value) {
  unsetenv("SWINRT_GEMM");
  unsetenv("SWINRT_INJECT_FAULT");
  if (variable)
    setenv(variable, value, 1);
  swinrt_engine *engine = nullptr;
  check(swinrt_create(dir, 0, nullptr, &engine), "swinrt_create");
  return engine;
}

/// The logits of `engine` for each input, each batch run twice; the second
/// run must repeat the first exactly.
std::vector<std::vector<float>> runAll(swinrt_engine *engine,
                                       const std::vector<std::vector<float>> &inputs,
                                       const std::vector<int> &batches, int classes,
                                       bool &repeatable) {
  std::vector<std::vector<float>> outputs;
  repeatable = true;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::vector<float> first;
    for (int round = 0; round < 2; ++round) {
      std::vector<float> out((size_t)batches[i] * classes, NAN);
      check(swinrt_run_host(engine, inputs[i].data(), SWINRT_FLOAT32, out.data(),
                            SWINRT_FLOAT32, batches[i]),
            "swinrt_run_host");
      if (round == 0)
        first = out;
      else
        repeatable = repeatable && out == first;
    }
    outputs.push_back(first);
  }
  return outputs;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL_DIR [LIMIT]\n", argv[0]);
    return 2;
  }
  const char *dir = argv[1];
  double limit = argc == 3 ? std::atof(argv[2]) : 5e-3;
  swinrt_model_info info;
  check(swinrt_get_info(&info), "swinrt_get_info");
  std::vector<int> batches = {1, std::min(7, info.max_batch), info.max_batch};
  std::mt19937 rng(11);
  std::normal_distribution<float> gaussian;
  std::vector<std::vector<float>> inputs;
  for (int batch : batches) {
    std::vector<float> x((size_t)batch * info.in_channels * info.in_height * info.in_width);
    for (float &v : x)
      v = gaussian(rng);
    inputs.push_back(std::move(x));
  }
  const char *message = "swinrt: CUDA graph capture failed";
  bool ok = true;

  CapturedStderr normalErr;
  swinrt_engine *plainEngine = createWith(dir, nullptr, nullptr);
  bool normalRepeats;
  auto expected = runAll(plainEngine, inputs, batches, info.num_classes, normalRepeats);
  swinrt_destroy(plainEngine);
  std::string normalText = normalErr.finish();
  bool finite = true;
  for (const auto &out : expected)
    for (float v : out)
      finite = finite && std::isfinite(v);
  std::printf("normal engine: logits %s, replays %s, stderr %s\n",
              finite ? "finite" : "NOT FINITE", normalRepeats ? "exact" : "DIFFER",
              normalText.find(message) == std::string::npos ? "quiet" : "HAS THE MESSAGE");
  ok = ok && finite && normalRepeats && normalText.find(message) == std::string::npos;

  CapturedStderr faultErr;
  swinrt_engine *faulty = createWith(dir, "SWINRT_INJECT_FAULT", "graph-capture");
  bool faultyRepeats;
  auto eager = runAll(faulty, inputs, batches, info.num_classes, faultyRepeats);
  swinrt_destroy(faulty);
  std::string faultText = faultErr.finish();
  int said = 0;
  for (size_t at = faultText.find(message); at != std::string::npos;
       at = faultText.find(message, at + 1))
    ++said;
  bool same = eager == expected;
  std::printf("SWINRT_INJECT_FAULT=graph-capture: %d runs, logits %s the graph runs', "
              "fallback message %d time(s): %s",
              (int)batches.size() * 2, same && faultyRepeats ? "exactly" : "NOT", said,
              faultText.c_str());
  bool faultOk = same && faultyRepeats && said == 1;
  std::printf("graph-capture fallback: %s\n", faultOk ? "pass" : "FAIL");
  ok = ok && faultOk;

  swinrt_engine *reference = createWith(dir, "SWINRT_GEMM", "reference");
  bool referenceRepeats;
  auto plain = runAll(reference, inputs, batches, info.num_classes, referenceRepeats);
  swinrt_destroy(reference);
  double worst = 0;
  bool referenceFinite = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    float scale = 0;
    for (float v : expected[i])
      scale = std::max(scale, std::fabs(v));
    for (size_t j = 0; j < expected[i].size(); ++j) {
      referenceFinite = referenceFinite && std::isfinite(plain[i][j]);
      worst = std::max(worst, (double)std::fabs(plain[i][j] - expected[i][j]) / scale);
    }
  }
  bool referenceOk = referenceFinite && referenceRepeats && worst <= limit;
  std::printf("SWINRT_GEMM=reference: max |difference| / max |logit| = %.2e (limit %.0e), "
              "replays %s: %s\n",
              worst, limit, referenceRepeats ? "exact" : "DIFFER", referenceOk ? "pass" : "FAIL");
  ok = ok && referenceOk;
  std::printf("debug settings: %s\n", ok ? "all parts pass" : "FAILED");
  return ok ? 0 : 1;
}
