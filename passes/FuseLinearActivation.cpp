//===- FuseLinearActivation.cpp - GELU into the linear's epilogue ---------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINFUSELINEARACTIVATION
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

struct GeluIntoLinear : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp gelu, PatternRewriter &rewriter) const override {
    auto linear = gelu.getInput().getDefiningOp<LinearOp>();
    if (!linear || !linear->hasOneUse() || linear.getActivation() != Activation::none)
      return rewriter.notifyMatchFailure(gelu, "input is not a linear used only here");
    Activation activation = gelu.getApproximation() == GeluApproximation::tanh
                                ? Activation::gelu_tanh
                                : Activation::gelu;
    rewriter.replaceOpWithNewOp<LinearOp>(
        gelu, linear.getInput(), linear.getWeight(), linear.getBias(),
        ActivationAttr::get(rewriter.getContext(), activation));
    return success();
  }
};

struct SwinFuseLinearActivationPass
    : mlir::swin::impl::SwinFuseLinearActivationBase<SwinFuseLinearActivationPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<GeluIntoLinear>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
