//===- InsertQuantPoints.cpp - quantize points from a calibration table ---===//

#include "Passes.h"

#include "swin/Quant/QuantPoints.h"


namespace mlir::swin {
#define GEN_PASS_DEF_SWININSERTQUANTPOINTS
#include "Passes.h.inc"
} // namespace mlir::swin

using namespace mlir;
using namespace mlir::swin;

namespace {

struct SwinInsertQuantPointsPass
    : mlir::swin::impl::SwinInsertQuantPointsBase<SwinInsertQuantPointsPass> {
  using SwinInsertQuantPointsBase::SwinInsertQuantPointsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto fail = [&](const llvm::Twine &message) {
      func.emitError(message);
      signalPassFailure();
    };
    llvm::Expected<::swin::quant::QuantType> type = ::swin::quant::parseQuantType(typeName);
    if (!type)
      return fail(llvm::toString(type.takeError()));
    if (tablePath.empty())
      return fail("swin-insert-quant-points needs table=<calibration table>");
    auto table = ::swin::quant::readCalibrationTable(tablePath);
    if (!table)
      return fail(llvm::toString(table.takeError()));
    ::swin::quant::QuantizeOptions options;
    options.type = *type;
    options.quantizeAttention = quantizeAttention;
    for (const std::string &name : keepFloat)
      options.keepFloat.insert(name);
    if (llvm::Error err = ::swin::quant::insertQuantPoints(func, *table, options))
      return fail(llvm::toString(std::move(err)));
  }
};

} // namespace
