//===- HostTensor.h - constants folded at import ----------------*- C++ -*-===//
//
// The importer evaluates every shape and mask computation of an ONNX graph
// on the host. The batch is a runtime quantity, so each folded value is
// computed once per "lane", at each batch of kBatchLane. A value that agrees
// in every lane does not depend on the batch; a reshape target that differs
// must be proportional to the batch (it becomes the dynamic dimension). This
// handles whatever arithmetic the exporters emit (integer and float Div,
// Cast, Mod, Range over the batch, ...) without a symbolic algebra. The
// lane at batch 1 catches expressions such as min(B, 2) or B // 2 that two
// larger batches alone would mistake for constants.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_IMPORTER_HOSTTENSOR_H
#define SWIN_IMPORTER_HOSTTENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace swin::onnx_import {

/// The batch sizes the lanes are evaluated at.
/// Most elements a tensor folded on the host (or an initializer) may have:
/// far above any Swin constant (the largest, a 384x384 window-12 attention
/// mask, has 3M), and a bound under which shape products cannot overflow.
constexpr int64_t kMaxHostElements = int64_t(1) << 28;
/// Highest rank the importer accepts (Swin's window partitions use 6).
constexpr int64_t kMaxRank = 8;

/// Checks a shape before a tensor of it is built: its rank, that no
/// dimension is negative and that it has at most kMaxHostElements
/// elements, without overflowing. `what` names the tensor in the message.
llvm::Error checkHostShape(llvm::ArrayRef<int64_t> shape, const llvm::Twine &what);

constexpr int kNumLanes = 3;
constexpr int64_t kBatchLane[kNumLanes] = {2, 3, 1};

/// One integer per lane (a dimension or a folded scalar).
struct Lanes : std::array<int64_t, kNumLanes> {
  static Lanes uniform(int64_t v) {
    Lanes l;
    l.fill(v);
    return l;
  }
  static Lanes batchMultiple(int64_t k) {
    Lanes l;
    for (int i = 0; i < kNumLanes; ++i)
      l[i] = k * kBatchLane[i];
    return l;
  }
  bool isUniform() const;
  /// k when lane i holds k * kBatchLane[i] for every lane (k != 0).
  std::optional<int64_t> asBatchMultiple() const;
  Lanes &operator*=(const Lanes &o) {
    for (int i = 0; i < kNumLanes; ++i)
      (*this)[i] *= o[i];
    return *this;
  }
};

enum class ElemKind { Float, Int, Bool };

/// A host tensor in one lane. Values are stored as doubles; integer tensors
/// keep integer semantics in arithmetic.
struct HostTensor {
  ElemKind kind = ElemKind::Float;
  /// The ONNX TensorProto data type, kept so Cast and output types are exact.
  int32_t onnxType = 1;
  std::vector<int64_t> shape;
  std::vector<double> data;

  int64_t numElements() const;
  bool operator==(const HostTensor &o) const {
    return kind == o.kind && shape == o.shape && data == o.data;
  }

  static HostTensor scalar(double value, ElemKind kind, int32_t onnxType);
};

using HostTensorPtr = std::shared_ptr<const HostTensor>;

/// A folded value in every batch lane; only `lanes[0]` is set when the value
/// does not depend on the batch.
struct LaneTensor {
  HostTensorPtr lanes[kNumLanes];

  bool dependsOnBatch() const { return lanes[1] != nullptr; }
  const HostTensor &lane(int i) const { return lanes[i] ? *lanes[i] : *lanes[0]; }
  /// Element `i` in every lane, as integers.
  Lanes element(int64_t i) const;
  /// Whether every lane has the same shape.
  bool hasUniformShape() const;
  static LaneTensor fromLanes(std::array<HostTensor, kNumLanes> lanes);
  static LaneTensor uniform(HostTensor t);
};

/// ONNX data type helpers.
bool isSupportedOnnxType(int32_t onnxType);
ElemKind kindOfOnnxType(int32_t onnxType);
const char *onnxTypeName(int32_t onnxType);

/// Converts a lane value to int64, saturating at the int64 range (ONNX uses
/// INT64_MAX as "to the end" in Slice).
int64_t toInt64(double value);

/// Folds one ONNX op on constant inputs (one lane). `attrs` gives access to the node's
/// attributes. Returns the outputs, or an error saying what is wrong.
/// Unknown op types return an error with `isUnsupportedFold` set.
struct FoldAttrs {
  virtual ~FoldAttrs() = default;
  virtual bool has(llvm::StringRef name) const = 0;
  virtual int64_t getInt(llvm::StringRef name, int64_t dflt) const = 0;
  virtual float getFloat(llvm::StringRef name, float dflt) const = 0;
  virtual std::vector<int64_t> getInts(llvm::StringRef name) const = 0;
  virtual std::string getString(llvm::StringRef name) const = 0;
  virtual llvm::Expected<HostTensor> getTensor(llvm::StringRef name) const = 0;
};

/// Whether `opType` is one the host folder implements.
bool canFold(llvm::StringRef opType);

llvm::Expected<std::vector<HostTensor>>
foldOp(llvm::StringRef opType, int64_t opset,
       llvm::ArrayRef<const HostTensor *> inputs, const FoldAttrs &attrs,
       int numOutputs);

/// Numpy-style broadcast of two shapes.
llvm::Expected<std::vector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

std::string shapeToString(llvm::ArrayRef<int64_t> shape);

} // namespace swin::onnx_import

#endif // SWIN_IMPORTER_HOSTTENSOR_H
