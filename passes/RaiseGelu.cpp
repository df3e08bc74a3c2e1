//===- RaiseGelu.cpp - erf/tanh GELU spellings to swin.gelu ---------------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISEGELU
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kTanhCubic = 0.044715;

/// Matches the tail shared by both spellings, `0.5 * x * (1 + f)`, starting
/// from `f` (the erf or tanh result). Returns the op computing the GELU, or
/// null. Accepts `(x * (1 + f)) * 0.5` and `(x * 0.5) * (1 + f)` in any
/// operand order.
Operation *matchHalfXTimesOnePlus(Value f, Value x) {
  auto onePlus = getSingleUser<AddOp>(f);
  if (!onePlus || !isUniformConstant(otherOperand(onePlus, f), 1.0))
    return nullptr;
  auto product = getSingleUser<MulOp>(onePlus.getResult());
  if (!product)
    return nullptr;
  Value other = otherOperand(product, onePlus.getResult());
  if (other == x) {
    auto half = getSingleUser<MulOp>(product.getResult());
    if (half && isUniformConstant(otherOperand(half, product.getResult()), 0.5))
      return half;
    return nullptr;
  }
  if (auto halfX = other.getDefiningOp<MulOp>())
    if (otherOperand(halfX, x) && isUniformConstant(otherOperand(halfX, x), 0.5) &&
        halfX->hasOneUse())
      return product;
  return nullptr;
}

/// `x / sqrt(2)` or `x * (1 / sqrt(2))`: returns x.
Value matchDivSqrt2(Value v) {
  if (auto div = v.getDefiningOp<DivOp>())
    return isUniformConstant(div.getRhs(), kSqrt2) ? div.getLhs() : nullptr;
  if (auto mul = v.getDefiningOp<MulOp>()) {
    if (isUniformConstant(mul.getRhs(), 1.0 / kSqrt2))
      return mul.getLhs();
    if (isUniformConstant(mul.getLhs(), 1.0 / kSqrt2))
      return mul.getRhs();
  }
  return nullptr;
}

/// `x^3` as `pow(x, 3)`, `(x * x) * x` or `x * (x * x)`: returns x.
Value matchCube(Value v) {
  if (auto pow = v.getDefiningOp<PowOp>())
    return isUniformConstant(pow.getRhs(), 3.0) ? pow.getLhs() : nullptr;
  auto mul = v.getDefiningOp<MulOp>();
  if (!mul)
    return nullptr;
  for (auto [square, x] : operandOrders(mul)) {
    auto sq = square.getDefiningOp<MulOp>();
    if (sq && sq.getLhs() == x && sq.getRhs() == x)
      return x;
  }
  return nullptr;
}

/// Scalar-constant times `v` in either order: returns `v`.
Value matchScaled(Value product, double scale) {
  auto mul = product.getDefiningOp<MulOp>();
  if (!mul)
    return nullptr;
  if (isUniformConstant(mul.getRhs(), scale))
    return mul.getLhs();
  if (isUniformConstant(mul.getLhs(), scale))
    return mul.getRhs();
  return nullptr;
}

LogicalResult replaceWithGelu(PatternRewriter &rewriter, Operation *root, Value x,
                              GeluApproximation approximation) {
  if (!root || root->getResult(0).getType() != x.getType())
    return failure();
  rewriter.replaceOpWithNewOp<GeluOp>(
      root, x, GeluApproximationAttr::get(rewriter.getContext(), approximation));
  return success();
}

struct ErfGelu : OpRewritePattern<ErfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ErfOp erf, PatternRewriter &rewriter) const override {
    Value x = matchDivSqrt2(erf.getInput());
    if (!x)
      return rewriter.notifyMatchFailure(erf, "erf input is not x / sqrt(2)");
    return replaceWithGelu(rewriter, matchHalfXTimesOnePlus(erf.getResult(), x), x,
                           GeluApproximation::none);
  }
};

struct TanhGelu : OpRewritePattern<TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TanhOp tanh, PatternRewriter &rewriter) const override {
    Value inner = matchScaled(tanh.getInput(), kSqrt2OverPi);
    auto sum = inner ? inner.getDefiningOp<AddOp>() : AddOp();
    if (!sum)
      return rewriter.notifyMatchFailure(tanh, "tanh input is not sqrt(2/pi) * (...)");
    for (auto [x, cubic] : operandOrders(sum)) {
      Value cube = matchScaled(cubic, kTanhCubic);
      if (cube && matchCube(cube) == x)
        return replaceWithGelu(rewriter, matchHalfXTimesOnePlus(tanh.getResult(), x), x,
                               GeluApproximation::tanh);
    }
    return rewriter.notifyMatchFailure(tanh, "not x + 0.044715 * x^3");
  }
};

struct SwinRaiseGeluPass : mlir::swin::impl::SwinRaiseGeluBase<SwinRaiseGeluPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ErfGelu, TanhGelu>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
