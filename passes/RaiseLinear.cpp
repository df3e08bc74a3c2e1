//===- RaiseLinear.cpp - matmul by a constant (+ bias) to swin.linear -----===//

#include "Passes.h"
#include "PatternUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISELINEAR
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

/// `[K, N]` constant to the `[N, K]` layout swin.linear takes.
DenseElementsAttr transposeMatrix(DenseElementsAttr w) {
  auto type = cast<RankedTensorType>(w.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  SmallVector<APFloat> src(w.getValues<APFloat>()), dst;
  dst.reserve(src.size());
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < k; ++i)
      dst.push_back(src[i * n + j]);
  return DenseElementsAttr::get(RankedTensorType::get({n, k}, type.getElementType()), dst);
}

/// A constant that only varies along the last dimension (`[N]`, `[1, N]`,
/// ...), reshaped to `[N]`.
DenseElementsAttr asBiasVector(Value value, int64_t n) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return nullptr;
  auto dense = dyn_cast<DenseFPElementsAttr>(constant.getValue());
  if (!dense)
    return nullptr;
  auto shape = cast<RankedTensorType>(dense.getType()).getShape();
  if (shape.empty() || shape.back() != n ||
      llvm::any_of(shape.drop_back(), [](int64_t d) { return d != 1; }))
    return nullptr;
  return dense.reshape(RankedTensorType::get({n}, dense.getElementType()));
}

struct MatMulToLinear : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp matmul, PatternRewriter &rewriter) const override {
    auto weightOp = matmul.getRhs().getDefiningOp<ConstantOp>();
    auto weight = weightOp ? dyn_cast<DenseFPElementsAttr>(weightOp.getValue()) : nullptr;
    if (!weight || cast<RankedTensorType>(weight.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(matmul, "right operand is not a constant matrix");
    int64_t n = cast<RankedTensorType>(weight.getType()).getDimSize(1);
    Location loc = matmul.getLoc();
    Value transposed = rewriter.create<ConstantOp>(loc, transposeMatrix(weight));

    // Absorb a following bias add when the matmul feeds only it and the add
    // does not broadcast the product.
    if (auto add = getSingleUser<AddOp>(matmul.getResult())) {
      Value other = otherOperand(add, matmul.getResult());
      if (DenseElementsAttr bias = asBiasVector(other, n);
          bias && add.getType() == matmul.getType()) {
        Value biasValue = rewriter.create<ConstantOp>(other.getLoc(), bias);
        rewriter.replaceOpWithNewOp<LinearOp>(add, matmul.getLhs(), transposed, biasValue);
        rewriter.eraseOp(matmul);
        return success();
      }
    }
    rewriter.replaceOpWithNewOp<LinearOp>(matmul, matmul.getLhs(), transposed, Value());
    return success();
  }
};

struct SwinRaiseLinearPass : mlir::swin::impl::SwinRaiseLinearBase<SwinRaiseLinearPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MatMulToLinear>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
