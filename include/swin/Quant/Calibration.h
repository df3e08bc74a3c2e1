//===- Calibration.h - activation statistics and calibrators ----*- C++ -*-===//
//
// INT8/FP8 calibration: a histogram of |x| per quantize point, collected
// over the calibration inputs, and the calibrators that turn it into a
// clipping threshold (max, percentile, entropy). The thresholds go to a
// JSON calibration table, so a model calibrated once compiles for several
// GPUs without the calibration data.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_QUANT_CALIBRATION_H
#define SWIN_QUANT_CALIBRATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace swin::quant {

/// The histogram of |x| of one tensor over many batches: kBins equal bins
/// over [0, range). A value at or above the range doubles it and merges bin
/// pairs, so one pass over the data suffices (the range is a power of two,
/// so merged bins stay aligned).
class AbsHistogram {
public:
  static constexpr int kBins = 2048;

  /// Adds `values`; fails, adding nothing, on a NaN or an infinity.
  llvm::Error add(llvm::ArrayRef<float> values);

  float amax() const { return amax_; }
  float range() const { return range_; }
  float binWidth() const { return range_ / kBins; }
  /// How many values were added (zeros included).
  double count() const { return count_; }
  llvm::ArrayRef<double> bins() const { return bins_; }

private:
  void grow(float magnitude);

  std::vector<double> bins_ = std::vector<double>(kBins, 0.0);
  float range_ = 0.0f;
  float amax_ = 0.0f;
  double count_ = 0.0;
};

enum class Calibrator { Max, Percentile, Entropy };

/// "max", "percentile" or "entropy".
llvm::Expected<Calibrator> parseCalibrator(llvm::StringRef name);
llvm::StringRef calibratorName(Calibrator calibrator);

/// The largest |x| seen.
float maxThreshold(const AbsHistogram &histogram);
/// The |x| below which `percentile` percent of the values fall (linear
/// inside a bin), at most the maximum.
float percentileThreshold(const AbsHistogram &histogram, double percentile);
/// The threshold whose clipped, `levels`-level uniform quantization loses
/// the least information (KL divergence between the clipped histogram and
/// its quantized form; the TensorRT entropy calibrator).
float entropyThreshold(const AbsHistogram &histogram, int levels = 128);

/// The threshold of `calibrator` (percentile used only by Percentile).
float threshold(const AbsHistogram &histogram, Calibrator calibrator, double percentile);

/// One quantize point of a model: its name (stable across compiles of the
/// same model), what was seen and the chosen clipping threshold.
struct CalibrationPoint {
  std::string name;
  float amax = 0.0f;
  float threshold = 0.0f;
};

struct CalibrationTable {
  Calibrator calibrator = Calibrator::Percentile;
  double percentile = 99.99;
  int64_t numInputs = 0;
  /// Identifies the model the points belong to (a hash of its fused IR).
  std::string model;
  std::vector<CalibrationPoint> points;

  const CalibrationPoint *find(llvm::StringRef name) const;
};

/// Writes `table` as JSON ({"format": "swin-calibration 1", ...}).
void writeCalibrationTable(const CalibrationTable &table, llvm::raw_ostream &os);

/// Parses a table written by writeCalibrationTable. Errors name `source`
/// and the field that is wrong.
llvm::Expected<CalibrationTable> parseCalibrationTable(llvm::StringRef text,
                                                       llvm::StringRef source);

/// Reads and parses the table at `path`.
llvm::Expected<CalibrationTable> readCalibrationTable(llvm::StringRef path);

} // namespace swin::quant

#endif // SWIN_QUANT_CALIBRATION_H
