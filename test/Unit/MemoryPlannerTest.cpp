//===- MemoryPlannerTest.cpp - arena planner and number formats -----------===//

#include "swin/Target/Cuda/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace swin::cuda;

namespace swin::cuda::detail {
uint16_t halfBits(float value);
uint16_t bf16Bits(float value);
} // namespace swin::cuda::detail

namespace {

void expectValid(const std::vector<BufferRequest> &requests, const MemoryPlan &plan) {
  ASSERT_EQ(plan.offsets.size(), requests.size());
  auto conflict = findConflict(requests, plan);
  EXPECT_FALSE(conflict.has_value())
      << "buffers " << conflict->first << " and " << conflict->second << " overlap";
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % 256, 0u);
    EXPECT_LE(plan.offsets[i] + requests[i].bytes, plan.arenaBytes);
  }
  EXPECT_GE(plan.arenaBytes, livenessLowerBound(requests));
}

/// The buffers the emitter makes for a Swin network: per block, the
/// LN+partition windows, QKV (3C), attention output, window-order
/// projection, the MLP input and hidden (4C), with the residual stream
/// updated in place across the stage; patch merging between stages. Stage
/// sizes are random (tokens x channels per image).
std::vector<BufferRequest> swinNetwork(std::mt19937 &rng) {
  std::uniform_int_distribution<uint64_t> scale(1, 16);
  std::uniform_int_distribution<int> depth(1, 6);
  std::vector<BufferRequest> requests;
  int step = 0;
  uint64_t unit = scale(rng) * 4096; // tokens * C * element bytes
  requests.push_back({3 * unit, step, step + 1}); // patch rows
  requests.push_back({unit, step + 1, step + 2}); // patch embedding
  step += 2;
  for (int stage = 0; stage < 4; ++stage) {
    size_t residual = requests.size();
    requests.push_back({unit, step, step});
    for (int block = depth(rng); block > 0; --block) {
      requests.push_back({unit, step + 1, step + 2});     // LN+partition
      requests.push_back({3 * unit, step + 2, step + 3}); // qkv
      requests.push_back({unit, step + 3, step + 4});     // attention output
      requests.push_back({unit, step + 4, step + 5});     // projection
      requests.push_back({unit, step + 5, step + 6});     // MLP input
      requests.push_back({4 * unit, step + 6, step + 7}); // hidden
      step += 7;
    }
    requests[residual].lastStep = step + 1;
    requests.push_back({2 * unit, step + 1, step + 2}); // merged patches
    step += 2;
    unit = std::max<uint64_t>(256, unit / scale(rng) * 2);
  }
  return requests;
}

TEST(MemoryPlanner, EmptyAndSingle) {
  EXPECT_EQ(planMemory({}).arenaBytes, 0u);
  std::vector<BufferRequest> one = {{1000, 0, 3}};
  MemoryPlan plan = planMemory(one);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.arenaBytes, 1024u); // aligned to 256
}

TEST(MemoryPlanner, DisjointLifetimesShareBytes) {
  std::vector<BufferRequest> requests = {{4096, 0, 1}, {4096, 2, 3}, {4096, 4, 5}};
  MemoryPlan plan = planMemory(requests);
  expectValid(requests, plan);
  EXPECT_EQ(plan.arenaBytes, 4096u);
}

TEST(MemoryPlanner, OverlappingLifetimesDoNotShare) {
  std::vector<BufferRequest> requests = {{4096, 0, 2}, {2048, 1, 3}, {1024, 2, 4}};
  MemoryPlan plan = planMemory(requests);
  expectValid(requests, plan);
  EXPECT_EQ(plan.arenaBytes, 4096u + 2048u + 1024u);
}

TEST(MemoryPlanner, FindConflictReportsOverlap) {
  std::vector<BufferRequest> requests = {{4096, 0, 2}, {4096, 1, 3}};
  MemoryPlan bad;
  bad.offsets = {0, 2048};
  bad.arenaBytes = 8192;
  auto conflict = findConflict(requests, bad);
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->first, 0u);
  EXPECT_EQ(conflict->second, 1u);
}

// The liveness bound is below the best possible plan, so this also bounds
// the distance to the optimum.
TEST(MemoryPlanner, SwinNetworksWithinTenPercentOfTheLivenessBound) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<BufferRequest> requests = swinNetwork(rng);
    MemoryPlan plan = planMemory(requests);
    expectValid(requests, plan);
    uint64_t bound = livenessLowerBound(requests);
    EXPECT_LE(plan.arenaBytes, bound + bound / 10) << "trial " << trial;
  }
}

TEST(MemoryPlanner, RandomIntervalsNeverOverlap) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> start(0, 50), length(0, 10);
  std::uniform_int_distribution<uint64_t> size(0, 100000);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferRequest> requests;
    for (int i = 0; i < 40; ++i) {
      int first = start(rng);
      requests.push_back({size(rng), first, first + length(rng)});
    }
    expectValid(requests, planMemory(requests));
  }
}

TEST(NumberFormats, HalfMatchesTheCompiler) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::vector<float> values = {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 65520.0f, 1e6f,
                               6.0e-8f, 2.98e-8f, 1e-10f, INFINITY, -INFINITY};
  for (int i = 0; i < 100000; ++i)
    values.push_back(unit(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 40) - 26));
  for (float v : values) {
    _Float16 h = static_cast<_Float16>(v);
    uint16_t expected;
    std::memcpy(&expected, &h, 2);
    EXPECT_EQ(detail::halfBits(v), expected) << "value " << v;
  }
  EXPECT_EQ(detail::halfBits(NAN) & 0x7c00u, 0x7c00u);
  EXPECT_NE(detail::halfBits(NAN) & 0x3ffu, 0u);
}

TEST(NumberFormats, Bf16RoundsToNearestEven) {
  auto bits = [](float v) {
    uint32_t x;
    std::memcpy(&x, &v, 4);
    return x;
  };
  auto fromBits = [](uint32_t x) {
    float v;
    std::memcpy(&v, &x, 4);
    return v;
  };
  EXPECT_EQ(detail::bf16Bits(1.0f), 0x3f80u);
  EXPECT_EQ(detail::bf16Bits(fromBits(0x3f808000u)), 0x3f80u); // tie to even
  EXPECT_EQ(detail::bf16Bits(fromBits(0x3f818000u)), 0x3f82u); // tie to even
  EXPECT_EQ(detail::bf16Bits(fromBits(0x3f808001u)), 0x3f81u);
  EXPECT_EQ(detail::bf16Bits(-2.0f), bits(-2.0f) >> 16);
  EXPECT_EQ(detail::bf16Bits(NAN) & 0x7f80u, 0x7f80u);
  EXPECT_NE(detail::bf16Bits(NAN) & 0x7fu, 0u);
}

} // namespace
