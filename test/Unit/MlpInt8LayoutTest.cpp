//===- MlpInt8LayoutTest.cpp - the fused int8 MLP's fc2 column order ------===//

#include "swinrt/mlp_int8_layout.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

/// The m16n8 mma result layout read as an m16n8k32 A fragment, walked from
/// the fragments' definitions: lane t's result columns (2t, 2t + 1 of each
/// 8-column tile n) must land at A's k = 4t + 2 (n % 2) + j of 16 (n / 2).
TEST(MlpInt8Layout, HiddenOrderFollowsTheFragments) {
  for (int base = 0; base < 384; base += 32)
    for (int t = 0; t < 4; ++t)
      for (int n = 0; n < 4; ++n)
        for (int j = 0; j < 2; ++j) {
          int column = base + 8 * n + 2 * t + j;
          int k = base + 16 * (n / 2) + 4 * t + 2 * (n % 2) + j;
          EXPECT_EQ(swinrt::mlpHiddenOrder(k), column) << "k " << k;
        }
}

TEST(MlpInt8Layout, HiddenOrderIsAPermutationWithinEach32) {
  std::vector<int> seen(768, 0);
  for (int k = 0; k < 768; ++k) {
    int column = swinrt::mlpHiddenOrder(k);
    ASSERT_GE(column, k / 32 * 32);
    ASSERT_LT(column, k / 32 * 32 + 32);
    ++seen[column];
  }
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

TEST(MlpInt8Layout, TakesSwinShapes) {
  EXPECT_TRUE(swinrt::mlpInt8Takes(96, 384));
  EXPECT_TRUE(swinrt::mlpInt8Takes(192, 768));
  EXPECT_TRUE(swinrt::mlpInt8Takes(32, 128));
  EXPECT_FALSE(swinrt::mlpInt8Takes(16, 64));   // k steps of 32
  EXPECT_FALSE(swinrt::mlpInt8Takes(384, 1536)); // fc2's accumulators
  EXPECT_FALSE(swinrt::mlpInt8Takes(96, 96));    // 64 hidden per stage
}

} // namespace
