//===- PatternUtils.h - helpers for swin rewrite patterns -------*- C++ -*-===//
#ifndef SWIN_PASSES_PATTERNUTILS_H
#define SWIN_PASSES_PATTERNUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"

#include <array>
#include <cmath>
#include <optional>
#include <utility>

namespace mlir::swin {

/// The value of a constant whose elements are all equal (a scalar, a splat
/// or a one-element tensor), if `value` is one.
inline std::optional<double> getUniformConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  if (!dense)
    return std::nullopt;
  if (dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  if (dense.getNumElements() == 1)
    return (*dense.value_begin<APFloat>()).convertToDouble();
  return std::nullopt;
}

/// Whether `value` is a uniform constant equal to `expected` within `rtol`.
inline bool isUniformConstant(Value value, double expected, double rtol = 1e-6) {
  std::optional<double> v = getUniformConstant(value);
  return v && std::fabs(*v - expected) <= rtol * std::fabs(expected);
}

/// For a commutative binary op, the operand other than `known`, or null if
/// `known` is not an operand.
template <typename OpTy>
Value otherOperand(OpTy op, Value known) {
  if (op.getLhs() == known)
    return op.getRhs();
  if (op.getRhs() == known)
    return op.getLhs();
  return nullptr;
}

/// Both (operand, other operand) orders of a commutative binary op, for
/// patterns that look for one of the two in either position.
template <typename OpTy>
std::array<std::pair<Value, Value>, 2> operandOrders(OpTy op) {
  return {std::pair(op.getLhs(), op.getRhs()), std::pair(op.getRhs(), op.getLhs())};
}

/// `value` viewed as `type` (no op when it already has it).
inline Value reshapeTo(PatternRewriter &rewriter, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return rewriter.create<ReshapeOp>(loc, type, value);
}

/// The single user of `value` if it is an `OpTy`, else null.
template <typename OpTy>
OpTy getSingleUser(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  return dyn_cast<OpTy>(*value.getUsers().begin());
}

/// Skips single-use reshapes that keep the last (channel) dimension; such
/// reshapes commute with row-wise ops (LayerNorm over channels, linear).
inline Value skipChannelPreservingReshapes(Value v) {
  while (auto reshape = v.getDefiningOp<ReshapeOp>()) {
    if (!reshape->hasOneUse() || reshape.getType().getShape().back() !=
                                     reshape.getInput().getType().getShape().back())
      break;
    v = reshape.getInput();
  }
  return v;
}

} // namespace mlir::swin

#endif // SWIN_PASSES_PATTERNUTILS_H
