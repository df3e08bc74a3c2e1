//===- SwinOps.cpp - swin dialect ops -------------------------------------===//
//
// Dialect registration, shape inference, verifiers and folders.
//
//===----------------------------------------------------------------------===//

#include "swin/Dialect/Swin/IR/SwinOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::swin;

#include "swin/Dialect/Swin/IR/SwinOpsDialect.cpp.inc"
#include "swin/Dialect/Swin/IR/SwinEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "swin/Dialect/Swin/IR/SwinAttrs.cpp.inc"

void SwinDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "swin/Dialect/Swin/IR/SwinOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "swin/Dialect/Swin/IR/SwinAttrs.cpp.inc"
      >();
}

Operation *SwinDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static LogicalResult emitInferError(std::optional<Location> loc,
                                    const Twine &message) {
  if (loc)
    return emitError(*loc, message);
  return failure();
}

static bool isDynamic(int64_t dim) { return ShapedType::isDynamic(dim); }

/// NumPy broadcasting of two shapes. A dynamic dimension against a static one
/// other than 1 takes the static size (the two must agree at run time).
static FailureOr<SmallVector<int64_t>>
broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l == r)
      result[i] = l;
    else if (l == 1)
      result[i] = r;
    else if (r == 1)
      result[i] = l;
    else if (isDynamic(l))
      result[i] = r;
    else if (isDynamic(r))
      result[i] = l;
    else
      return failure();
  }
  return result;
}

static RankedTensorType rankedTensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOpError("value must be a statically shaped tensor");
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

std::optional<llvm::ArrayRef<char>> ConstantOp::getRawData() {
  if (auto dense = dyn_cast<DenseElementsAttr>(getValue()))
    return dense.isSplat() ? std::nullopt : std::optional(dense.getRawData());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(getValue()))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (input.getRank() != 4 || weight.getRank() != 4)
    return emitInferError(loc, "swin.conv2d expects rank-4 NCHW input and OIHW weight");
  if (!weight.hasStaticShape())
    return emitInferError(loc, "swin.conv2d weight must be static");
  ArrayRef<int64_t> strides = adaptor.getStrides(), padding = adaptor.getPadding(),
                    dilations = adaptor.getDilations();
  int64_t groups = adaptor.getGroups();
  if (strides.size() != 2 || dilations.size() != 2 || padding.size() != 4)
    return emitInferError(loc, "swin.conv2d expects 2 strides, 2 dilations and 4 paddings");
  if (groups < 1 || llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return emitInferError(loc, "swin.conv2d: strides, dilations and groups must be positive, padding non-negative");
  int64_t channels = input.getDimSize(1);
  if (isDynamic(channels) || isDynamic(input.getDimSize(2)) ||
      isDynamic(input.getDimSize(3)))
    return emitInferError(loc, "swin.conv2d: only the batch dimension may be dynamic");
  if (channels % groups != 0 || weight.getDimSize(0) % groups != 0 ||
      channels / groups != weight.getDimSize(1))
    return emitInferError(loc, "swin.conv2d: input has " + Twine(channels) +
                                   " channels but the weight expects " +
                                   Twine(weight.getDimSize(1) * groups));
  if (adaptor.getBias()) {
    auto bias = cast<RankedTensorType>(adaptor.getBias().getType());
    if (bias.getRank() != 1 || bias.getDimSize(0) != weight.getDimSize(0))
      return emitInferError(loc, "swin.conv2d: bias must have one element per output channel");
  }
  SmallVector<int64_t> shape = {input.getDimSize(0), weight.getDimSize(0)};
  for (int i = 0; i < 2; ++i) {
    int64_t extent = input.getDimSize(2 + i) + padding[i] + padding[i + 2] -
                     dilations[i] * (weight.getDimSize(2 + i) - 1) - 1;
    if (extent < 0)
      return emitInferError(loc, "swin.conv2d: kernel larger than the padded input");
    shape.push_back(extent / strides[i] + 1);
  }
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp / LinearOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitInferError(loc, "swin.matmul operands must have rank >= 2");
  int64_t k = lhs.getShape().back(), k2 = rhs.getShape()[rhs.getRank() - 2];
  if (!isDynamic(k) && !isDynamic(k2) && k != k2)
    return emitInferError(loc, "swin.matmul contraction mismatch: " +
                                   shapeString(lhs.getShape()) + " x " +
                                   shapeString(rhs.getShape()));
  auto batch = broadcastShapes(lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  if (failed(batch))
    return emitInferError(loc, "swin.matmul batch dimensions do not broadcast: " +
                                   shapeString(lhs.getShape()) + " x " +
                                   shapeString(rhs.getShape()));
  SmallVector<int64_t> shape = *batch;
  shape.push_back(lhs.getShape()[lhs.getRank() - 2]);
  shape.push_back(rhs.getShape().back());
  inferred.push_back(rankedTensorOf(shape, lhs.getElementType()));
  return success();
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (weight.getRank() != 2 || !weight.hasStaticShape())
    return emitInferError(loc, "swin.linear weight must be a static [out, in] matrix");
  if (input.getRank() < 1 || input.getShape().back() != weight.getDimSize(1))
    return emitInferError(loc, "swin.linear: input " + shapeString(input.getShape()) +
                                   " does not match weight " +
                                   shapeString(weight.getShape()));
  if (adaptor.getBias()) {
    auto bias = cast<RankedTensorType>(adaptor.getBias().getType());
    if (bias.getRank() != 1 || bias.getDimSize(0) != weight.getDimSize(0))
      return emitInferError(loc, "swin.linear: bias must have one element per output feature");
  }
  SmallVector<int64_t> shape(input.getShape());
  shape.back() = weight.getDimSize(0);
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Binary elementwise ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc, StringRef name,
                                    Value lhs, Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  auto l = cast<RankedTensorType>(lhs.getType());
  auto r = cast<RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(l.getShape(), r.getShape());
  if (failed(shape))
    return emitInferError(loc, "swin." + name + ": shapes " + shapeString(l.getShape()) +
                                   " and " + shapeString(r.getShape()) +
                                   " do not broadcast");
  inferred.push_back(rankedTensorOf(*shape, l.getElementType()));
  return success();
}

#define SWIN_BINARY_INFER(OP, NAME)                                            \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcast(loc, NAME, adaptor.getLhs(), adaptor.getRhs(),       \
                          inferred);                                           \
  }
SWIN_BINARY_INFER(AddOp, "add")
SWIN_BINARY_INFER(SubOp, "sub")
SWIN_BINARY_INFER(MulOp, "mul")
SWIN_BINARY_INFER(DivOp, "div")
SWIN_BINARY_INFER(PowOp, "pow")
SWIN_BINARY_INFER(MaxOp, "max")
SWIN_BINARY_INFER(MinOp, "min")
#undef SWIN_BINARY_INFER

LogicalResult ClipOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min must not exceed max");
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp / SoftmaxOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  inferred.push_back(adaptor.getInput().getType());
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto input = getInput().getType();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= input.getRank())
    return emitOpError("axis ") << axis << " out of range for rank " << input.getRank();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(axis);
  if (llvm::any_of(normalized, isDynamic))
    return emitOpError("normalised dimensions must be static");
  for (Value param : {getScale(), getBias()}) {
    auto shape = cast<RankedTensorType>(param.getType()).getShape();
    if (shape != normalized)
      return emitOpError("scale and bias must have shape ")
             << shapeString(normalized) << ", got " << shapeString(shape);
  }
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError("epsilon must be positive");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (isDynamic(getInput().getType().getDimSize(getAxis())))
    return emitOpError("softmax axis must be static");
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = getInput().getType(), result = getResult().getType();
  int64_t resultDynamic = llvm::count_if(result.getShape(), isDynamic);
  if (resultDynamic > 1)
    return emitOpError("result may have at most one dynamic dimension");
  if (input.hasStaticShape() != result.hasStaticShape())
    return emitOpError("input and result must both be static or both be dynamic");
  if (input.hasStaticShape() && input.getNumElements() != result.getNumElements())
    return emitOpError("element count changes from ")
           << input.getNumElements() << " to " << result.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  // With at most one dynamic dimension, equal types mean equal shapes: the
  // element count fixes the dynamic size.
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitInferError(loc, "swin.transpose: perm has " + Twine(perm.size()) +
                                   " entries for a rank-" + Twine(input.getRank()) +
                                   " input");
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitInferError(loc, "swin.transpose: perm is not a permutation");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    // transpose(transpose(x, p), q) == transpose(x, p o q).
    SmallVector<int64_t> composed;
    for (int64_t q : perm)
      composed.push_back(producer.getPerm()[q]);
    getInputMutable().assign(producer.getInput());
    setPerm(composed);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return getInput();
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes(),
                    strides = adaptor.getStrides();
  int64_t rank = input.getRank();
  if ((int64_t)offsets.size() != rank || (int64_t)sizes.size() != rank ||
      (int64_t)strides.size() != rank)
    return emitInferError(loc, "swin.slice needs one offset, size and stride per dimension");
  for (int64_t i = 0; i < rank; ++i) {
    int64_t dim = input.getDimSize(i);
    if (isDynamic(dim)) {
      if (offsets[i] != 0 || strides[i] != 1 || !isDynamic(sizes[i]))
        return emitInferError(loc, "swin.slice: dynamic dimension " + Twine(i) +
                                       " must be taken whole");
      continue;
    }
    if (strides[i] < 1 || offsets[i] < 0 || sizes[i] < 0 ||
        (sizes[i] > 0 && offsets[i] + (sizes[i] - 1) * strides[i] >= dim))
      return emitInferError(loc, "swin.slice: dimension " + Twine(i) +
                                     " slice out of bounds");
  }
  inferred.push_back(rankedTensorOf(sizes, input.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getOffsets(), [](int64_t o) { return o == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// BroadcastOp
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> in = getInput().getType().getShape(),
                    out = getResult().getType().getShape();
  if (in.size() > out.size())
    return emitOpError("cannot broadcast rank ") << in.size() << " to rank " << out.size();
  if (llvm::count_if(out, isDynamic) > 1)
    return emitOpError("result may have at most one dynamic dimension");
  bool hasDynamic = llvm::any_of(out, isDynamic);
  if (hasDynamic != (getBatchMultiple() > 0))
    return emitOpError("batch_multiple must be positive exactly when the result has a "
                       "dynamic dimension");
  size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    int64_t src = in[i], dst = out[i + offset];
    if (src != 1 && src != dst)
      return emitOpError("input dimension ") << i << " (" << (isDynamic(src) ? "?" : std::to_string(src))
                                             << ") does not broadcast to the result";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ConcatOp / PadOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitInferError(loc, "swin.concat needs at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs().front().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitInferError(loc, "swin.concat: axis out of range");
  SmallVector<int64_t> shape(first.getShape());
  for (Value v : adaptor.getInputs().drop_front()) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != first.getRank())
      return emitInferError(loc, "swin.concat: inputs differ in rank");
    for (int64_t i = 0; i < first.getRank(); ++i) {
      int64_t d = type.getDimSize(i);
      if (i == axis) {
        shape[i] = (isDynamic(shape[i]) || isDynamic(d)) ? ShapedType::kDynamic
                                                         : shape[i] + d;
      } else if (!isDynamic(d) && !isDynamic(shape[i]) && d != shape[i]) {
        return emitInferError(loc, "swin.concat: inputs differ in dimension " + Twine(i));
      }
    }
  }
  inferred.push_back(rankedTensorOf(shape, first.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  if ((int64_t)low.size() != input.getRank() || (int64_t)high.size() != input.getRank())
    return emitInferError(loc, "swin.pad needs one low and one high padding per dimension");
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (low[i] < 0 || high[i] < 0)
      return emitInferError(loc, "swin.pad: padding must be non-negative");
    int64_t d = input.getDimSize(i);
    if (isDynamic(d) && (low[i] || high[i]))
      return emitInferError(loc, "swin.pad: cannot pad the dynamic dimension");
    shape.push_back(isDynamic(d) ? d : d + low[i] + high[i]);
  }
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and pooling
//===----------------------------------------------------------------------===//

static LogicalResult inferReduce(std::optional<Location> loc, Value inputValue,
                                 ArrayRef<int64_t> axes, bool keepDims,
                                 SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(inputValue.getType());
  if (axes.empty())
    return emitInferError(loc, "swin reduction needs at least one axis");
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= input.getRank() || (i && axes[i] <= axes[i - 1]))
      return emitInferError(loc, "swin reduction axes must be sorted, unique and in range");
    if (isDynamic(input.getDimSize(axes[i])))
      return emitInferError(loc, "swin reduction over the dynamic (batch) dimension");
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < input.getRank(); ++i) {
    if (!llvm::is_contained(axes, i))
      shape.push_back(input.getDimSize(i));
    else if (keepDims)
      shape.push_back(1);
  }
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

#define SWIN_REDUCE_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferReduce(loc, adaptor.getInput(), adaptor.getAxes(),             \
                       adaptor.getKeepDims(), inferred);                       \
  }
SWIN_REDUCE_INFER(ReduceMeanOp)
SWIN_REDUCE_INFER(ReduceSumOp)
SWIN_REDUCE_INFER(ReduceMaxOp)
SWIN_REDUCE_INFER(ReduceL2Op)
#undef SWIN_REDUCE_INFER

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location> loc,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 3)
    return emitInferError(loc, "swin.global_avg_pool expects an N x C x spatial... tensor");
  SmallVector<int64_t> shape(input.getShape());
  for (int64_t i = 2; i < input.getRank(); ++i) {
    if (isDynamic(shape[i]))
      return emitInferError(loc, "swin.global_avg_pool: spatial dimensions must be static");
    shape[i] = 1;
  }
  inferred.push_back(rankedTensorOf(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// RollOp
//===----------------------------------------------------------------------===//

LogicalResult RollOp::verify() {
  RankedTensorType type = getInput().getType();
  if (static_cast<int64_t>(getShifts().size()) != type.getRank())
    return emitOpError("needs one shift per dimension");
  for (auto [d, shift] : llvm::enumerate(getShifts()))
    if (type.isDynamicDim(d) && shift != 0)
      return emitOpError("cannot roll along the dynamic (batch) dimension");
  return success();
}

OpFoldResult RollOp::fold(FoldAdaptor) {
  RankedTensorType type = getInput().getType();
  for (auto [d, shift] : llvm::enumerate(getShifts()))
    if (shift != 0 && (type.isDynamicDim(d) || shift % type.getDimSize(d) != 0))
      return {};
  return getInput();
}

namespace {
/// roll(roll(x, a), b) == roll(x, a + b).
struct ComposeRolls : OpRewritePattern<RollOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RollOp op, PatternRewriter &rewriter) const override {
    auto producer = op.getInput().getDefiningOp<RollOp>();
    if (!producer)
      return failure();
    RankedTensorType type = op.getType();
    SmallVector<int64_t> shifts;
    for (auto [d, a, b] : llvm::enumerate(producer.getShifts(), op.getShifts())) {
      int64_t sum = a + b;
      if (!type.isDynamicDim(d)) {
        // Normalise into (-size, size) to keep the numbers readable.
        sum %= type.getDimSize(d);
      }
      shifts.push_back(sum);
    }
    rewriter.replaceOpWithNewOp<RollOp>(op, producer.getInput(), shifts);
    return success();
  }
};
} // namespace

void RollOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<ComposeRolls>(context);
}

//===----------------------------------------------------------------------===//
// WindowPartitionOp / WindowReverseOp
//===----------------------------------------------------------------------===//

LogicalResult WindowPartitionOp::inferReturnTypes(MLIRContext *,
                                                  std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> window = adaptor.getWindow();
  if (input.getRank() != 4 || window.size() != 2)
    return emitInferError(loc, "swin.window_partition takes [B, H, W, C] and a 2-D window");
  int64_t h = input.getDimSize(1), w = input.getDimSize(2), c = input.getDimSize(3);
  if (isDynamic(h) || isDynamic(w) || isDynamic(c) || window[0] < 1 || window[1] < 1 ||
      h % window[0] || w % window[1])
    return emitInferError(loc, "swin.window_partition: " + shapeString(input.getShape()) +
                                   " does not tile into " + Twine(window[0]) + "x" +
                                   Twine(window[1]) + " windows");
  int64_t batch = input.getDimSize(0);
  int64_t windows = isDynamic(batch) ? ShapedType::kDynamic
                                     : batch * (h / window[0]) * (w / window[1]);
  inferred.push_back(
      rankedTensorOf({windows, window[0] * window[1], c}, input.getElementType()));
  return success();
}

LogicalResult WindowReverseOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  ArrayRef<int64_t> window = getWindow();
  if (input.getRank() != 3 || result.getRank() != 4 || window.size() != 2)
    return emitOpError("takes [B * nW, wh * ww, C] to [B, H, W, C] with a 2-D window");
  int64_t h = result.getDimSize(1), w = result.getDimSize(2);
  if (isDynamic(h) || isDynamic(w) || window[0] < 1 || window[1] < 1 || h % window[0] ||
      w % window[1])
    return emitOpError("result ") << shapeString(result.getShape()) << " does not tile into "
                                  << window[0] << "x" << window[1] << " windows";
  if (input.getDimSize(1) != window[0] * window[1] ||
      input.getDimSize(2) != result.getDimSize(3))
    return emitOpError("input ") << shapeString(input.getShape())
                                 << " does not hold windows of the result";
  if (isDynamic(input.getDimSize(0)) != isDynamic(result.getDimSize(0)))
    return emitOpError("input and result must both carry the batch or neither");
  return success();
}

//===----------------------------------------------------------------------===//
// PatchMergeOp
//===----------------------------------------------------------------------===//

LogicalResult PatchMergeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() != 4)
    return emitInferError(loc, "swin.patch_merge takes [B, H, W, C]");
  int64_t h = input.getDimSize(1), w = input.getDimSize(2), c = input.getDimSize(3);
  if (isDynamic(h) || isDynamic(w) || isDynamic(c) || h % 2 || w % 2)
    return emitInferError(loc, "swin.patch_merge needs a static, even height and width, got " +
                                   shapeString(input.getShape()));
  inferred.push_back(
      rankedTensorOf({input.getDimSize(0), h / 2, w / 2, 4 * c}, input.getElementType()));
  return success();
}

LogicalResult PatchMergingOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getWeight().getType());
  if (input.getRank() != 4 || result.getRank() != 4)
    return emitOpError("takes [B, H, W, C] to [B, H/2, W/2, out]");
  int64_t h = input.getDimSize(1), w = input.getDimSize(2), c = input.getDimSize(3);
  if (isDynamic(h) || isDynamic(w) || isDynamic(c) || h % 2 || w % 2)
    return emitOpError("needs a static, even height and width, got ")
           << shapeString(input.getShape());
  if (weight.getRank() != 2 || weight.getDimSize(1) != 4 * c)
    return emitOpError("weight must be [out, ") << 4 * c << "]";
  int64_t normed = getNormAfterReduction() ? weight.getDimSize(0) : 4 * c;
  for (Value param : {getScale(), getBias()})
    if (cast<RankedTensorType>(param.getType()).getShape() != ArrayRef<int64_t>{normed})
      return emitOpError("scale and bias must be [") << normed << "]";
  if (result.getShape() != ArrayRef<int64_t>{input.getDimSize(0), h / 2, w / 2,
                                             weight.getDimSize(0)})
    return emitOpError("result must be ")
           << shapeString({input.getDimSize(0), h / 2, w / 2, weight.getDimSize(0)});
  if (getEpsilon().convertToFloat() <= 0.0f)
    return emitOpError("epsilon must be positive");
  if (getQuantType().has_value() != getQuantScale().has_value())
    return emitOpError("quant_type and quant_scale go together");
  if (getQuantType()) {
    Type type = *getQuantType();
    if (!type.isInteger(8) && !isa<Float8E4M3FNType>(type))
      return emitOpError("quant_type must be i8 or f8E4M3FN, got ") << type;
    float scale = getQuantScale()->convertToFloat();
    if (!(scale > 0.0f) || !std::isfinite(scale))
      return emitOpError("quant_scale must be positive and finite");
  }
  return success();
}

/// An optional LayerNorm's operands: `scale` and `bias` both present and
/// [c] with a positive `epsilon`, or all three absent.
static LogicalResult verifyOptionalNorm(Operation *op, Value scale, Value bias,
                                        std::optional<APFloat> epsilon, int64_t c,
                                        StringRef what) {
  if (!scale && !bias && !epsilon)
    return success();
  if (!scale || !bias || !epsilon)
    return op->emitOpError() << what << " needs scale, bias and epsilon together";
  for (Value param : {scale, bias})
    if (cast<RankedTensorType>(param.getType()).getShape() != ArrayRef<int64_t>{c})
      return op->emitOpError() << what << " scale and bias must be [" << c << "]";
  if (epsilon->convertToFloat() <= 0.0f)
    return op->emitOpError() << what << " epsilon must be positive";
  return success();
}

LogicalResult NormPartitionOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  ArrayRef<int64_t> window = getWindow(), shifts = getShifts();
  if (input.getRank() != 4 || result.getRank() != 3 || window.size() != 2 ||
      shifts.size() != 2)
    return emitOpError("takes [B, H, W, C] to [B * nW, wh * ww, C] with 2-D window and shifts");
  int64_t h = input.getDimSize(1), w = input.getDimSize(2), c = input.getDimSize(3);
  if (isDynamic(h) || isDynamic(w) || isDynamic(c) || window[0] < 1 || window[1] < 1 ||
      h % window[0] || w % window[1])
    return emitOpError("input ") << shapeString(input.getShape()) << " does not tile into "
                                 << window[0] << "x" << window[1] << " windows";
  if (failed(verifyOptionalNorm(*this, getScale(), getBias(), getEpsilon(), c, "LayerNorm")))
    return failure();
  int64_t windows = isDynamic(input.getDimSize(0))
                        ? ShapedType::kDynamic
                        : input.getDimSize(0) * (h / window[0]) * (w / window[1]);
  if (result.getShape() != ArrayRef<int64_t>{windows, window[0] * window[1], c})
    return emitOpError("result must be ")
           << shapeString({windows, window[0] * window[1], c});
  return success();
}

LogicalResult AttentionOutputOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getWeight().getType());
  auto bias = cast<RankedTensorType>(getBias().getType());
  auto residual = cast<RankedTensorType>(getResidual().getType());
  ArrayRef<int64_t> window = getWindow();
  if (input.getRank() != 3 || result.getRank() != 4 || window.size() != 2 ||
      getShifts().size() != 2)
    return emitOpError("takes windows [B * nW, N, Ci] to [B, H, W, C] with 2-D window and shifts");
  if (residual != result)
    return emitOpError("residual must have the result type");
  int64_t h = result.getDimSize(1), w = result.getDimSize(2), c = result.getDimSize(3);
  if (window[0] < 1 || window[1] < 1 || h % window[0] || w % window[1] ||
      input.getDimSize(1) != window[0] * window[1])
    return emitOpError("windows of ") << input.getDimSize(1) << " tokens do not tile "
                                      << shapeString(result.getShape());
  if (weight.getRank() != 2 || weight.getDimSize(0) != c ||
      weight.getDimSize(1) != input.getDimSize(2) || bias.getShape() != ArrayRef<int64_t>{c})
    return emitOpError("weight must be [") << c << ", " << input.getDimSize(2)
                                           << "] and bias [" << c << "]";
  return verifyOptionalNorm(*this, getNormScale(), getNormBias(), getNormEpsilon(), c,
                            "post-norm");
}

LogicalResult ResidualLinearOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getWeight().getType());
  auto bias = cast<RankedTensorType>(getBias().getType());
  if (weight.getRank() != 2 || input.getRank() < 1 ||
      input.getShape().back() != weight.getDimSize(1))
    return emitOpError("input ") << shapeString(input.getShape()) << " does not match weight "
                                 << shapeString(weight.getShape());
  SmallVector<int64_t> shape(input.getShape());
  shape.back() = weight.getDimSize(0);
  if (result.getShape() != ArrayRef<int64_t>(shape) ||
      getResidual().getType() != result || bias.getShape() != ArrayRef<int64_t>{shape.back()})
    return emitOpError("result and residual must be ")
           << shapeString(shape) << " and bias [" << shape.back() << "]";
  return verifyOptionalNorm(*this, getNormScale(), getNormBias(), getNormEpsilon(),
                            shape.back(), "post-norm");
}

LogicalResult PatchEmbedOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getWeight().getType());
  if (input.getRank() != 4 || weight.getRank() != 4 || result.getRank() != 4)
    return emitOpError("takes [B, Cin, H, W] and a [C, Cin, p, p] weight to [B, H/p, W/p, C]");
  int64_t c = weight.getDimSize(0), ph = weight.getDimSize(2), pw = weight.getDimSize(3);
  int64_t h = input.getDimSize(2), w = input.getDimSize(3);
  if (weight.getDimSize(1) != input.getDimSize(1) || isDynamic(h) || isDynamic(w) ||
      h % ph || w % pw)
    return emitOpError("input ") << shapeString(input.getShape())
                                 << " does not tile into the weight's patches";
  for (Value param : {getBias(), getScale(), getShift()})
    if (cast<RankedTensorType>(param.getType()).getShape() != ArrayRef<int64_t>{c})
      return emitOpError("bias, scale and shift must be [") << c << "]";
  if (result.getShape() != ArrayRef<int64_t>{input.getDimSize(0), h / ph, w / pw, c})
    return emitOpError("result must be ")
           << shapeString({input.getDimSize(0), h / ph, w / pw, c});
  return success();
}

LogicalResult ClassifierHeadOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getWeight().getType());
  if (input.getRank() < 2 || weight.getRank() != 2 || result.getRank() != 2)
    return emitOpError("takes tokens [B, ..., C] and a [classes, C] weight to [B, classes]");
  int64_t c = input.getShape().back();
  for (Value param : {getScale(), getShift()})
    if (cast<RankedTensorType>(param.getType()).getShape() != ArrayRef<int64_t>{c})
      return emitOpError("scale and shift must be [") << c << "]";
  if (weight.getDimSize(1) != c ||
      cast<RankedTensorType>(getBias().getType()).getShape() !=
          ArrayRef<int64_t>{weight.getDimSize(0)} ||
      result.getShape() != ArrayRef<int64_t>{input.getDimSize(0), weight.getDimSize(0)})
    return emitOpError("weight, bias and result do not match ")
           << shapeString(input.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// WindowAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult WindowAttentionOp::verify() {
  RankedTensorType input = getInput().getType(), result = getType();
  auto weight = cast<RankedTensorType>(getQkvWeight().getType());
  auto bias = cast<RankedTensorType>(getQkvBias().getType());
  auto position = cast<RankedTensorType>(getPositionBias().getType());
  int64_t heads = static_cast<int64_t>(getNumHeads());
  if (input.getRank() != 3 || result.getRank() != 3)
    return emitOpError("takes and returns [windows, tokens, channels]");
  int64_t tokens = input.getDimSize(1), channels = input.getDimSize(2);
  if (isDynamic(tokens) || isDynamic(channels))
    return emitOpError("tokens and channels must be static");
  if (weight.getRank() != 2 || weight.getDimSize(1) != channels ||
      weight.getDimSize(0) % 3 != 0)
    return emitOpError("qkv_weight must be [3 * inner, ") << channels << "], got "
                                                          << shapeString(weight.getShape());
  int64_t inner = weight.getDimSize(0) / 3;
  if (heads < 1 || inner % heads != 0)
    return emitOpError("inner width ") << inner << " does not split into " << heads
                                       << " heads";
  if (bias.getRank() != 1 || bias.getDimSize(0) != 3 * inner)
    return emitOpError("qkv_bias must be [") << 3 * inner << "]";
  if (position.getShape() != ArrayRef<int64_t>{heads, tokens, tokens})
    return emitOpError("position_bias must be [") << heads << ", " << tokens << ", "
                                                  << tokens << "]";
  if (getMask()) {
    auto mask = cast<RankedTensorType>(getMask().getType());
    if (mask.getRank() != 3 || !mask.hasStaticShape() || mask.getDimSize(1) != tokens ||
        mask.getDimSize(2) != tokens)
      return emitOpError("mask must be [windows per image, ") << tokens << ", " << tokens
                                                            << "]";
  }
  if (result.getDimSize(0) != input.getDimSize(0) || result.getDimSize(1) != tokens ||
      result.getDimSize(2) != inner)
    return emitOpError("result must be ")
           << shapeString({input.getDimSize(0), tokens, inner});
  if (getQkvQuantType().has_value() != getQkvQuantScales().has_value())
    return emitOpError("qkv_quant_type and qkv_quant_scales go together");
  if (getQkvQuantType()) {
    Type type = *getQkvQuantType();
    if (!type.isInteger(8) && !isa<Float8E4M3FNType>(type))
      return emitOpError("qkv_quant_type must be i8 or f8E4M3FN, got ") << type;
    ArrayRef<float> scales = *getQkvQuantScales();
    if (scales.size() != 3)
      return emitOpError("qkv_quant_scales needs three scales (q, k, v), got ")
             << scales.size();
    for (float scale : scales)
      if (!(scale > 0.0f) || !std::isfinite(scale))
        return emitOpError("qkv_quant_scales must be positive and finite");
  }
  if (std::optional<ArrayRef<float>> logitScales = getLogitScales()) {
    if (static_cast<int64_t>(logitScales->size()) != heads)
      return emitOpError("logit_scales needs one scale per head (")
             << heads << "), got " << logitScales->size();
    for (float scale : *logitScales)
      if (!(scale > 0.0f) || !std::isfinite(scale))
        return emitOpError("logit_scales must be positive and finite");
    if (getScale().convertToFloat() != 1.0f)
      return emitOpError("scale must be 1 with logit_scales (cosine attention), got ")
             << getScale().convertToFloat();
  }
  return success();
}

#define GET_OP_CLASSES
#include "swin/Dialect/Swin/IR/SwinOps.cpp.inc"

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

/// Scales are positive and finite; one per tensor, or one per index of
/// `axis` (a static dimension).
static LogicalResult verifyQuantScales(Operation *op, ArrayRef<float> scales,
                                       std::optional<int64_t> axis, RankedTensorType type) {
  if (scales.empty())
    return op->emitOpError("needs at least one scale");
  for (float scale : scales)
    if (!(scale > 0.0f) || !std::isfinite(scale))
      return op->emitOpError("scales must be positive and finite, got ") << scale;
  if (!axis) {
    if (scales.size() != 1)
      return op->emitOpError("has ") << scales.size() << " scales but no axis";
    return success();
  }
  if (*axis < 0 || *axis >= type.getRank())
    return op->emitOpError("axis ") << *axis << " is out of range for rank " << type.getRank();
  if (type.isDynamicDim(*axis) || type.getDimSize(*axis) != (int64_t)scales.size())
    return op->emitOpError("needs one scale per index of axis ")
           << *axis << " (" << shapeString(type.getShape()) << "), got " << scales.size();
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantScales(*this, getScales(), getAxis(), getInput().getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantScales(*this, getScales(), getAxis(), getInput().getType());
}
