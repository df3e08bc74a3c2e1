//===- MaskGroupsTest.cpp - shifted-window masks as token groups ----------===//

#include "swin/Target/Cuda/CudaEmitter.h"

#include <gtest/gtest.h>

#include <vector>

using namespace swin::cuda;

namespace {

/// The shifted-window mask as timm, torchvision and Hugging Face build it:
/// label the image's regions (split at -window and -shift on each axis),
/// partition the label image into windows, and put `value` where two
/// tokens' labels differ.
std::vector<float> swinMask(int h, int w, int window, int shift, float value) {
  std::vector<int> label(h * w);
  auto region = [&](int x, int size) { return x < size - window ? 0 : x < size - shift ? 1 : 2; };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      label[y * w + x] = region(y, h) * 3 + region(x, w);
  int windowsX = w / window, n = window * window, windows = (h / window) * windowsX;
  std::vector<float> mask(windows * n * n);
  for (int wi = 0; wi < windows; ++wi) {
    auto at = [&](int t) {
      int y = (wi / windowsX) * window + t / window, x = (wi % windowsX) * window + t % window;
      return label[y * w + x];
    };
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        mask[(wi * n + i) * n + j] = at(i) == at(j) ? 0.0f : value;
  }
  return mask;
}

/// The dense mask the kernels reconstruct from groups.
std::vector<float> expand(const MaskGroups &g, int64_t windows, int64_t n) {
  std::vector<float> mask(windows * n * n);
  for (int64_t w = 0; w < windows; ++w)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        mask[(w * n + i) * n + j] = g.groups[w * n + i] == g.groups[w * n + j] ? 0.0f : g.value;
  return mask;
}

struct MaskCase {
  int size, window, shift;
};

class SwinMasks : public ::testing::TestWithParam<MaskCase> {};

TEST_P(SwinMasks, GroupsReproduceTheDenseMask) {
  auto [size, window, shift] = GetParam();
  std::vector<float> mask = swinMask(size, size, window, shift, -100.0f);
  int64_t windows = (size / window) * (size / window), n = window * window;
  auto groups = deriveMaskGroups(mask, windows, n);
  ASSERT_TRUE(static_cast<bool>(groups)) << llvm::toString(groups.takeError());
  EXPECT_EQ(groups->value, -100.0f);
  EXPECT_EQ(expand(*groups, windows, n), mask);
  // The last window straddles both seams: four groups.
  int last = 0;
  for (int64_t i = 0; i < n; ++i)
    last = std::max<int>(last, groups->groups[(windows - 1) * n + i]);
  EXPECT_EQ(last, 3);
}

INSTANTIATE_TEST_SUITE_P(Stages, SwinMasks,
                         ::testing::Values(MaskCase{56, 7, 3}, MaskCase{28, 7, 3},
                                           MaskCase{14, 7, 3}, MaskCase{96, 12, 6},
                                           MaskCase{64, 8, 4}, MaskCase{32, 16, 8}));

TEST(MaskGroups, RejectsMasksOfOtherForms) {
  const int64_t n = 3;
  auto message = [&](std::vector<float> mask) {
    auto groups = deriveMaskGroups(mask, 1, n);
    return groups ? std::string("accepted") : llvm::toString(groups.takeError());
  };
  // Two different negative values across groups.
  EXPECT_NE(message({0, -100, -50, -100, 0, -100, -50, -100, 0}).find("at (0, 2)"),
            std::string::npos);
  // Not symmetric: 0 attends to 1, 1 does not attend to 0.
  EXPECT_NE(message({0, 0, -100, -100, 0, -100, -100, -100, 0}).find("not of that form"),
            std::string::npos);
  // A positive value across groups.
  EXPECT_NE(message({0, 5, 5, 5, 0, 5, 5, 5, 0}).find("not of that form"), std::string::npos);
  // A token that may attend to nothing.
  EXPECT_NE(message({-100, -100, -100, 0, 0, 0, 0, 0, 0}).find("every key of token 0"),
            std::string::npos);
  // Wrong size.
  auto wrong = deriveMaskGroups(std::vector<float>(8, 0.0f), 1, n);
  ASSERT_FALSE(static_cast<bool>(wrong));
  EXPECT_NE(llvm::toString(wrong.takeError()).find("not [1, 3, 3]"), std::string::npos);
}

TEST(MaskGroups, AllZeroMaskIsOneGroup) {
  auto groups = deriveMaskGroups(std::vector<float>(2 * 4 * 4, 0.0f), 2, 4);
  ASSERT_TRUE(static_cast<bool>(groups));
  for (uint8_t g : groups->groups)
    EXPECT_EQ(g, 0);
}

} // namespace
