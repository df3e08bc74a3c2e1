//===- RaisePatchMerging.cpp - the 2x2 patch gather to swin.patch_merge ---===//

#include "Passes.h"
#include "PatternUtils.h"
#include "ViewTracing.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISEPATCHMERGING
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// The image a patch gather reads: `base` seen as [B, H, W, C].
struct Image {
  Value base;
  int64_t height, width, channels;
};

/// Checks the view strides of a gather over [B, H, W, C] with output
/// [B, H/2, W/2, ...] and recovers H and W; `channels` is known.
std::optional<Image> imageOf(const View &view, int64_t channels) {
  if (view.sizes.size() < 4 || !ShapedType::isDynamic(view.sizes[0]))
    return std::nullopt;
  int64_t halfH = view.sizes[1], halfW = view.sizes[2];
  int64_t width = 2 * halfW, height = 2 * halfH;
  ArrayRef<int64_t> s = view.strides;
  if (s[0] != height * width * channels || s[1] != 2 * width * channels ||
      s[2] != 2 * channels)
    return std::nullopt;
  auto type = cast<RankedTensorType>(view.base.getType());
  if (type.getRank() < 2 || !type.isDynamicDim(0) || view.offset < 0)
    return std::nullopt;
  // The base must hold exactly H * W * C elements per image.
  int64_t perImage = 1;
  for (int64_t d : type.getShape().drop_front())
    perImage *= d;
  if (perImage != height * width * channels)
    return std::nullopt;
  return Image{view.base, height, width, channels};
}

Value mergePatches(PatternRewriter &rewriter, Location loc, const Image &image) {
  auto type = cast<RankedTensorType>(image.base.getType());
  auto nhwc = RankedTensorType::get(
      {ShapedType::kDynamic, image.height, image.width, image.channels},
      type.getElementType());
  return rewriter.create<PatchMergeOp>(loc, reshapeTo(rewriter, loc, image.base, nhwc));
}

/// concat(x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]) on
/// channels (torchvision, HF).
struct ConcatForm : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (op.getInputs().size() != 4 || type.getRank() != 4 || op.getAxis() != 3)
      return rewriter.notifyMatchFailure(op, "not four pieces along channels");
    int64_t channels = type.getDimSize(3) / 4;
    std::optional<Image> image;
    for (auto [k, piece] : llvm::enumerate(op.getInputs())) {
      View view = traceView(piece);
      std::optional<Image> pieceImage = imageOf(view, channels);
      if (!pieceImage || view.sizes.size() != 4 || view.sizes[3] != channels ||
          view.strides[3] != 1 || (image && pieceImage->base != image->base))
        return rewriter.notifyMatchFailure(op, "pieces are not stride-2 views of one image");
      image = pieceImage;
      int64_t p = k & 1, q = k >> 1;
      if (view.offset != p * image->width * channels + q * channels)
        return rewriter.notifyMatchFailure(op, "pieces are not in (0,0) (1,0) (0,1) (1,1) order");
    }
    Value merged = mergePatches(rewriter, op.getLoc(), *image);
    rewriter.replaceOp(op, merged);
    return success();
  }
};

/// reshape(transpose(reshape(x, [B, H/2, 2, W/2, 2, C]), [0,1,3,4,2,5]),
/// [B, H/2, W/2, 4C]) (timm).
struct ReshapeForm : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (type.getRank() != 4 || !op.getInput().getDefiningOp<TransposeOp>())
      return rewriter.notifyMatchFailure(op, "not a merged patch gather");
    int64_t channels = type.getDimSize(3) / 4;
    View view = traceView(op.getInput());
    std::optional<Image> image = imageOf(view, channels);
    // [B, H/2, W/2, q, p, C] read from [b, 2i + p, 2j + q, c].
    if (!image || view.offset != 0 || view.sizes.size() != 6 || view.sizes[3] != 2 ||
        view.sizes[4] != 2 || view.sizes[5] != channels || view.strides[3] != channels ||
        view.strides[4] != image->width * channels || view.strides[5] != 1)
      return rewriter.notifyMatchFailure(op, "not the (q, p, c) patch order");
    rewriter.replaceOp(op, mergePatches(rewriter, op.getLoc(), *image));
    return success();
  }
};

struct SwinRaisePatchMergingPass
    : mlir::swin::impl::SwinRaisePatchMergingBase<SwinRaisePatchMergingPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConcatForm, ReshapeForm>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
