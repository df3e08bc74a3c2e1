//===- ViewTracing.h - reshape/transpose/slice chains as strided views -*- C++ -*-===//
//
// Exporters spell the same data movement many ways (Split, Gather or Slice;
// transposes before or after a reshape). Tracing a value back through
// reshape, transpose and slice composes their index arithmetic into one
// strided view of the value they start from, so patterns compare layouts
// instead of op sequences.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_PASSES_VIEWTRACING_H
#define SWIN_PASSES_VIEWTRACING_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::swin {

/// `base` viewed with an element offset and per-dimension sizes and strides
/// (in elements of `base`'s row-major layout). A dynamic (batch) dimension
/// has size ShapedType::kDynamic; its stride is still exact.
struct View {
  Value base;
  int64_t offset = 0;
  SmallVector<int64_t> sizes, strides;
};

/// `v` as a view of itself.
View identityView(Value v);

/// Reshapes a view without copying, when merged dimensions are contiguous.
/// Dynamic dimensions must line up one to one.
std::optional<View> reshapeView(const View &in, ArrayRef<int64_t> shape);

/// Follows reshape, transpose and slice back to the value they view.
View traceView(Value v);

} // namespace mlir::swin

#endif // SWIN_PASSES_VIEWTRACING_H
