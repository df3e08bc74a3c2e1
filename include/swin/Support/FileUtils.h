//===- FileUtils.h - output files -------------------------------*- C++ -*-===//
#ifndef SWIN_SUPPORT_FILEUTILS_H
#define SWIN_SUPPORT_FILEUTILS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace swin {

/// Writes a file through `write` so that it appears whole or not at all: the
/// bytes go to a temporary file beside `path`, which is renamed over `path`
/// only when `write` succeeded and every byte reached the disk. "-" writes to
/// stdout. A `path` that exists and is not a regular file (/dev/null, a
/// FIFO, a terminal) is written in place: renaming over it would replace
/// the device or pipe with a file.
llvm::Error writeFileAtomically(
    llvm::StringRef path,
    llvm::function_ref<llvm::Error(llvm::raw_ostream &)> write);

} // namespace swin

#endif // SWIN_SUPPORT_FILEUTILS_H
