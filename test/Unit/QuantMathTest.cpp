//===- QuantMathTest.cpp - the arithmetic of swin.quantize ----------------===//
//
// roundToE4M3 and encodeE4M3 against LLVM's APFloat (IEEE-style rounding to
// Float8E4M3FN), on every E4M3 value, every midpoint between neighbours and
// a sweep of random floats; roundToInt8 on ties and saturation.
//
//===----------------------------------------------------------------------===//

#include "swin/Quant/QuantMath.h"

#include "llvm/ADT/APFloat.h"

#include <gtest/gtest.h>

#include <random>

using namespace swin::quant;

namespace {

/// APFloat's E4M3 rounding, saturated like roundToE4M3 (APFloat turns an
/// overflow into NaN: E4M3FN has no infinity).
float referenceE4M3(float value) {
  if (std::fabs(value) >= 448.0f)
    return std::copysign(448.0f, value);
  llvm::APFloat f(value);
  bool losesInfo;
  f.convert(llvm::APFloat::Float8E4M3FN(), llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return f.convertToFloat();
}

uint8_t referenceCode(float exact) {
  llvm::APFloat f(exact);
  bool losesInfo;
  f.convert(llvm::APFloat::Float8E4M3FN(), llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return static_cast<uint8_t>(f.bitcastToAPInt().getZExtValue());
}

float decode(uint8_t code) {
  llvm::APFloat f(llvm::APFloat::Float8E4M3FN(), llvm::APInt(8, code));
  return f.convertToFloat();
}

TEST(QuantMath, E4M3ValuesAndMidpointsMatchAPFloat) {
  std::vector<float> grid;
  for (int code = 0; code < 0x7f; ++code)
    grid.push_back(decode(code));
  for (size_t i = 0; i < grid.size(); ++i) {
    for (float sign : {1.0f, -1.0f}) {
      float v = sign * grid[i];
      EXPECT_EQ(roundToE4M3(v), v);
      EXPECT_EQ(encodeE4M3(v), referenceCode(v)) << v;
      if (i + 1 < grid.size()) {
        // The exact midpoint (a tie) and its float neighbours on each side.
        float mid = sign * (grid[i] + (grid[i + 1] - grid[i]) / 2);
        for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, sign * 1e9f)})
          EXPECT_EQ(roundToE4M3(x), referenceE4M3(x)) << x;
      }
    }
  }
}

TEST(QuantMath, E4M3RandomSweepMatchesAPFloat) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> exponent(-14.0f, 10.0f);
  for (int i = 0; i < 200000; ++i) {
    float v = std::exp2(exponent(rng)) * (rng() & 1 ? 1.0f : -1.0f);
    float rounded = roundToE4M3(v);
    ASSERT_EQ(rounded, referenceE4M3(v)) << v;
    ASSERT_EQ(encodeE4M3(rounded), referenceCode(rounded)) << rounded;
  }
}

TEST(QuantMath, E4M3SaturatesAndKeepsNaN) {
  EXPECT_EQ(roundToE4M3(1e30f), 448.0f);
  EXPECT_EQ(roundToE4M3(-460.0f), -448.0f);
  EXPECT_EQ(roundToE4M3(447.0f), 448.0f);
  EXPECT_TRUE(std::isnan(roundToE4M3(NAN)));
  EXPECT_EQ(roundToE4M3(0.0009765625f), 0.0f);          // 2^-10 ties to 0
  EXPECT_EQ(roundToE4M3(0.0029296875f), 0.00390625f);   // 1.5 * 2^-9 ties to even
}

TEST(QuantMath, Int8RoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(roundToInt8(0.5f), 0.0f);
  EXPECT_EQ(roundToInt8(1.5f), 2.0f);
  EXPECT_EQ(roundToInt8(2.5f), 2.0f);
  EXPECT_EQ(roundToInt8(-2.5f), -2.0f);
  EXPECT_EQ(roundToInt8(126.6f), 127.0f);
  EXPECT_EQ(roundToInt8(300.0f), 127.0f);
  EXPECT_EQ(roundToInt8(-300.0f), -128.0f);
  EXPECT_EQ(roundToInt8(NAN), 0.0f);
  // x * (1/scale), not x / scale: with scale 0.1, 0.35 * 10.0f rounds to 3.5 -> 4.
  EXPECT_EQ(quantizeValue(0.35f, 1.0f / 0.1f, QuantType::Int8),
            roundToInt8(0.35f * (1.0f / 0.1f)));
}

} // namespace
