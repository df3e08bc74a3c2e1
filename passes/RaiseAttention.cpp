//===- RaiseAttention.cpp - window attention to swin.window_attention -----===//
//
// q, k and v are recognised as strided views (ViewTracing.h) of linear
// projections, so every exporter's way of splitting heads compares equal to
// the same canonical view.
//
//===----------------------------------------------------------------------===//

#include "Passes.h"
#include "PatternUtils.h"
#include "ViewTracing.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINRAISEATTENTION
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

/// Heads taken from columns [offset, offset + heads * hd) of a linear.
struct HeadSource {
  LinearOp linear;
  int64_t offset;
};

/// Whether `view` is `heads x tokens x hd` (or `heads x hd x tokens` when
/// `transposed`) per window of a `[windows, tokens, features]` linear.
std::optional<HeadSource> matchHeads(const View &view, int64_t heads, int64_t tokens,
                                     int64_t hd, bool transposed) {
  auto linear = view.base.getDefiningOp<LinearOp>();
  if (!linear)
    return std::nullopt;
  auto type = linear.getType();
  if (type.getRank() != 3 || type.getDimSize(1) != tokens)
    return std::nullopt;
  int64_t features = type.getDimSize(2);
  SmallVector<int64_t> sizes = {kDynamic, heads, tokens, hd};
  SmallVector<int64_t> strides = {tokens * features, hd, features, 1};
  if (transposed) {
    std::swap(sizes[2], sizes[3]);
    std::swap(strides[2], strides[3]);
  }
  if (ArrayRef<int64_t>(view.sizes) != ArrayRef<int64_t>(sizes) || view.offset < 0 ||
      view.offset + heads * hd > features)
    return std::nullopt;
  // The stride of a unit dimension (one head) is never used.
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] != 1 && view.strides[d] != strides[d])
      return std::nullopt;
  return HeadSource{linear, view.offset};
}

/// Strips a multiplication by a scalar constant, accumulating it in `scale`.
Value stripScale(Value v, double &scale) {
  if (auto mul = v.getDefiningOp<MulOp>())
    for (auto [operand, other] : operandOrders(mul))
      if (std::optional<double> s = getUniformConstant(other);
          s && operand.getType() == mul.getType()) {
        scale *= *s;
        return operand;
      }
  return v;
}

/// Strips Swin V2's multiplication of the scores [W, heads, N, N] by a
/// per-head constant ([heads, 1, 1] or [1, heads, 1, 1]), multiplying it
/// into `scales` (one per head). Returns null when `v` is not one.
Value stripHeadScales(Value v, int64_t heads, SmallVectorImpl<float> &scales) {
  auto mul = v.getDefiningOp<MulOp>();
  if (!mul)
    return Value();
  for (auto [operand, other] : operandOrders(mul)) {
    auto constant = other.getDefiningOp<ConstantOp>();
    auto dense = constant ? dyn_cast<DenseFPElementsAttr>(constant.getValue()) : nullptr;
    if (!dense || !dense.getElementType().isF32() || operand.getType() != mul.getType())
      continue;
    ArrayRef<int64_t> shape = dense.getType().getShape();
    int64_t rank = shape.size();
    bool perHead = rank >= 3 && rank <= 4;
    for (int64_t d = 0; perHead && d < rank; ++d)
      perHead = shape[d] == (d == rank - 3 ? heads : 1);
    if (!perHead)
      continue;
    SmallVector<float> values(dense.getValues<float>());
    if (scales.empty())
      scales.assign(heads, 1.0f);
    for (int64_t h = 0; h < heads; ++h)
      scales[h] *= values[h];
    return operand;
  }
  return Value();
}

/// The x of Swin V2's `x / broadcast(clip(reduce_l2(x, last axis), min =
/// eps))`, eps in (0, 1e-6]; null when `v` is not that.
Value stripL2Normalize(Value v) {
  auto div = v.getDefiningOp<DivOp>();
  if (!div || div.getLhs().getType() != div.getType())
    return Value();
  Value x = div.getLhs(), norm = div.getRhs();
  if (auto broadcast = norm.getDefiningOp<BroadcastOp>())
    norm = broadcast.getInput();
  auto clip = norm.getDefiningOp<ClipOp>();
  auto l2 = clip ? clip.getInput().getDefiningOp<ReduceL2Op>() : ReduceL2Op();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  float eps = clip ? clip.getMin().convertToFloat() : 0.0f;
  if (!l2 || l2.getInput() != x || !l2.getKeepDims() ||
      l2.getAxes() != ArrayRef<int64_t>{rank - 1} || !(eps > 0.0f && eps <= 1e-6f) ||
      !std::isinf(clip.getMax().convertToFloat()))
    return Value();
  return x;
}

/// A constant reshaped to `shape`, if it has exactly that many elements.
DenseElementsAttr constantAs(Value v, ArrayRef<int64_t> shape) {
  auto constant = v.getDefiningOp<ConstantOp>();
  auto dense = constant ? dyn_cast<DenseFPElementsAttr>(constant.getValue()) : nullptr;
  auto type = RankedTensorType::get(shape, Float32Type::get(v.getContext()));
  if (!dense || !dense.getElementType().isF32() ||
      dense.getNumElements() != type.getNumElements())
    return nullptr;
  return dense.reshape(type);
}

/// The elementwise sum of same-shaped f32 constants.
DenseElementsAttr sumOf(ArrayRef<DenseElementsAttr> terms) {
  if (terms.size() == 1)
    return terms.front();
  SmallVector<float> sum(terms.front().getValues<float>());
  for (DenseElementsAttr term : terms.drop_front())
    for (auto [total, value] : llvm::zip(sum, term.getValues<float>()))
      total += value;
  return DenseElementsAttr::get(cast<ShapedType>(terms.front().getType()), ArrayRef<float>(sum));
}

/// HF's combined term: `reshape(broadcast(mask [1, nW, 1, N, N]) -> [B*nW, 1, N,
/// N]) + position bias`. Window w of the batch reads mask[w mod nW], as in
/// the reshape form.
bool matchBiasPlusBroadcastMask(Value term, int64_t heads, int64_t tokens,
                                DenseElementsAttr &positionBias, DenseElementsAttr &mask) {
  auto add = term.getDefiningOp<AddOp>();
  if (!add)
    return false;
  for (auto [p, r] : operandOrders(add)) {
    DenseElementsAttr bias = constantAs(p, {heads, tokens, tokens});
    auto flat = r.getDefiningOp<ReshapeOp>();
    auto broadcast = flat ? flat.getInput().getDefiningOp<BroadcastOp>() : BroadcastOp();
    if (!bias || !broadcast || broadcast.getBatchMultiple() != 1)
      continue;
    ArrayRef<int64_t> wide = broadcast.getType().getShape();  // [B, nW, 1, N, N]
    ArrayRef<int64_t> shape = flat.getType().getShape();      // [B*nW, 1, N, N]
    if (wide.size() != 5 || !ShapedType::isDynamic(wide[0]) || wide[2] != 1 ||
        wide[3] != tokens || wide[4] != tokens ||
        shape != ArrayRef<int64_t>{ShapedType::kDynamic, 1, tokens, tokens})
      continue;
    auto source = broadcast.getInput().getType().getShape();
    if (source.size() != 5 || source[0] != 1)
      continue;
    if (DenseElementsAttr m = constantAs(broadcast.getInput(), {wide[1], tokens, tokens})) {
      positionBias = bias;
      mask = m;
      return true;
    }
  }
  return false;
}

/// Rows [offset, offset + count) of a linear's weight and bias.
void appendRows(LinearOp linear, int64_t offset, int64_t count,
                SmallVectorImpl<float> &weight, SmallVectorImpl<float> &bias) {
  auto w = cast<DenseFPElementsAttr>(linear.getWeight().getDefiningOp<ConstantOp>().getValue());
  int64_t in = cast<RankedTensorType>(w.getType()).getDimSize(1);
  auto values = w.getValues<float>();
  for (int64_t r = offset; r < offset + count; ++r)
    for (int64_t c = 0; c < in; ++c)
      weight.push_back(values[r * in + c]);
  if (linear.getBias()) {
    auto b = cast<DenseFPElementsAttr>(linear.getBias().getDefiningOp<ConstantOp>().getValue());
    auto bv = b.getValues<float>();
    for (int64_t r = offset; r < offset + count; ++r)
      bias.push_back(bv[r]);
  } else {
    bias.append(count, 0.0f);
  }
}

bool hasConstantParameters(LinearOp linear) {
  auto isF32Constant = [](Value v) {
    auto c = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
    return c && isa<DenseFPElementsAttr>(c.getValue()) &&
           cast<DenseFPElementsAttr>(c.getValue()).getElementType().isF32();
  };
  return isF32Constant(linear.getWeight()) &&
         (!linear.getBias() || isF32Constant(linear.getBias()));
}

/// Everything swin.window_attention needs, found from the head merge.
struct AttentionMatch {
  HeadSource q, k, v;
  int64_t heads, tokens, hd;
  double scale = 1.0;
  DenseElementsAttr positionBias, mask;
  // Cosine attention (Swin V2): one scale per head; empty otherwise.
  SmallVector<float> logitScales;
};

/// Matches reshape(transpose(matmul(softmax(scores), v), [0, 2, 1, 3]) ->
/// [W, N, C]); on failure `why` says what did not fit.
FailureOr<AttentionMatch> matchAttention(ReshapeOp merge, std::string &why) {
  auto fail = [&](const char *reason) {
    why = reason;
    return failure();
  };
  auto swap = merge.getInput().getDefiningOp<TransposeOp>();
  if (!swap || !llvm::equal(swap.getPerm(), ArrayRef<int64_t>{0, 2, 1, 3}))
    return fail("the attention output is not merged by transpose [0, 2, 1, 3]");
  auto av = swap.getInput().getDefiningOp<MatMulOp>();
  auto probs = av ? av.getLhs().getDefiningOp<SoftmaxOp>() : SoftmaxOp();
  if (!probs || probs.getAxis() != 3)
    return fail("the merged value is not softmax(scores) v");
  AttentionMatch m;
  ArrayRef<int64_t> outShape = av.getType().getShape(); // [W, heads, N, hd]
  m.heads = outShape[1], m.tokens = outShape[2], m.hd = outShape[3];
  auto mergedType = merge.getType();
  if (mergedType.getRank() != 3 || mergedType.getDimSize(1) != m.tokens ||
      mergedType.getDimSize(2) != m.heads * m.hd || !mergedType.isDynamicDim(0) ||
      !av.getType().isDynamicDim(0))
    return fail("the heads do not merge to [windows, tokens, channels]");

  // Scores: [reshape back](mask add on [B, nW, heads, N, N]) of
  // (position bias +) scale * q k^T.
  Value scores = probs.getInput();
  if (auto back = scores.getDefiningOp<ReshapeOp>()) {
    auto add = back.getInput().getDefiningOp<AddOp>();
    if (!add)
      return fail("a reshape before the softmax is not a mask addition");
    // One mask addition, or several in a row (HF Swin V2 adds the same
    // mask twice): their sum is the mask.
    SmallVector<DenseElementsAttr> masks;
    while (add && !m.mask) {
      AddOp next;
      for (auto [x, mask] : operandOrders(add)) {
        if (x.getType() != add.getType())
          continue;
        auto shape = cast<RankedTensorType>(x.getType()).getShape(); // [B, nW, heads, N, N]
        if (shape.size() != 5 || shape[2] != m.heads || shape[3] != m.tokens ||
            shape[4] != m.tokens || ShapedType::isDynamic(shape[1]))
          continue;
        DenseElementsAttr constant = constantAs(mask, {shape[1], m.tokens, m.tokens});
        if (!constant)
          continue;
        masks.push_back(constant);
        auto split = x.getDefiningOp<ReshapeOp>();
        if (split && split.getInput().getType() == probs.getType()) {
          scores = split.getInput();
          m.mask = sumOf(masks);
        } else {
          next = x.getDefiningOp<AddOp>();
        }
        break;
      }
      add = next;
    }
    if (!m.mask)
      return fail("the shift mask is not a constant [windows, N, N]");
  }
  if (auto add = scores.getDefiningOp<AddOp>()) {
    for (auto [x, b] : operandOrders(add)) {
      if (x.getType() != add.getType())
        continue;
      if ((m.positionBias = constantAs(b, {m.heads, m.tokens, m.tokens})) ||
          (!m.mask &&
           matchBiasPlusBroadcastMask(b, m.heads, m.tokens, m.positionBias, m.mask))) {
        scores = x;
        break;
      }
    }
    if (!m.positionBias)
      return fail("the position bias is not a constant [heads, N, N]");
  }
  scores = stripScale(scores, m.scale);
  if (Value unscaled = stripHeadScales(scores, m.heads, m.logitScales))
    scores = stripScale(unscaled, m.scale);
  auto qk = scores.getDefiningOp<MatMulOp>();
  if (!qk)
    return fail("the scores are not (scaled) q k^T");
  Value q = stripScale(qk.getLhs(), m.scale), kT = stripScale(qk.getRhs(), m.scale);
  // Cosine attention (Swin V2): q and k^T = transpose(k) are L2-normalised
  // per head row; the normalisation becomes the op's, the scales its
  // logit_scales.
  auto kTranspose = kT.getDefiningOp<TransposeOp>();
  Value qRaw = stripL2Normalize(q);
  Value kRaw = kTranspose && llvm::equal(kTranspose.getPerm(), ArrayRef<int64_t>{0, 1, 3, 2})
                   ? stripL2Normalize(kTranspose.getInput())
                   : Value();
  if (bool(qRaw) != bool(kRaw))
    return fail("only one of q and k is L2-normalised");
  if (!qRaw && !m.logitScales.empty())
    return fail("the scores have per-head scales but q and k are not L2-normalised");
  std::optional<HeadSource> qs, ks;
  if (qRaw) {
    if (m.logitScales.empty())
      m.logitScales.assign(m.heads, 1.0f);
    for (float &s : m.logitScales)
      s *= static_cast<float>(m.scale);
    m.scale = 1.0;
    qs = matchHeads(traceView(qRaw), m.heads, m.tokens, m.hd, false);
    ks = matchHeads(traceView(kRaw), m.heads, m.tokens, m.hd, false);
  } else {
    qs = matchHeads(traceView(q), m.heads, m.tokens, m.hd, false);
    ks = matchHeads(traceView(kT), m.heads, m.tokens, m.hd, true);
  }
  std::optional<HeadSource> vs =
      matchHeads(traceView(av.getRhs()), m.heads, m.tokens, m.hd, false);
  if (!qs || !ks || !vs)
    return fail("q, k or v is not a head view of a linear projection");
  Value x = qs->linear.getInput();
  for (HeadSource h : {*qs, *ks, *vs})
    if (h.linear.getInput() != x || !hasConstantParameters(h.linear))
      return fail("q, k and v do not project the same windows with constant weights");
  m.q = *qs, m.k = *ks, m.v = *vs;
  return m;
}

struct AttentionPattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp merge, PatternRewriter &rewriter) const override {
    std::string why;
    FailureOr<AttentionMatch> m = matchAttention(merge, why);
    if (failed(m))
      return rewriter.notifyMatchFailure(merge, why);
    int64_t inner = m->heads * m->hd, tokens = m->tokens;
    SmallVector<float> weight, bias;
    for (HeadSource h : {m->q, m->k, m->v})
      appendRows(h.linear, h.offset, inner, weight, bias);
    Value x = m->q.linear.getInput();
    int64_t channels = cast<RankedTensorType>(x.getType()).getDimSize(2);
    auto f32 = rewriter.getF32Type();
    Location loc = merge.getLoc();
    auto constant = [&](ArrayRef<int64_t> shape, ArrayRef<float> data) -> Value {
      return rewriter.create<ConstantOp>(
          loc, DenseElementsAttr::get(RankedTensorType::get(shape, f32), data));
    };
    Value weightValue = constant({3 * inner, channels}, weight);
    Value biasValue = constant({3 * inner}, bias);
    Value positionValue =
        m->positionBias ? rewriter.create<ConstantOp>(loc, m->positionBias).getResult()
                        : constant({m->heads, tokens, tokens},
                                   SmallVector<float>(m->heads * tokens * tokens, 0.0f));
    Value maskValue =
        m->mask ? rewriter.create<ConstantOp>(loc, m->mask).getResult() : Value();
    rewriter.replaceOpWithNewOp<WindowAttentionOp>(
        merge, merge.getType(), x, weightValue, biasValue, positionValue, maskValue,
        rewriter.getI64IntegerAttr(m->heads), rewriter.getF32FloatAttr(m->scale),
        /*qkv_quant_type=*/TypeAttr(), /*qkv_quant_scales=*/DenseF32ArrayAttr(),
        m->logitScales.empty() ? DenseF32ArrayAttr()
                               : rewriter.getDenseF32ArrayAttr(m->logitScales));
    return success();
  }
};

struct SwinRaiseAttentionPass
    : mlir::swin::impl::SwinRaiseAttentionBase<SwinRaiseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<AttentionPattern>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

std::string mlir::swin::explainUnraisedAttention(SoftmaxOp softmax) {
  // Follow softmax -> (a v) -> transpose -> reshape to the head merge.
  for (Operation *user : softmax->getUsers()) {
    auto av = dyn_cast<MatMulOp>(user);
    if (!av || av.getLhs() != softmax.getResult())
      continue;
    for (Operation *next : av->getUsers())
      if (auto swap = dyn_cast<TransposeOp>(next))
        for (Operation *last : swap->getUsers())
          if (auto merge = dyn_cast<ReshapeOp>(last)) {
            std::string why;
            if (succeeded(matchAttention(merge, why)))
              return "it matches now; run swin-raise-attention";
            return why;
          }
  }
  return "the softmax output is not multiplied by v and merged back to [windows, "
         "tokens, channels]";
}
