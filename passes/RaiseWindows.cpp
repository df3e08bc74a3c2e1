//===- RaiseWindows.cpp - window partition/reverse and cyclic shift -------===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISEWINDOWS
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

constexpr int64_t kSwapMiddle[] = {0, 1, 3, 2, 4, 5};

bool isSwapMiddle(TransposeOp op) { return llvm::equal(op.getPerm(), kSwapMiddle); }

/// Product of the static dimensions.
int64_t staticProduct(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d))
      n *= d;
  return n;
}

/// Whether a reshape keeps the leading (batch) dimension: same static
/// element count, so the dynamic leading sizes agree.
bool keepsLeadingDim(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  return from[0] == to[0] && staticProduct(from) == staticProduct(to);
}

/// `[B, H, W, C]` of the same element type as `like`.
RankedTensorType imageType(RankedTensorType like, int64_t batch, int64_t h, int64_t w,
                           int64_t c) {
  return RankedTensorType::get({batch, h, w, c}, like.getElementType());
}

/// reshape x -> [B, nH, wh, nW, ww, C]; transpose [0,1,3,2,4,5]. `x` is the
/// image, possibly still flattened to [B, H * W, C] (a reshape chain the
/// canonicalizer merged).
struct PartitionPattern : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto split = op.getInput().getDefiningOp<ReshapeOp>();
    if (!isSwapMiddle(op) || !split)
      return rewriter.notifyMatchFailure(op, "not a window split");
    RankedTensorType source = split.getInput().getType();
    ArrayRef<int64_t> six = split.getType().getShape(); // B nH wh nW ww C
    if (!keepsLeadingDim(source.getShape(), six) || six[2] < 2 || six[4] < 2)
      return rewriter.notifyMatchFailure(op, "reshape does not tile the image");
    Location loc = op.getLoc();
    auto image = imageType(source, six[0], six[1] * six[2], six[3] * six[4], six[5]);
    Value windows = rewriter.create<WindowPartitionOp>(
        loc, reshapeTo(rewriter, loc, split.getInput(), image),
        ArrayRef<int64_t>{six[2], six[4]});
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), windows);
    return success();
  }
};

/// transpose [0,1,3,2,4,5] of [B, nH, nW, wh, ww, C]; reshape to the image
/// ([B, H, W, C], or flattened [B, H * W, C]).
struct ReversePattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto swap = op.getInput().getDefiningOp<TransposeOp>();
    if (!swap || !isSwapMiddle(swap))
      return rewriter.notifyMatchFailure(op, "not a window merge");
    RankedTensorType type = swap.getInput().getType();
    ArrayRef<int64_t> six = type.getShape(); // B nH nW wh ww C
    if (!keepsLeadingDim(six, op.getType().getShape()) || six[3] < 2 || six[4] < 2)
      return rewriter.notifyMatchFailure(op, "reshape does not merge into the image");
    Location loc = op.getLoc();
    int64_t tokens = six[3] * six[4];
    int64_t windowCount = type.hasStaticShape() ? six[0] * six[1] * six[2]
                                                : ShapedType::kDynamic;
    auto windowsType =
        RankedTensorType::get({windowCount, tokens, six[5]}, type.getElementType());
    Value windows = rewriter.create<ReshapeOp>(loc, windowsType, swap.getInput());
    auto image = imageType(type, six[0], six[1] * six[3], six[2] * six[4], six[5]);
    Value merged = rewriter.create<WindowReverseOp>(loc, image, windows,
                                                    ArrayRef<int64_t>{six[3], six[4]});
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), merged);
    return success();
  }
};

/// concat(x[p:n], x[0:p]) along one axis == roll(x, -p).
struct RollPattern : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &rewriter) const override {
    if (op.getInputs().size() != 2)
      return rewriter.notifyMatchFailure(op, "not two pieces");
    auto head = op.getInputs()[0].getDefiningOp<SliceOp>();
    auto tail = op.getInputs()[1].getDefiningOp<SliceOp>();
    if (!head || !tail || head.getInput() != tail.getInput())
      return rewriter.notifyMatchFailure(op, "not two slices of one tensor");
    int64_t axis = op.getAxis();
    RankedTensorType type = head.getInput().getType();
    if (type.isDynamicDim(axis) || op.getType() != type)
      return rewriter.notifyMatchFailure(op, "does not rebuild the sliced tensor");
    // Both slices are whole, unit-stride, except along the axis.
    for (SliceOp slice : {head, tail})
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (slice.getStrides()[d] != 1 ||
            (d != axis && (slice.getOffsets()[d] != 0 ||
                           slice.getSizes()[d] != type.getDimSize(d))))
          return rewriter.notifyMatchFailure(op, "slices cut another axis");
    int64_t n = type.getDimSize(axis), p = head.getOffsets()[axis];
    if (head.getSizes()[axis] != n - p || tail.getOffsets()[axis] != 0 ||
        tail.getSizes()[axis] != p)
      return rewriter.notifyMatchFailure(op, "pieces are not x[p:] and x[:p]");
    // roll by -p == roll by n - p; keep the smaller magnitude (-3, not +53).
    SmallVector<int64_t> shifts(type.getRank(), 0);
    shifts[axis] = 2 * p > n ? n - p : -p;
    rewriter.replaceOpWithNewOp<RollOp>(op, head.getInput(), shifts);
    return success();
  }
};

struct SwinRaiseWindowsPass
    : mlir::swin::impl::SwinRaiseWindowsBase<SwinRaiseWindowsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<PartitionPattern, ReversePattern, RollPattern>(context);
    RollOp::getCanonicalizationPatterns(patterns, context);
    ReshapeOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
