//===- HostTensor.cpp - constant folding of ONNX ops ----------------------===//
//
// Host implementations of the ONNX ops that exporters use for shape and mask
// arithmetic, on one batch lane at a time.
//
//===----------------------------------------------------------------------===//

#include "HostTensor.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

using namespace swin::onnx_import;
using llvm::ArrayRef;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {
// ONNX TensorProto.DataType values.
enum OnnxType : int32_t {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6,
  kInt64 = 7, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12,
  kUint64 = 13, kBFloat16 = 16
};

Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace

llvm::Error swin::onnx_import::checkHostShape(ArrayRef<int64_t> shape, const llvm::Twine &what) {
  if ((int64_t)shape.size() > kMaxRank)
    return fail(what + " has rank " + llvm::Twine(shape.size()) + ", above the limit of " +
                llvm::Twine(kMaxRank));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return fail(what + " has a negative dimension (" + llvm::Twine(d) + ")");
    if (d > 0 && n > kMaxHostElements / d)
      return fail(what + " of shape " + shapeToString(shape) + " has more than " +
                  llvm::Twine(kMaxHostElements) + " elements, the importer's limit");
    n *= d;
  }
  return Error::success();
}

namespace {

Expected<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return fail("axis " + llvm::Twine(axis) + " out of range for rank " +
                llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

/// Rounds to the precision of the tensor's ONNX type: float32 for the
/// 32-bit and narrower floats, toward zero for integers (as ONNX Runtime's
/// integer Div and ReduceMean do).
double roundTo(int32_t onnxType, double v) {
  if (onnxType == kFloat || onnxType == kFloat16 || onnxType == kBFloat16)
    return static_cast<double>(static_cast<float>(v));
  if (kindOfOnnxType(onnxType) == ElemKind::Int)
    return std::trunc(v);
  return v;
}

/// Builds an output whose element i is `src[map[i]]`.
HostTensor remap(const HostTensor &src, std::vector<int64_t> shape,
                 const std::vector<int64_t> &map) {
  HostTensor out;
  out.kind = src.kind;
  out.onnxType = src.onnxType;
  out.shape = std::move(shape);
  out.data.resize(map.size());
  for (size_t i = 0; i < map.size(); ++i)
    out.data[i] = src.data[map[i]];
  return out;
}

/// For each element of `outShape` (row-major), the flat source index
/// `base + sum_d index[d] * srcStrides[d]`: one map serves slices,
/// transposes and broadcasts.
std::vector<int64_t> stridedIndexMap(ArrayRef<int64_t> outShape, int64_t base,
                                     ArrayRef<int64_t> srcStrides) {
  int64_t n = product(outShape), rank = outShape.size();
  std::vector<int64_t> map(n), idx(rank, 0);
  int64_t src = base;
  for (int64_t i = 0; i < n; ++i) {
    map[i] = src;
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += srcStrides[d];
      if (++idx[d] < outShape[d])
        break;
      src -= srcStrides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return map;
}

/// Index of the element of `shape` that broadcasts to each element of
/// `outShape`.
std::vector<int64_t> broadcastMap(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> outShape) {
  size_t offset = outShape.size() - shape.size();
  std::vector<int64_t> inStrides = stridesOf(shape);
  std::vector<int64_t> srcStrides(outShape.size(), 0);
  for (size_t d = offset; d < outShape.size(); ++d)
    if (shape[d - offset] != 1)
      srcStrides[d] = inStrides[d - offset];
  return stridedIndexMap(outShape, 0, srcStrides);
}

Expected<std::vector<int64_t>> staticInts(const HostTensor &t, StringRef) {
  std::vector<int64_t> out;
  for (double v : t.data)
    out.push_back(toInt64(v));
  return out;
}

using BinaryFn = std::function<double(double, double)>;

Expected<HostTensor> elementwise(ArrayRef<const HostTensor *> in,
                                 std::function<double(ArrayRef<double>)> fn,
                                 ElemKind kind, int32_t onnxType) {
  std::vector<int64_t> shape = in[0]->shape;
  for (const HostTensor *t : in.drop_front()) {
    auto b = broadcastShapes(shape, t->shape);
    if (!b)
      return b.takeError();
    shape = *b;
  }
  if (Error e = checkHostShape(shape, "the result"))
    return std::move(e);
  std::vector<std::vector<int64_t>> maps;
  for (const HostTensor *t : in)
    maps.push_back(broadcastMap(t->shape, shape));
  HostTensor out;
  out.kind = kind;
  out.onnxType = onnxType;
  out.shape = shape;
  int64_t n = product(shape);
  std::vector<double> args(in.size());
  out.data.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < in.size(); ++k)
      args[k] = in[k]->data[maps[k][i]];
    out.data[i] = roundTo(onnxType, fn(args));
  }
  return out;
}

Expected<HostTensor> binary(const HostTensor &a, const HostTensor &b,
                            BinaryFn fn, bool isComparison = false) {
  if (!isComparison && a.kind != b.kind)
    return fail("operand types differ");
  ElemKind kind = isComparison ? ElemKind::Bool : a.kind;
  int32_t type = isComparison ? kBool : a.onnxType;
  return elementwise({&a, &b}, [&](ArrayRef<double> v) { return fn(v[0], v[1]); },
                     kind, type);
}

Expected<HostTensor> unary(const HostTensor &a, std::function<double(double)> fn) {
  return elementwise({&a}, [&](ArrayRef<double> v) { return fn(v[0]); }, a.kind,
                     a.onnxType);
}

Expected<HostTensor> reshapeTo(const HostTensor &t, std::vector<int64_t> shape) {
  if (product(shape) != t.numElements())
    return fail("cannot reshape " + shapeToString(t.shape) + " to " +
                shapeToString(shape));
  HostTensor out = t;
  out.shape = std::move(shape);
  return out;
}

// --- individual ops --------------------------------------------------------

Expected<HostTensor> foldGather(const HostTensor &data, const HostTensor &indices,
                                int64_t axisAttr) {
  auto axis = normalizeAxis(axisAttr, data.shape.size());
  if (!axis)
    return axis.takeError();
  auto idx = staticInts(indices, "Gather indices");
  if (!idx)
    return idx.takeError();
  int64_t dim = data.shape[*axis];
  for (int64_t &i : *idx) {
    if (i < -dim || i >= dim)
      return fail("Gather index " + llvm::Twine(i) + " out of range for size " +
                  llvm::Twine(dim));
    if (i < 0)
      i += dim;
  }
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + *axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + *axis + 1, data.shape.end());
  if (Error e = checkHostShape(shape, "the Gather result"))
    return std::move(e);
  int64_t outer = product(ArrayRef<int64_t>(data.shape).take_front(*axis));
  int64_t inner = product(ArrayRef<int64_t>(data.shape).drop_front(*axis + 1));
  std::vector<int64_t> map;
  map.reserve(outer * idx->size() * inner);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : *idx)
      for (int64_t k = 0; k < inner; ++k)
        map.push_back((o * dim + i) * inner + k);
  return remap(data, shape, map);
}

Expected<HostTensor> foldSlice(const HostTensor &data, std::vector<int64_t> starts,
                               std::vector<int64_t> ends, std::vector<int64_t> axes,
                               std::vector<int64_t> steps) {
  int64_t rank = data.shape.size();
  if (axes.empty())
    for (int64_t i = 0; i < (int64_t)starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return fail("Slice starts, ends, axes and steps differ in length");
  std::vector<int64_t> begin(rank, 0), step(rank, 1), shape = data.shape;
  for (size_t i = 0; i < starts.size(); ++i) {
    auto axis = normalizeAxis(axes[i], rank);
    if (!axis)
      return axis.takeError();
    int64_t dim = data.shape[*axis], s = steps[i];
    if (s == 0)
      return fail("Slice step is 0");
    int64_t b = starts[i], e = ends[i];
    if (b < 0) b += dim;
    if (e < 0 && e != std::numeric_limits<int64_t>::min()) e += dim;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      shape[*axis] = e > b ? (e - b + s - 1) / s : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      shape[*axis] = b > e ? (b - e - s - 1) / (-s) : 0;
    }
    begin[*axis] = b;
    step[*axis] = s;
  }
  std::vector<int64_t> inStrides = stridesOf(data.shape), srcStrides(rank);
  int64_t base = 0;
  for (int64_t d = 0; d < rank; ++d) {
    base += begin[d] * inStrides[d];
    srcStrides[d] = step[d] * inStrides[d];
  }
  return remap(data, shape, stridedIndexMap(shape, base, srcStrides));
}

Expected<HostTensor> foldTranspose(const HostTensor &data, std::vector<int64_t> perm) {
  int64_t rank = data.shape.size();
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != rank)
    return fail("Transpose perm has the wrong length");
  std::vector<int64_t> shape, srcStrides, inStrides = stridesOf(data.shape);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank)
      return fail("Transpose perm out of range");
    shape.push_back(data.shape[p]);
    srcStrides.push_back(inStrides[p]);
  }
  return remap(data, shape, stridedIndexMap(shape, 0, srcStrides));
}

Expected<HostTensor> foldConcat(ArrayRef<const HostTensor *> in, int64_t axisAttr) {
  if (in.empty())
    return fail("Concat has no inputs");
  auto axis = normalizeAxis(axisAttr, in[0]->shape.size());
  if (!axis)
    return axis.takeError();
  std::vector<int64_t> shape = in[0]->shape;
  shape[*axis] = 0;
  for (const HostTensor *t : in) {
    if (t->shape.size() != shape.size() || t->kind != in[0]->kind)
      return fail("Concat inputs differ in rank or type");
    for (size_t d = 0; d < shape.size(); ++d)
      if ((int64_t)d != *axis && t->shape[d] != shape[d])
        return fail("Concat inputs differ in dimension " + llvm::Twine(d));
    shape[*axis] += t->shape[*axis];
    if (Error e = checkHostShape(shape, "the Concat result"))
      return std::move(e);
  }
  HostTensor out;
  out.kind = in[0]->kind;
  out.onnxType = in[0]->onnxType;
  out.shape = shape;
  int64_t outer = product(ArrayRef<int64_t>(shape).take_front(*axis));
  int64_t inner = product(ArrayRef<int64_t>(shape).drop_front(*axis + 1));
  out.data.reserve(product(shape));
  for (int64_t o = 0; o < outer; ++o)
    for (const HostTensor *t : in) {
      int64_t chunk = t->shape[*axis] * inner;
      out.data.insert(out.data.end(), t->data.begin() + o * chunk,
                      t->data.begin() + (o + 1) * chunk);
    }
  return out;
}

Expected<HostTensor> foldExpand(const HostTensor &data, const HostTensor &shapeT) {
  auto target = staticInts(shapeT, "Expand shape");
  if (!target)
    return target.takeError();
  if (Error e = checkHostShape(*target, "the Expand shape"))
    return std::move(e);
  auto shape = broadcastShapes(data.shape, *target);
  if (!shape)
    return shape.takeError();
  if (Error e = checkHostShape(*shape, "the Expand result"))
    return std::move(e);
  return remap(data, *shape, broadcastMap(data.shape, *shape));
}

Expected<HostTensor> foldTile(const HostTensor &data, const HostTensor &repeatsT) {
  auto repeats = staticInts(repeatsT, "Tile repeats");
  if (!repeats)
    return repeats.takeError();
  if (repeats->size() != data.shape.size())
    return fail("Tile repeats length differs from the rank");
  std::vector<int64_t> shape = data.shape;
  for (size_t d = 0; d < shape.size(); ++d) {
    if ((*repeats)[d] < 0 || (shape[d] && (*repeats)[d] > kMaxHostElements / shape[d]))
      return fail("Tile repeats " + llvm::Twine((*repeats)[d]) + " is invalid");
    shape[d] *= (*repeats)[d];
  }
  if (Error e = checkHostShape(shape, "the Tile result"))
    return std::move(e);
  std::vector<int64_t> inStrides = stridesOf(data.shape);
  int64_t n = product(shape), rank = shape.size();
  std::vector<int64_t> map(n), idx(rank, 0);
  for (int64_t i = 0; i < n; ++i) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += (idx[d] % data.shape[d]) * inStrides[d];
    map[i] = src;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
  return remap(data, shape, map);
}

/// The flat offset in `data` of the slice an index row of ScatterND or
/// GatherND names (negative indices count from the end).
Expected<int64_t> indexRowOffset(ArrayRef<int64_t> row, ArrayRef<int64_t> shape,
                                 ArrayRef<int64_t> strides, StringRef op) {
  int64_t offset = 0;
  for (size_t j = 0; j < row.size(); ++j) {
    int64_t v = row[j], dim = shape[j];
    if (v < -dim || v >= dim)
      return fail(op + " index " + llvm::Twine(v) + " out of range for size " +
                  llvm::Twine(dim));
    offset += (v < 0 ? v + dim : v) * strides[j];
  }
  return offset;
}

Expected<HostTensor> foldScatterND(const HostTensor &data, const HostTensor &indices,
                                   const HostTensor &updates) {
  auto idx = staticInts(indices, "ScatterND indices");
  if (!idx)
    return idx.takeError();
  if (indices.shape.empty())
    return fail("ScatterND indices must have rank >= 1");
  int64_t k = indices.shape.back();
  if (k > (int64_t)data.shape.size())
    return fail("ScatterND index depth exceeds the data rank");
  int64_t numIndices = product(ArrayRef<int64_t>(indices.shape).drop_back());
  int64_t slice = product(ArrayRef<int64_t>(data.shape).drop_front(k));
  if (updates.numElements() != numIndices * slice)
    return fail("ScatterND updates have the wrong size");
  std::vector<int64_t> strides = stridesOf(data.shape);
  HostTensor out = data;
  for (int64_t i = 0; i < numIndices; ++i) {
    auto offset = indexRowOffset(ArrayRef<int64_t>(*idx).slice(i * k, k), data.shape,
                                 strides, "ScatterND");
    if (!offset)
      return offset.takeError();
    for (int64_t s = 0; s < slice; ++s)
      out.data[*offset + s] = updates.data[i * slice + s];
  }
  return out;
}

/// GatherND with batch_dims 0: each index row of depth k picks a slice of
/// data's trailing rank - k dimensions.
Expected<HostTensor> foldGatherND(const HostTensor &data, const HostTensor &indices,
                                  int64_t batchDims) {
  if (batchDims != 0)
    return fail("GatherND with batch_dims " + llvm::Twine(batchDims) +
                " is not supported (only 0)");
  auto idx = staticInts(indices, "GatherND indices");
  if (!idx)
    return idx.takeError();
  if (indices.shape.empty())
    return fail("GatherND indices must have rank >= 1");
  int64_t k = indices.shape.back();
  if (k < 1 || k > (int64_t)data.shape.size())
    return fail("GatherND index depth " + llvm::Twine(k) + " is not in 1.." +
                llvm::Twine(data.shape.size()));
  std::vector<int64_t> shape(indices.shape.begin(), indices.shape.end() - 1);
  shape.insert(shape.end(), data.shape.begin() + k, data.shape.end());
  if (Error e = checkHostShape(shape, "the GatherND result"))
    return std::move(e);
  int64_t numIndices = product(ArrayRef<int64_t>(indices.shape).drop_back());
  int64_t slice = product(ArrayRef<int64_t>(data.shape).drop_front(k));
  std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<int64_t> map;
  map.reserve(numIndices * slice);
  for (int64_t i = 0; i < numIndices; ++i) {
    auto offset = indexRowOffset(ArrayRef<int64_t>(*idx).slice(i * k, k), data.shape,
                                 strides, "GatherND");
    if (!offset)
      return offset.takeError();
    for (int64_t s = 0; s < slice; ++s)
      map.push_back(*offset + s);
  }
  return remap(data, shape, map);
}

/// Most multiply-adds a folded MatMul may take (a Swin V2 position-bias MLP
/// at window 24 takes about 2^25).
constexpr int64_t kMaxFoldedMatMulWork = int64_t(1) << 32;

/// numpy's matmul: 1-D operands are promoted (and the added dimension
/// dropped again), leading dimensions broadcast. Sums in double, rounded
/// once to the result type.
Expected<HostTensor> foldMatMul(const HostTensor &a, const HostTensor &b) {
  if (a.kind != b.kind)
    return fail("MatMul operand types differ");
  if (a.shape.empty() || b.shape.empty())
    return fail("MatMul operands must have rank >= 1");
  std::vector<int64_t> aShape = a.shape, bShape = b.shape;
  bool aVector = aShape.size() == 1, bVector = bShape.size() == 1;
  if (aVector)
    aShape.insert(aShape.begin(), 1);
  if (bVector)
    bShape.push_back(1);
  int64_t m = aShape[aShape.size() - 2], k = aShape.back();
  int64_t n = bShape.back();
  if (bShape[bShape.size() - 2] != k)
    return fail("MatMul inner dimensions differ: " + shapeToString(a.shape) + " x " +
                shapeToString(b.shape));
  auto batch = broadcastShapes(ArrayRef<int64_t>(aShape).drop_back(2),
                               ArrayRef<int64_t>(bShape).drop_back(2));
  if (!batch)
    return batch.takeError();
  std::vector<int64_t> shape = *batch;
  if (!aVector)
    shape.push_back(m);
  if (!bVector)
    shape.push_back(n);
  if (Error e = checkHostShape(shape, "the MatMul result"))
    return std::move(e);
  int64_t batches = product(*batch);
  // Each factor is below kMaxHostElements (2^28), so the checks cannot overflow.
  if (k > 0 && batches * m * n > kMaxFoldedMatMulWork / k)
    return fail("a MatMul of constants " + shapeToString(a.shape) + " x " +
                shapeToString(b.shape) + " takes more than " +
                llvm::Twine(kMaxFoldedMatMulWork) + " multiply-adds to fold");
  std::vector<int64_t> aMap = broadcastMap(ArrayRef<int64_t>(aShape).drop_back(2), *batch);
  std::vector<int64_t> bMap = broadcastMap(ArrayRef<int64_t>(bShape).drop_back(2), *batch);
  HostTensor out;
  out.kind = a.kind;
  out.onnxType = a.onnxType;
  out.shape = shape;
  out.data.resize(batches * m * n);
  for (int64_t t = 0; t < batches; ++t) {
    const double *x = a.data.data() + aMap[t] * m * k;
    const double *y = b.data.data() + bMap[t] * k * n;
    double *z = out.data.data() + t * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += x[i * k + p] * y[p * n + j];
        z[i * n + j] = roundTo(out.onnxType, sum);
      }
  }
  return out;
}

Expected<HostTensor> foldRange(const HostTensor &start, const HostTensor &limit,
                               const HostTensor &delta) {
  if (start.numElements() != 1 || limit.numElements() != 1 || delta.numElements() != 1)
    return fail("Range inputs must be scalars");
  double s = start.data[0], e = limit.data[0], d = delta.data[0];
  if (d == 0)
    return fail("Range delta is 0");
  double count = std::ceil((e - s) / d);
  if (!(count <= double(int64_t(1) << 26))) // also NaN
    return fail("Range produces too many elements");
  int64_t n = std::max<int64_t>(0, (int64_t)count);
  HostTensor out;
  out.kind = start.kind;
  out.onnxType = start.onnxType;
  out.shape = {n};
  for (int64_t i = 0; i < n; ++i)
    out.data.push_back(roundTo(start.onnxType, s + i * d));
  return out;
}

Expected<HostTensor> foldCast(const HostTensor &in, int32_t to) {
  if (!isSupportedOnnxType(to))
    return fail(llvm::formatv("Cast to unsupported type {0}", to).str());
  HostTensor out = in;
  out.onnxType = to;
  out.kind = kindOfOnnxType(to);
  for (double &v : out.data) {
    if (out.kind == ElemKind::Bool)
      v = v != 0 ? 1 : 0;
    else if (out.kind == ElemKind::Int)
      v = std::trunc(v);
    else
      v = roundTo(to, v);
  }
  return out;
}

Expected<HostTensor> foldReduce(StringRef opType, const HostTensor &in,
                                std::vector<int64_t> axes, bool keepDims) {
  int64_t rank = in.shape.size();
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  std::vector<bool> reduced(rank, false);
  for (int64_t a : axes) {
    auto axis = normalizeAxis(a, rank);
    if (!axis)
      return axis.takeError();
    reduced[*axis] = true;
  }
  std::vector<int64_t> keptShape, outShape;
  for (int64_t d = 0; d < rank; ++d) {
    keptShape.push_back(reduced[d] ? 1 : in.shape[d]);
    if (!reduced[d] || keepDims)
      outShape.push_back(reduced[d] ? 1 : in.shape[d]);
  }
  std::vector<int64_t> outStrides = stridesOf(keptShape);
  HostTensor out;
  out.kind = in.kind;
  out.onnxType = in.onnxType;
  out.shape = outShape;
  int64_t n = product(keptShape), count = in.numElements() / std::max<int64_t>(n, 1);
  bool isMax = opType == "ReduceMax", isMin = opType == "ReduceMin",
       isProd = opType == "ReduceProd", isMean = opType == "ReduceMean";
  {
    double init = isMax ? -INFINITY : isMin ? INFINITY : isProd ? 1 : 0;
    std::vector<double> acc(n, init);
    std::vector<int64_t> idx(rank, 0);
    for (double v : in.data) {
      int64_t o = 0;
      for (int64_t d = 0; d < rank; ++d)
        if (!reduced[d])
          o += idx[d] * outStrides[d];
      double &a = acc[o];
      a = isMax ? std::max(a, v) : isMin ? std::min(a, v) : isProd ? a * v : a + v;
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++idx[d] < in.shape[d])
          break;
        idx[d] = 0;
      }
    }
    if (isMean)
      for (double &a : acc)
        a /= count;
    for (double &a : acc)
      a = roundTo(in.onnxType, a);
    out.data = std::move(acc);
  }
  return out;
}

double pythonMod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

} // namespace

// --- HostTensor --------------------------------------------------------------

int64_t HostTensor::numElements() const { return product(shape); }

HostTensor HostTensor::scalar(double value, ElemKind kind, int32_t onnxType) {
  HostTensor t;
  t.kind = kind;
  t.onnxType = onnxType;
  t.data = {value};
  return t;
}

bool swin::onnx_import::isSupportedOnnxType(int32_t t) {
  switch (t) {
  case kFloat: case kUint8: case kInt8: case kUint16: case kInt16: case kInt32:
  case kInt64: case kBool: case kFloat16: case kDouble: case kUint32:
  case kUint64: case kBFloat16:
    return true;
  default:
    return false;
  }
}

ElemKind swin::onnx_import::kindOfOnnxType(int32_t t) {
  switch (t) {
  case kFloat: case kFloat16: case kDouble: case kBFloat16:
    return ElemKind::Float;
  case kBool:
    return ElemKind::Bool;
  default:
    return ElemKind::Int;
  }
}

const char *swin::onnx_import::onnxTypeName(int32_t t) {
  switch (t) {
  case kFloat: return "float32";
  case kUint8: return "uint8";
  case kInt8: return "int8";
  case kUint16: return "uint16";
  case kInt16: return "int16";
  case kInt32: return "int32";
  case kInt64: return "int64";
  case kBool: return "bool";
  case kFloat16: return "float16";
  case kDouble: return "float64";
  case kUint32: return "uint32";
  case kUint64: return "uint64";
  case kBFloat16: return "bfloat16";
  default: return "unknown";
  }
}

int64_t swin::onnx_import::toInt64(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 9.2e18)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9.2e18)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

std::string swin::onnx_import::shapeToString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

Expected<std::vector<int64_t>>
swin::onnx_import::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1)
      return fail("shapes " + shapeToString(a) + " and " + shapeToString(b) +
                  " do not broadcast");
    out[i] = x == 1 ? y : x;
  }
  return out;
}

static const char *const kFoldableOps[] = {
    "Abs", "Add", "And", "Cast", "Ceil", "Concat", "Constant", "ConstantOfShape",
    "Div", "Dropout", "Equal", "Erf", "Exp", "Expand", "Flatten", "Floor",
    "Clip", "Gather", "GatherND", "Greater", "GreaterOrEqual", "Identity", "Less",
    "LessOrEqual", "Log", "MatMul", "Max", "Min", "Mod", "Mul", "Neg", "Not", "Or", "Pow", "Range",
    "Reciprocal", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
    "ReduceSum", "Relu", "Reshape", "ScatterND", "Shape", "Sigmoid", "Sign", "Size",
    "Slice", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Tile",
    "Transpose", "Unsqueeze", "Where", "Xor"};

bool swin::onnx_import::canFold(StringRef opType) {
  return llvm::is_contained(kFoldableOps, opType);
}

Expected<std::vector<HostTensor>>
swin::onnx_import::foldOp(StringRef op, int64_t opset,
                          ArrayRef<const HostTensor *> in, const FoldAttrs &attrs,
                          int numOutputs) {
  auto one = [](Expected<HostTensor> t) -> Expected<std::vector<HostTensor>> {
    if (!t)
      return t.takeError();
    std::vector<HostTensor> v;
    v.push_back(std::move(*t));
    return v;
  };
  auto input = [&](size_t i) -> const HostTensor * {
    return i < in.size() ? in[i] : nullptr;
  };
  auto need = [&](size_t n) -> Error {
    for (size_t i = 0; i < n; ++i)
      if (!input(i))
        return fail("expects at least " + llvm::Twine(n) + " inputs");
    return Error::success();
  };
  // Axes come from an attribute before opset 13 (18 for reductions) and from
  // an optional input after.
  auto axesFrom = [&](size_t inputIndex) -> Expected<std::vector<int64_t>> {
    if (const HostTensor *t = input(inputIndex))
      return staticInts(*t, "axes");
    return attrs.getInts("axes");
  };

  if (op == "Constant") {
    if (attrs.has("value"))
      return one(attrs.getTensor("value"));
    if (attrs.has("value_float"))
      return one(HostTensor::scalar(attrs.getFloat("value_float", 0), ElemKind::Float, kFloat));
    if (attrs.has("value_int"))
      return one(HostTensor::scalar(attrs.getInt("value_int", 0), ElemKind::Int, kInt64));
    if (attrs.has("value_ints")) {
      HostTensor t;
      t.kind = ElemKind::Int;
      t.onnxType = kInt64;
      for (int64_t v : attrs.getInts("value_ints"))
        t.data.push_back(v);
      t.shape = {(int64_t)t.data.size()};
      return one(t);
    }
    return fail("Constant without a supported value attribute");
  }
  if (Error e = need(1))
    return std::move(e);

  if (op == "Identity" || op == "Dropout")
    return one(*in[0]);
  if (op == "Shape") {
    HostTensor t;
    t.kind = ElemKind::Int;
    t.onnxType = kInt64;
    int64_t rank = in[0]->shape.size();
    int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    for (int64_t i = start; i < end; ++i)
      t.data.push_back(in[0]->shape[i]);
    t.shape = {(int64_t)t.data.size()};
    return one(t);
  }
  if (op == "Size")
    return one(HostTensor::scalar(in[0]->numElements(), ElemKind::Int, kInt64));
  if (op == "ConstantOfShape") {
    auto shape = staticInts(*in[0], "ConstantOfShape shape");
    if (!shape)
      return shape.takeError();
    HostTensor value = HostTensor::scalar(0, ElemKind::Float, kFloat);
    if (attrs.has("value")) {
      auto v = attrs.getTensor("value");
      if (!v)
        return v.takeError();
      value = *v;
    }
    if (Error e = checkHostShape(*shape, "the ConstantOfShape result"))
      return std::move(e);
    HostTensor out = value;
    out.shape = *shape;
    out.data.assign(product(*shape), value.data.empty() ? 0 : value.data[0]);
    return one(out);
  }
  if (op == "Cast")
    return one(foldCast(*in[0], attrs.getInt("to", kFloat)));
  if (op == "Gather") {
    if (Error e = need(2))
      return std::move(e);
    return one(foldGather(*in[0], *in[1], attrs.getInt("axis", 0)));
  }
  if (op == "Unsqueeze") {
    auto axes = axesFrom(1);
    if (!axes)
      return axes.takeError();
    int64_t rank = in[0]->shape.size() + axes->size();
    std::vector<bool> isNew(rank, false);
    for (int64_t a : *axes) {
      auto axis = normalizeAxis(a, rank);
      if (!axis)
        return axis.takeError();
      isNew[*axis] = true;
    }
    std::vector<int64_t> shape;
    size_t k = 0;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(isNew[d] ? 1 : in[0]->shape[k++]);
    if (k != in[0]->shape.size())
      return fail("Unsqueeze axes repeat");
    return one(reshapeTo(*in[0], shape));
  }
  if (op == "Squeeze") {
    auto axes = axesFrom(1);
    if (!axes)
      return axes.takeError();
    int64_t rank = in[0]->shape.size();
    std::vector<bool> drop(rank, axes->empty());
    for (int64_t a : *axes) {
      auto axis = normalizeAxis(a, rank);
      if (!axis)
        return axis.takeError();
      if (in[0]->shape[*axis] != 1)
        return fail("Squeeze of a dimension that is not 1");
      drop[*axis] = true;
    }
    std::vector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      if (!(drop[d] && in[0]->shape[d] == 1))
        shape.push_back(in[0]->shape[d]);
    return one(reshapeTo(*in[0], shape));
  }
  if (op == "Reshape") {
    if (Error e = need(2))
      return std::move(e);
    auto target = staticInts(*in[1], "Reshape shape");
    if (!target)
      return target.takeError();
    bool allowZero = attrs.getInt("allowzero", 0);
    std::vector<int64_t> shape;
    int64_t inferAt = -1, known = 1;
    for (size_t i = 0; i < target->size(); ++i) {
      int64_t d = (*target)[i];
      if (d == 0 && !allowZero) {
        if (i >= in[0]->shape.size())
          return fail("Reshape copies a dimension the input does not have");
        d = in[0]->shape[i];
      }
      if (d == -1) {
        if (inferAt >= 0)
          return fail("Reshape has more than one -1");
        inferAt = i;
      } else if (d < 0) {
        return fail("Reshape dimension " + llvm::Twine(d) + " is invalid");
      } else {
        known *= d;
      }
      shape.push_back(d);
    }
    if (inferAt >= 0) {
      if (known == 0 || in[0]->numElements() % known)
        return fail("Reshape cannot infer -1 from " + shapeToString(in[0]->shape));
      shape[inferAt] = in[0]->numElements() / known;
    }
    return one(reshapeTo(*in[0], shape));
  }
  if (op == "Flatten") {
    auto axis = normalizeAxis(attrs.getInt("axis", 1), in[0]->shape.size() + 1);
    if (!axis)
      return axis.takeError();
    int64_t outer = product(ArrayRef<int64_t>(in[0]->shape).take_front(*axis));
    return one(reshapeTo(*in[0], {outer, in[0]->numElements() / std::max<int64_t>(outer, 1)}));
  }
  if (op == "Transpose")
    return one(foldTranspose(*in[0], attrs.getInts("perm")));
  if (op == "Concat")
    return one(foldConcat(in, attrs.getInt("axis", 0)));
  if (op == "Slice") {
    std::vector<int64_t> starts, ends, axes, steps;
    if (opset < 10) {
      starts = attrs.getInts("starts");
      ends = attrs.getInts("ends");
      axes = attrs.getInts("axes");
    } else {
      if (Error e = need(3))
        return std::move(e);
      auto s = staticInts(*in[1], "Slice starts");
      auto e = staticInts(*in[2], "Slice ends");
      if (!s) return s.takeError();
      if (!e) return e.takeError();
      starts = *s;
      ends = *e;
      if (input(3)) {
        auto a = staticInts(*in[3], "Slice axes");
        if (!a) return a.takeError();
        axes = *a;
      }
      if (input(4)) {
        auto st = staticInts(*in[4], "Slice steps");
        if (!st) return st.takeError();
        steps = *st;
      }
    }
    return one(foldSlice(*in[0], starts, ends, axes, steps));
  }
  if (op == "Split") {
    auto axis = normalizeAxis(attrs.getInt("axis", 0), in[0]->shape.size());
    if (!axis)
      return axis.takeError();
    std::vector<int64_t> sizes;
    if (input(1)) {
      auto s = staticInts(*in[1], "Split sizes");
      if (!s) return s.takeError();
      sizes = *s;
    } else if (attrs.has("split")) {
      sizes = attrs.getInts("split");
    } else {
      int64_t dim = in[0]->shape[*axis], n = numOutputs;
      for (int64_t i = 0; i < n; ++i)
        sizes.push_back((dim + n - 1) / n);
      sizes.back() = dim - (n - 1) * ((dim + n - 1) / n);
    }
    if ((int)sizes.size() != numOutputs)
      return fail("Split sizes do not match the output count");
    std::vector<HostTensor> outs;
    int64_t offset = 0;
    for (int64_t s : sizes) {
      auto t = foldSlice(*in[0], {offset}, {offset + s}, {*axis}, {1});
      if (!t)
        return t.takeError();
      outs.push_back(std::move(*t));
      offset += s;
    }
    return outs;
  }
  if (op == "Expand") {
    if (Error e = need(2))
      return std::move(e);
    return one(foldExpand(*in[0], *in[1]));
  }
  if (op == "Tile") {
    if (Error e = need(2))
      return std::move(e);
    return one(foldTile(*in[0], *in[1]));
  }
  if (op == "ScatterND") {
    if (Error e = need(3))
      return std::move(e);
    if (attrs.has("reduction") && attrs.getString("reduction") != "none")
      return fail("ScatterND with a reduction is not supported");
    return one(foldScatterND(*in[0], *in[1], *in[2]));
  }
  if (op == "GatherND") {
    if (Error e = need(2))
      return std::move(e);
    return one(foldGatherND(*in[0], *in[1], attrs.getInt("batch_dims", 0)));
  }
  if (op == "MatMul") {
    if (Error e = need(2))
      return std::move(e);
    return one(foldMatMul(*in[0], *in[1]));
  }
  if (op == "Clip") {
    // Bounds are attributes before opset 11, optional scalar inputs after.
    double lo = -std::numeric_limits<double>::infinity(), hi = -lo;
    if (opset < 11) {
      lo = attrs.getFloat("min", lo);
      hi = attrs.getFloat("max", hi);
    } else {
      for (size_t i : {1, 2}) {
        const HostTensor *bound = input(i);
        if (!bound)
          continue;
        if (bound->numElements() != 1)
          return fail("Clip bounds must be scalars");
        (i == 1 ? lo : hi) = bound->data[0];
      }
    }
    return one(unary(*in[0], [lo, hi](double x) { return std::min(std::max(x, lo), hi); }));
  }
  if (op == "Range") {
    if (Error e = need(3))
      return std::move(e);
    return one(foldRange(*in[0], *in[1], *in[2]));
  }
  if (op == "Where") {
    if (Error e = need(3))
      return std::move(e);
    if (in[1]->kind != in[2]->kind)
      return fail("Where branches differ in type");
    return one(elementwise({in[0], in[1], in[2]},
                           [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; },
                           in[1]->kind, in[1]->onnxType));
  }
  if (op.starts_with("Reduce")) {
    std::vector<int64_t> axes;
    bool fromInput = (op == "ReduceSum" && opset >= 13) || opset >= 18;
    auto a = fromInput ? (input(1) ? staticInts(*in[1], "axes")
                                   : Expected<std::vector<int64_t>>(std::vector<int64_t>{}))
                       : Expected<std::vector<int64_t>>(attrs.getInts("axes"));
    if (!a)
      return a.takeError();
    if (a->empty() && attrs.getInt("noop_with_empty_axes", 0))
      return one(*in[0]);
    return one(foldReduce(op, *in[0], *a, attrs.getInt("keepdims", 1)));
  }

  // Elementwise ops.
  using llvm::StringSwitch;
  if (op == "Not")
    return one(elementwise({in[0]}, [](ArrayRef<double> v) { return double(v[0] == 0); },
                           ElemKind::Bool, kBool));
  if (op == "Neg" || op == "Abs" || op == "Sqrt" || op == "Reciprocal" ||
      op == "Floor" || op == "Ceil" || op == "Exp" || op == "Log" ||
      op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "Erf" ||
      op == "Sign") {
    std::function<double(double)> fn =
        StringSwitch<std::function<double(double)>>(op)
            .Case("Neg", [](double x) { return -x; })
            .Case("Abs", [](double x) { return std::fabs(x); })
            .Case("Sqrt", [](double x) { return std::sqrt(x); })
            .Case("Reciprocal", [](double x) { return 1.0 / x; })
            .Case("Floor", [](double x) { return std::floor(x); })
            .Case("Ceil", [](double x) { return std::ceil(x); })
            .Case("Exp", [](double x) { return std::exp(x); })
            .Case("Log", [](double x) { return std::log(x); })
            .Case("Relu", [](double x) { return x > 0 ? x : 0.0; })
            .Case("Sigmoid", [](double x) { return 1.0 / (1.0 + std::exp(-x)); })
            .Case("Tanh", [](double x) { return std::tanh(x); })
            .Case("Erf", [](double x) { return std::erf(x); })
            .Default([](double x) { return double((x > 0) - (x < 0)); });
    return one(unary(*in[0], fn));
  }

  if ((op == "Sum" || op == "Max" || op == "Min") && in.size() > 2) {
    // Variadic: fold pairwise from the left.
    HostTensor acc = *in[0];
    for (const HostTensor *next : in.drop_front()) {
      auto step = foldOp(op, opset, {&acc, next}, attrs, 1);
      if (!step)
        return step.takeError();
      acc = std::move(step->front());
    }
    return one(std::move(acc));
  }
  if (in.size() < 2 || !in[1])
    return fail("expects two inputs");
  const HostTensor &a = *in[0], &b = *in[1];
  bool isInt = a.kind != ElemKind::Float;
  if (op == "Add" || op == "Sum")
    return one(binary(a, b, [](double x, double y) { return x + y; }));
  if (op == "Sub")
    return one(binary(a, b, [](double x, double y) { return x - y; }));
  if (op == "Mul")
    return one(binary(a, b, [](double x, double y) { return x * y; }));
  if (op == "Div") {
    if (isInt)
      return one(binary(a, b, [](double x, double y) {
        return y == 0 ? 0.0 : std::trunc(x / y);
      }));
    return one(binary(a, b, [](double x, double y) { return x / y; }));
  }
  if (op == "Mod") {
    bool fmod = attrs.getInt("fmod", 0);
    return one(binary(a, b, [fmod](double x, double y) {
      if (y == 0)
        return 0.0;
      return fmod ? std::fmod(x, y) : pythonMod(x, y);
    }));
  }
  if (op == "Pow")
    return one(elementwise({&a, &b}, [](ArrayRef<double> v) { return std::pow(v[0], v[1]); },
                           a.kind, a.onnxType));
  if (op == "Max")
    return one(binary(a, b, [](double x, double y) { return std::max(x, y); }));
  if (op == "Min")
    return one(binary(a, b, [](double x, double y) { return std::min(x, y); }));
  if (op == "Equal")
    return one(binary(a, b, [](double x, double y) { return double(x == y); }, true));
  if (op == "Less")
    return one(binary(a, b, [](double x, double y) { return double(x < y); }, true));
  if (op == "LessOrEqual")
    return one(binary(a, b, [](double x, double y) { return double(x <= y); }, true));
  if (op == "Greater")
    return one(binary(a, b, [](double x, double y) { return double(x > y); }, true));
  if (op == "GreaterOrEqual")
    return one(binary(a, b, [](double x, double y) { return double(x >= y); }, true));
  if (op == "And")
    return one(binary(a, b, [](double x, double y) { return double(x && y); }, true));
  if (op == "Or")
    return one(binary(a, b, [](double x, double y) { return double(x || y); }, true));
  if (op == "Xor")
    return one(binary(a, b, [](double x, double y) { return double((x != 0) != (y != 0)); }, true));
  return fail("cannot fold op type '" + op + "'");
}

bool Lanes::isUniform() const {
  return llvm::all_of(*this, [&](int64_t v) { return v == front(); });
}

std::optional<int64_t> Lanes::asBatchMultiple() const {
  if (front() % kBatchLane[0])
    return std::nullopt;
  int64_t k = front() / kBatchLane[0];
  if (k == 0 || *this != batchMultiple(k))
    return std::nullopt;
  return k;
}

Lanes LaneTensor::element(int64_t i) const {
  Lanes l;
  for (int lane = 0; lane < kNumLanes; ++lane)
    l[lane] = toInt64(this->lane(lane).data[i]);
  return l;
}

bool LaneTensor::hasUniformShape() const {
  for (int lane = 1; lane < kNumLanes; ++lane)
    if (this->lane(lane).shape != lanes[0]->shape)
      return false;
  return true;
}

LaneTensor LaneTensor::fromLanes(std::array<HostTensor, kNumLanes> values) {
  LaneTensor t;
  bool same = llvm::all_of(values, [&](const HostTensor &v) { return v == values[0]; });
  for (int lane = 0; lane < (same ? 1 : kNumLanes); ++lane)
    t.lanes[lane] = std::make_shared<HostTensor>(std::move(values[lane]));
  return t;
}

LaneTensor LaneTensor::uniform(HostTensor t) {
  LaneTensor l;
  l.lanes[0] = std::make_shared<HostTensor>(std::move(t));
  return l;
}
