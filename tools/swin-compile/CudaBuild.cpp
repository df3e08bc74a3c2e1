//===- CudaBuild.cpp - write and build a compiled model folder ------------===//

#include "CudaBuild.h"
#include "swin/Support/EmbeddedFiles.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static Error writeFile(const Twine &path, StringRef data) {
  SmallString<256> dir(path.str());
  sys::path::remove_filename(dir);
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(ec, "cannot create '" + dir.str() + "': " + ec.message());
  std::error_code ec;
  raw_fd_ostream os(path.str(), ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write '" + path.str() + "': " + ec.message());
  os << data;
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '" + path.str() + "'");
  return Error::success();
}

/// nvcc from SWIN_NVCC, CUDA_HOME, then PATH, then /usr/local/cuda.
static Expected<std::string> findNvcc() {
  if (std::optional<std::string> explicitPath = sys::Process::GetEnv("SWIN_NVCC")) {
    if (sys::fs::can_execute(*explicitPath))
      return *explicitPath;
    return createStringError("SWIN_NVCC='" + *explicitPath + "' is not an executable");
  }
  if (std::optional<std::string> home = sys::Process::GetEnv("CUDA_HOME")) {
    SmallString<256> path(*home);
    sys::path::append(path, "bin", "nvcc");
    if (sys::fs::can_execute(path))
      return std::string(path);
  }
  if (ErrorOr<std::string> found = sys::findProgramByName("nvcc"))
    return *found;
  if (sys::fs::can_execute("/usr/local/cuda/bin/nvcc"))
    return std::string("/usr/local/cuda/bin/nvcc");
  return createStringError("nvcc not found: set CUDA_HOME or put nvcc on PATH (or use "
                           "--emit=cuda to stop at source)");
}

static std::string shellQuote(StringRef arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                                            "WXYZ0123456789_-+=/.,:") == StringRef::npos)
    return arg.str();
  std::string quoted = "'";
  for (char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

namespace {
struct Command {
  std::vector<std::string> args;
  std::string log;
};
} // namespace

/// nvcc's flags for one translation unit. `hopperSpecific` builds sm_90's
/// code for sm_90a, Hopper's architecture-specific target (wgmma: the int8
/// GEMM); its PTX stays compute_90, which any newer GPU can take.
static std::vector<std::string> unitFlags(ArrayRef<std::string> archs, bool hopperSpecific) {
  std::vector<std::string> flags = {"-O3", "-std=c++17", "-Xcompiler", "-fPIC",
                                    "-Xcompiler", "-fvisibility=hidden", "-Isrc/include",
                                    "--threads", "0"};
  for (size_t i = 0; i < archs.size(); ++i) {
    std::string number = StringRef(archs[i]).drop_front(3).str();
    bool newest = i + 1 == archs.size();
    if (hopperSpecific && number == "90") {
      flags.insert(flags.end(), {"-gencode", "arch=compute_90a,code=sm_90a"});
      if (newest)
        flags.insert(flags.end(), {"-gencode", "arch=compute_90,code=compute_90"});
      continue;
    }
    // The newest target also carries PTX, for GPUs newer than any named.
    std::string code =
        newest ? "[sm_" + number + ",compute_" + number + "]" : "sm_" + number;
    flags.push_back("-gencode");
    flags.push_back("arch=compute_" + number + ",code=" + code);
  }
  return flags;
}

/// The nvcc steps, run in `dir`: one compile per translation unit, then the
/// link.
static std::vector<std::vector<std::string>> buildSteps(StringRef nvcc,
                                                        ArrayRef<std::string> archs,
                                                        bool int8Gemms) {
  SmallString<256> cudaLib(nvcc);
  sys::path::remove_filename(cudaLib); // bin
  sys::path::remove_filename(cudaLib); // the CUDA root
  sys::path::append(cudaLib, "lib64");
  std::vector<std::vector<std::string>> steps;
  std::vector<std::string> link = {nvcc.str(), "-shared", "-o", "libswinmodel.so"};
  std::vector<StringRef> units = {"model", "engine", "gemm"};
  if (int8Gemms)
    units.push_back("gemm_int8");
  for (StringRef unit : units) {
    std::vector<std::string> args = {nvcc.str()};
    std::vector<std::string> flags = unitFlags(archs, unit == "gemm_int8");
    args.insert(args.end(), flags.begin(), flags.end());
    std::string object = "build/" + unit.str() + ".o";
    args.insert(args.end(), {"-c", "src/" + unit.str() + ".cu", "-o", object});
    steps.push_back(std::move(args));
    link.push_back(object);
  }
  link.insert(link.end(), {"-lcublasLt", "-Xlinker", "-z,defs", "-Xlinker",
                           "-rpath," + std::string(cudaLib)});
  steps.push_back(std::move(link));
  return steps;
}

/// Runs `steps` in `dir`, all compiles at once, then the link; each step
/// logs to build/stepN.log.
static Error runBuild(StringRef dir, ArrayRef<std::vector<std::string>> steps) {
  SmallString<256> cwd;
  sys::fs::current_path(cwd);
  if (std::error_code ec = sys::fs::set_current_path(dir))
    return createStringError(ec, "cannot enter '" + dir.str() + "'");
  auto restore = make_scope_exit([&] { sys::fs::set_current_path(cwd); });
  if (std::error_code ec = sys::fs::create_directories("build"))
    return createStringError(ec, "cannot create the build folder");

  std::vector<std::string> errors(steps.size());
  auto start = [&](size_t i) {
    std::vector<StringRef> args(steps[i].begin(), steps[i].end());
    std::string log = "build/step" + std::to_string(i) + ".log";
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log), StringRef(log)};
    return sys::ExecuteNoWait(steps[i][0], args, std::nullopt, redirects, 0, &errors[i]);
  };
  auto finish = [&](size_t i, sys::ProcessInfo info) -> Error {
    sys::ProcessInfo done = sys::Wait(info, std::nullopt, &errors[i]);
    if (done.ReturnCode == 0)
      return Error::success();
    std::string log;
    if (auto buffer = MemoryBuffer::getFile("build/step" + std::to_string(i) + ".log"))
      log = (*buffer)->getBuffer().take_front(4000).str();
    return createStringError("nvcc failed (" + std::string(steps[i][0]) + " ... " +
                             steps[i].back() + "): " + (log.empty() ? errors[i] : log));
  };
  size_t compiles = steps.size() - 1;
  std::vector<sys::ProcessInfo> running;
  for (size_t i = 0; i < compiles; ++i)
    running.push_back(start(i));
  Error failure = Error::success();
  for (size_t i = 0; i < compiles; ++i) {
    Error e = finish(i, running[i]);
    if (e && !failure)
      failure = std::move(e);
    else
      consumeError(std::move(e));
  }
  if (failure)
    return failure;
  return finish(compiles, start(compiles));
}

Error swin::writeCudaPackage(const cuda::CudaModel &model, const PackageRequest &request) {
  SmallString<256> out(request.outDir);
  if (sys::fs::exists(out) && !sys::fs::is_directory(out))
    return createStringError("'" + out.str() + "' exists and is not a folder");
  SmallString<256> staging(out);
  staging += ".partial-" + std::to_string(sys::Process::getProcessId());
  sys::fs::remove_directories(staging);
  auto cleanup = make_scope_exit([&] { sys::fs::remove_directories(staging); });

  auto in = [&](StringRef name) {
    SmallString<256> path(staging);
    sys::path::append(path, name);
    return std::string(path);
  };
  if (Error e = writeFile(in("src/model.cu"), model.source))
    return e;
  std::string header;
  for (const EmbeddedFile &file : runtimeFiles()) {
    if (Error e = writeFile(in("src/" + file.path), file.text))
      return e;
    if (file.path == "include/swinrt.h")
      header = file.text;
  }
  if (Error e = writeFile(in("swinrt.h"), header))
    return e;
  if (Error e = writeFile(in("model.swinw"),
                          StringRef(model.weights.data(), model.weights.size())))
    return e;

  // What was compiled, for tools and the Python package (read, not parsed
  // from the log).
  json::Object meta{{"format", "swin-compile model 1"},
                    {"source", request.sourceModel},
                    {"precision", request.precision},
                    {"archs", json::Array(request.archs)},
                    {"max_batch", request.maxBatch},
                    {"kernels", model.numKernels},
                    {"gemms", model.numGemms},
                    {"arena_bytes", model.arenaBytes},
                    {"arena_liveness_bound_bytes", model.arenaLowerBound},
                    {"weights_bytes", (uint64_t)model.weights.size()},
                    {"flops_per_image", model.flopsPerImage},
                    {"model_hash", formatv("{0:x16}", model.modelHash).str()}};
  if (Error e = writeFile(in("model.json"),
                          formatv("{0:2}\n", json::Value(std::move(meta))).str()))
    return e;

  std::string nvcc = "nvcc";
  if (request.compile) {
    Expected<std::string> found = findNvcc();
    if (!found)
      return found.takeError();
    nvcc = *found;
  }
  auto steps = buildSteps(nvcc, request.archs, model.int8Gemms);
  std::string script = "#!/bin/sh\n# Rebuilds libswinmodel.so from src/ (what swin-compile "
                       "ran).\nset -e\ncd \"$(dirname \"$0\")\"\nmkdir -p build\n";
  for (const auto &step : steps) {
    std::vector<std::string> quoted;
    for (const std::string &arg : step)
      quoted.push_back(shellQuote(arg));
    script += join(quoted, " ") + "\n";
  }
  if (Error e = writeFile(in("build.sh"), script))
    return e;
  sys::fs::setPermissions(in("build.sh"), sys::fs::all_read | sys::fs::all_exe |
                                              sys::fs::owner_write);
  if (request.compile) {
    if (request.progress)
      request.progress("nvcc: " + std::to_string(steps.size() - 1) +
                       " translation units for " + join(request.archs, ",") +
                       ", then the link");
    if (Error e = runBuild(staging, steps))
      return e;
    sys::fs::remove_directories(in("build"));
  }

  // Move the finished files into OUT.
  if (std::error_code ec = sys::fs::create_directories(out))
    return createStringError(ec, "cannot create '" + out.str() + "': " + ec.message());
  for (StringRef name :
       {"src", "swinrt.h", "model.swinw", "model.json", "build.sh", "libswinmodel.so"}) {
    SmallString<256> target(out);
    sys::path::append(target, name);
    if (!sys::fs::exists(in(name))) {
      sys::fs::remove(target); // a library from an earlier build would be stale
      continue;
    }
    if (sys::fs::is_directory(target))
      sys::fs::remove_directories(target);
    if (std::error_code ec = sys::fs::rename(in(name), target))
      return createStringError(ec, "cannot move '" + name.str() + "' into '" + out.str() +
                                       "': " + ec.message());
  }
  return Error::success();
}
