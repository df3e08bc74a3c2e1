//===- MemoryPlanner.h - activation arena planning --------------*- C++ -*-===//
//
// Every activation of a compiled model lives in one device arena. A buffer
// is live from the step that writes it to the last step that reads it
// (inclusive); two buffers may share bytes only when their live ranges do
// not meet.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_TARGET_CUDA_MEMORYPLANNER_H
#define SWIN_TARGET_CUDA_MEMORYPLANNER_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace swin::cuda {

struct BufferRequest {
  uint64_t bytes;
  int firstStep;
  int lastStep;
};

struct MemoryPlan {
  std::vector<uint64_t> offsets; // one per request, multiples of the alignment
  uint64_t arenaBytes = 0;
};

inline uint64_t alignTo(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Greedy by size: the largest buffers are placed first, each at the lowest
/// offset where it fits beside the already placed buffers that are live at
/// the same time. Near the liveness bound for chain-shaped networks.
MemoryPlan planMemory(llvm::ArrayRef<BufferRequest> requests, uint64_t alignment = 256);

/// The largest total of (aligned) bytes live at one step: no plan is smaller.
uint64_t livenessLowerBound(llvm::ArrayRef<BufferRequest> requests,
                            uint64_t alignment = 256);

/// A pair of buffers that are live together and overlap in the arena, if any.
std::optional<std::pair<size_t, size_t>>
findConflict(llvm::ArrayRef<BufferRequest> requests, const MemoryPlan &plan,
             uint64_t alignment = 256);

} // namespace swin::cuda

#endif // SWIN_TARGET_CUDA_MEMORYPLANNER_H
