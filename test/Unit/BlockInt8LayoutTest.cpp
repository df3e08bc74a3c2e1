//===- BlockInt8LayoutTest.cpp - the fused int8 block kernels' contracts ---===//

#include "swinrt/block_int8_layout.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

/// Walked from the m16n8 result fragment's definition: lane t of tile n
/// holds the tile's columns 2t and 2t + 1, that is shared-memory rows
/// 8n + 2t + j; those rows must hold output columns 8t + 2n + j, so that
/// lane t's four tiles give it columns 8t .. 8t + 7 in order.
TEST(BlockInt8Layout, WeightRowsFollowTheFragments) {
  for (int base = 0; base < 576; base += 32)
    for (int t = 0; t < 4; ++t)
      for (int n = 0; n < 4; ++n)
        for (int j = 0; j < 2; ++j) {
          int column = base + 8 * t + 2 * n + j;
          EXPECT_EQ(swinrt::blockInt8WeightRow(column), base + 8 * n + 2 * t + j)
              << "column " << column;
        }
}

TEST(BlockInt8Layout, WeightRowsAreAnInvolutionWithinEach32) {
  std::vector<int> seen(576, 0);
  for (int q = 0; q < 576; ++q) {
    int row = swinrt::blockInt8WeightRow(q);
    ASSERT_EQ(row / 32, q / 32);
    EXPECT_EQ(swinrt::blockInt8WeightRow(row), q);
    ++seen[row];
  }
  for (int count : seen)
    EXPECT_EQ(count, 1);
}

TEST(BlockInt8Layout, TakesSwinShapes) {
  EXPECT_TRUE(swinrt::normQkvInt8Takes(96, 288));
  EXPECT_TRUE(swinrt::normQkvInt8Takes(256, 768));
  EXPECT_FALSE(swinrt::normQkvInt8Takes(16, 48));   // k steps of 32
  EXPECT_FALSE(swinrt::normQkvInt8Takes(384, 1152)); // the gathered rows' registers
  EXPECT_FALSE(swinrt::normQkvInt8Takes(96, 80));    // 32 columns per chunk
  EXPECT_TRUE(swinrt::projResidualInt8Takes(96));
  EXPECT_TRUE(swinrt::projResidualInt8Takes(192));
  EXPECT_FALSE(swinrt::projResidualInt8Takes(16));  // k steps of 32
  EXPECT_FALSE(swinrt::projResidualInt8Takes(256)); // the accumulators of a row
}

} // namespace
