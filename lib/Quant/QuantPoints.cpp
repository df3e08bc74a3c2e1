//===- QuantPoints.cpp - quantize points, calibration and accuracy --------===//

#include "swin/Quant/QuantPoints.h"

#include "swin/Dialect/Swin/IR/SwinOps.h"
#include "swin/Reference/Evaluator.h"
#include "swin/Support/Npy.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
namespace ops = ::mlir::swin;

namespace swin::quant {

static Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Points
//===----------------------------------------------------------------------===//

std::vector<QuantPoint> collectQuantPoints(func::FuncOp func, bool attentionOperands) {
  std::vector<QuantPoint> points;
  int stage = 0, block = -1, looseLinears = 0;
  auto blockName = [&](StringRef leaf) {
    return llvm::formatv("layers.{0}.blocks.{1}.{2}", stage, block, leaf).str();
  };
  func.walk([&](Operation *op) {
    if (isa<ops::PatchMergingOp>(op)) {
      ++stage;
      block = -1;
      points.push_back({llvm::formatv("layers.{0}.downsample.reduction", stage).str(), op});
    } else if (isa<ops::WindowAttentionOp>(op)) {
      ++block;
      points.push_back({blockName("attn.qkv"), op});
      if (attentionOperands)
        for (int operand = 0; operand < 3; ++operand)
          points.push_back({blockName(std::string("attn.") + "qkv"[operand]), op, operand});
    } else if (isa<ops::AttentionOutputOp>(op) && block >= 0) {
      points.push_back({blockName("attn.proj"), op});
    } else if (isa<ops::ResidualLinearOp>(op) && block >= 0) {
      points.push_back({blockName("mlp.fc2"), op});
    } else if (auto linear = dyn_cast<ops::LinearOp>(op)) {
      if (block >= 0 && linear.getActivation() != ops::Activation::none)
        points.push_back({blockName("mlp.fc1"), op});
      else
        points.push_back({llvm::formatv("linear.{0}", looseLinears++).str(), op});
    }
  });
  return points;
}

/// The weight operand of a point's GEMM.
static OpOperand &weightOperand(Operation *op) {
  if (isa<ops::PatchMergingOp>(op))
    return op->getOpOperand(3);
  return op->getOpOperand(1);
}

std::string modelFingerprint(func::FuncOp func) {
  std::string text;
  llvm::raw_string_ostream os(text);
  // The body only: the function's attributes (its maximum batch) do not
  // change what calibration measures.
  func.getBody().walk([&](Operation *op) {
    os << op->getName() << '(' << op->getNumOperands() << ')';
    for (Type type : op->getResultTypes())
      os << type;
    if (auto constant = dyn_cast<ops::ConstantOp>(op)) {
      ArrayRef<char> raw;
      if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
        raw = dense.getRawData(); // a splat's one element
      else
        raw = constant.getRawData().value_or(ArrayRef<char>());
      os << llvm::format_hex(llvm::xxh3_64bits(ArrayRef<uint8_t>(
                                 reinterpret_cast<const uint8_t *>(raw.data()), raw.size())),
                             18);
    } else {
      for (NamedAttribute attr : op->getAttrs())
        os << attr.getName() << '=' << attr.getValue();
    }
    os << ';';
  });
  uint64_t hash = llvm::xxh3_64bits(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  std::string hex;
  llvm::raw_string_ostream(hex) << llvm::format_hex_no_prefix(hash, 16);
  return hex;
}

Expected<QuantType> parseQuantType(StringRef name) {
  if (name == "int8")
    return QuantType::Int8;
  if (name == "fp8")
    return QuantType::Fp8E4M3;
  return makeError("unknown quantized type '" + name + "' (expected int8 or fp8)");
}

//===----------------------------------------------------------------------===//
// Insertion
//===----------------------------------------------------------------------===//

static Type storageType(MLIRContext *context, QuantType type) {
  if (type == QuantType::Int8)
    return IntegerType::get(context, 8);
  return Float8E4M3FNType::get(context);
}

/// The values of an f32 constant, or nothing.
static std::optional<std::vector<float>> constantData(Value value) {
  auto constant = value.getDefiningOp<ops::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = cast<RankedTensorType>(constant.getType());
  if (!type.getElementType().isF32() || !type.hasStaticShape())
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()); dense && dense.isSplat()) {
    std::fill(values.begin(), values.end(), dense.getSplatValue<float>());
    return values;
  }
  std::optional<ArrayRef<char>> raw = constant.getRawData();
  if (!raw || raw->size() != values.size() * sizeof(float))
    return std::nullopt;
  std::memcpy(values.data(), raw->data(), raw->size());
  return values;
}

/// Replaces the GEMM weight `operand` ([N, K] f32 constant) by a quantized
/// constant and a dequantize.
static void quantizeWeight(OpBuilder &builder, OpOperand &operand, ArrayRef<float> weights,
                           QuantType type) {
  auto weightType = cast<RankedTensorType>(operand.get().getType());
  const int64_t rows = weightType.getDimSize(0), cols = weights.size() / rows;
  const float typeMax = quantTypeMax(type);
  // int8: a scale per output channel; fp8: one (E4M3 carries its own exponent,
  // and cuBLASLt on sm_90 scales an FP8 operand per tensor only).
  std::vector<float> scales(type == QuantType::Int8 ? rows : 1, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    float &scale = scales[type == QuantType::Int8 ? r : 0];
    for (int64_t c = 0; c < cols; ++c)
      scale = std::max(scale, std::fabs(weights[r * cols + c]));
  }
  for (float &scale : scales)
    scale = scale > 0.0f ? scale / typeMax : 1.0f;
  std::vector<uint8_t> bytes(weights.size());
  for (int64_t r = 0; r < rows; ++r) {
    const float inverse = 1.0f / scales[type == QuantType::Int8 ? r : 0];
    for (int64_t c = 0; c < cols; ++c) {
      float q = quantizeValue(weights[r * cols + c], inverse, type);
      bytes[r * cols + c] = type == QuantType::Int8 ? static_cast<uint8_t>(static_cast<int8_t>(q))
                                                    : encodeE4M3(q);
    }
  }
  MLIRContext *context = builder.getContext();
  auto quantizedType = RankedTensorType::get(weightType.getShape(), storageType(context, type));
  Location loc = operand.get().getLoc();
  auto data = DenseElementsAttr::getFromRawBuffer(
      quantizedType, ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()), bytes.size()));
  Value constant = builder.create<ops::ConstantOp>(loc, quantizedType, data);
  auto dequantize = builder.create<ops::DequantizeOp>(
      loc, weightType, constant, builder.getDenseF32ArrayAttr(scales),
      type == QuantType::Int8 ? builder.getI64IntegerAttr(0) : IntegerAttr());
  Operation *old = operand.get().getDefiningOp();
  operand.set(dequantize);
  if (old && old->use_empty())
    old->erase();
}

/// A point's activation scale: its threshold (1 where calibration saw only
/// zeros) over the type's largest value.
static float activationScale(const CalibrationTable &table, StringRef name, QuantType type) {
  float threshold = table.find(name)->threshold;
  return (threshold > 0.0f ? threshold : 1.0f) / quantTypeMax(type);
}

Error insertQuantPoints(func::FuncOp func, const CalibrationTable &table,
                        const QuantizeOptions &options) {
  std::vector<QuantPoint> all = collectQuantPoints(func, /*attentionOperands=*/true), points,
                          attention;
  for (QuantPoint &point : all)
    (point.attentionOperand < 0 ? points : attention).push_back(point);
  std::string fingerprint = modelFingerprint(func);
  if (!table.model.empty() && table.model != fingerprint)
    return makeError("the calibration table was made for another model (fingerprint " +
                     table.model + ", this model " + fingerprint + ")");
  llvm::StringSet<> names;
  for (const QuantPoint &point : all) {
    names.insert(point.name);
    if (point.attentionOperand >= 0 && !options.quantizeAttention)
      continue; // older tables have no attention operands
    if (!table.find(point.name))
      return makeError("the calibration table has no point '" + point.name + "'" +
                       (point.attentionOperand >= 0
                            ? " (quantized attention needs a table calibrated by this "
                              "version: calibrate again)"
                            : ""));
  }
  for (const CalibrationPoint &point : table.points)
    if (!names.contains(point.name))
      return makeError("the calibration table's point '" + point.name +
                       "' is not in this model");
  for (const auto &kept : options.keepFloat)
    if (!names.contains(kept.getKey()))
      return makeError("no quantize point named '" + kept.getKey() + "' to keep in float");
  // Weights must be f32 constants: read all before changing anything.
  std::vector<std::vector<float>> weights(points.size());
  for (auto [point, data] : llvm::zip(points, weights)) {
    if (options.keepFloat.contains(point.name))
      continue;
    std::optional<std::vector<float>> values = constantData(weightOperand(point.op).get());
    if (!values)
      return makeError("the weight of '" + point.name + "' is not an f32 constant");
    data = std::move(*values);
  }

  MLIRContext *context = func.getContext();
  OpBuilder builder(context);
  Type storage = storageType(context, options.type);
  for (auto [point, data] : llvm::zip(points, weights)) {
    if (options.keepFloat.contains(point.name))
      continue;
    float scale = activationScale(table, point.name, options.type);
    builder.setInsertionPoint(point.op);
    quantizeWeight(builder, weightOperand(point.op), data, options.type);
    data = {};
    if (auto merging = dyn_cast<ops::PatchMergingOp>(point.op)) {
      merging.setQuantTypeAttr(TypeAttr::get(storage));
      merging.setQuantScaleAttr(builder.getF32FloatAttr(scale));
      continue;
    }
    OpOperand &input = point.op->getOpOperand(0);
    auto inputType = cast<RankedTensorType>(input.get().getType());
    auto scales = builder.getDenseF32ArrayAttr({scale});
    Location loc = point.op->getLoc();
    Value quantized = builder.create<ops::QuantizeOp>(
        loc, RankedTensorType::get(inputType.getShape(), storage), input.get(), scales,
        IntegerAttr());
    Value dequantized =
        builder.create<ops::DequantizeOp>(loc, inputType, quantized, scales, IntegerAttr());
    input.set(dequantized);
  }
  if (!options.quantizeAttention)
    return Error::success();
  // q, k and v of a block: three consecutive points, quantized together.
  for (size_t i = 0; i + 2 < attention.size(); i += 3) {
    auto op = cast<ops::WindowAttentionOp>(attention[i].op);
    llvm::SmallVector<float, 3> scales;
    bool kept = false;
    for (size_t j = i; j < i + 3; ++j) {
      kept |= options.keepFloat.contains(attention[j].name);
      scales.push_back(activationScale(table, attention[j].name, options.type));
    }
    if (kept)
      continue;
    op.setQkvQuantTypeAttr(TypeAttr::get(storage));
    op.setQkvQuantScalesAttr(builder.getDenseF32ArrayAttr(scales));
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

Expected<CalibrationTable> calibrate(func::FuncOp func, ArrayRef<std::string> inputFiles,
                                     const CalibrationOptions &options) {
  if (inputFiles.empty())
    return makeError("calibration needs at least one input");
  std::vector<QuantPoint> points = collectQuantPoints(func, /*attentionOperands=*/true);
  if (points.empty())
    return makeError("the model has no quantize points (is it fused?)");
  std::map<std::pair<Operation *, int>, size_t> index;
  for (auto [i, point] : llvm::enumerate(points))
    index[{point.op, point.attentionOperand}] = i;
  std::vector<AbsHistogram> histograms(points.size());
  std::string observeError; // the first histogram that refused its values
  auto observe = [&](Operation *op, int operand, ArrayRef<float> values) {
    auto it = index.find({op, operand});
    if (it == index.end() || !observeError.empty())
      return;
    if (Error err = histograms[it->second].add(values))
      observeError = "point '" + points[it->second].name + "': " + llvm::toString(std::move(err));
  };
  EvaluateOptions evaluateOptions;
  evaluateOptions.observeGemmInput = [&](Operation *op, ArrayRef<float> values) {
    observe(op, -1, values);
  };
  evaluateOptions.observeAttentionOperand = observe;
  int64_t images = 0;
  for (auto [done, path] : llvm::enumerate(inputFiles)) {
    Expected<Tensor> input = readNpy(path);
    if (!input)
      return input.takeError();
    Expected<std::vector<Tensor>> outputs = evaluate(func, {*input}, evaluateOptions);
    if (!outputs)
      return makeError(path + ": " + llvm::toString(outputs.takeError()));
    if (!observeError.empty())
      return makeError(path + ": " + observeError);
    images += input->shape.empty() ? 1 : input->shape[0];
    if (options.progress)
      options.progress(done + 1, inputFiles.size());
  }
  CalibrationTable table;
  table.calibrator = options.calibrator;
  table.percentile = options.percentile;
  table.numInputs = images;
  table.model = modelFingerprint(func);
  for (auto [point, histogram] : llvm::zip(points, histograms))
    table.points.push_back({point.name, histogram.amax(),
                            threshold(histogram, options.calibrator, options.percentile)});
  return table;
}

//===----------------------------------------------------------------------===//
// Accuracy
//===----------------------------------------------------------------------===//

/// Cosine similarity of two logit vectors (1 when both are zero).
static double logitsCosine(const float *r, const float *q, int64_t classes) {
  double dot = 0, rr = 0, qq = 0;
  for (int64_t j = 0; j < classes; ++j) {
    dot += double(r[j]) * q[j];
    rr += double(r[j]) * r[j];
    qq += double(q[j]) * q[j];
  }
  return rr > 0 && qq > 0 ? dot / std::sqrt(rr * qq) : (rr == qq ? 1.0 : 0.0);
}

namespace {
/// The GEMM input each point read in the last evaluation.
struct InputCapture {
  llvm::DenseMap<Operation *, size_t> index;
  std::vector<std::vector<float>> values;

  EvaluateOptions options() {
    EvaluateOptions options;
    options.observeGemmInput = [this](Operation *op, ArrayRef<float> data) {
      auto it = index.find(op);
      if (it != index.end())
        values[it->second].assign(data.begin(), data.end());
    };
    return options;
  }
};
} // namespace

Expected<AccuracyReport> measureAccuracy(func::FuncOp reference, func::FuncOp quantized,
                                         ArrayRef<std::string> inputFiles,
                                         std::function<void(size_t, size_t)> progress) {
  if (inputFiles.empty())
    return makeError("the accuracy report needs at least one input");
  std::vector<QuantPoint> refPoints = collectQuantPoints(reference),
                          qPoints = collectQuantPoints(quantized);
  if (refPoints.size() != qPoints.size())
    return makeError("the quantized model has different quantize points");
  InputCapture refCapture, qCapture;
  refCapture.values.resize(refPoints.size());
  qCapture.values.resize(qPoints.size());
  AccuracyReport report;
  for (size_t i = 0; i < refPoints.size(); ++i) {
    if (refPoints[i].name != qPoints[i].name)
      return makeError("the quantized model has different quantize points");
    refCapture.index[refPoints[i].op] = i;
    qCapture.index[qPoints[i].op] = i;
    Operation *op = qPoints[i].op;
    bool isQuantized = isa<ops::PatchMergingOp>(op)
                           ? cast<ops::PatchMergingOp>(op).getQuantType().has_value()
                           : op->getOperand(0).getDefiningOp<ops::DequantizeOp>() != nullptr;
    report.points.push_back({refPoints[i].name, 0.0, isQuantized});
  }
  EvaluateOptions refOptions = refCapture.options(), qOptions = qCapture.options();
  double cosineSum = 0, relativeSum = 0, logits = 0;
  int64_t agree = 0;
  report.minCosine = 1.0;
  for (auto [done, path] : llvm::enumerate(inputFiles)) {
    Expected<Tensor> input = readNpy(path);
    if (!input)
      return input.takeError();
    Expected<std::vector<Tensor>> r = evaluate(reference, {*input}, refOptions);
    if (!r)
      return makeError(path + ": " + llvm::toString(r.takeError()));
    Expected<std::vector<Tensor>> q = evaluate(quantized, {*input}, qOptions);
    if (!q)
      return makeError(path + ": " + llvm::toString(q.takeError()));
    const Tensor &rt = r->front(), &qt = q->front();
    const int64_t batch = rt.shape.empty() ? 1 : rt.shape[0];
    const int64_t classes = rt.size() / std::max<int64_t>(batch, 1);
    for (int64_t b = 0; b < batch; ++b) {
      const float *rv = rt.data.data() + b * classes, *qv = qt.data.data() + b * classes;
      double peak = 0;
      int64_t rArg = 0, qArg = 0;
      for (int64_t j = 0; j < classes; ++j) {
        peak = std::max(peak, std::fabs(double(rv[j])));
        if (rv[j] > rv[rArg])
          rArg = j;
        if (qv[j] > qv[qArg])
          qArg = j;
      }
      double cosine = logitsCosine(rv, qv, classes);
      cosineSum += cosine;
      report.minCosine = std::min(report.minCosine, cosine);
      agree += rArg == qArg;
      for (int64_t j = 0; j < classes; ++j) {
        double relative = peak > 0 ? std::fabs(double(qv[j]) - rv[j]) / peak : 0.0;
        report.maxRelativeError = std::max(report.maxRelativeError, relative);
        relativeSum += relative;
        ++logits;
      }
      ++report.images;
    }
    // Per-point input error over the whole file's batch.
    for (size_t i = 0; i < report.points.size(); ++i) {
      const std::vector<float> &x = refCapture.values[i], &y = qCapture.values[i];
      double diff = 0, norm = 0;
      for (size_t j = 0; j < std::min(x.size(), y.size()); ++j) {
        diff += (double(y[j]) - x[j]) * (double(y[j]) - x[j]);
        norm += double(x[j]) * x[j];
      }
      report.points[i].relativeError += norm > 0 ? std::sqrt(diff / norm) : 0.0;
    }
    if (progress)
      progress(done + 1, inputFiles.size());
  }
  report.meanCosine = cosineSum / report.images;
  report.top1Agreement = double(agree) / report.images;
  report.meanRelativeError = logits > 0 ? relativeSum / logits : 0.0;
  for (AccuracyReport::Point &point : report.points)
    point.relativeError /= inputFiles.size();
  return report;
}

Expected<std::vector<std::pair<std::string, double>>>
chooseFloatPoints(func::FuncOp reference, const CalibrationTable &table,
                  const QuantizeOptions &base, ArrayRef<std::string> inputFiles,
                  double targetCosine, std::function<void(StringRef)> log) {
  if (inputFiles.empty())
    return makeError("mixed precision needs at least one input");
  std::vector<Tensor> inputs, expected;
  for (const std::string &path : inputFiles) {
    Expected<Tensor> input = readNpy(path);
    if (!input)
      return input.takeError();
    Expected<std::vector<Tensor>> logits = evaluate(reference, {*input});
    if (!logits)
      return makeError(path + ": " + llvm::toString(logits.takeError()));
    inputs.push_back(std::move(*input));
    expected.push_back(std::move(logits->front()));
  }
  // Mean logits cosine of the model with `keep` left in floating point.
  auto cosineKeeping = [&](const llvm::StringSet<> &keep) -> Expected<double> {
    OwningOpRef<func::FuncOp> candidate(reference.clone());
    QuantizeOptions options = base;
    for (const auto &name : keep)
      options.keepFloat.insert(name.getKey());
    if (Error err = insertQuantPoints(*candidate, table, options))
      return std::move(err);
    double sum = 0;
    int64_t images = 0;
    for (auto [input, want] : llvm::zip(inputs, expected)) {
      Expected<std::vector<Tensor>> got = evaluate(*candidate, {input});
      if (!got)
        return got.takeError();
      const Tensor &q = got->front();
      const int64_t batch = want.shape.empty() ? 1 : want.shape[0];
      const int64_t classes = want.size() / std::max<int64_t>(batch, 1);
      for (int64_t b = 0; b < batch; ++b, ++images)
        sum += logitsCosine(want.data.data() + b * classes, q.data.data() + b * classes,
                            classes);
    }
    return sum / images;
  };

  std::vector<QuantPoint> points = collectQuantPoints(reference);
  Expected<double> all = cosineKeeping({});
  if (!all)
    return all.takeError();
  if (log)
    log(llvm::formatv("all {0} points quantized: cosine {1:f5}", points.size(), *all).str());
  std::vector<std::pair<std::string, double>> kept;
  if (*all >= targetCosine)
    return kept;
  std::vector<std::pair<std::string, double>> sensitivity;
  for (const QuantPoint &point : points) {
    llvm::StringSet<> others;
    for (const QuantPoint &other : points)
      if (other.name != point.name)
        others.insert(other.name);
    Expected<double> alone = cosineKeeping(others);
    if (!alone)
      return alone.takeError();
    sensitivity.push_back({point.name, 1.0 - *alone});
  }
  llvm::stable_sort(sensitivity, [](auto &a, auto &b) { return a.second > b.second; });
  llvm::StringSet<> keep;
  for (const auto &[name, loss] : sensitivity) {
    keep.insert(name);
    kept.push_back({name, loss});
    Expected<double> cosine = cosineKeeping(keep);
    if (!cosine)
      return cosine.takeError();
    if (log)
      log(llvm::formatv("keep {0} in float (alone: 1 - cosine {1:e2}): cosine {2:f5}", name,
                        loss, *cosine)
              .str());
    if (*cosine >= targetCosine)
      return kept;
  }
  return kept; // Everything in float: the target is met trivially.
}

void printAccuracyReport(const AccuracyReport &report, llvm::raw_ostream &os, bool perPoint) {
  os << llvm::formatv("logits cosine mean {0:f5} min {1:f5}, top-1 agreement {2:f2}% "
                      "({3} images), relative error max {4:e2} mean {5:e2}\n",
                      report.meanCosine, report.minCosine, 100.0 * report.top1Agreement,
                      report.images, report.maxRelativeError, report.meanRelativeError);
  if (!perPoint)
    return;
  os << "  point                                   quantized  input rel. error\n";
  for (const AccuracyReport::Point &point : report.points)
    os << llvm::formatv("  {0,-40} {1,-9}  {2:e2}\n", point.name,
                        point.quantized ? "yes" : "no", point.relativeError);
}

void writeAccuracyReport(const AccuracyReport &report, llvm::raw_ostream &os) {
  llvm::json::Array points;
  for (const AccuracyReport::Point &point : report.points)
    points.push_back(llvm::json::Object{{"name", point.name},
                                        {"quantized", point.quantized},
                                        {"input_relative_error", point.relativeError}});
  llvm::json::Object root{{"images", report.images},
                          {"cosine_mean", report.meanCosine},
                          {"cosine_min", report.minCosine},
                          {"top1_agreement", report.top1Agreement},
                          {"relative_error_max", report.maxRelativeError},
                          {"relative_error_mean", report.meanRelativeError},
                          {"points", std::move(points)}};
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

} // namespace swin::quant
