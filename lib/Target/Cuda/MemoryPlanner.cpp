//===- MemoryPlanner.cpp - activation arena planning ----------------------===//

#include "swin/Target/Cuda/MemoryPlanner.h"

#include <algorithm>
#include <map>
#include <numeric>

using namespace swin::cuda;

static bool liveTogether(const BufferRequest &a, const BufferRequest &b) {
  return a.firstStep <= b.lastStep && b.firstStep <= a.lastStep;
}

/// Places the buffers in `order`, each at the lowest offset (or, with
/// `bestFit`, in the tightest gap) beside the placed buffers live with it.
static MemoryPlan placeInOrder(llvm::ArrayRef<BufferRequest> requests,
                               llvm::ArrayRef<size_t> order, uint64_t alignment,
                               bool bestFit) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> placed;
  for (size_t index : order) {
    const BufferRequest &request = requests[index];
    uint64_t size = alignTo(request.bytes, alignment);
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t other : placed)
      if (liveTogether(request, requests[other]))
        busy.emplace_back(plan.offsets[other],
                          plan.offsets[other] + alignTo(requests[other].bytes, alignment));
    std::sort(busy.begin(), busy.end());
    uint64_t offset = 0, chosen = UINT64_MAX, chosenGap = UINT64_MAX;
    for (auto [begin, end] : busy) {
      if (begin >= offset + size) {
        if (!bestFit) {
          chosen = offset;
          break;
        }
        if (begin - offset < chosenGap) {
          chosenGap = begin - offset;
          chosen = offset;
        }
      }
      offset = std::max(offset, end);
    }
    if (chosen == UINT64_MAX)
      chosen = offset; // above everything live
    plan.offsets[index] = chosen;
    plan.arenaBytes = std::max(plan.arenaBytes, chosen + size);
    placed.push_back(index);
  }
  return plan;
}

MemoryPlan swin::cuda::planMemory(llvm::ArrayRef<BufferRequest> requests,
                                  uint64_t alignment) {
  // A few classic orders, first fit and best fit each; keep the smallest.
  std::vector<size_t> bySize(requests.size());
  std::iota(bySize.begin(), bySize.end(), 0);
  std::stable_sort(bySize.begin(), bySize.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> byStart(requests.size());
  std::iota(byStart.begin(), byStart.end(), 0);
  std::stable_sort(byStart.begin(), byStart.end(), [&](size_t a, size_t b) {
    return requests[a].firstStep < requests[b].firstStep;
  });
  std::vector<size_t> byArea(requests.size());
  std::iota(byArea.begin(), byArea.end(), 0);
  auto area = [&](size_t i) {
    return requests[i].bytes * (uint64_t)(requests[i].lastStep - requests[i].firstStep + 1);
  };
  std::stable_sort(byArea.begin(), byArea.end(),
                   [&](size_t a, size_t b) { return area(a) > area(b); });

  MemoryPlan best;
  bool first = true;
  for (const std::vector<size_t> *order : {&bySize, &byStart, &byArea})
    for (bool bestFit : {false, true}) {
      MemoryPlan plan = placeInOrder(requests, *order, alignment, bestFit);
      if (first || plan.arenaBytes < best.arenaBytes)
        best = std::move(plan);
      first = false;
    }
  return best;
}

uint64_t swin::cuda::livenessLowerBound(llvm::ArrayRef<BufferRequest> requests,
                                        uint64_t alignment) {
  std::map<int, int64_t> delta; // step -> change of live bytes
  for (const BufferRequest &r : requests) {
    delta[r.firstStep] += alignTo(r.bytes, alignment);
    delta[r.lastStep + 1] -= alignTo(r.bytes, alignment);
  }
  int64_t live = 0, peak = 0;
  for (auto [step, change] : delta) {
    live += change;
    peak = std::max(peak, live);
  }
  return static_cast<uint64_t>(peak);
}

std::optional<std::pair<size_t, size_t>>
swin::cuda::findConflict(llvm::ArrayRef<BufferRequest> requests, const MemoryPlan &plan,
                         uint64_t alignment) {
  for (size_t i = 0; i < requests.size(); ++i)
    for (size_t j = i + 1; j < requests.size(); ++j) {
      if (!liveTogether(requests[i], requests[j]) || !requests[i].bytes ||
          !requests[j].bytes)
        continue;
      uint64_t iEnd = plan.offsets[i] + requests[i].bytes;
      uint64_t jEnd = plan.offsets[j] + requests[j].bytes;
      if (plan.offsets[i] < jEnd && plan.offsets[j] < iEnd)
        return std::make_pair(i, j);
    }
  (void)alignment;
  return std::nullopt;
}
