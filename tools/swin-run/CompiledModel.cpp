//===- CompiledModel.cpp - run a compiled model folder --------------------===//

#include "CompiledModel.h"
#include "swin/Support/Npy.h"

#include "swinrt.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

using namespace llvm;

namespace {

int fail(const Twine &message) {
  errs() << "swin-run: error: " << message << "\n";
  return 1;
}

/// The C API, resolved from the library.
struct Api {
  decltype(&swinrt_get_info) getInfo;
  decltype(&swinrt_create) create;
  decltype(&swinrt_run_host) runHost;
  decltype(&swinrt_benchmark) benchmark;
  decltype(&swinrt_profile) profile;
  decltype(&swinrt_autotune) autotune;
  decltype(&swinrt_tuning_file) tuningFile;
  decltype(&swinrt_layer_name) layerName;
  decltype(&swinrt_destroy) destroy;
  decltype(&swinrt_last_error) lastError;
  decltype(&swinrt_status_string) statusString;
};

template <typename F> bool resolve(void *library, const char *name, F &fn) {
  fn = reinterpret_cast<F>(dlsym(library, name));
  return fn != nullptr;
}

} // namespace

int swin::runCompiledModel(const CompiledRunOptions &options) {
  SmallString<256> libraryPath(options.folder);
  sys::path::append(libraryPath, "libswinmodel.so");
  if (!sys::fs::exists(libraryPath))
    return fail(options.folder + ": no libswinmodel.so (compile with swin-compile "
                                 "--emit=lib)");
  void *library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return fail(libraryPath + ": cannot load: " + dlerror());
  Api api;
  if (!resolve(library, "swinrt_get_info", api.getInfo) ||
      !resolve(library, "swinrt_create", api.create) ||
      !resolve(library, "swinrt_run_host", api.runHost) ||
      !resolve(library, "swinrt_benchmark", api.benchmark) ||
      !resolve(library, "swinrt_profile", api.profile) ||
      !resolve(library, "swinrt_autotune", api.autotune) ||
      !resolve(library, "swinrt_tuning_file", api.tuningFile) ||
      !resolve(library, "swinrt_layer_name", api.layerName) ||
      !resolve(library, "swinrt_destroy", api.destroy) ||
      !resolve(library, "swinrt_last_error", api.lastError) ||
      !resolve(library, "swinrt_status_string", api.statusString))
    return fail(libraryPath + ": not a swin model library (missing the swinrt C API)");

  auto apiError = [&](swinrt_status status) {
    return fail(options.folder + ": " + api.statusString(status) + ": " + api.lastError());
  };

  swinrt_model_info info;
  api.getInfo(&info);

  std::optional<swin::Tensor> input;
  int64_t batch = options.batch.value_or(1);
  if (options.inputPath) {
    Expected<swin::Tensor> tensor = swin::readNpy(*options.inputPath);
    if (!tensor)
      return fail(toString(tensor.takeError()));
    const std::vector<int64_t> &shape = tensor->shape;
    if (shape.size() != 4 || shape[1] != info.in_channels || shape[2] != info.in_height ||
        shape[3] != info.in_width)
      return fail(*options.inputPath + ": input shape must be [batch, " +
                  Twine(info.in_channels) + ", " + Twine(info.in_height) + ", " +
                  Twine(info.in_width) + "]");
    if (options.batch && *options.batch != shape[0])
      return fail(*options.inputPath + ": --batch " + Twine(*options.batch) +
                  " differs from the input's batch " + Twine(shape[0]));
    batch = shape[0];
    input = std::move(*tensor);
  }
  if (batch < 1 || batch > info.max_batch)
    return fail(options.folder + ": batch " + Twine(batch) + " is outside [1, " +
                Twine(info.max_batch) + "] (the maximum compiled in)");
  if (!input && !options.bench && !options.profile && !options.autotuneCandidates)
    return fail("nothing to do: give --input (and --output), --bench, --profile or "
                "--autotune");

  swinrt_engine *engine = nullptr;
  if (swinrt_status status = api.create(options.folder.c_str(), options.device, nullptr,
                                        &engine))
    return apiError(status);
  auto finish = [&](int code) {
    api.destroy(engine);
    return code;
  };

  if (options.autotuneCandidates) {
    double heuristic = 0, tuned = 0;
    if (swinrt_status status = api.autotune(engine, (int)batch, options.autotuneCandidates,
                                            &heuristic, &tuned))
      return finish(apiError(status));
    outs() << format("autotuned batch %lld: GEMMs %.4f ms with the heuristic's choice, "
                     "%.4f ms tuned; saved to %s\n",
                     (long long)batch, heuristic, tuned, api.tuningFile(engine));
  }
  if (input) {
    swin::Tensor output({batch, info.num_classes});
    if (swinrt_status status = api.runHost(engine, input->data.data(), SWINRT_FLOAT32,
                                           output.data.data(), SWINRT_FLOAT32, (int)batch))
      return finish(apiError(status));
    if (options.outputPath) {
      if (Error e = swin::writeNpy(*options.outputPath, output))
        return finish(fail(toString(std::move(e))));
    } else {
      outs() << "result: [" << batch << "," << info.num_classes << "]\n";
    }
  }
  if (options.bench) {
    double median = 0, best = 0;
    if (swinrt_status status =
            api.benchmark(engine, (int)batch, options.iterations, &median, &best))
      return finish(apiError(status));
    outs() << format("batch %lld, %s: median %.4f ms, min %.4f ms, %.1f images/s\n",
                     (long long)batch, info.precision, median, best,
                     batch * 1000.0 / median);
  }
  if (options.profile) {
    double ms[SWINRT_NUM_LAYERS];
    if (swinrt_status status = api.profile(engine, (int)batch, options.iterations, ms))
      return finish(apiError(status));
    double total = 0;
    for (double m : ms)
      total += m;
    outs() << format("per-layer profile, batch %lld, %s (eager launches, mean of %d):\n",
                     (long long)batch, info.precision, options.iterations);
    outs() << "  layer                  ms   share\n";
    for (int i = 0; i < SWINRT_NUM_LAYERS; ++i)
      outs() << format("  %-14s %10.4f %6.1f%%\n", api.layerName(i), ms[i],
                       total > 0 ? 100.0 * ms[i] / total : 0.0);
    outs() << format("  total          %10.4f 100.0%%\n", total);
  }
  return finish(0);
}
