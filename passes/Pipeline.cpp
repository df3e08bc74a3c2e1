//===- Pipeline.cpp - the default swin pipeline ---------------------------===//

#include "Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::swin::buildSwinPipeline(OpPassManager &pm) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createSwinRaiseGelu());
  func.addPass(createSwinRaiseLinear());
  func.addPass(createSwinRaiseWindows());
  func.addPass(createSwinRaiseAttention());
  func.addPass(createSwinRaisePatchMerging());
  func.addPass(createSwinFuseLinearActivation());
  func.addPass(createSwinFusePatchMerging());
  func.addPass(createSwinFuseNormPartition());
  func.addPass(createSwinFuseResidual());
  func.addPass(createSwinSinkReshapes());
  func.addPass(createSwinRaiseEmbedHead());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
}

void mlir::swin::registerSwinPassesAndPipelines() {
  registerSwinPasses();
  PassPipelineRegistration<>("swin-pipeline",
                             "The pipeline swin-compile runs after import",
                             buildSwinPipeline);
}
