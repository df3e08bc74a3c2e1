//===- Evaluator.cpp - CPU reference evaluator ----------------------------===//
//
// Interprets a func.func of swin ops in fp32 on the host. The body is walked
// once in order; every SSA value maps to a buffer, and a buffer is released
// after the last op that reads it. Matrix products (linear, matmul, conv2d via
// im2col) go to cblas_sgemm; everything else is plain loops over collapsed,
// precomputed strides.
//
// Buffers are shared rather than copied where the semantics allow: inputs
// and non-splat constants are borrowed (a constant's DenseElementsAttr raw
// data, or its dense_resource blob, is read in place, so each constant is
// materialised at most once per evaluation, and only when it is a splat),
// reshapes alias their input, and elementwise ops, layer_norm and softmax
// overwrite an operand they are the last reader of when nothing else shares
// it.
//
// Each op recomputes its result shape from the run-time operand shapes (the
// batch dimension is only known at run time), checks it against the op's
// declared result type, and reports any inconsistency as an llvm::Error that
// names the op and its location.
//
//===----------------------------------------------------------------------===//

#include "swin/Reference/Evaluator.h"

#include "swin/Dialect/Swin/IR/SwinOps.h"
#include "swin/Quant/QuantMath.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

using namespace mlir;
using llvm::Error;
using llvm::Expected;

namespace swin {
namespace ops = ::mlir::swin;
namespace {

using Shape = llvm::SmallVector<int64_t, 6>;

/// Largest tensor the evaluator allocates, in elements (16 GiB of fp32).
constexpr int64_t kMaxElements = int64_t(1) << 32;

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

/// A run-time value: a shape plus fp32 data. The data is either owned
/// (shared between aliases such as reshapes) or borrowed from storage that
/// outlives the evaluation (the caller's inputs, constant attributes).
struct Buffer {
  Shape shape;
  std::shared_ptr<float> owner;
  const float *data = nullptr;

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  /// True when nothing else can observe the data, so it may be overwritten.
  bool isUniquelyOwned() const { return owner && owner.use_count() == 1; }
};

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    if (ShapedType::isDynamic(shape[i]))
      s += "?";
    else
      s += std::to_string(shape[i]);
  }
  return s + "]";
}

template <typename T>
std::string printed(T value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  value.print(os);
  return text;
}

void printLocation(Location loc, llvm::raw_ostream &os) {
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    os << file.getFilename().getValue() << ":" << file.getLine() << ":"
       << file.getColumn();
    return;
  }
  if (auto name = dyn_cast<NameLoc>(loc)) {
    os << "\"" << name.getName().getValue() << "\"";
    if (!isa<UnknownLoc>(name.getChildLoc())) {
      os << " (";
      printLocation(name.getChildLoc(), os);
      os << ")";
    }
    return;
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    printLocation(callSite.getCallee(), os);
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    llvm::interleave(
        fused.getLocations(), os,
        [&](Location inner) { printLocation(inner, os); }, ", ");
    return;
  }
  if (isa<UnknownLoc>(loc)) {
    os << "unknown location";
    return;
  }
  loc.print(os);
}

Error makeOpError(Operation *op, const llvm::Twine &message) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at ";
  printLocation(op->getLoc(), os);
  os << ": " << message;
  return llvm::createStringError(llvm::inconvertibleErrorCode(), os.str());
}

/// Checked element count of `shape`; fails on overflow or when the tensor
/// would exceed kMaxElements.
bool checkedNumElements(llvm::ArrayRef<int64_t> shape, int64_t &count) {
  count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return false;
    if (d != 0 && count > kMaxElements / d)
      return false;
    count *= d;
  }
  return true;
}

struct AlignedFree {
  void operator()(float *p) const { std::free(p); }
};

/// Allocates an uninitialised buffer of `shape`.
Expected<Buffer> allocate(Operation *op, llvm::ArrayRef<int64_t> shape) {
  int64_t count;
  if (!checkedNumElements(shape, count))
    return makeOpError(op, "result shape " + shapeString(shape) +
                               " is too large for the CPU reference");
  size_t bytes = static_cast<size_t>(std::max<int64_t>(count, 1)) * sizeof(float);
  bytes = (bytes + 63) / 64 * 64;
  auto *raw = static_cast<float *>(std::aligned_alloc(64, bytes));
  if (!raw)
    return makeOpError(op, "out of memory allocating a " + shapeString(shape) +
                               " tensor");
  Buffer buffer;
  buffer.shape.assign(shape.begin(), shape.end());
  buffer.owner = std::shared_ptr<float>(raw, AlignedFree());
  buffer.data = raw;
  return buffer;
}

float *mutableData(Buffer &buffer) { return buffer.owner.get(); }

//===----------------------------------------------------------------------===//
// Strided copies (transpose, slice, pad, concat)
//===----------------------------------------------------------------------===//

/// One dimension of a strided loop nest.
struct LoopDim {
  int64_t size;
  int64_t srcStride;
  int64_t dstStride;
};

/// Drops unit dimensions and merges neighbours that are contiguous in both
/// source and destination. The innermost dimension stays last.
llvm::SmallVector<LoopDim, 6> collapse(llvm::ArrayRef<LoopDim> dims) {
  llvm::SmallVector<LoopDim, 6> out;
  for (const LoopDim &d : dims) {
    if (d.size == 1)
      continue;
    if (!out.empty()) {
      LoopDim &prev = out.back();
      if (prev.srcStride == d.srcStride * d.size &&
          prev.dstStride == d.dstStride * d.size) {
        prev.size *= d.size;
        prev.srcStride = d.srcStride;
        prev.dstStride = d.dstStride;
        continue;
      }
    }
    out.push_back(d);
  }
  if (out.empty())
    out.push_back({1, 1, 1});
  return out;
}

/// Calls `run(srcOffset, dstOffset)` once per innermost run of a collapsed
/// loop nest (`dims.back()` is the innermost dimension), stepping the outer
/// dimensions like an odometer.
template <typename Run>
void forEachInnerRun(llvm::ArrayRef<LoopDim> dims, Run run) {
  const size_t outer = dims.size() - 1;
  llvm::SmallVector<int64_t, 6> index(outer, 0);
  int64_t srcOff = 0, dstOff = 0;
  while (true) {
    run(srcOff, dstOff);
    size_t k = outer;
    while (true) {
      if (k == 0)
        return;
      --k;
      srcOff += dims[k].srcStride;
      dstOff += dims[k].dstStride;
      if (++index[k] < dims[k].size)
        break;
      srcOff -= dims[k].srcStride * dims[k].size;
      dstOff -= dims[k].dstStride * dims[k].size;
      index[k] = 0;
    }
  }
}

/// dst[sum i_k * dstStride_k] = src[sum i_k * srcStride_k] over the loop nest.
void stridedCopy(llvm::ArrayRef<LoopDim> rawDims, const float *src, float *dst) {
  for (const LoopDim &d : rawDims)
    if (d.size == 0)
      return;
  llvm::SmallVector<LoopDim, 6> dims = collapse(rawDims);
  const LoopDim inner = dims.back();
  forEachInnerRun(dims, [&](int64_t srcOff, int64_t dstOff) {
    const float *s = src + srcOff;
    float *d = dst + dstOff;
    if (inner.srcStride == 1 && inner.dstStride == 1) {
      std::memcpy(d, s, inner.size * sizeof(float));
    } else if (inner.dstStride == 1) {
      for (int64_t i = 0; i < inner.size; ++i)
        d[i] = s[i * inner.srcStride];
    } else if (inner.srcStride == 1) {
      for (int64_t i = 0; i < inner.size; ++i)
        d[i * inner.dstStride] = s[i];
    } else {
      for (int64_t i = 0; i < inner.size; ++i)
        d[i * inner.dstStride] = s[i * inner.srcStride];
    }
  });
}

Shape rowMajorStrides(llvm::ArrayRef<int64_t> shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

//===----------------------------------------------------------------------===//
// Elementwise functors
//===----------------------------------------------------------------------===//

float nanMax(float a, float b) {
  if (a != a)
    return a;
  if (b != b)
    return b;
  return a > b ? a : b;
}
float nanMin(float a, float b) {
  if (a != a)
    return a;
  if (b != b)
    return b;
  return a < b ? a : b;
}

/// The quantized type an `i8` or `f8E4M3FN` element type stands for.
quant::QuantType quantTypeOf(Type element) {
  return element.isInteger(8) ? quant::QuantType::Int8 : quant::QuantType::Fp8E4M3;
}

float geluErf(float x) {
  return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752440f));
}
float geluTanh(float x) {
  const float k = 0.79788456080286535588f; // sqrt(2 / pi)
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

/// LayerNorm of `rows` rows of `inner` values, statistics in double. `out`
/// may alias `in`.
void layerNormRows(const float *in, float *out, int64_t rows, int64_t inner,
                   const float *gamma, const float *beta, float epsilon) {
  for (int64_t r = 0; r < rows; ++r) {
    const float *x = in + r * inner;
    float *y = out + r * inner;
    double sum = 0.0;
    for (int64_t i = 0; i < inner; ++i)
      sum += x[i];
    const double mean = sum / static_cast<double>(inner);
    double sq = 0.0;
    for (int64_t i = 0; i < inner; ++i) {
      double d = x[i] - mean;
      sq += d * d;
    }
    const double var = sq / static_cast<double>(inner);
    const float rstd = static_cast<float>(1.0 / std::sqrt(var + epsilon));
    const float meanF = static_cast<float>(mean);
    for (int64_t i = 0; i < inner; ++i)
      y[i] = (x[i] - meanF) * rstd * gamma[i] + beta[i];
  }
}

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

class Interpreter {
public:
  Interpreter(func::FuncOp func, const EvaluateOptions &options)
      : func(func), options(options) {}

  Expected<std::vector<Tensor>> run(llvm::ArrayRef<Tensor> inputs);

private:
  // Value bookkeeping.
  const Buffer &get(Value value) { return values.find(value)->second; }
  /// Returns the operand's buffer for in-place reuse when this op is its last
  /// reader, it is read once by this op, and no alias can observe it.
  std::optional<Buffer> stealIfDead(Operation *op, Value operand,
                                    llvm::ArrayRef<int64_t> shape);
  Error setResult(Operation *op, Value result, Buffer buffer);

  Error checkTypes(Operation *op);
  Error execute(Operation *op);

  // Op implementations.
  Error evalReturn(func::ReturnOp op);
  Error evalConstant(ops::ConstantOp op);
  Error evalConv2D(ops::Conv2DOp op);
  Error evalMatMul(ops::MatMulOp op);
  Error evalLinear(ops::LinearOp op);
  template <typename F>
  Error evalBinary(Operation *op, F fn);
  template <typename F>
  Error evalUnary(Operation *op, F fn);
  Error evalLayerNorm(ops::LayerNormOp op);
  Error evalSoftmax(ops::SoftmaxOp op);
  Error evalReshape(ops::ReshapeOp op);
  Error evalTranspose(ops::TransposeOp op);
  Error evalSlice(ops::SliceOp op);
  Error evalConcat(ops::ConcatOp op);
  Error evalPad(ops::PadOp op);
  Error evalBroadcast(ops::BroadcastOp op);
  Error evalRoll(ops::RollOp op);
  Error evalWindowPartition(ops::WindowPartitionOp op);
  Error evalWindowReverse(ops::WindowReverseOp op);
  Error evalWindowAttention(ops::WindowAttentionOp op);
  Error evalPatchMerge(ops::PatchMergeOp op);
  Error evalPatchMerging(ops::PatchMergingOp op);
  Error evalNormPartition(ops::NormPartitionOp op);
  Error evalAttentionOutput(ops::AttentionOutputOp op);
  Error evalResidualLinear(ops::ResidualLinearOp op);
  Error evalPatchEmbed(ops::PatchEmbedOp op);
  Error evalClassifierHead(ops::ClassifierHeadOp op);
  enum class ReduceKind { Mean, Sum, Max, L2 };
  Error evalReduce(Operation *op, ReduceKind kind, llvm::ArrayRef<int64_t> axes,
                   bool keepDims);
  Error evalGlobalAvgPool(ops::GlobalAvgPoolOp op);
  Error evalQuantize(ops::QuantizeOp op);
  Error evalDequantize(ops::DequantizeOp op);

  /// Reports the activation a quantizable GEMM of `op` reads.
  void observeGemmInput(Operation *op, const float *data, int64_t count) {
    if (options.observeGemmInput)
      options.observeGemmInput(op, llvm::ArrayRef<float>(data, count));
  }

  func::FuncOp func;
  const EvaluateOptions &options;
  llvm::DenseMap<Value, Buffer> values;
  /// Index (in block order) of the last op reading each value.
  llvm::DenseMap<Value, size_t> lastUse;
  size_t currentIndex = 0;
  std::vector<Tensor> results;
  /// Size of the arguments' dynamic (batch) dimension, once bound.
  std::optional<int64_t> batch;
};

std::optional<Buffer> Interpreter::stealIfDead(Operation *op, Value operand,
                                               llvm::ArrayRef<int64_t> shape) {
  auto last = lastUse.find(operand);
  if (last == lastUse.end() || last->second != currentIndex)
    return std::nullopt;
  if (llvm::count(op->getOperands(), operand) != 1)
    return std::nullopt;
  auto it = values.find(operand);
  if (it == values.end() || !it->second.isUniquelyOwned() ||
      llvm::ArrayRef<int64_t>(it->second.shape) != shape)
    return std::nullopt;
  Buffer buffer = std::move(it->second);
  values.erase(it);
  buffer.shape.assign(shape.begin(), shape.end());
  return buffer;
}

Error Interpreter::setResult(Operation *op, Value result, Buffer buffer) {
  auto type = cast<RankedTensorType>(result.getType());
  bool matches = type.getRank() == static_cast<int64_t>(buffer.shape.size());
  for (int64_t i = 0; matches && i < type.getRank(); ++i)
    if (!type.isDynamicDim(i) && type.getDimSize(i) != buffer.shape[i])
      matches = false;
  if (!matches)
    return makeOpError(op, "computed result shape " + shapeString(buffer.shape) +
                               " does not match the declared result type " +
                               shapeString(type.getShape()));
  if (!result.use_empty())
    values[result] = std::move(buffer);
  return Error::success();
}

Error Interpreter::checkTypes(Operation *op) {
  auto check = [&](Type type) -> Error {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      return makeOpError(op, "the CPU reference needs ranked tensors, got " +
                                 llvm::Twine(printed(type)));
    Type element = tensor.getElementType();
    if (element.isF32())
      return Error::success();
    // Quantized values (integers or E4M3 values, held exactly in fp32) live
    // only between a quantize or constant and a dequantize.
    if ((element.isInteger(8) || isa<Float8E4M3FNType>(element)) &&
        isa<ops::ConstantOp, ops::QuantizeOp, ops::DequantizeOp>(op))
      return Error::success();
    return makeOpError(op, "the CPU reference supports f32 tensors (and i8/f8E4M3FN "
                           "between quantize and dequantize) only, got " +
                               llvm::Twine(printed(type)));
  };
  for (Type type : op->getOperandTypes())
    if (Error err = check(type))
      return err;
  for (Type type : op->getResultTypes())
    if (Error err = check(type))
      return err;
  return Error::success();
}

Expected<std::vector<Tensor>> Interpreter::run(llvm::ArrayRef<Tensor> inputs) {
  Region &body = func.getBody();
  if (body.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "function @" + func.getSymName().str() +
                                       " has no body");
  if (!body.hasOneBlock())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "function @" + func.getSymName().str() +
            " has several blocks; the CPU reference runs straight-line code");
  Block &block = body.front();
  if (inputs.size() != block.getNumArguments())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "function @" + func.getSymName().str() + " takes " +
            std::to_string(block.getNumArguments()) + " inputs, got " +
            std::to_string(inputs.size()));

  // Bind the arguments (borrowed: the caller's tensors outlive the run).
  for (auto [index, arg] : llvm::enumerate(block.getArguments())) {
    const Tensor &input = inputs[index];
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    std::string where = "function @" + func.getSymName().str() + " argument " +
                        std::to_string(index);
    if (!type || !type.getElementType().isF32())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          where + ": the CPU reference supports f32 tensors only, got " +
              printed(arg.getType()));
    int64_t count;
    if (!checkedNumElements(input.shape, count) || count != input.size())
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          where + ": input data does not match its shape " +
              shapeString(input.shape));
    bool matches = type.getRank() == input.rank();
    for (int64_t i = 0; matches && i < type.getRank(); ++i)
      if (!type.isDynamicDim(i) && type.getDimSize(i) != input.shape[i])
        matches = false;
    if (!matches)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          where + ": input shape " + shapeString(input.shape) +
              " does not match the argument type " +
              shapeString(type.getShape()));
    // By convention the first dynamic dimension of the first argument with
    // one (the image) is the batch.
    for (int64_t i = 0; i < type.getRank() && !batch; ++i)
      if (type.isDynamicDim(i))
        batch = input.shape[i];
    Buffer buffer;
    buffer.shape.assign(input.shape.begin(), input.shape.end());
    buffer.data = input.data.data();
    if (!arg.use_empty())
      values[arg] = std::move(buffer);
  }

  // Last readers.
  size_t index = 0;
  for (Operation &op : block) {
    for (Value operand : op.getOperands())
      lastUse[operand] = index;
    ++index;
  }

  index = 0;
  for (Operation &op : block) {
    currentIndex = index;
    if (op.getNumRegions() != 0)
      return makeOpError(&op, "ops with regions are not supported");
    for (Value operand : op.getOperands())
      if (!values.count(operand))
        return makeOpError(&op, "operand has no value (defined later or "
                                "outside the function?)");
    if (Error err = execute(&op))
      return std::move(err);
    // Release what this op read for the last time.
    for (Value operand : op.getOperands()) {
      auto last = lastUse.find(operand);
      if (last != lastUse.end() && last->second == index)
        values.erase(operand);
    }
    ++index;
  }
  return std::move(results);
}

Error Interpreter::evalReturn(func::ReturnOp op) {
  results.clear();
  for (Value operand : op.getOperands()) {
    const Buffer &buffer = get(operand);
    Tensor tensor;
    tensor.shape.assign(buffer.shape.begin(), buffer.shape.end());
    tensor.data.assign(buffer.data, buffer.data + buffer.numElements());
    results.push_back(std::move(tensor));
  }
  return Error::success();
}

Error Interpreter::execute(Operation *op) {
  if (!isa<func::ReturnOp>(op)) {
    if (!isa_and_nonnull<ops::SwinDialect>(op->getDialect()))
      return makeOpError(op, "op is not supported by the CPU reference");
    if (Error err = checkTypes(op))
      return err;
  }

  using namespace ::mlir::swin;
  return llvm::TypeSwitch<Operation *, Error>(op)
      .Case<func::ReturnOp>([&](auto op) { return evalReturn(op); })
      .Case<ConstantOp>([&](auto op) { return evalConstant(op); })
      .Case<Conv2DOp>([&](auto op) { return evalConv2D(op); })
      .Case<MatMulOp>([&](auto op) { return evalMatMul(op); })
      .Case<LinearOp>([&](auto op) { return evalLinear(op); })
      .Case<AddOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return a + b; });
      })
      .Case<SubOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return a - b; });
      })
      .Case<MulOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return a * b; });
      })
      .Case<DivOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return a / b; });
      })
      .Case<PowOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return std::pow(a, b); });
      })
      .Case<MaxOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return nanMax(a, b); });
      })
      .Case<MinOp>([&](auto op) {
        return evalBinary(op, [](float a, float b) { return nanMin(a, b); });
      })
      .Case<NegOp>([&](auto op) {
        return evalUnary(op, [](float x) { return -x; });
      })
      .Case<AbsOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::fabs(x); });
      })
      .Case<SqrtOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::sqrt(x); });
      })
      .Case<ReciprocalOp>([&](auto op) {
        return evalUnary(op, [](float x) { return 1.0f / x; });
      })
      .Case<ExpOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::exp(x); });
      })
      .Case<LogOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::log(x); });
      })
      .Case<ErfOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::erf(x); });
      })
      .Case<TanhOp>([&](auto op) {
        return evalUnary(op, [](float x) { return std::tanh(x); });
      })
      .Case<SigmoidOp>([&](auto op) {
        return evalUnary(op, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
      })
      .Case<ReluOp>([&](auto op) {
        // max(x, 0) that keeps NaN, like max().
        return evalUnary(op, [](float x) { return x < 0.0f ? 0.0f : x; });
      })
      .Case<ClipOp>([&](ClipOp op) {
        float lo = op.getMin().convertToFloat();
        float hi = op.getMax().convertToFloat();
        return evalUnary(op, [lo, hi](float x) {
          return x < lo ? lo : (x > hi ? hi : x);
        });
      })
      .Case<GeluOp>([&](GeluOp op) {
        if (op.getApproximation() == GeluApproximation::tanh)
          return evalUnary(op, [](float x) { return geluTanh(x); });
        return evalUnary(op, [](float x) { return geluErf(x); });
      })
      .Case<LayerNormOp>([&](auto op) { return evalLayerNorm(op); })
      .Case<SoftmaxOp>([&](auto op) { return evalSoftmax(op); })
      .Case<ReshapeOp>([&](auto op) { return evalReshape(op); })
      .Case<TransposeOp>([&](auto op) { return evalTranspose(op); })
      .Case<SliceOp>([&](auto op) { return evalSlice(op); })
      .Case<ConcatOp>([&](auto op) { return evalConcat(op); })
      .Case<PadOp>([&](auto op) { return evalPad(op); })
      .Case<BroadcastOp>([&](auto op) { return evalBroadcast(op); })
      .Case<RollOp>([&](auto op) { return evalRoll(op); })
      .Case<WindowPartitionOp>([&](auto op) { return evalWindowPartition(op); })
      .Case<WindowReverseOp>([&](auto op) { return evalWindowReverse(op); })
      .Case<WindowAttentionOp>([&](auto op) { return evalWindowAttention(op); })
      .Case<PatchMergeOp>([&](auto op) { return evalPatchMerge(op); })
      .Case<PatchMergingOp>([&](auto op) { return evalPatchMerging(op); })
      .Case<NormPartitionOp>([&](auto op) { return evalNormPartition(op); })
      .Case<AttentionOutputOp>([&](auto op) { return evalAttentionOutput(op); })
      .Case<ResidualLinearOp>([&](auto op) { return evalResidualLinear(op); })
      .Case<PatchEmbedOp>([&](auto op) { return evalPatchEmbed(op); })
      .Case<ClassifierHeadOp>([&](auto op) { return evalClassifierHead(op); })
      .Case<ReduceMeanOp>([&](ReduceMeanOp op) {
        return evalReduce(op, ReduceKind::Mean, op.getAxes(), op.getKeepDims());
      })
      .Case<ReduceSumOp>([&](ReduceSumOp op) {
        return evalReduce(op, ReduceKind::Sum, op.getAxes(), op.getKeepDims());
      })
      .Case<ReduceMaxOp>([&](ReduceMaxOp op) {
        return evalReduce(op, ReduceKind::Max, op.getAxes(), op.getKeepDims());
      })
      .Case<ReduceL2Op>([&](ReduceL2Op op) {
        return evalReduce(op, ReduceKind::L2, op.getAxes(), op.getKeepDims());
      })
      .Case<GlobalAvgPoolOp>([&](auto op) { return evalGlobalAvgPool(op); })
      .Case<QuantizeOp>([&](auto op) { return evalQuantize(op); })
      .Case<DequantizeOp>([&](auto op) { return evalDequantize(op); })
      .Default([&](Operation *op) {
        return makeOpError(op, "op is not supported by the CPU reference");
      });
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

Error Interpreter::evalConstant(ops::ConstantOp op) {
  ElementsAttr attr = op.getValue();
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape())
    return makeOpError(op, "constant must be a statically shaped tensor");
  int64_t count;
  if (!checkedNumElements(type.getShape(), count))
    return makeOpError(op, "constant is too large");
  Shape shape(type.getShape().begin(), type.getShape().end());

  // Quantized weights: integers or E4M3 values, converted to fp32 exactly.
  if (Type element = type.getElementType(); !element.isF32()) {
    auto dense = dyn_cast<DenseElementsAttr>(attr);
    if (!dense || !(element.isInteger(8) || isa<Float8E4M3FNType>(element)))
      return makeOpError(op, "unsupported constant element type " +
                                 llvm::Twine(printed(element)));
    Expected<Buffer> buffer = allocate(op, shape);
    if (!buffer)
      return buffer.takeError();
    float *out = mutableData(*buffer);
    int64_t i = 0;
    if (element.isInteger(8)) {
      for (const APInt &v : dense.getValues<APInt>())
        out[i++] = static_cast<float>(v.getSExtValue());
    } else {
      for (const APFloat &v : dense.getValues<APFloat>())
        out[i++] = v.convertToFloat();
    }
    return setResult(op, op.getResult(), std::move(*buffer));
  }

  auto borrow = [&](const char *raw, size_t bytes) -> std::optional<Error> {
    if (bytes != static_cast<size_t>(count) * sizeof(float))
      return makeOpError(op, "constant data has " + llvm::Twine(bytes) +
                                 " bytes, expected " +
                                 llvm::Twine(count * sizeof(float)));
    if (reinterpret_cast<uintptr_t>(raw) % alignof(float) != 0)
      return std::nullopt; // Misaligned: fall back to a copy.
    Buffer buffer;
    buffer.shape = shape;
    buffer.data = reinterpret_cast<const float *>(raw);
    return setResult(op, op.getResult(), std::move(buffer));
  };

  if (auto dense = dyn_cast<DenseElementsAttr>(attr); dense && dense.isSplat()) {
    Expected<Buffer> buffer = allocate(op, shape);
    if (!buffer)
      return buffer.takeError();
    std::fill_n(mutableData(*buffer), count, dense.getSplatValue<float>());
    return setResult(op, op.getResult(), std::move(*buffer));
  }
  std::optional<llvm::ArrayRef<char>> raw = op.getRawData();
  if (!raw && isa<DenseResourceElementsAttr>(attr))
    return makeOpError(op, "dense_resource constant has no data");
  if (raw)
    if (std::optional<Error> done = borrow(raw->data(), raw->size()))
      return std::move(*done);

  // Misaligned raw data is copied; other attributes produce floats.
  Expected<Buffer> buffer = allocate(op, shape);
  if (!buffer)
    return buffer.takeError();
  float *out = mutableData(*buffer);
  if (raw) {
    std::memcpy(out, raw->data(), count * sizeof(float));
  } else {
    auto values = attr.tryGetValues<float>();
    if (!values)
      return makeOpError(op, "unsupported constant attribute kind");
    int64_t i = 0;
    for (float v : *values)
      out[i++] = v;
  }
  return setResult(op, op.getResult(), std::move(*buffer));
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

void gemm(bool transB, int64_t m, int64_t n, int64_t k, const float *a,
          int64_t lda, const float *b, int64_t ldb, float beta, float *c,
          int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    if (beta == 0.0f)
      for (int64_t i = 0; i < m; ++i)
        std::fill_n(c + i * ldc, n, 0.0f);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n),
              static_cast<blasint>(k), 1.0f, a, static_cast<blasint>(lda), b,
              static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

/// BLAS takes 32-bit sizes; refuse anything larger.
bool fitsBlas(std::initializer_list<int64_t> sizes) {
  for (int64_t s : sizes)
    if (s > std::numeric_limits<int32_t>::max())
      return false;
  return true;
}

/// out[m, n] = x[m, k] * w[n, k]^T (+ bias[n]): PyTorch's linear on rows.
void linearRows(const float *x, int64_t m, int64_t k, const float *w, int64_t n,
                const float *bias, float *out) {
  if (bias)
    for (int64_t r = 0; r < m; ++r)
      std::memcpy(out + r * n, bias, n * sizeof(float));
  gemm(true, m, n, k, x, k, w, k, bias ? 1.0f : 0.0f, out, n);
}

Error Interpreter::evalConv2D(ops::Conv2DOp op) {
  const Buffer &input = get(op.getInput());
  const Buffer &weight = get(op.getWeight());
  if (input.shape.size() != 4 || weight.shape.size() != 4)
    return makeOpError(op, "expected rank-4 input and weight, got " +
                               shapeString(input.shape) + " and " +
                               shapeString(weight.shape));
  llvm::ArrayRef<int64_t> strides = op.getStrides(), padding = op.getPadding(),
                          dilations = op.getDilations();
  int64_t groups = static_cast<int64_t>(op.getGroups());
  auto inRange = [](int64_t v, int64_t lo) { return v >= lo && v <= (1 << 30); };
  if (strides.size() != 2 || padding.size() != 4 || dilations.size() != 2 ||
      !inRange(groups, 1) ||
      !llvm::all_of(strides, [&](int64_t s) { return inRange(s, 1); }) ||
      !llvm::all_of(dilations, [&](int64_t d) { return inRange(d, 1); }) ||
      !llvm::all_of(padding, [&](int64_t p) { return inRange(p, 0); }))
    return makeOpError(op, "invalid strides, padding, dilations or groups");
  const int64_t n = input.shape[0], c = input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t f = weight.shape[0], cg = weight.shape[1],
                kh = weight.shape[2], kw = weight.shape[3];
  if (c != cg * groups || f % groups != 0)
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " does not match weight " +
                               shapeString(weight.shape) + " with " +
                               llvm::Twine(groups) + " groups");
  const float *bias = nullptr;
  if (op.getBias()) {
    const Buffer &b = get(op.getBias());
    if (b.shape.size() != 1 || b.shape[0] != f)
      return makeOpError(op, "bias " + shapeString(b.shape) +
                                 " must have one element per output channel (" +
                                 llvm::Twine(f) + ")");
    bias = b.data;
  }
  const int64_t sy = strides[0], sx = strides[1], dy = dilations[0],
                dx = dilations[1];
  const int64_t pt = padding[0], pl = padding[1], pb = padding[2],
                pr = padding[3];
  int64_t extentY = h + pt + pb - dy * (kh - 1) - 1;
  int64_t extentX = w + pl + pr - dx * (kw - 1) - 1;
  if (extentY < 0 || extentX < 0)
    return makeOpError(op, "kernel " + shapeString(weight.shape) +
                               " is larger than the padded input " +
                               shapeString(input.shape));
  const int64_t oh = extentY / sy + 1, ow = extentX / sx + 1;
  Expected<Buffer> result = allocate(op, {n, f, oh, ow});
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);

  const int64_t fg = f / groups;      // output channels per group
  const int64_t kdim = cg * kh * kw;  // contraction size per group
  const int64_t pixels = oh * ow;
  if (!fitsBlas({kdim, pixels, fg}))
    return makeOpError(op, "convolution too large for BLAS");
  const bool pointwise = kh == 1 && kw == 1 && sy == 1 && sx == 1 &&
                         !pt && !pl && !pb && !pr;
  // Patch embedding: non-overlapping patches, no padding. Every input pixel
  // is read exactly once and no bounds checks are needed.
  const bool patchify = !pointwise && sy == kh && sx == kw && dy == 1 &&
                        dx == 1 && !pt && !pl && !pb && !pr;

  std::unique_ptr<float, AlignedFree> colStorage;
  if (!pointwise && kdim * pixels > 0) {
    int64_t colCount;
    if (!checkedNumElements({kdim, pixels}, colCount))
      return makeOpError(op, "im2col buffer too large");
    size_t bytes = (colCount * sizeof(float) + 63) / 64 * 64;
    colStorage.reset(static_cast<float *>(std::aligned_alloc(64, bytes)));
    if (!colStorage)
      return makeOpError(op, "out of memory for the im2col buffer");
  }
  float *col = colStorage.get();

  for (int64_t b = 0; b < n; ++b) {
    for (int64_t g = 0; g < groups; ++g) {
      const float *in = input.data + (b * c + g * cg) * h * w;
      const float *colData = in;
      if (patchify) {
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              float *row = col + ((ci * kh + i) * kw + j) * pixels;
              const float *plane = in + ci * h * w + i * w + j;
              for (int64_t y = 0; y < oh; ++y) {
                const float *src = plane + y * kh * w;
                float *dst = row + y * ow;
                for (int64_t x = 0; x < ow; ++x)
                  dst[x] = src[x * kw];
              }
            }
        colData = col;
      } else if (!pointwise) {
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              float *row = col + ((ci * kh + i) * kw + j) * pixels;
              const float *plane = in + ci * h * w;
              // Output columns whose input column lies inside the image.
              int64_t offX = j * dx - pl;
              int64_t xBegin = offX >= 0 ? 0 : (-offX + sx - 1) / sx;
              int64_t xEnd = w - 1 - offX < 0 ? 0 : (w - 1 - offX) / sx + 1;
              xEnd = std::min(xEnd, ow);
              xBegin = std::min(xBegin, xEnd);
              for (int64_t y = 0; y < oh; ++y) {
                float *dst = row + y * ow;
                int64_t iy = y * sy + i * dy - pt;
                if (iy < 0 || iy >= h) {
                  std::fill_n(dst, ow, 0.0f);
                  continue;
                }
                // Index arithmetic (not pointer arithmetic): offX may be
                // negative.
                const int64_t rowBase = iy * w + offX;
                std::fill_n(dst, xBegin, 0.0f);
                if (sx == 1) {
                  if (xEnd > xBegin)
                    std::memcpy(dst + xBegin, plane + rowBase + xBegin,
                                (xEnd - xBegin) * sizeof(float));
                } else {
                  for (int64_t x = xBegin; x < xEnd; ++x)
                    dst[x] = plane[rowBase + x * sx];
                }
                std::fill(dst + xEnd, dst + ow, 0.0f);
              }
            }
        colData = col;
      }
      float *dst = out + (b * f + g * fg) * pixels;
      const float *wg = weight.data + g * fg * kdim;
      if (bias) {
        for (int64_t o = 0; o < fg; ++o)
          std::fill_n(dst + o * pixels, pixels, bias[g * fg + o]);
      }
      gemm(false, fg, pixels, kdim, wg, kdim, colData, pixels,
           bias ? 1.0f : 0.0f, dst, pixels);
    }
  }
  return setResult(op, op.getResult(), std::move(*result));
}

/// NumPy broadcast of two shapes; on failure names the offending dimension.
bool broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs,
                     Shape &result, std::string &why) {
  size_t rank = std::max(lhs.size(), rhs.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l == r || r == 1) {
      result[i] = l;
    } else if (l == 1) {
      result[i] = r;
    } else {
      why = "dimension " + std::to_string(i) + " of the broadcast result: " +
            std::to_string(l) + " vs " + std::to_string(r);
      return false;
    }
  }
  return true;
}

/// Strides of `shape` viewed as a right-aligned operand of `full`, with 0 for
/// broadcast dimensions.
Shape broadcastStrides(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<int64_t> full) {
  Shape own = rowMajorStrides(shape);
  Shape strides(full.size(), 0);
  size_t offset = full.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    strides[offset + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

Error Interpreter::evalMatMul(ops::MatMulOp op) {
  const Buffer &lhs = get(op.getLhs());
  const Buffer &rhs = get(op.getRhs());
  if (lhs.shape.size() < 2 || rhs.shape.size() < 2)
    return makeOpError(op, "operands must have rank >= 2, got " +
                               shapeString(lhs.shape) + " and " +
                               shapeString(rhs.shape));
  const int64_t m = lhs.shape[lhs.shape.size() - 2];
  const int64_t k = lhs.shape.back();
  const int64_t k2 = rhs.shape[rhs.shape.size() - 2];
  const int64_t n = rhs.shape.back();
  if (k != k2)
    return makeOpError(op, "contraction mismatch: " + shapeString(lhs.shape) +
                               " x " + shapeString(rhs.shape));
  llvm::ArrayRef<int64_t> lhsBatch = llvm::ArrayRef(lhs.shape).drop_back(2);
  llvm::ArrayRef<int64_t> rhsBatch = llvm::ArrayRef(rhs.shape).drop_back(2);
  Shape batch;
  std::string why;
  if (!broadcastShapes(lhsBatch, rhsBatch, batch, why))
    return makeOpError(op, "batch dimensions of " + shapeString(lhs.shape) +
                               " and " + shapeString(rhs.shape) +
                               " do not broadcast (" + why + ")");
  if (!fitsBlas({m, n, k}))
    return makeOpError(op, "matrices too large for BLAS");
  Shape resultShape = batch;
  resultShape.push_back(m);
  resultShape.push_back(n);
  Expected<Buffer> result = allocate(op, resultShape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);

  int64_t batchCount = 1;
  for (int64_t d : batch)
    batchCount *= d;
  int64_t rhsCount = 1;
  for (int64_t d : rhsBatch)
    rhsCount *= d;
  int64_t lhsCount = 1;
  for (int64_t d : lhsBatch)
    lhsCount *= d;

  if (rhsCount == 1 && lhsCount == batchCount && fitsBlas({lhsCount * m})) {
    // Shared right operand: one GEMM over all rows of the left operand.
    gemm(false, lhsCount * m, n, k, lhs.data, k, rhs.data, n, 0.0f, out, n);
    return setResult(op, op.getResult(), std::move(*result));
  }

  Shape lhsStrides = broadcastStrides(lhsBatch, batch);
  Shape rhsStrides = broadcastStrides(rhsBatch, batch);
  const int64_t lhsMat = m * k, rhsMat = k * n, outMat = m * n;
  Shape index(batch.size(), 0);
  int64_t lhsOff = 0, rhsOff = 0;
  for (int64_t bi = 0; bi < batchCount; ++bi) {
    gemm(false, m, n, k, lhs.data + lhsOff * lhsMat, k,
         rhs.data + rhsOff * rhsMat, n, 0.0f, out + bi * outMat, n);
    for (size_t d = batch.size(); d-- > 0;) {
      lhsOff += lhsStrides[d];
      rhsOff += rhsStrides[d];
      if (++index[d] < batch[d])
        break;
      lhsOff -= lhsStrides[d] * batch[d];
      rhsOff -= rhsStrides[d] * batch[d];
      index[d] = 0;
    }
  }
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalLinear(ops::LinearOp op) {
  const Buffer &input = get(op.getInput());
  const Buffer &weight = get(op.getWeight());
  if (weight.shape.size() != 2)
    return makeOpError(op, "weight must be a matrix, got " +
                               shapeString(weight.shape));
  const int64_t n = weight.shape[0], k = weight.shape[1];
  if (input.shape.empty() || input.shape.back() != k)
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " does not match weight " +
                               shapeString(weight.shape));
  const float *bias = nullptr;
  if (op.getBias()) {
    const Buffer &b = get(op.getBias());
    if (b.shape.size() != 1 || b.shape[0] != n)
      return makeOpError(op, "bias " + shapeString(b.shape) +
                                 " must have one element per output feature (" +
                                 llvm::Twine(n) + ")");
    bias = b.data;
  }
  Shape resultShape = input.shape;
  resultShape.back() = n;
  int64_t m = 1;
  for (size_t i = 0; i + 1 < input.shape.size(); ++i)
    m *= input.shape[i];
  if (!fitsBlas({m, n, k}))
    return makeOpError(op, "matrices too large for BLAS");
  Expected<Buffer> result = allocate(op, resultShape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  observeGemmInput(op, input.data, m * k);
  linearRows(input.data, m, k, weight.data, n, bias, out);
  // The fused epilogue activation.
  switch (op.getActivation()) {
  case ops::Activation::none:
    break;
  case ops::Activation::gelu:
    for (int64_t i = 0; i < m * n; ++i)
      out[i] = geluErf(out[i]);
    break;
  case ops::Activation::gelu_tanh:
    for (int64_t i = 0; i < m * n; ++i)
      out[i] = geluTanh(out[i]);
    break;
  }
  return setResult(op, op.getResult(), std::move(*result));
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename F>
Error Interpreter::evalBinary(Operation *op, F fn) {
  Value lhsValue = op->getOperand(0), rhsValue = op->getOperand(1);
  Shape shape;
  std::string why;
  {
    const Buffer &lhs = get(lhsValue);
    const Buffer &rhs = get(rhsValue);
    if (!broadcastShapes(lhs.shape, rhs.shape, shape, why))
      return makeOpError(op, "operand shapes " + shapeString(lhs.shape) +
                                 " and " + shapeString(rhs.shape) +
                                 " do not broadcast (" + why + ")");
  }
  // Keep the operands alive (and their data stable) while we compute; an
  // operand with the result's shape that dies here is overwritten in place.
  Buffer lhs = get(lhsValue), rhs = get(rhsValue);
  std::optional<Buffer> reuse;
  if (lhs.shape == shape) {
    lhs = Buffer(); // drop our reference so uniqueness can be observed
    reuse = stealIfDead(op, lhsValue, shape);
    lhs = reuse ? *reuse : get(lhsValue);
  }
  if (!reuse && rhs.shape == shape) {
    rhs = Buffer();
    reuse = stealIfDead(op, rhsValue, shape);
    rhs = reuse ? *reuse : get(rhsValue);
  }
  Expected<Buffer> resultOrError =
      reuse ? Expected<Buffer>(std::move(*reuse)) : allocate(op, shape);
  if (!resultOrError)
    return resultOrError.takeError();
  Buffer result = std::move(*resultOrError);
  float *out = mutableData(result);

  int64_t count = result.numElements();
  if (count > 0) {
    Shape lhsStrides = broadcastStrides(lhs.shape, shape);
    Shape rhsStrides = broadcastStrides(rhs.shape, shape);
    Shape outStrides = rowMajorStrides(shape);
    // Collapse dimensions contiguous in all three.
    struct Dim {
      int64_t size, a, b, o;
    };
    llvm::SmallVector<Dim, 6> dims;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 1)
        continue;
      Dim d{shape[i], lhsStrides[i], rhsStrides[i], outStrides[i]};
      if (!dims.empty()) {
        Dim &p = dims.back();
        if (p.a == d.a * d.size && p.b == d.b * d.size && p.o == d.o * d.size) {
          p.size *= d.size;
          p.a = d.a;
          p.b = d.b;
          p.o = d.o;
          continue;
        }
      }
      dims.push_back(d);
    }
    if (dims.empty())
      dims.push_back({1, 1, 1, 1});
    const Dim inner = dims.back();
    const size_t outer = dims.size() - 1;
    Shape index(outer, 0);
    int64_t aOff = 0, bOff = 0, oOff = 0;
    const float *a = lhs.data, *b = rhs.data;
    while (true) {
      const float *pa = a + aOff, *pb = b + bOff;
      float *po = out + oOff;
      const int64_t len = inner.size;
      if (inner.a == 1 && inner.b == 1) {
        for (int64_t i = 0; i < len; ++i)
          po[i] = fn(pa[i], pb[i]);
      } else if (inner.a == 1 && inner.b == 0) {
        const float s = *pb;
        for (int64_t i = 0; i < len; ++i)
          po[i] = fn(pa[i], s);
      } else if (inner.a == 0 && inner.b == 1) {
        const float s = *pa;
        for (int64_t i = 0; i < len; ++i)
          po[i] = fn(s, pb[i]);
      } else {
        for (int64_t i = 0; i < len; ++i)
          po[i] = fn(pa[i * inner.a], pb[i * inner.b]);
      }
      if (outer == 0)
        break;
      size_t k = outer;
      bool done = false;
      while (true) {
        --k;
        aOff += dims[k].a;
        bOff += dims[k].b;
        oOff += dims[k].o;
        if (++index[k] < dims[k].size)
          break;
        aOff -= dims[k].a * dims[k].size;
        bOff -= dims[k].b * dims[k].size;
        oOff -= dims[k].o * dims[k].size;
        index[k] = 0;
        if (k == 0) {
          done = true;
          break;
        }
      }
      if (done)
        break;
    }
  }
  lhs = Buffer();
  rhs = Buffer();
  return setResult(op, op->getResult(0), std::move(result));
}

template <typename F>
Error Interpreter::evalUnary(Operation *op, F fn) {
  Value inputValue = op->getOperand(0);
  Shape shape = get(inputValue).shape;
  std::optional<Buffer> reuse = stealIfDead(op, inputValue, shape);
  Buffer input = reuse ? *reuse : get(inputValue);
  Expected<Buffer> resultOrError =
      reuse ? Expected<Buffer>(std::move(*reuse)) : allocate(op, shape);
  if (!resultOrError)
    return resultOrError.takeError();
  Buffer result = std::move(*resultOrError);
  const float *in = input.data;
  float *out = mutableData(result);
  const int64_t count = result.numElements();
  for (int64_t i = 0; i < count; ++i)
    out[i] = fn(in[i]);
  input = Buffer();
  return setResult(op, op->getResult(0), std::move(result));
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

Error Interpreter::evalLayerNorm(ops::LayerNormOp op) {
  Value inputValue = op.getInput();
  const Buffer &scale = get(op.getScale());
  const Buffer &bias = get(op.getBias());
  Shape shape = get(inputValue).shape;
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return makeOpError(op, "axis " + llvm::Twine(axis) +
                               " out of range for input " + shapeString(shape));
  llvm::ArrayRef<int64_t> normalized = llvm::ArrayRef(shape).drop_front(axis);
  if (llvm::ArrayRef<int64_t>(scale.shape) != normalized ||
      llvm::ArrayRef<int64_t>(bias.shape) != normalized)
    return makeOpError(op, "scale " + shapeString(scale.shape) + " and bias " +
                               shapeString(bias.shape) +
                               " must have the normalised shape " +
                               shapeString(normalized));
  const float epsilon = op.getEpsilon().convertToFloat();
  int64_t inner = 1;
  for (int64_t d : normalized)
    inner *= d;
  // Hold the scale/bias data: stealing the input can rehash the value map.
  Buffer scaleHold = scale, biasHold = bias;
  std::optional<Buffer> reuse = stealIfDead(op, inputValue, shape);
  Buffer input = reuse ? *reuse : get(inputValue);
  Expected<Buffer> resultOrError =
      reuse ? Expected<Buffer>(std::move(*reuse)) : allocate(op, shape);
  if (!resultOrError)
    return resultOrError.takeError();
  Buffer result = std::move(*resultOrError);
  const int64_t rows = inner == 0 ? 0 : result.numElements() / inner;
  layerNormRows(input.data, mutableData(result), rows, inner, scaleHold.data,
                biasHold.data, epsilon);
  input = Buffer();
  return setResult(op, op.getResult(), std::move(result));
}

Error Interpreter::evalSoftmax(ops::SoftmaxOp op) {
  Value inputValue = op.getInput();
  Shape shape = get(inputValue).shape;
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
    return makeOpError(op, "axis " + llvm::Twine(axis) +
                               " out of range for input " + shapeString(shape));
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; ++i)
    outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  const int64_t len = shape[axis];
  std::optional<Buffer> reuse = stealIfDead(op, inputValue, shape);
  Buffer input = reuse ? *reuse : get(inputValue);
  Expected<Buffer> resultOrError =
      reuse ? Expected<Buffer>(std::move(*reuse)) : allocate(op, shape);
  if (!resultOrError)
    return resultOrError.takeError();
  Buffer result = std::move(*resultOrError);
  float *out = mutableData(result);
  if (len > 0 && inner > 0) {
    if (inner == 1) {
      for (int64_t o = 0; o < outer; ++o) {
        const float *x = input.data + o * len;
        float *y = out + o * len;
        float mx = x[0];
        for (int64_t i = 1; i < len; ++i)
          mx = std::max(mx, x[i]);
        float sum = 0.0f;
        for (int64_t i = 0; i < len; ++i) {
          y[i] = std::exp(x[i] - mx);
          sum += y[i];
        }
        const float inv = 1.0f / sum;
        for (int64_t i = 0; i < len; ++i)
          y[i] *= inv;
      }
    } else {
      std::vector<float> mx(inner), sum(inner);
      for (int64_t o = 0; o < outer; ++o) {
        const float *x = input.data + o * len * inner;
        float *y = out + o * len * inner;
        std::copy_n(x, inner, mx.begin());
        for (int64_t i = 1; i < len; ++i)
          for (int64_t j = 0; j < inner; ++j)
            mx[j] = std::max(mx[j], x[i * inner + j]);
        std::fill(sum.begin(), sum.end(), 0.0f);
        for (int64_t i = 0; i < len; ++i)
          for (int64_t j = 0; j < inner; ++j) {
            float e = std::exp(x[i * inner + j] - mx[j]);
            y[i * inner + j] = e;
            sum[j] += e;
          }
        for (int64_t j = 0; j < inner; ++j)
          sum[j] = 1.0f / sum[j];
        for (int64_t i = 0; i < len; ++i)
          for (int64_t j = 0; j < inner; ++j)
            y[i * inner + j] *= sum[j];
      }
    }
  }
  input = Buffer();
  return setResult(op, op.getResult(), std::move(result));
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

Error Interpreter::evalReshape(ops::ReshapeOp op) {
  const Buffer &input = get(op.getInput());
  auto type = op.getResult().getType();
  const int64_t count = input.numElements();
  Shape shape(type.getShape().begin(), type.getShape().end());
  int64_t dynamicIndex = -1, known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (ShapedType::isDynamic(shape[i])) {
      if (dynamicIndex >= 0)
        return makeOpError(op, "result type has more than one dynamic "
                               "dimension");
      dynamicIndex = static_cast<int64_t>(i);
    } else {
      known *= shape[i];
    }
  }
  if (dynamicIndex >= 0) {
    if (known == 0)
      return makeOpError(op, "cannot resolve the dynamic dimension of " +
                                 shapeString(shape) +
                                 ": the static dimensions hold no elements");
    if (count % known != 0)
      return makeOpError(op, "input " + shapeString(input.shape) + " has " +
                                 llvm::Twine(count) +
                                 " elements, not divisible by the " +
                                 llvm::Twine(known) + " of result " +
                                 shapeString(shape));
    shape[dynamicIndex] = count / known;
  } else if (known != count) {
    return makeOpError(op, "input " + shapeString(input.shape) + " has " +
                               llvm::Twine(count) + " elements, result " +
                               shapeString(shape) + " needs " +
                               llvm::Twine(known));
  }
  // Share the data; nothing is copied.
  Buffer result = input;
  result.shape = shape;
  return setResult(op, op.getResult(), std::move(result));
}

Error Interpreter::evalTranspose(ops::TransposeOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> perm = op.getPerm();
  const size_t rank = input.shape.size();
  if (perm.size() != rank)
    return makeOpError(op, "perm has " + llvm::Twine(perm.size()) +
                               " entries for input " +
                               shapeString(input.shape));
  llvm::SmallVector<bool, 6> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p])
      return makeOpError(op, "perm is not a permutation");
    seen[p] = true;
  }
  Shape shape(rank);
  for (size_t i = 0; i < rank; ++i)
    shape[i] = input.shape[perm[i]];
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  Shape inStrides = rowMajorStrides(input.shape);
  Shape outStrides = rowMajorStrides(shape);
  llvm::SmallVector<LoopDim, 6> dims;
  for (size_t i = 0; i < rank; ++i)
    dims.push_back({shape[i], inStrides[perm[i]], outStrides[i]});
  stridedCopy(dims, input.data, mutableData(*result));
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalSlice(ops::SliceOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> offsets = op.getOffsets(), sizes = op.getSizes(),
                          steps = op.getStrides();
  const size_t rank = input.shape.size();
  if (offsets.size() != rank || sizes.size() != rank || steps.size() != rank)
    return makeOpError(op, "needs one offset, size and stride per dimension "
                           "of input " +
                               shapeString(input.shape));
  Shape shape(rank);
  Shape inStrides = rowMajorStrides(input.shape);
  int64_t base = 0;
  for (size_t i = 0; i < rank; ++i) {
    int64_t dim = input.shape[i];
    if (ShapedType::isDynamic(sizes[i])) {
      if (offsets[i] != 0 || steps[i] != 1)
        return makeOpError(op, "dimension " + llvm::Twine(i) +
                                   " of dynamic size must be taken whole");
      shape[i] = dim;
      continue;
    }
    if (steps[i] < 1 || offsets[i] < 0 || sizes[i] < 0 ||
        (sizes[i] > 0 &&
         (offsets[i] >= dim || (dim - 1 - offsets[i]) / steps[i] < sizes[i] - 1)))
      return makeOpError(op, "slice of dimension " + llvm::Twine(i) +
                                 " (offset " + llvm::Twine(offsets[i]) +
                                 ", size " + llvm::Twine(sizes[i]) +
                                 ", stride " + llvm::Twine(steps[i]) +
                                 ") is out of bounds for input " +
                                 shapeString(input.shape));
    shape[i] = sizes[i];
    if (sizes[i] > 0)
      base += offsets[i] * inStrides[i];
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  Shape outStrides = rowMajorStrides(shape);
  llvm::SmallVector<LoopDim, 6> dims;
  for (size_t i = 0; i < rank; ++i)
    dims.push_back({shape[i],
                    ShapedType::isDynamic(sizes[i]) ? inStrides[i]
                                                    : inStrides[i] * steps[i],
                    outStrides[i]});
  stridedCopy(dims, input.data + base, mutableData(*result));
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalConcat(ops::ConcatOp op) {
  if (op.getInputs().empty())
    return makeOpError(op, "needs at least one input");
  const Buffer &first = get(op.getInputs().front());
  const size_t rank = first.shape.size();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0 || axis >= static_cast<int64_t>(rank))
    return makeOpError(op, "axis " + llvm::Twine(axis) +
                               " out of range for input " +
                               shapeString(first.shape));
  Shape shape = first.shape;
  shape[axis] = 0;
  for (auto [index, value] : llvm::enumerate(op.getInputs())) {
    const Buffer &in = get(value);
    bool ok = in.shape.size() == rank;
    for (size_t i = 0; ok && i < rank; ++i)
      if (static_cast<int64_t>(i) != axis && in.shape[i] != first.shape[i])
        ok = false;
    if (!ok)
      return makeOpError(op, "input " + llvm::Twine(index) + " " +
                                 shapeString(in.shape) +
                                 " does not match input 0 " +
                                 shapeString(first.shape) +
                                 " outside axis " + llvm::Twine(axis));
    shape[axis] += in.shape[axis];
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  Shape outStrides = rowMajorStrides(shape);
  int64_t offset = 0;
  for (Value value : op.getInputs()) {
    const Buffer &in = get(value);
    Shape inStrides = rowMajorStrides(in.shape);
    llvm::SmallVector<LoopDim, 6> dims;
    for (size_t i = 0; i < rank; ++i)
      dims.push_back({in.shape[i], inStrides[i], outStrides[i]});
    stridedCopy(dims, in.data, mutableData(*result) + offset * outStrides[axis]);
    offset += in.shape[axis];
  }
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalPad(ops::PadOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> low = op.getLow(), high = op.getHigh();
  const size_t rank = input.shape.size();
  if (low.size() != rank || high.size() != rank)
    return makeOpError(op, "needs one low and one high padding per dimension "
                           "of input " +
                               shapeString(input.shape));
  Shape shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (low[i] < 0 || high[i] < 0)
      return makeOpError(op, "padding must be non-negative");
    if (low[i] > kMaxElements || high[i] > kMaxElements)
      return makeOpError(op, "padding is too large");
    shape[i] = input.shape[i] + low[i] + high[i];
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  std::fill_n(out, result->numElements(), op.getValue().convertToFloat());
  Shape inStrides = rowMajorStrides(input.shape);
  Shape outStrides = rowMajorStrides(shape);
  int64_t base = 0;
  llvm::SmallVector<LoopDim, 6> dims;
  for (size_t i = 0; i < rank; ++i) {
    base += low[i] * outStrides[i];
    dims.push_back({input.shape[i], inStrides[i], outStrides[i]});
  }
  if (input.numElements() > 0)
    stridedCopy(dims, input.data, out + base);
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalBroadcast(ops::BroadcastOp op) {
  const Buffer &input = get(op.getInput());
  auto type = op.getResult().getType();
  Shape shape(type.getShape().begin(), type.getShape().end());
  for (int64_t &d : shape) {
    if (!ShapedType::isDynamic(d))
      continue;
    if (!batch)
      return makeOpError(op, "broadcasts along the batch, but the function has "
                             "no dynamic argument");
    d = op.getBatchMultiple() * *batch;
  }
  const size_t rank = shape.size(), offset = rank - input.shape.size();
  if (input.shape.size() > rank)
    return makeOpError(op, "input has a higher rank than the result");
  Shape inStrides = rowMajorStrides(input.shape);
  Shape outStrides = rowMajorStrides(shape);
  llvm::SmallVector<LoopDim, 6> dims;
  for (size_t i = 0; i < rank; ++i) {
    int64_t src = i < offset ? 1 : input.shape[i - offset];
    if (src != 1 && src != shape[i])
      return makeOpError(op, "input " + shapeString(input.shape) +
                                 " does not broadcast to " + shapeString(shape));
    int64_t srcStride = (i < offset || src == 1) ? 0 : inStrides[i - offset];
    dims.push_back({shape[i], srcStride, outStrides[i]});
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  stridedCopy(dims, input.data, mutableData(*result));
  return setResult(op, op.getResult(), std::move(*result));
}

//===----------------------------------------------------------------------===//
// Swin structure
//===----------------------------------------------------------------------===//

Error Interpreter::evalRoll(ops::RollOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> shifts = op.getShifts();
  const size_t rank = input.shape.size();
  if (shifts.size() != rank)
    return makeOpError(op, "needs one shift per dimension");
  Expected<Buffer> result = allocate(op, input.shape);
  if (!result)
    return result.takeError();
  if (input.numElements() == 0)
    return setResult(op, op.getResult(), std::move(*result));
  // Each rolled dimension splits into two contiguous pieces; copy every
  // combination of pieces as one strided box.
  Shape strides = rowMajorStrides(input.shape);
  Shape shift(rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t n = input.shape[d];
    shift[d] = ((shifts[d] % n) + n) % n;
  }
  float *out = mutableData(*result);
  for (uint64_t combo = 0; combo < (uint64_t(1) << rank); ++combo) {
    llvm::SmallVector<LoopDim, 6> dims;
    int64_t srcBase = 0, dstBase = 0;
    bool empty = false;
    for (size_t d = 0; d < rank; ++d) {
      int64_t n = input.shape[d], s = shift[d];
      bool second = combo >> d & 1;
      if (second && s == 0) {
        empty = true;
        break;
      }
      // Piece one: out[s, n) <- in[0, n - s); piece two: out[0, s) <- in[n - s, n).
      int64_t size = second ? s : n - s;
      srcBase += (second ? n - s : 0) * strides[d];
      dstBase += (second ? 0 : s) * strides[d];
      dims.push_back({size, strides[d], strides[d]});
    }
    if (!empty)
      stridedCopy(dims, input.data + srcBase, out + dstBase);
  }
  return setResult(op, op.getResult(), std::move(*result));
}

/// Copies between [B, nH, wh, nW, ww, C] (image order) and
/// [B, nH, nW, wh, ww, C] (window order).
static void copyWindows(const float *src, float *dst, int64_t batch, int64_t nH,
                        int64_t nW, int64_t wh, int64_t ww, int64_t c,
                        bool toWindows) {
  Shape image = rowMajorStrides({batch, nH, wh, nW, ww, c});
  Shape windows = rowMajorStrides({batch, nH, nW, wh, ww, c});
  // Loop in destination order.
  Shape imageInWindowOrder = {image[0], image[1], image[3], image[2], image[4], image[5]};
  Shape windowsInImageOrder = {windows[0], windows[1], windows[3], windows[2], windows[4],
                               windows[5]};
  Shape sizes = toWindows ? Shape{batch, nH, nW, wh, ww, c}
                          : Shape{batch, nH, wh, nW, ww, c};
  llvm::SmallVector<LoopDim, 6> dims;
  for (int i = 0; i < 6; ++i)
    dims.push_back({sizes[i], toWindows ? imageInWindowOrder[i] : windowsInImageOrder[i],
                    toWindows ? windows[i] : image[i]});
  stridedCopy(dims, src, dst);
}

Error Interpreter::evalWindowPartition(ops::WindowPartitionOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> window = op.getWindow();
  if (input.shape.size() != 4 || window.size() != 2 || window[0] < 1 || window[1] < 1 ||
      input.shape[1] % window[0] || input.shape[2] % window[1])
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " does not tile into the windows");
  int64_t batch = input.shape[0], nH = input.shape[1] / window[0],
          nW = input.shape[2] / window[1], c = input.shape[3];
  Expected<Buffer> result = allocate(op, {batch * nH * nW, window[0] * window[1], c});
  if (!result)
    return result.takeError();
  copyWindows(input.data, mutableData(*result), batch, nH, nW, window[0], window[1], c,
              /*toWindows=*/true);
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalWindowReverse(ops::WindowReverseOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> window = op.getWindow();
  auto type = op.getType();
  int64_t h = type.getDimSize(1), w = type.getDimSize(2), c = type.getDimSize(3);
  int64_t nH = h / window[0], nW = w / window[1];
  if (input.shape.size() != 3 || input.shape[0] % (nH * nW) ||
      input.shape[1] != window[0] * window[1] || input.shape[2] != c)
    return makeOpError(op, "input " + shapeString(input.shape) + " does not hold " +
                               std::to_string(nH * nW) + " windows per image");
  int64_t batch = input.shape[0] / (nH * nW);
  Expected<Buffer> result = allocate(op, {batch, h, w, c});
  if (!result)
    return result.takeError();
  copyWindows(input.data, mutableData(*result), batch, nH, nW, window[0], window[1], c,
              /*toWindows=*/false);
  return setResult(op, op.getResult(), std::move(*result));
}

/// Swin's 2x2 patch gather: dst [B, H/2, W/2, 4C] with channel block
/// k = 2q + p holding src[b, 2i + p, 2j + q, :].
static void gatherPatches(const float *src, float *dst, int64_t b, int64_t h, int64_t w,
                          int64_t c) {
  // dst as [B, H/2, W/2, q, p, C], read from src[b, 2i+p, 2j+q, c].
  Shape dstStrides = rowMajorStrides({b, h / 2, w / 2, 2, 2, c});
  Shape srcStrides = {h * w * c, 2 * w * c, 2 * c, c, w * c, 1};
  Shape sizes = {b, h / 2, w / 2, 2, 2, c};
  llvm::SmallVector<LoopDim, 6> dims;
  for (int i = 0; i < 6; ++i)
    dims.push_back({sizes[i], srcStrides[i], dstStrides[i]});
  stridedCopy(dims, src, dst);
}

Error Interpreter::evalPatchMerge(ops::PatchMergeOp op) {
  const Buffer &input = get(op.getInput());
  if (input.shape.size() != 4 || input.shape[1] % 2 || input.shape[2] % 2)
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " is not [B, H, W, C] with even H and W");
  const int64_t b = input.shape[0], h = input.shape[1], w = input.shape[2],
                c = input.shape[3];
  Expected<Buffer> result = allocate(op, {b, h / 2, w / 2, 4 * c});
  if (!result)
    return result.takeError();
  gatherPatches(input.data, mutableData(*result), b, h, w, c);
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalPatchMerging(ops::PatchMergingOp op) {
  const Buffer &input = get(op.getInput());
  const Buffer &gamma = get(op.getScale());
  const Buffer &beta = get(op.getBias());
  const Buffer &weight = get(op.getWeight());
  if (input.shape.size() != 4 || input.shape[1] % 2 || input.shape[2] % 2)
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " is not [B, H, W, C] with even H and W");
  const int64_t b = input.shape[0], h = input.shape[1], w = input.shape[2],
                c = input.shape[3], out = weight.shape[0];
  const int64_t rows = b * (h / 2) * (w / 2);
  if (!fitsBlas({rows, out, 4 * c}))
    return makeOpError(op, "matrices too large for BLAS");
  const bool normAfter = op.getNormAfterReduction();
  std::vector<float> merged(static_cast<size_t>(rows * 4 * c));
  gatherPatches(input.data, merged.data(), b, h, w, c);
  if (!normAfter)
    layerNormRows(merged.data(), merged.data(), rows, 4 * c, gamma.data, beta.data,
                  op.getEpsilon().convertToFloat());
  observeGemmInput(op, merged.data(), rows * 4 * c);
  if (std::optional<Type> quantType = op.getQuantType()) {
    const float scale = op.getQuantScale()->convertToFloat(), inverse = 1.0f / scale;
    const quant::QuantType kind = quantTypeOf(*quantType);
    for (float &v : merged)
      v = quant::quantizeValue(v, inverse, kind) * scale;
  }
  Expected<Buffer> result = allocate(op, {b, h / 2, w / 2, out});
  if (!result)
    return result.takeError();
  float *reduced = mutableData(*result);
  linearRows(merged.data(), rows, 4 * c, weight.data, out, nullptr, reduced);
  if (normAfter)
    layerNormRows(reduced, reduced, rows, out, gamma.data, beta.data,
                  op.getEpsilon().convertToFloat());
  return setResult(op, op.getResult(), std::move(*result));
}

/// Visits the tokens of every window in window order (image, window row,
/// window column, token row, token column) and passes the flat pixel index
/// [b, y, x] of the [B, H, W] image each one sits at once the windows are
/// merged back and rolled by (shiftY, shiftX).
template <typename Fn>
static void forEachWindowToken(int64_t b, int64_t h, int64_t w, int64_t wh, int64_t ww,
                               int64_t shiftY, int64_t shiftX, Fn fn) {
  auto wrap = [](int64_t v, int64_t n) { return ((v % n) + n) % n; };
  for (int64_t n = 0; n < b; ++n)
    for (int64_t wy = 0; wy < h / wh; ++wy)
      for (int64_t wx = 0; wx < w / ww; ++wx)
        for (int64_t i = 0; i < wh; ++i)
          for (int64_t j = 0; j < ww; ++j)
            fn((n * h + wrap(wy * wh + i + shiftY, h)) * w + wrap(wx * ww + j + shiftX, w));
}

Error Interpreter::evalNormPartition(ops::NormPartitionOp op) {
  const Buffer &input = get(op.getInput());
  llvm::ArrayRef<int64_t> window = op.getWindow(), shifts = op.getShifts();
  if (input.shape.size() != 4 || input.shape[1] % window[0] || input.shape[2] % window[1])
    return makeOpError(op, "input " + shapeString(input.shape) +
                               " does not tile into the windows");
  const int64_t b = input.shape[0], h = input.shape[1], w = input.shape[2],
                c = input.shape[3], wh = window[0], ww = window[1];
  std::vector<float> normed;
  const float *rows = input.data;
  if (op.hasNorm()) {
    normed.resize(static_cast<size_t>(b * h * w * c));
    layerNormRows(input.data, normed.data(), b * h * w, c, get(op.getScale()).data,
                  get(op.getBias()).data, op.getEpsilon()->convertToFloat());
    rows = normed.data();
  }
  Expected<Buffer> result = allocate(op, {b * (h / wh) * (w / ww), wh * ww, c});
  if (!result)
    return result.takeError();
  // roll(x, s) reads x[i - s]: window tokens come from the image rolled back.
  float *out = mutableData(*result);
  forEachWindowToken(b, h, w, wh, ww, -shifts[0], -shifts[1], [&](int64_t pixel) {
    std::memcpy(out, rows + pixel * c, c * sizeof(float));
    out += c;
  });
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalAttentionOutput(ops::AttentionOutputOp op) {
  const Buffer &a = get(op.getInput());
  const Buffer &weight = get(op.getWeight());
  const Buffer &bias = get(op.getBias());
  const Buffer &residual = get(op.getResidual());
  llvm::ArrayRef<int64_t> window = op.getWindow(), shifts = op.getShifts();
  if (residual.shape.size() != 4 || a.shape.size() != 3)
    return makeOpError(op, "expects windows and an NHWC residual");
  const int64_t b = residual.shape[0], h = residual.shape[1], w = residual.shape[2],
                c = residual.shape[3], wh = window[0], ww = window[1];
  const int64_t windows = a.shape[0], n = a.shape[1], ci = a.shape[2];
  if (windows != b * (h / wh) * (w / ww) || n != wh * ww || weight.shape[1] != ci)
    return makeOpError(op, "windows " + shapeString(a.shape) + " do not tile the residual " +
                               shapeString(residual.shape));
  if (!fitsBlas({windows * n, c, ci}))
    return makeOpError(op, "matrices too large for BLAS");
  observeGemmInput(op, a.data, a.numElements());
  // Projection of every window token.
  std::vector<float> projected(static_cast<size_t>(windows * n * c));
  linearRows(a.data, windows * n, ci, weight.data, c, bias.data, projected.data());
  if (op.hasPostNorm())
    layerNormRows(projected.data(), projected.data(), windows * n, c,
                  get(op.getNormScale()).data, get(op.getNormBias()).data,
                  op.getNormEpsilon()->convertToFloat());
  Expected<Buffer> result = allocate(op, residual.shape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  const float *src = projected.data();
  forEachWindowToken(b, h, w, wh, ww, shifts[0], shifts[1], [&](int64_t pixel) {
    for (int64_t k = 0; k < c; ++k)
      out[pixel * c + k] = residual.data[pixel * c + k] + src[k];
    src += c;
  });
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalResidualLinear(ops::ResidualLinearOp op) {
  const Buffer &input = get(op.getInput());
  const Buffer &weight = get(op.getWeight());
  const Buffer &bias = get(op.getBias());
  const Buffer &residual = get(op.getResidual());
  const int64_t n = weight.shape[0], k = weight.shape[1];
  if (input.shape.empty() || input.shape.back() != k || residual.numElements() % n)
    return makeOpError(op, "input " + shapeString(input.shape) + " does not match weight " +
                               shapeString(weight.shape));
  const int64_t m = residual.numElements() / n;
  if (m * k != input.numElements() || !fitsBlas({m, n, k}))
    return makeOpError(op, "input and residual disagree in rows");
  observeGemmInput(op, input.data, input.numElements());
  Expected<Buffer> result = allocate(op, residual.shape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  if (op.hasPostNorm()) {
    // residual + LN(linear): the linear's rows first, normalised in place.
    linearRows(input.data, m, k, weight.data, n, bias.data, out);
    layerNormRows(out, out, m, n, get(op.getNormScale()).data, get(op.getNormBias()).data,
                  op.getNormEpsilon()->convertToFloat());
    for (int64_t i = 0; i < m * n; ++i)
      out[i] += residual.data[i];
    return setResult(op, op.getResult(), std::move(*result));
  }
  for (int64_t r = 0; r < m; ++r)
    for (int64_t j = 0; j < n; ++j)
      out[r * n + j] = residual.data[r * n + j] + bias.data[j];
  gemm(true, m, n, k, input.data, k, weight.data, k, 1.0f, out, n);
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalPatchEmbed(ops::PatchEmbedOp op) {
  const Buffer &x = get(op.getInput());
  const Buffer &weight = get(op.getWeight());
  const Buffer &bias = get(op.getBias());
  const Buffer &gamma = get(op.getScale());
  const Buffer &beta = get(op.getShift());
  const int64_t b = x.shape[0], cin = x.shape[1], h = x.shape[2], w = x.shape[3];
  const int64_t c = weight.shape[0], ph = weight.shape[2], pw = weight.shape[3];
  if (weight.shape[1] != cin || h % ph || w % pw)
    return makeOpError(op, "input " + shapeString(x.shape) +
                               " does not tile into the weight's patches");
  const int64_t oh = h / ph, ow = w / pw, k = cin * ph * pw, rows = b * oh * ow;
  if (!fitsBlas({rows, c, k}))
    return makeOpError(op, "matrices too large for BLAS");
  // Each patch as a row of [Cin, p, p], then one GEMM with the OIHW weight.
  std::vector<float> patches(static_cast<size_t>(rows * k));
  float *dst = patches.data();
  for (int64_t n = 0; n < b; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo)
        for (int64_t ci = 0; ci < cin; ++ci)
          for (int64_t i = 0; i < ph; ++i, dst += pw)
            std::memcpy(dst, x.data + ((n * cin + ci) * h + y * ph + i) * w + xo * pw,
                        pw * sizeof(float));
  Expected<Buffer> result = allocate(op, {b, oh, ow, c});
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  linearRows(patches.data(), rows, k, weight.data, c, bias.data, out);
  layerNormRows(out, out, rows, c, gamma.data, beta.data, op.getEpsilon().convertToFloat());
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalClassifierHead(ops::ClassifierHeadOp op) {
  const Buffer &x = get(op.getInput());
  const Buffer &gamma = get(op.getScale());
  const Buffer &beta = get(op.getShift());
  const Buffer &weight = get(op.getWeight());
  const Buffer &bias = get(op.getBias());
  const int64_t b = x.shape.front(), c = x.shape.back(), classes = weight.shape[0];
  const int64_t tokens = b ? x.numElements() / (b * c) : 0;
  std::vector<float> normed(static_cast<size_t>(x.numElements()));
  layerNormRows(x.data, normed.data(), b * tokens, c, gamma.data, beta.data,
                op.getEpsilon().convertToFloat());
  std::vector<float> pooled(static_cast<size_t>(b * c));
  for (int64_t n = 0; n < b; ++n)
    for (int64_t ch = 0; ch < c; ++ch) {
      double sum = 0.0;
      for (int64_t t = 0; t < tokens; ++t)
        sum += normed[(n * tokens + t) * c + ch];
      pooled[n * c + ch] = static_cast<float>(sum / static_cast<double>(tokens));
    }
  Expected<Buffer> result = allocate(op, {b, classes});
  if (!result)
    return result.takeError();
  linearRows(pooled.data(), b, c, weight.data, classes, bias.data, mutableData(*result));
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalWindowAttention(ops::WindowAttentionOp op) {
  const Buffer &x = get(op.getInput());
  const Buffer &w = get(op.getQkvWeight());
  const Buffer &b = get(op.getQkvBias());
  const Buffer &position = get(op.getPositionBias());
  const Buffer *mask = op.getMask() ? &get(op.getMask()) : nullptr;
  if (x.shape.size() != 3 || w.shape.size() != 2 || w.shape[1] != x.shape[2])
    return makeOpError(op, "input " + shapeString(x.shape) + " does not match qkv_weight " +
                               shapeString(w.shape));
  const int64_t windows = x.shape[0], n = x.shape[1], c = x.shape[2];
  const int64_t inner = w.shape[0] / 3, heads = op.getNumHeads(), hd = inner / heads;
  const int64_t perImage = mask ? mask->shape[0] : 1;
  if (mask && windows % perImage)
    return makeOpError(op, std::to_string(windows) + " windows are not a whole number of "
                                                     "images of " +
                               std::to_string(perImage) + " windows");
  const float scale = op.getScale().convertToFloat();
  if (!fitsBlas({windows * n, 3 * inner, c}))
    return makeOpError(op, "matrices too large for BLAS");
  observeGemmInput(op, x.data, x.numElements());

  // qkv = x W^T + b for all windows at once: [windows * n, 3 * inner].
  std::vector<float> qkv(static_cast<size_t>(windows * n * 3 * inner));
  linearRows(x.data, windows * n, c, w.data, 3 * inner, b.data, qkv.data());
  if (options.observeAttentionOperand) {
    std::vector<float> part(static_cast<size_t>(windows * n * inner));
    for (int operand = 0; operand < 3; ++operand) {
      for (int64_t r = 0; r < windows * n; ++r)
        std::memcpy(part.data() + r * inner, qkv.data() + r * 3 * inner + operand * inner,
                    inner * sizeof(float));
      options.observeAttentionOperand(op, operand, part);
    }
  }
  if (std::optional<Type> quantType = op.getQkvQuantType()) {
    ArrayRef<float> scales = *op.getQkvQuantScales();
    const quant::QuantType kind = quantTypeOf(*quantType);
    for (int64_t r = 0; r < windows * n; ++r)
      for (int operand = 0; operand < 3; ++operand) {
        const float scale = scales[operand], inverse = 1.0f / scale;
        float *values = qkv.data() + r * 3 * inner + operand * inner;
        for (int64_t j = 0; j < inner; ++j)
          values[j] = quant::quantizeValue(values[j], inverse, kind) * scale;
      }
  }

  // Cosine attention: every q and k row of a head divided by its L2 norm
  // (floored at 1e-12), after any quantization (the kernel normalises what
  // it reads).
  std::optional<ArrayRef<float>> logitScales = op.getLogitScales();
  if (logitScales)
    for (int64_t r = 0; r < windows * n; ++r)
      for (int operand = 0; operand < 2; ++operand)
        for (int64_t h = 0; h < heads; ++h) {
          float *values = qkv.data() + r * 3 * inner + operand * inner + h * hd;
          double sumSquares = 0.0;
          for (int64_t d = 0; d < hd; ++d)
            sumSquares += double(values[d]) * values[d];
          const float norm = std::max(static_cast<float>(std::sqrt(sumSquares)), 1e-12f);
          for (int64_t d = 0; d < hd; ++d)
            values[d] /= norm;
        }

  Expected<Buffer> result = allocate(op, {windows, n, inner});
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  std::vector<float> q(n * hd), scores(n * n);
  const int64_t ld = 3 * inner;
  for (int64_t win = 0; win < windows; ++win) {
    const float *rows = qkv.data() + win * n * ld;
    for (int64_t h = 0; h < heads; ++h) {
      // Scaled q, then q k^T (k read strided from the qkv rows).
      const float headScale = logitScales ? (*logitScales)[h] : scale;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t d = 0; d < hd; ++d)
          q[i * hd + d] = rows[i * ld + h * hd + d] * headScale;
      gemm(true, n, n, hd, q.data(), hd, rows + inner + h * hd, ld, 0.0f, scores.data(), n);
      const float *bias = position.data + h * n * n;
      const float *m = mask ? mask->data + (win % perImage) * n * n : nullptr;
      for (int64_t i = 0; i < n; ++i) {
        float *row = scores.data() + i * n;
        float peak = -std::numeric_limits<float>::infinity();
        for (int64_t j = 0; j < n; ++j) {
          row[j] += bias[i * n + j] + (m ? m[i * n + j] : 0.0f);
          peak = std::max(peak, row[j]);
        }
        double sum = 0.0;
        for (int64_t j = 0; j < n; ++j) {
          row[j] = std::exp(row[j] - peak);
          sum += row[j];
        }
        const float inv = static_cast<float>(1.0 / sum);
        for (int64_t j = 0; j < n; ++j)
          row[j] *= inv;
      }
      // out[win, :, h*hd:(h+1)*hd] = a v.
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(n),
                  static_cast<blasint>(hd), static_cast<blasint>(n), 1.0f, scores.data(),
                  static_cast<blasint>(n), rows + 2 * inner + h * hd,
                  static_cast<blasint>(ld), 0.0f, out + win * n * inner + h * hd,
                  static_cast<blasint>(inner));
    }
  }
  return setResult(op, op.getResult(), std::move(*result));
}

//===----------------------------------------------------------------------===//
// Reductions and pooling
//===----------------------------------------------------------------------===//

Error Interpreter::evalReduce(Operation *op, ReduceKind kind,
                              llvm::ArrayRef<int64_t> axes, bool keepDims) {
  const Buffer &input = get(op->getOperand(0));
  const size_t rank = input.shape.size();
  if (axes.empty())
    return makeOpError(op, "needs at least one axis");
  llvm::SmallVector<bool, 6> reduced(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= static_cast<int64_t>(rank) ||
        reduced[axes[i]])
      return makeOpError(op, "axes must be unique and in range for input " +
                                 shapeString(input.shape));
    reduced[axes[i]] = true;
  }
  Shape shape, keptShape;
  int64_t reducedCount = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      reducedCount *= input.shape[i];
      if (keepDims)
        shape.push_back(1);
      keptShape.push_back(1);
    } else {
      shape.push_back(input.shape[i]);
      keptShape.push_back(input.shape[i]);
    }
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  const int64_t outCount = result->numElements();
  if (kind == ReduceKind::Max && reducedCount == 0 && outCount > 0)
    return makeOpError(op, "reduce_max over an empty dimension of input " +
                               shapeString(input.shape));

  // Loop over the input in row-major order; the output offset advances with
  // stride 0 along reduced dimensions.
  Shape inStrides = rowMajorStrides(input.shape);
  Shape keptStrides = broadcastStrides(keptShape, input.shape);
  llvm::SmallVector<LoopDim, 6> dims;
  for (size_t i = 0; i < rank; ++i)
    dims.push_back({input.shape[i], inStrides[i],
                    reduced[i] ? 0 : keptStrides[i]});
  bool empty = llvm::any_of(dims, [](const LoopDim &d) { return d.size == 0; });
  llvm::SmallVector<LoopDim, 6> loop = collapse(dims);

  if (kind == ReduceKind::Max) {
    std::fill_n(out, outCount, -std::numeric_limits<float>::infinity());
  } else {
    std::vector<double> acc(outCount, 0.0);
    if (!empty) {
      const LoopDim inner = loop.back();
      forEachInnerRun(loop, [&](int64_t inOff, int64_t outOff) {
        const float *x = input.data + inOff;
        double *a = acc.data() + outOff;
        if (inner.dstStride == 0) {
          double s = 0.0;
          if (kind == ReduceKind::L2)
            for (int64_t i = 0; i < inner.size; ++i)
              s += static_cast<double>(x[i * inner.srcStride]) *
                   x[i * inner.srcStride];
          else
            for (int64_t i = 0; i < inner.size; ++i)
              s += x[i * inner.srcStride];
          *a += s;
        } else if (kind == ReduceKind::L2) {
          for (int64_t i = 0; i < inner.size; ++i)
            a[i * inner.dstStride] +=
                static_cast<double>(x[i * inner.srcStride]) *
                x[i * inner.srcStride];
        } else {
          for (int64_t i = 0; i < inner.size; ++i)
            a[i * inner.dstStride] += x[i * inner.srcStride];
        }
      });
    }
    for (int64_t i = 0; i < outCount; ++i) {
      double v = acc[i];
      if (kind == ReduceKind::Mean)
        v = reducedCount ? v / static_cast<double>(reducedCount)
                         : std::numeric_limits<double>::quiet_NaN();
      else if (kind == ReduceKind::L2)
        v = std::sqrt(v);
      out[i] = static_cast<float>(v);
    }
    return setResult(op, op->getResult(0), std::move(*result));
  }

  // Max.
  if (!empty) {
    const LoopDim inner = loop.back();
    forEachInnerRun(loop, [&](int64_t inOff, int64_t outOff) {
      const float *x = input.data + inOff;
      float *o = out + outOff;
      if (inner.dstStride == 0) {
        float m = *o;
        for (int64_t i = 0; i < inner.size; ++i)
          m = nanMax(m, x[i * inner.srcStride]);
        *o = m;
      } else {
        for (int64_t i = 0; i < inner.size; ++i)
          o[i * inner.dstStride] =
              nanMax(o[i * inner.dstStride], x[i * inner.srcStride]);
      }
    });
  }
  return setResult(op, op->getResult(0), std::move(*result));
}

Error Interpreter::evalGlobalAvgPool(ops::GlobalAvgPoolOp op) {
  const Buffer &input = get(op.getInput());
  if (input.shape.size() < 3)
    return makeOpError(op, "expected an N x C x spatial... input, got " +
                               shapeString(input.shape));
  Shape shape = input.shape;
  int64_t spatial = 1;
  for (size_t i = 2; i < shape.size(); ++i) {
    spatial *= shape[i];
    shape[i] = 1;
  }
  Expected<Buffer> result = allocate(op, shape);
  if (!result)
    return result.takeError();
  float *out = mutableData(*result);
  const int64_t planes = shape[0] * shape[1];
  for (int64_t p = 0; p < planes; ++p) {
    const float *x = input.data + p * spatial;
    double s = 0.0;
    for (int64_t i = 0; i < spatial; ++i)
      s += x[i];
    out[p] = spatial ? static_cast<float>(s / static_cast<double>(spatial))
                     : std::numeric_limits<float>::quiet_NaN();
  }
  return setResult(op, op.getResult(), std::move(*result));
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Applies `fn(value, scale)` elementwise with the scale of each element's
/// index along `axis` (or the one scale).
template <typename Fn>
static void forEachScaled(const float *in, float *out, llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<float> scales, std::optional<int64_t> axis, Fn fn) {
  int64_t count = 1, inner = 1;
  for (int64_t d : shape)
    count *= d;
  if (!axis) {
    for (int64_t i = 0; i < count; ++i)
      out[i] = fn(in[i], scales[0]);
    return;
  }
  for (int64_t d = *axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  const int64_t channels = shape[*axis];
  for (int64_t i = 0; i < count; ++i)
    out[i] = fn(in[i], scales[(i / inner) % channels]);
}

Error Interpreter::evalQuantize(ops::QuantizeOp op) {
  const Buffer &input = get(op.getInput());
  Expected<Buffer> result = allocate(op, input.shape);
  if (!result)
    return result.takeError();
  const quant::QuantType type = quantTypeOf(op.getType().getElementType());
  forEachScaled(input.data, mutableData(*result), input.shape, op.getScales(), op.getAxis(),
                [&](float x, float scale) {
                  return quant::quantizeValue(x, 1.0f / scale, type);
                });
  return setResult(op, op.getResult(), std::move(*result));
}

Error Interpreter::evalDequantize(ops::DequantizeOp op) {
  const Buffer &input = get(op.getInput());
  Expected<Buffer> result = allocate(op, input.shape);
  if (!result)
    return result.takeError();
  forEachScaled(input.data, mutableData(*result), input.shape, op.getScales(), op.getAxis(),
                [](float q, float scale) { return q * scale; });
  return setResult(op, op.getResult(), std::move(*result));
}

} // namespace

Expected<std::vector<Tensor>> evaluate(func::FuncOp func, llvm::ArrayRef<Tensor> inputs,
                                       const EvaluateOptions &options) {
  Interpreter interpreter(func, options);
  return interpreter.run(inputs);
}

} // namespace swin
