//===- PositionBiasTest.cpp - compact position bias and its tiles ---------===//

#include "swin/Target/Cuda/CudaEmitter.h"
#include "swinrt/position_bias.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace swin::cuda;

namespace {

/// Swin V1's relative position bias: a random table [(2Wh-1)(2Ww-1), heads]
/// gathered by the relative index of each (query, key) pair, as timm builds
/// it, laid out [heads, n, n].
std::vector<float> relativeBias(int wh, int ww, int heads, std::mt19937 &rng) {
  std::normal_distribution<float> normal(0.0f, 0.02f);
  int entries = (2 * wh - 1) * (2 * ww - 1), n = wh * ww;
  std::vector<float> table(entries * heads);
  for (float &v : table)
    v = normal(rng);
  std::vector<float> bias(heads * n * n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      int dy = i / ww - j / ww + wh - 1, dx = i % ww - j % ww + ww - 1;
      for (int h = 0; h < heads; ++h)
        bias[(h * n + i) * n + j] = table[(dy * (2 * ww - 1) + dx) * heads + h];
    }
  return bias;
}

/// The tiles as the kernel reads them, built straight from the dense bias by
/// walking the fragment layout in order (head, warp, key tile, lane, element),
/// as the emitter did before the compact form: an oracle independent of
/// tiledPositionBiasAt's index arithmetic.
std::vector<float> denseTiles(const std::vector<float> &bias, int64_t heads, int64_t n) {
  int64_t rows = (n + 15) / 16 * 16, warps = rows / 16, keyTiles = rows / 8;
  std::vector<float> tiles;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t w = 0; w < warps; ++w)
      for (int64_t tile = 0; tile < keyTiles; ++tile)
        for (int64_t lane = 0; lane < 32; ++lane)
          for (int64_t e = 0; e < 4; ++e) {
            int64_t row = 16 * w + lane / 4 + (e < 2 ? 0 : 8);
            int64_t col = 8 * tile + 2 * (lane % 4) + (e & 1);
            tiles.push_back(col >= n   ? -INFINITY
                            : row >= n ? 0.0f
                                       : bias[(h * n + row) * n + col]);
          }
  return tiles;
}

void expectTilesMatch(const std::vector<float> &bias, int64_t heads, int64_t n,
                      const CompactPositionBias &compact) {
  std::vector<float> want = denseTiles(bias, heads, n);
  int64_t floats = swinrt::tiledPositionBiasFloats(heads, n);
  ASSERT_EQ(floats, static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < floats; ++i) {
    float got = swinrt::tiledPositionBiasAt(i, n, compact.table.data(), compact.classes,
                                            compact.index.data());
    ASSERT_EQ(std::memcmp(&want[i], &got, sizeof(float)), 0) << "tile float " << i;
  }
}

struct Window {
  int wh, ww, heads;
};

class RelativeBias : public ::testing::TestWithParam<Window> {};

TEST_P(RelativeBias, CompactsToTheRelativeTableAndExpandsExactly) {
  auto [wh, ww, heads] = GetParam();
  std::mt19937 rng(wh * 100 + ww * 10 + heads);
  int64_t n = wh * ww;
  std::vector<float> bias = relativeBias(wh, ww, heads, rng);
  CompactPositionBias compact = compactPositionBias(bias, heads, n);
  EXPECT_EQ(compact.classes, (2 * wh - 1) * (2 * ww - 1));
  ASSERT_EQ(compact.index.size(), static_cast<size_t>(n * n));
  ASSERT_EQ(compact.table.size(), static_cast<size_t>(heads * compact.classes));
  expectTilesMatch(bias, heads, n, compact);
}

INSTANTIATE_TEST_SUITE_P(Windows, RelativeBias,
                         ::testing::Values(Window{7, 7, 3}, Window{7, 7, 24}, Window{8, 8, 4},
                                           Window{12, 12, 6}, Window{4, 6, 2},
                                           Window{1, 1, 1}));

TEST(CompactPositionBias, SharesTheIndexAcrossBlocksOfOneGeometry) {
  std::mt19937 rng(7);
  auto a = compactPositionBias(relativeBias(7, 7, 3, rng), 3, 49);
  auto b = compactPositionBias(relativeBias(7, 7, 6, rng), 6, 49);
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.classes, b.classes);
}

TEST(CompactPositionBias, ArbitraryBiasStaysExact) {
  // No relative structure: every entry its own class, still exact.
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  int64_t heads = 2, n = 20;
  std::vector<float> bias(heads * n * n);
  for (float &v : bias)
    v = uniform(rng);
  bias[5] = -0.0f; // signed zero and NaN are kept bit for bit
  bias[6] = 0.0f;
  bias[7] = std::nanf("");
  auto compact = compactPositionBias(bias, heads, n);
  EXPECT_EQ(compact.classes, n * n);
  expectTilesMatch(bias, heads, n, compact);
}

TEST(CompactPositionBias, ConstantBiasIsOneClass) {
  std::vector<float> bias(3 * 49 * 49, 0.0f);
  auto compact = compactPositionBias(bias, 3, 49);
  EXPECT_EQ(compact.classes, 1);
  expectTilesMatch(bias, 3, 49, compact);
}

} // namespace
