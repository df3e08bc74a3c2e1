//===- RaiseEmbedHead.cpp - patch embedding and classifier head -----------===//

#include "Passes.h"
#include "PatternUtils.h"
#include "ViewTracing.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISEEMBEDHEAD
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// A per-channel vector: `v` itself, or zeros when the op has none.
Value orZeros(PatternRewriter &rewriter, Location loc, Value v, int64_t n) {
  if (v)
    return v;
  auto type = RankedTensorType::get({n}, rewriter.getF32Type());
  return rewriter.create<ConstantOp>(loc, DenseElementsAttr::get(type, 0.0f));
}

/// layer_norm(view of conv2d(x) as NHWC or tokens) -> patch_embed.
struct PatchEmbedPattern : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp norm, PatternRewriter &rewriter) const override {
    if (static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1)
      return failure();
    View view = traceView(norm.getInput());
    auto conv = view.base.getDefiningOp<Conv2DOp>();
    if (!conv || view.base == norm.getInput() || conv.getGroups() != 1 ||
        llvm::any_of(conv.getPadding(), [](int64_t p) { return p != 0; }) ||
        llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; }))
      return rewriter.notifyMatchFailure(norm, "input is not a view of a patch convolution");
    auto weight = cast<RankedTensorType>(conv.getWeight().getType());
    ArrayRef<int64_t> strides = conv.getStrides();
    if (strides[0] != weight.getDimSize(2) || strides[1] != weight.getDimSize(3))
      return rewriter.notifyMatchFailure(norm, "patches overlap");
    ArrayRef<int64_t> nchw = conv.getType().getShape();
    int64_t c = nchw[1], h = nchw[2], w = nchw[3];
    // NHWC: [B, H, W, C] strides [CHW, W, 1, HW]; tokens: [B, HW, C] strides [CHW, 1, HW].
    bool nhwc = ArrayRef<int64_t>(view.sizes) ==
                    ArrayRef<int64_t>{ShapedType::kDynamic, h, w, c} &&
                ArrayRef<int64_t>(view.strides) == ArrayRef<int64_t>{c * h * w, w, 1, h * w};
    bool tokens = ArrayRef<int64_t>(view.sizes) ==
                      ArrayRef<int64_t>{ShapedType::kDynamic, h * w, c} &&
                  ArrayRef<int64_t>(view.strides) == ArrayRef<int64_t>{c * h * w, 1, h * w};
    if (view.offset != 0 || (!nhwc && !tokens))
      return rewriter.notifyMatchFailure(norm, "not a channels-last view of the patches");
    Location loc = norm.getLoc();
    auto type = RankedTensorType::get({nchw[0], h, w, c}, norm.getType().getElementType());
    Value embedded = rewriter.create<PatchEmbedOp>(
        loc, type, conv.getInput(), conv.getWeight(), orZeros(rewriter, loc, conv.getBias(), c),
        norm.getScale(), norm.getBias(), norm.getEpsilonAttr());
    rewriter.replaceOp(norm, reshapeTo(rewriter, loc, embedded, norm.getType()));
    return success();
  }
};

/// Whether `perm` moves the last dimension to position 1 and keeps the rest
/// in order (channels-last to channels-first).
bool isChannelsFirst(ArrayRef<int64_t> perm) {
  int64_t r = perm.size();
  if (r < 3 || perm[0] != 0 || perm[1] != r - 1)
    return false;
  for (int64_t i = 2; i < r; ++i)
    if (perm[i] != i - 1)
      return false;
  return true;
}

/// Mean over the positions of channels-first `pooled`, taken instead over
/// the positions of the channels-last `y` it was transposed from.
Value meanOverPositions(PatternRewriter &rewriter, Location loc, Value y, Type resultType) {
  int64_t rank = cast<RankedTensorType>(y.getType()).getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 1; i < rank - 1; ++i)
    axes.push_back(i);
  Value mean = rewriter.create<ReduceMeanOp>(loc, y, axes, false);
  return rewriter.create<ReshapeOp>(loc, resultType, mean);
}

/// global_avg_pool(transpose(y, channels-first)).
struct GlobalPoolToMean : OpRewritePattern<GlobalAvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAvgPoolOp pool, PatternRewriter &rewriter) const override {
    auto transpose = pool.getInput().getDefiningOp<TransposeOp>();
    if (!transpose || !isChannelsFirst(transpose.getPerm()))
      return failure();
    rewriter.replaceOp(pool, meanOverPositions(rewriter, pool.getLoc(), transpose.getInput(),
                                               pool.getType()));
    return success();
  }
};

/// reduce_mean(transpose(y, channels-first), every position axis).
struct TransposedMeanToMean : OpRewritePattern<ReduceMeanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceMeanOp mean, PatternRewriter &rewriter) const override {
    auto transpose = mean.getInput().getDefiningOp<TransposeOp>();
    if (!transpose || !isChannelsFirst(transpose.getPerm()))
      return failure();
    int64_t rank = transpose.getType().getRank();
    if (!llvm::equal(mean.getAxes(), llvm::seq<int64_t>(2, rank)))
      return failure();
    rewriter.replaceOp(mean, meanOverPositions(rewriter, mean.getLoc(), transpose.getInput(),
                                               mean.getType()));
    return success();
  }
};

/// linear(mean over positions(layer_norm(y))) -> classifier_head.
struct HeadPattern : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp linear, PatternRewriter &rewriter) const override {
    if (linear.getActivation() != Activation::none || linear.getType().getRank() != 2)
      return failure();
    Value pooled = linear.getInput();
    while (auto reshape = pooled.getDefiningOp<ReshapeOp>())
      pooled = reshape.getInput();
    auto mean = pooled.getDefiningOp<ReduceMeanOp>();
    // The reshapes in between may only add or drop unit dims: the linear
    // must read the pooled [B, C] as it is.
    if (!mean || !mean->hasOneUse() || mean.getType() != linear.getInput().getType())
      return rewriter.notifyMatchFailure(linear, "input is not a pooled mean");
    int64_t rank = mean.getInput().getType().getRank();
    if (!llvm::equal(mean.getAxes(), llvm::seq<int64_t>(1, rank - 1)))
      return rewriter.notifyMatchFailure(linear, "mean is not over every position");
    auto norm = skipChannelPreservingReshapes(mean.getInput()).getDefiningOp<LayerNormOp>();
    if (!norm || !norm->hasOneUse() ||
        static_cast<int64_t>(norm.getAxis()) != norm.getType().getRank() - 1)
      return rewriter.notifyMatchFailure(linear, "pooled value is not a channel LayerNorm");
    Location loc = linear.getLoc();
    int64_t classes = linear.getType().getDimSize(1);
    rewriter.replaceOpWithNewOp<ClassifierHeadOp>(
        linear, linear.getType(), norm.getInput(), norm.getScale(), norm.getBias(),
        linear.getWeight(), orZeros(rewriter, loc, linear.getBias(), classes),
        norm.getEpsilonAttr());
    return success();
  }
};

struct SwinRaiseEmbedHeadPass
    : mlir::swin::impl::SwinRaiseEmbedHeadBase<SwinRaiseEmbedHeadPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<PatchEmbedPattern, GlobalPoolToMean, TransposedMeanToMean, HeadPattern>(
        context);
    ReshapeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
