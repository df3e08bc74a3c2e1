//===- SinkReshapes.cpp - layout reshapes past row-wise ops ---------------===//

#include "Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINSINKRESHAPES
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// The reshape producing `v` if it keeps the last (channel) dimension.
ReshapeOp channelPreservingReshape(Value v) {
  auto reshape = v.getDefiningOp<ReshapeOp>();
  if (!reshape || reshape.getType().getShape().back() !=
                      reshape.getInput().getType().getShape().back())
    return nullptr;
  return reshape;
}

/// `type` with its last dimension replaced by that of `like`.
RankedTensorType withLastDim(RankedTensorType type, RankedTensorType like) {
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = like.getShape().back();
  return RankedTensorType::get(shape, like.getElementType());
}

struct LayerNormPastReshape : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &rewriter) const override {
    ReshapeOp reshape = channelPreservingReshape(op.getInput());
    if (!reshape || static_cast<int64_t>(op.getAxis()) != op.getType().getRank() - 1)
      return failure();
    Value x = reshape.getInput();
    int64_t axis = cast<RankedTensorType>(x.getType()).getRank() - 1;
    Value norm = rewriter.create<LayerNormOp>(op.getLoc(), x, op.getScale(), op.getBias(),
                                              op.getEpsilonAttr(),
                                              rewriter.getI64IntegerAttr(axis));
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), norm);
    return success();
  }
};

struct LinearPastReshape : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op, PatternRewriter &rewriter) const override {
    ReshapeOp reshape = channelPreservingReshape(op.getInput());
    if (!reshape)
      return failure();
    Value linear = rewriter.create<LinearOp>(op.getLoc(), reshape.getInput(), op.getWeight(),
                                             op.getBias(), op.getActivationAttr());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), linear);
    return success();
  }
};

struct ResidualLinearPastReshape : OpRewritePattern<ResidualLinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResidualLinearOp op, PatternRewriter &rewriter) const override {
    ReshapeOp in = channelPreservingReshape(op.getInput());
    ReshapeOp res = channelPreservingReshape(op.getResidual());
    if (!in || !res)
      return failure();
    auto h = in.getInput().getType(), r = res.getInput().getType();
    // Both must come from the same row layout.
    if (h.getShape().drop_back() != r.getShape().drop_back())
      return failure();
    Value fused = rewriter.create<ResidualLinearOp>(
        op.getLoc(), r, in.getInput(), op.getWeight(), op.getBias(), res.getInput(),
        op.getNormScale(), op.getNormBias(), op.getNormEpsilonAttr());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), fused);
    return success();
  }
};

struct SwinSinkReshapesPass
    : mlir::swin::impl::SwinSinkReshapesBase<SwinSinkReshapesPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<LayerNormPastReshape, LinearPastReshape, ResidualLinearPastReshape>(context);
    ReshapeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
