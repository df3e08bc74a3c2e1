//===- FuseNormPartition.cpp - LayerNorm + shift + partition --------------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINFUSENORMPARTITION
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// [LayerNorm +] cyclic shift + window partition. Swin V1 normalises before
/// the partition; Swin V2's post-norm blocks partition the residual stream
/// as it is, which becomes the same op without the norm.
struct NormShiftPartition : OpRewritePattern<WindowPartitionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WindowPartitionOp partition,
                                PatternRewriter &rewriter) const override {
    Value image = partition.getInput();
    SmallVector<int64_t> shifts = {0, 0};
    if (auto roll = image.getDefiningOp<RollOp>()) {
      ArrayRef<int64_t> s = roll.getShifts();
      if (!roll->hasOneUse() || s[0] != 0 || s[3] != 0)
        return rewriter.notifyMatchFailure(partition, "roll is shared or not spatial");
      shifts = {s[1], s[2]};
      image = roll.getInput();
    }
    Location loc = partition.getLoc();
    auto norm = skipChannelPreservingReshapes(image).getDefiningOp<LayerNormOp>();
    if (!norm || !norm->hasOneUse() ||
        static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1) {
      rewriter.replaceOpWithNewOp<NormPartitionOp>(
          partition, partition.getType(), image, /*scale=*/nullptr, /*bias=*/nullptr,
          /*epsilon=*/nullptr, rewriter.getDenseI64ArrayAttr(shifts),
          partition.getWindowAttr());
      return success();
    }
    Value x = reshapeTo(rewriter, loc, norm.getInput(), partition.getInput().getType());
    rewriter.replaceOpWithNewOp<NormPartitionOp>(
        partition, partition.getType(), x, norm.getScale(), norm.getBias(),
        norm.getEpsilonAttr(), rewriter.getDenseI64ArrayAttr(shifts),
        partition.getWindowAttr());
    return success();
  }
};

struct SwinFuseNormPartitionPass
    : mlir::swin::impl::SwinFuseNormPartitionBase<SwinFuseNormPartitionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<NormShiftPartition>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
