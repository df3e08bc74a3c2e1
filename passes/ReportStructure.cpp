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
    });
    InFlightDiagnostic remark = func.emitRemark("swin structure:");
    for (auto [name, count] : counts)
      remark << " " << name << "=" << count;
    markAllAnalysesPreserved();
  }
};

} // namespace
