//===- CalibrationTest.cpp - histogram, calibrators, calibration table ----===//

#include "swin/Quant/Calibration.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace swin::quant;

namespace {

double total(const AbsHistogram &h) {
  return std::accumulate(h.bins().begin(), h.bins().end(), 0.0);
}

TEST(AbsHistogram, PowerOfTwoRangeDoublesAndKeepsEveryValueInItsBin) {
  AbsHistogram h;
  ASSERT_FALSE(errorToBool(h.add({0.5f, -0.25f})));
  EXPECT_EQ(h.range(), 1.0f);
  ASSERT_FALSE(errorToBool(h.add({-3.0f})));
  EXPECT_EQ(h.range(), 4.0f); // 1 -> 2 -> 4: the first power of two above 3
  EXPECT_EQ(h.amax(), 3.0f);
  EXPECT_EQ(h.count(), 3.0);
  EXPECT_EQ(total(h), 3.0);
  // Bin width 4 / 2048: 0.25 -> bin 128, 0.5 -> 256, 3 -> 1536.
  EXPECT_EQ(h.bins()[128], 1.0);
  EXPECT_EQ(h.bins()[256], 1.0);
  EXPECT_EQ(h.bins()[1536], 1.0);
}

TEST(AbsHistogram, ZerosBeforeTheFirstNonZeroValueAreCounted) {
  AbsHistogram h;
  ASSERT_FALSE(errorToBool(h.add({0.0f, 0.0f})));
  EXPECT_EQ(h.range(), 0.0f);
  ASSERT_FALSE(errorToBool(h.add({1.0f})));
  EXPECT_EQ(h.range(), 2.0f);
  EXPECT_EQ(h.bins()[0], 2.0);
  EXPECT_EQ(h.bins()[1024], 1.0);
  EXPECT_LT(percentileThreshold(h, 50.0), h.binWidth()); // inside bin 0, with the zeros
}

TEST(AbsHistogram, NonFiniteValuesAreRefusedAndNothingIsAdded) {
  AbsHistogram h;
  ASSERT_FALSE(errorToBool(h.add({1.0f})));
  llvm::Error error = h.add({2.0f, std::numeric_limits<float>::quiet_NaN()});
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_EQ(llvm::toString(std::move(error)), "calibration data holds a NaN or an infinity");
  EXPECT_TRUE(errorToBool(h.add({std::numeric_limits<float>::infinity()})));
  EXPECT_EQ(h.count(), 1.0);
  EXPECT_EQ(h.amax(), 1.0f);
}

AbsHistogram uniform(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  AbsHistogram h;
  EXPECT_FALSE(errorToBool(h.add(values)));
  return h;
}

TEST(Calibrators, MaxAndPercentileOnAUniformDistribution) {
  AbsHistogram h = uniform(1 << 20, 1);
  EXPECT_EQ(maxThreshold(h), h.amax());
  EXPECT_NEAR(percentileThreshold(h, 50.0), 0.5, 3e-3);
  EXPECT_NEAR(percentileThreshold(h, 99.0), 0.99, 3e-3);
  EXPECT_NEAR(percentileThreshold(h, 99.99), 0.9999, 1e-3);
  EXPECT_LE(percentileThreshold(h, 100.0), h.amax());
  // Uniform data has nothing to clip: entropy keeps (nearly) the maximum.
  EXPECT_GT(entropyThreshold(h), 0.95f * h.amax());
}

TEST(Calibrators, EntropyAndPercentileClipOutliersThatMaxKeeps) {
  std::mt19937 rng(2);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> values(1 << 20);
  for (float &v : values)
    v = dist(rng);
  values[0] = 40.0f; // one outlier, ten times anything else
  AbsHistogram h;
  ASSERT_FALSE(errorToBool(h.add(values)));
  EXPECT_EQ(maxThreshold(h), 40.0f);
  float entropy = entropyThreshold(h);
  EXPECT_GT(entropy, 2.5f);
  EXPECT_LT(entropy, 8.0f);
  // 99.99% of |N(0,1)| lies below 3.89.
  EXPECT_NEAR(percentileThreshold(h, 99.99), 3.89, 0.1);
  EXPECT_EQ(threshold(h, Calibrator::Entropy, 0.0), entropy);
  EXPECT_EQ(threshold(h, Calibrator::Max, 0.0), 40.0f);
}

TEST(Calibrators, NamesParseAndPrint) {
  for (Calibrator c : {Calibrator::Max, Calibrator::Percentile, Calibrator::Entropy}) {
    auto parsed = parseCalibrator(calibratorName(c));
    ASSERT_TRUE(static_cast<bool>(parsed));
    EXPECT_EQ(*parsed, c);
  }
  auto bad = parseCalibrator("minmax");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "unknown calibrator 'minmax' (expected max, percentile or entropy)");
}

CalibrationTable sampleTable() {
  CalibrationTable table;
  table.calibrator = Calibrator::Percentile;
  table.percentile = 99.9;
  table.numInputs = 32;
  table.model = "0123456789abcdef";
  table.points = {{"block0.qkv", 6.5f, 4.25f}, {"block0.fc2", 30.0f, 12.5f}};
  return table;
}

TEST(CalibrationTable, RoundTripsThroughJson) {
  std::string text;
  llvm::raw_string_ostream os(text);
  writeCalibrationTable(sampleTable(), os);
  auto parsed = parseCalibrationTable(text, "t.json");
  ASSERT_TRUE(static_cast<bool>(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_EQ(parsed->calibrator, Calibrator::Percentile);
  EXPECT_EQ(parsed->percentile, 99.9);
  EXPECT_EQ(parsed->numInputs, 32);
  EXPECT_EQ(parsed->model, "0123456789abcdef");
  ASSERT_EQ(parsed->points.size(), 2u);
  const CalibrationPoint *fc2 = parsed->find("block0.fc2");
  ASSERT_NE(fc2, nullptr);
  EXPECT_EQ(fc2->amax, 30.0f);
  EXPECT_EQ(fc2->threshold, 12.5f);
  EXPECT_EQ(parsed->find("block9.fc2"), nullptr);
}

std::string parseError(llvm::StringRef text) {
  auto parsed = parseCalibrationTable(text, "t.json");
  if (parsed)
    return "accepted";
  return llvm::toString(parsed.takeError());
}

TEST(CalibrationTable, MalformedTablesAreRefusedNamingTheField) {
  const char *head = R"({"format": "swin-calibration 1", "model": "m", )"
                     R"("calibrator": "max", "inputs": 4, )";
  EXPECT_EQ(parseError("[1, 2"), "t.json: not a calibration table: [1:5, byte=5]: Expected , "
                                 "or ] after array element");
  EXPECT_EQ(parseError("[]"), "t.json: not a calibration table: the top level is not an object");
  EXPECT_EQ(parseError(R"({"format": "swin-calibration 2"})"),
            "t.json: not a calibration table: format 'swin-calibration 2' is not "
            "'swin-calibration 1'");
  EXPECT_EQ(parseError(std::string(head) + R"("points": 3})"),
            "t.json: not a calibration table: points: expected an array");
  EXPECT_EQ(parseError(std::string(head) +
                       R"("points": [{"name": "a", "amax": 1, "threshold": 2}]})"),
            "t.json: not a calibration table: points[0].threshold: expected 0 <= threshold "
            "<= amax");
  EXPECT_EQ(parseError(std::string(head) + R"("points": [{"name": "a", "amax": 1, )"
                                           R"("threshold": 1}, {"name": "a", "amax": 2, )"
                                           R"("threshold": 1}]})"),
            "t.json: not a calibration table: points[1].name: 'a' appears twice");
  EXPECT_EQ(parseError(std::string(head) + R"("points": [{"name": "a", "amax": "x", )"
                                           R"("threshold": 1}]})"),
            "t.json: not a calibration table: points[0].amax: expected a finite number");
  EXPECT_EQ(parseError(R"({"format": "swin-calibration 1", "model": "m", "calibrator": )"
                       R"("percentile", "percentile": 120, "inputs": 4, "points": []})"),
            "t.json: not a calibration table: percentile: expected a number in (0, 100]");
  EXPECT_EQ(parseError(R"({"format": "swin-calibration 1", "model": "m", "calibrator": )"
                       R"("kl", "inputs": 4, "points": []})"),
            "t.json: not a calibration table: unknown calibrator 'kl' (expected max, "
            "percentile or entropy)");
  EXPECT_EQ(parseError(R"({"format": "swin-calibration 1", "model": "m", "calibrator": )"
                       R"("max", "inputs": 0, "points": []})"),
            "t.json: not a calibration table: inputs: expected a positive integer");
}

} // namespace
