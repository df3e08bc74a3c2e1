//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
#ifndef SWIN_SUPPORT_NPY_H
#define SWIN_SUPPORT_NPY_H

#include "swin/Reference/Tensor.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace swin {

/// Reads a little-endian, C-ordered float32 .npy file (format 1.0-3.0).
/// Anything else (other dtypes, Fortran order, truncation) is an error that
/// names the file and the problem.
llvm::Expected<Tensor> readNpy(llvm::StringRef path);

/// Writes `tensor` as float32 .npy. The file appears atomically (written to a
/// temporary, then renamed), so a failure never leaves a partial output.
llvm::Error writeNpy(llvm::StringRef path, const Tensor &tensor);

} // namespace swin

#endif // SWIN_SUPPORT_NPY_H
