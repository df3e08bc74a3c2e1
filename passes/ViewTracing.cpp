//===- ViewTracing.cpp - reshape/transpose/slice chains as strided views --===//

#include "ViewTracing.h"

#include "swin/Dialect/Swin/IR/SwinOps.h"

using namespace mlir;
using namespace mlir::swin;

static constexpr int64_t kDynamic = ShapedType::kDynamic;

View mlir::swin::identityView(Value v) {
  View view;
  view.base = v;
  auto shape = cast<RankedTensorType>(v.getType()).getShape();
  view.sizes.assign(shape.begin(), shape.end());
  view.strides.assign(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    view.strides[i] = view.strides[i + 1] * shape[i + 1];
  return view;
}

std::optional<View> mlir::swin::reshapeView(const View &in, ArrayRef<int64_t> shape) {
  // Drop unit dimensions; they carry no stride information.
  SmallVector<int64_t> sizes, strides;
  for (auto [size, stride] : llvm::zip(in.sizes, in.strides))
    if (size != 1) {
      sizes.push_back(size);
      strides.push_back(stride);
    }
  View out{in.base, in.offset, {}, {}};
  size_t i = 0;
  for (size_t j = 0; j < shape.size();) {
    if (shape[j] == 1) {
      out.sizes.push_back(1);
      out.strides.push_back(0);
      ++j;
      continue;
    }
    if (i >= sizes.size())
      return std::nullopt;
    if (ShapedType::isDynamic(shape[j]) || ShapedType::isDynamic(sizes[i])) {
      if (shape[j] != sizes[i])
        return std::nullopt;
      out.sizes.push_back(kDynamic);
      out.strides.push_back(strides[i]);
      ++i, ++j;
      continue;
    }
    // Grow a group of old dims [i, i2) and new dims [j, j2) of equal size.
    size_t i2 = i + 1, j2 = j + 1;
    int64_t oldSize = sizes[i], newSize = shape[j];
    while (oldSize != newSize) {
      if (oldSize < newSize) {
        if (i2 >= sizes.size() || ShapedType::isDynamic(sizes[i2]))
          return std::nullopt;
        oldSize *= sizes[i2++];
      } else {
        if (j2 >= shape.size() || ShapedType::isDynamic(shape[j2]))
          return std::nullopt;
        newSize *= shape[j2++];
      }
    }
    for (size_t a = i; a + 1 < i2; ++a)
      if (strides[a] != strides[a + 1] * sizes[a + 1])
        return std::nullopt;
    SmallVector<int64_t> groupStrides(j2 - j);
    int64_t stride = strides[i2 - 1];
    for (size_t b = j2; b-- > j;) {
      groupStrides[b - j] = stride;
      stride *= shape[b];
    }
    for (size_t b = j; b < j2; ++b) {
      out.sizes.push_back(shape[b]);
      out.strides.push_back(groupStrides[b - j]);
    }
    i = i2;
    j = j2;
  }
  if (i != sizes.size())
    return std::nullopt;
  return out;
}

View mlir::swin::traceView(Value v) {
  if (auto transpose = v.getDefiningOp<TransposeOp>()) {
    View in = traceView(transpose.getInput());
    View out{in.base, in.offset, {}, {}};
    for (int64_t p : transpose.getPerm()) {
      out.sizes.push_back(in.sizes[p]);
      out.strides.push_back(in.strides[p]);
    }
    return out;
  }
  if (auto slice = v.getDefiningOp<SliceOp>()) {
    View view = traceView(slice.getInput());
    for (size_t d = 0; d < view.sizes.size(); ++d) {
      view.offset += slice.getOffsets()[d] * view.strides[d];
      view.strides[d] *= slice.getStrides()[d];
      view.sizes[d] = slice.getSizes()[d];
    }
    return view;
  }
  if (auto reshape = v.getDefiningOp<ReshapeOp>())
    if (std::optional<View> view =
            reshapeView(traceView(reshape.getInput()), reshape.getType().getShape()))
      return *view;
  return identityView(v);
}

