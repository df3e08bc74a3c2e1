//===- ReportStructure.cpp - what the pipeline recognised -----------------===//

#include "Passes.h"

#include "llvm/ADT/MapVector.h"

namespace mlir::swin {
#define GEN_PASS_DEF_SWINREPORTSTRUCTURE
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

struct SwinReportStructurePass
    : mlir::swin::impl::SwinReportStructureBase<SwinReportStructurePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Raised ops, in pipeline order; zero counts are printed too.
    llvm::MapVector<StringRef, int64_t> counts;
    for (StringRef name : {"patch_embed", "classifier_head", "norm_partition", "window_attention", "attention_output",
                           "residual_linear", "window_partition", "window_reverse", "roll",
                           "patch_merge", "patch_merging", "linear_gelu", "gelu", "linear"})
      counts[name] = 0;
    func.walk([&](Operation *op) {
      if (auto linear = dyn_cast<LinearOp>(op);
          linear && linear.getActivation() != Activation::none)
        ++counts["linear_gelu"];
      if (op->getDialect() && op->getDialect()->getNamespace() == "swin") {
        auto it = counts.find(op->getName().stripDialect());
        if (it != counts.end())
          ++it->second;
      }
      if (auto softmax = dyn_cast<SoftmaxOp>(op))
        softmax.emitWarning("attention not raised: ")
            << explainUnraisedAttention(softmax);
      // Raised ops that a fusion should have absorbed.
      if (isa<WindowPartitionOp>(op))
        op->emitWarning("window partition not fused: no private channel LayerNorm "
                        "(and shift) before it");
      else if (isa<WindowReverseOp>(op))
        op->emitWarning("window reverse not fused: it needs a private biased projection "
                        "before it and a residual add after it");
      else if (isa<GeluOp>(op))
        op->emitWarning("GELU not fused: its input is not a private linear");
      else if (isa<PatchMergeOp>(op))
        op->emitWarning("patch gather not fused: it needs a private channel LayerNorm "
                        "and a bias-free reduction after it");
    });
    InFlightDiagnostic remark = func.emitRemark("swin structure:");
    for (auto [name, count] : counts)
      remark << " " << name << "=" << count;
    markAllAnalysesPreserved();
  }
};

} // namespace
