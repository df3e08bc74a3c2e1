//===- Tensor.h - host tensors for the CPU reference ------------*- C++ -*-===//
#ifndef SWIN_REFERENCE_TENSOR_H
#define SWIN_REFERENCE_TENSOR_H

#include <cstdint>
#include <vector>

namespace swin {

/// A dense, row-major fp32 host tensor.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(std::vector<int64_t> shape)
      : shape(std::move(shape)), data(numElements(this->shape)) {}

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t size() const { return static_cast<int64_t>(data.size()); }

  static int64_t numElements(const std::vector<int64_t> &shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

} // namespace swin

#endif // SWIN_REFERENCE_TENSOR_H
