//===- FuseResidual.cpp - the residual additions of a Swin block ----------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINFUSERESIDUAL
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// A linear with a bias, no activation and a single user.
LinearOp privateAffine(Value v) {
  auto linear = v.getDefiningOp<LinearOp>();
  if (!linear || !linear->hasOneUse() || !linear.getBias() ||
      linear.getActivation() != Activation::none)
    return nullptr;
  return linear;
}

/// A private LayerNorm over the channels of `branch` (through channel
/// reshapes): Swin V2's post-norm. Advances `branch` to its input.
LayerNormOp peelPostNorm(Value &branch) {
  auto norm = skipChannelPreservingReshapes(branch).getDefiningOp<LayerNormOp>();
  if (!norm || !norm->hasOneUse() ||
      static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1)
    return nullptr;
  branch = norm.getInput();
  return norm;
}

/// The fused op's optional post-norm operands.
struct PostNormOperands {
  Value scale, bias;
  FloatAttr epsilon;
  explicit PostNormOperands(LayerNormOp norm) {
    if (norm) {
      scale = norm.getScale();
      bias = norm.getBias();
      epsilon = norm.getEpsilonAttr();
    }
  }
};

/// residual + [layer_norm](roll(window_reverse(linear(a)))).
struct AttentionResidual : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    if (add.getLhs().getType() != add.getRhs().getType())
      return rewriter.notifyMatchFailure(add, "broadcasting add");
    for (auto [residual, branch] : operandOrders(add)) {
      Value v = branch;
      PostNormOperands norm(peelPostNorm(v));
      v = skipChannelPreservingReshapes(v);
      SmallVector<int64_t> shifts = {0, 0};
      if (auto roll = v.getDefiningOp<RollOp>()) {
        ArrayRef<int64_t> s = roll.getShifts();
        if (!roll->hasOneUse() || s[0] != 0 || s[3] != 0)
          continue;
        shifts = {s[1], s[2]};
        v = roll.getInput();
      }
      auto reverse = v.getDefiningOp<WindowReverseOp>();
      if (!reverse || !reverse->hasOneUse())
        continue;
      LinearOp proj = privateAffine(reverse.getInput());
      if (!proj)
        continue;
      Location loc = add.getLoc();
      Type image = reverse.getType();
      Value fused = rewriter.create<AttentionOutputOp>(
          loc, image, proj.getInput(), proj.getWeight(), proj.getBias(),
          reshapeTo(rewriter, loc, residual, image), norm.scale, norm.bias,
          reverse.getWindowAttr(), rewriter.getDenseI64ArrayAttr(shifts), norm.epsilon);
      rewriter.replaceOp(add, reshapeTo(rewriter, loc, fused, add.getType()));
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no projected window branch");
  }
};

/// residual + [layer_norm](linear(h)).
struct MlpResidual : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    if (add.getLhs().getType() != add.getRhs().getType())
      return rewriter.notifyMatchFailure(add, "broadcasting add");
    for (auto [residual, branch] : operandOrders(add)) {
      Value v = branch;
      PostNormOperands norm(peelPostNorm(v));
      LinearOp fc = privateAffine(skipChannelPreservingReshapes(v));
      if (!fc)
        continue;
      Location loc = add.getLoc();
      Type rows = fc.getType();
      Value fused = rewriter.create<ResidualLinearOp>(
          loc, rows, fc.getInput(), fc.getWeight(), fc.getBias(),
          reshapeTo(rewriter, loc, residual, rows), norm.scale, norm.bias, norm.epsilon);
      rewriter.replaceOp(add, reshapeTo(rewriter, loc, fused, add.getType()));
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no linear branch");
  }
};

struct SwinFuseResidualPass
    : mlir::swin::impl::SwinFuseResidualBase<SwinFuseResidualPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<AttentionResidual>(&getContext(), /*benefit=*/2);
    patterns.add<MlpResidual>(&getContext(), /*benefit=*/1);
    ReshapeOp::getCanonicalizationPatterns(patterns, &getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
