//===- FileUtils.cpp - output files ---------------------------------------===//

#include "swin/Support/FileUtils.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

Error swin::writeFileAtomically(StringRef path,
                                function_ref<Error(raw_ostream &)> write) {
  if (path == "-") {
    if (Error e = write(outs()))
      return e;
    outs().flush();
    return Error::success();
  }
  sys::fs::file_status status;
  if (!sys::fs::status(path, status) && sys::fs::exists(status) &&
      !sys::fs::is_regular_file(status) && !sys::fs::is_directory(status)) {
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    if (ec)
      return createStringError(ec, path + ": cannot write: " + ec.message());
    Error written = write(os);
    os.close();
    if (written)
      return createStringError(inconvertibleErrorCode(),
                               path + ": cannot write: " + toString(std::move(written)));
    if (os.has_error()) {
      std::string why = os.error().message();
      os.clear_error();
      return createStringError(inconvertibleErrorCode(), path + ": cannot write: " + why);
    }
    return Error::success();
  }
  int fd = -1;
  SmallString<256> tempPath;
  if (std::error_code ec =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, tempPath))
    return createStringError(ec, path + ": cannot write: " + ec.message());
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    Error written = write(os);
    os.close();
    if (written || os.has_error()) {
      std::string why = written ? toString(std::move(written)) : os.error().message();
      os.clear_error();
      sys::fs::remove(tempPath);
      return createStringError(inconvertibleErrorCode(), path + ": cannot write: " + why);
    }
  }
  if (std::error_code ec = sys::fs::rename(tempPath, path)) {
    sys::fs::remove(tempPath);
    return createStringError(ec, path + ": cannot write: " + ec.message());
  }
  return Error::success();
}
