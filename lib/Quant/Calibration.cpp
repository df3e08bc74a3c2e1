//===- Calibration.cpp - activation statistics and calibrators ------------===//

#include "swin/Quant/Calibration.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace llvm;
using namespace swin::quant;

static constexpr StringLiteral kFormat = "swin-calibration 1";

//===----------------------------------------------------------------------===//
// AbsHistogram
//===----------------------------------------------------------------------===//

void AbsHistogram::grow(float magnitude) {
  if (range_ == 0.0f) {
    // The smallest power of two above the first non-zero magnitude.
    int exponent;
    std::frexp(magnitude, &exponent);
    range_ = std::ldexp(1.0f, exponent);
    return;
  }
  while (magnitude >= range_) {
    for (int i = 0; i < kBins / 2; ++i)
      bins_[i] = bins_[2 * i] + bins_[2 * i + 1];
    std::fill(bins_.begin() + kBins / 2, bins_.end(), 0.0);
    range_ *= 2.0f;
  }
}

Error AbsHistogram::add(ArrayRef<float> values) {
  float batchMax = 0.0f;
  for (float v : values) {
    if (!std::isfinite(v))
      return createStringError("calibration data holds a NaN or an infinity");
    batchMax = std::max(batchMax, std::fabs(v));
  }
  if (batchMax > 0.0f && (range_ == 0.0f || batchMax >= range_))
    grow(batchMax);
  amax_ = std::max(amax_, batchMax);
  count_ += values.size();
  if (range_ == 0.0f) { // all zeros so far: they belong in bin 0 of any range
    bins_[0] += values.size();
    return Error::success();
  }
  float perBin = kBins / range_;
  for (float v : values) {
    int bin = std::min(kBins - 1, static_cast<int>(std::fabs(v) * perBin));
    bins_[bin] += 1.0;
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Calibrators
//===----------------------------------------------------------------------===//

Expected<Calibrator> swin::quant::parseCalibrator(StringRef name) {
  if (name == "max")
    return Calibrator::Max;
  if (name == "percentile")
    return Calibrator::Percentile;
  if (name == "entropy")
    return Calibrator::Entropy;
  return createStringError("unknown calibrator '" + name +
                           "' (expected max, percentile or entropy)");
}

StringRef swin::quant::calibratorName(Calibrator calibrator) {
  switch (calibrator) {
  case Calibrator::Max:
    return "max";
  case Calibrator::Percentile:
    return "percentile";
  case Calibrator::Entropy:
    return "entropy";
  }
  return "unknown";
}

float swin::quant::maxThreshold(const AbsHistogram &histogram) { return histogram.amax(); }

float swin::quant::percentileThreshold(const AbsHistogram &histogram, double percentile) {
  if (histogram.count() == 0 || histogram.amax() == 0.0f)
    return 0.0f;
  double target = histogram.count() * std::clamp(percentile, 0.0, 100.0) / 100.0;
  double seen = 0.0;
  ArrayRef<double> bins = histogram.bins();
  for (size_t i = 0; i < bins.size(); ++i) {
    if (seen + bins[i] >= target && bins[i] > 0) {
      double inside = (target - seen) / bins[i];
      float value = static_cast<float>((i + inside) * histogram.binWidth());
      return std::min(value, histogram.amax());
    }
    seen += bins[i];
  }
  return histogram.amax();
}

/// KL(p || q) of two unnormalised distributions over the same bins.
static double klDivergence(ArrayRef<double> p, ArrayRef<double> q) {
  double pSum = 0.0, qSum = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    pSum += p[i];
    qSum += q[i];
  }
  if (pSum == 0.0 || qSum == 0.0)
    return std::numeric_limits<double>::infinity();
  double kl = 0.0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0.0)
      continue;
    double pi = p[i] / pSum;
    // A bin quantization emptied while data remained: penalise, as
    // TensorRT does, rather than return infinity for every candidate.
    double qi = q[i] > 0.0 ? q[i] / qSum : 1e-12;
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

float swin::quant::entropyThreshold(const AbsHistogram &histogram, int levels) {
  ArrayRef<double> bins = histogram.bins();
  if (histogram.amax() == 0.0f)
    return 0.0f;
  // Bins up to the one holding the maximum.
  int used = std::min<int>(AbsHistogram::kBins,
                           static_cast<int>(histogram.amax() / histogram.binWidth()) + 1);
  if (used <= levels)
    return histogram.amax();
  double bestKl = std::numeric_limits<double>::infinity();
  int bestEnd = used;
  std::vector<double> reference, quantized;
  for (int end = levels; end <= used; ++end) {
    // Reference: the first `end` bins, with everything above clipped into
    // the last one.
    reference.assign(bins.begin(), bins.begin() + end);
    for (int i = end; i < used; ++i)
      reference[end - 1] += bins[i];
    // Candidate: the first `end` bins without the clipped mass, merged
    // into `levels` levels, each level's mass spread evenly over its
    // non-empty bins. Clipping costs through the mass missing here.
    quantized.assign(end, 0.0);
    double perLevel = static_cast<double>(end) / levels;
    for (int level = 0; level < levels; ++level) {
      int first = static_cast<int>(std::floor(level * perLevel));
      int last = level + 1 == levels ? end : static_cast<int>(std::floor((level + 1) * perLevel));
      double mass = 0.0;
      int nonEmpty = 0;
      for (int i = first; i < last; ++i) {
        mass += bins[i];
        nonEmpty += bins[i] > 0.0;
      }
      if (nonEmpty == 0)
        continue;
      for (int i = first; i < last; ++i)
        if (bins[i] > 0.0)
          quantized[i] = mass / nonEmpty;
    }
    double kl = klDivergence(reference, quantized);
    if (kl < bestKl) {
      bestKl = kl;
      bestEnd = end;
    }
  }
  return std::min(histogram.amax(), static_cast<float>(bestEnd * histogram.binWidth()));
}

float swin::quant::threshold(const AbsHistogram &histogram, Calibrator calibrator,
                             double percentile) {
  switch (calibrator) {
  case Calibrator::Max:
    return maxThreshold(histogram);
  case Calibrator::Percentile:
    return percentileThreshold(histogram, percentile);
  case Calibrator::Entropy:
    return entropyThreshold(histogram);
  }
  return maxThreshold(histogram);
}

//===----------------------------------------------------------------------===//
// Calibration table (JSON)
//===----------------------------------------------------------------------===//

const CalibrationPoint *CalibrationTable::find(StringRef name) const {
  for (const CalibrationPoint &point : points)
    if (point.name == name)
      return &point;
  return nullptr;
}

void swin::quant::writeCalibrationTable(const CalibrationTable &table, raw_ostream &os) {
  json::Array points;
  for (const CalibrationPoint &point : table.points)
    points.push_back(json::Object{{"name", point.name},
                                  {"amax", static_cast<double>(point.amax)},
                                  {"threshold", static_cast<double>(point.threshold)}});
  json::Object root{{"format", kFormat},
                    {"model", table.model},
                    {"calibrator", calibratorName(table.calibrator)},
                    {"inputs", table.numInputs},
                    {"points", std::move(points)}};
  if (table.calibrator == Calibrator::Percentile)
    root["percentile"] = table.percentile;
  os << formatv("{0:2}", json::Value(std::move(root))) << "\n";
}

namespace {
/// Reads fields of one JSON object, naming the path of the first error.
class FieldReader {
public:
  FieldReader(const json::Object &object, std::string path, std::string &error)
      : object_(object), path_(std::move(path)), error_(error) {}

  std::optional<StringRef> string(StringRef key) {
    if (auto value = object_.getString(key))
      return *value;
    fail(key, "a string");
    return std::nullopt;
  }
  std::optional<double> number(StringRef key) {
    if (auto value = object_.getNumber(key); value && std::isfinite(*value))
      return *value;
    fail(key, "a finite number");
    return std::nullopt;
  }

  void fail(StringRef key, StringRef expected) {
    if (error_.empty())
      error_ = formatv("{0}{1}: expected {2}", path_, key, expected).str();
  }

private:
  const json::Object &object_;
  std::string path_;
  std::string &error_;
};
} // namespace

Expected<CalibrationTable> swin::quant::parseCalibrationTable(StringRef text,
                                                              StringRef source) {
  auto fail = [&](const Twine &message) {
    return createStringError(source + ": not a calibration table: " + message);
  };
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return fail(toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return fail("the top level is not an object");
  std::string error;
  FieldReader fields(*root, "", error);
  CalibrationTable table;
  auto format = fields.string("format");
  if (format && *format != kFormat)
    return fail("format '" + *format + "' is not '" + kFormat + "'");
  if (auto model = fields.string("model"))
    table.model = model->str();
  if (auto name = fields.string("calibrator")) {
    Expected<Calibrator> calibrator = parseCalibrator(*name);
    if (!calibrator)
      return fail(toString(calibrator.takeError()));
    table.calibrator = *calibrator;
  }
  if (auto inputs = fields.number("inputs")) {
    if (*inputs < 1 || *inputs != std::floor(*inputs))
      return fail("inputs: expected a positive integer");
    table.numInputs = static_cast<int64_t>(*inputs);
  }
  if (table.calibrator == Calibrator::Percentile) {
    if (auto percentile = fields.number("percentile")) {
      if (*percentile <= 0.0 || *percentile > 100.0)
        return fail("percentile: expected a number in (0, 100]");
      table.percentile = *percentile;
    }
  }
  const json::Array *points = root->getArray("points");
  if (!points)
    fields.fail("points", "an array");
  if (!error.empty())
    return fail(error);
  StringSet<> names;
  for (size_t i = 0; i < points->size(); ++i) {
    std::string path = formatv("points[{0}].", i).str();
    const json::Object *object = (*points)[i].getAsObject();
    if (!object)
      return fail(formatv("points[{0}]: expected an object", i).str());
    FieldReader point(*object, path, error);
    CalibrationPoint entry;
    auto name = point.string("name");
    auto amax = point.number("amax");
    auto threshold = point.number("threshold");
    if (!error.empty())
      return fail(error);
    if (*amax < 0.0 || *threshold < 0.0 || *threshold > *amax * (1.0 + 1e-6))
      return fail(path + "threshold: expected 0 <= threshold <= amax");
    if (!names.insert(*name).second)
      return fail(path + "name: '" + *name + "' appears twice");
    entry.name = name->str();
    entry.amax = static_cast<float>(*amax);
    entry.threshold = static_cast<float>(*threshold);
    table.points.push_back(std::move(entry));
  }
  return table;
}

Expected<CalibrationTable> swin::quant::readCalibrationTable(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path);
  if (!buffer)
    return createStringError("cannot read calibration table '" + path +
                             "': " + buffer.getError().message());
  return parseCalibrationTable((*buffer)->getBuffer(), path);
}
