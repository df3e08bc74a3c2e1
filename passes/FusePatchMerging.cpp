//===- FusePatchMerging.cpp - gather + LayerNorm + reduction --------------===//
//
// V1: gather, LayerNorm, reduction. V2 (PatchMergingV2): gather, reduction,
// LayerNorm, the same op with norm_after_reduction.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINFUSEPATCHMERGING
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// Replaces `last` (the chain's final op, reduction or LayerNorm) with one
/// swin.patch_merging of `gather`, `norm` and `linear`, reshaped back to
/// `last`'s type.
void replaceWithPatchMerging(PatternRewriter &rewriter, Operation *last, PatchMergeOp gather,
                             LayerNormOp norm, LinearOp linear, bool normAfter) {
  auto in = gather.getInput().getType();
  auto weight = cast<RankedTensorType>(linear.getWeight().getType());
  auto type = RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1) / 2, in.getDimSize(2) / 2, weight.getDimSize(0)},
      in.getElementType());
  Value fused = rewriter.create<PatchMergingOp>(
      last->getLoc(), type, gather.getInput(), norm.getScale(), norm.getBias(),
      linear.getWeight(), norm.getEpsilonAttr(), /*quant_type=*/nullptr,
      /*quant_scale=*/nullptr, normAfter ? rewriter.getUnitAttr() : UnitAttr());
  rewriter.replaceOp(last, reshapeTo(rewriter, last->getLoc(), fused,
                                     last->getResult(0).getType()));
}

struct MergeNormReduce : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp linear, PatternRewriter &rewriter) const override {
    if (linear.getBias() || linear.getActivation() != Activation::none)
      return rewriter.notifyMatchFailure(linear, "reduction has a bias or an activation");
    Value normed = skipChannelPreservingReshapes(linear.getInput());
    auto norm = normed.getDefiningOp<LayerNormOp>();
    if (!norm || !norm->hasOneUse() ||
        static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1)
      return rewriter.notifyMatchFailure(linear, "input is not a channel LayerNorm");
    auto gather = skipChannelPreservingReshapes(norm.getInput()).getDefiningOp<PatchMergeOp>();
    if (!gather || !gather->hasOneUse())
      return rewriter.notifyMatchFailure(linear, "LayerNorm input is not a patch gather");
    replaceWithPatchMerging(rewriter, linear, gather, norm, linear, /*normAfter=*/false);
    return success();
  }
};

/// Swin V2's PatchMergingV2: layer_norm(linear(patch_merge(x))), the
/// reduction bias-free.
struct MergeReduceNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp norm, PatternRewriter &rewriter) const override {
    if (static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1)
      return rewriter.notifyMatchFailure(norm, "not a channel LayerNorm");
    auto linear = skipChannelPreservingReshapes(norm.getInput()).getDefiningOp<LinearOp>();
    if (!linear || !linear->hasOneUse() || linear.getBias() ||
        linear.getActivation() != Activation::none)
      return rewriter.notifyMatchFailure(norm, "input is not a private bias-free reduction");
    auto gather = skipChannelPreservingReshapes(linear.getInput()).getDefiningOp<PatchMergeOp>();
    if (!gather || !gather->hasOneUse())
      return rewriter.notifyMatchFailure(norm, "reduction input is not a patch gather");
    replaceWithPatchMerging(rewriter, norm, gather, norm, linear, /*normAfter=*/true);
    return success();
  }
};

struct SwinFusePatchMergingPass
    : mlir::swin::impl::SwinFusePatchMergingBase<SwinFusePatchMergingPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeNormReduce, MergeReduceNorm>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
