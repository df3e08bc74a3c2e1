//===- CudaEmitter.cpp - swin module to CUDA C++ --------------------------===//
//
// One walk over the fused function turns each op into steps: kernel
// launches (templates from runtime/kernels, instantiated for the op's
// shapes) and GEMMs: cuBLASLt's (through swinrt::gemm), or, for int8 sites,
// libswinrt's gemm_s8 (through swinrt::gemmInt8). Activations become
// arena buffers with live ranges over the steps; the memory planner places
// them, and the arena offsets are substituted into the text last. Weights
// are converted to their storage type and packed, 256-byte aligned, into
// the weights file.
//
//===----------------------------------------------------------------------===//

#include "swin/Target/Cuda/CudaEmitter.h"
#include "swin/Dialect/Swin/IR/SwinDialect.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"
#include "swin/Target/Cuda/MemoryPlanner.h"

#include "swinrt/mlp_int8_layout.h"
#include "swinrt/block_int8_layout.h"
#include "swinrt/position_bias.h"
#include "swinrt/weights_format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cassert>
#include <climits>
#include <limits>
#include <map>
#include <set>
#include <cstring>

using namespace mlir;
using namespace ::swin::cuda;
namespace ops = mlir::swin;
using llvm::Twine;

namespace swin::cuda {
StringRef precisionName(Precision precision) {
  switch (precision) {
  case Precision::Fp32:
    return "fp32";
  case Precision::Tf32:
    return "tf32";
  case Precision::Fp16:
    return "fp16";
  case Precision::Bf16:
    return "bf16";
  case Precision::Fp8:
    return "fp8";
  case Precision::Int8:
    return "int8";
  }
  return "fp16";
}

bool parsePrecision(StringRef name, Precision &precision) {
  std::optional<Precision> parsed = llvm::StringSwitch<std::optional<Precision>>(name)
                                        .Case("fp32", Precision::Fp32)
                                        .Case("tf32", Precision::Tf32)
                                        .Case("fp16", Precision::Fp16)
                                        .Case("bf16", Precision::Bf16)
                                        .Case("fp8", Precision::Fp8)
                                        .Case("int8", Precision::Int8)
                                        .Default(std::nullopt);
  if (!parsed)
    return false;
  precision = *parsed;
  return true;
}
} // namespace swin::cuda

/// Opt-in dynamic shared memory per block of each supported target.
static std::optional<int64_t> sharedMemoryLimit(StringRef arch) {
  return llvm::StringSwitch<std::optional<int64_t>>(arch)
      .Case("sm_80", 166912)
      .Case("sm_86", 101376)
      .Case("sm_87", 166912)
      .Case("sm_89", 101376)
      .Case("sm_90", 232448)
      .Case("sm_100", 232448)
      .Case("sm_120", 101376)
      .Default(std::nullopt);
}

namespace swin::cuda {
llvm::Expected<std::vector<std::string>> parseArchList(StringRef list) {
  std::vector<std::string> archs;
  SmallVector<StringRef> parts;
  list.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef part : parts) {
    part = part.trim();
    if (!sharedMemoryLimit(part))
      return llvm::createStringError(
          "unsupported --arch '" + part.str() +
          "': expected a comma-separated list of sm_80, sm_86, sm_87, sm_89, sm_90, "
          "sm_100, sm_120");
    if (llvm::find(archs, part.str()) == archs.end())
      archs.push_back(part.str());
  }
  if (archs.empty())
    return llvm::createStringError("--arch names no target");
  return archs;
}
} // namespace swin::cuda

//===----------------------------------------------------------------------===//
// Number formats
//===----------------------------------------------------------------------===//

static uint16_t floatToHalfBits(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  uint32_t sign = (x >> 16) & 0x8000u, mantissa = x & 0x7fffffu;
  int exponent = static_cast<int>((x >> 23) & 0xffu);
  if (exponent == 0xff)
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
  int e = exponent - 127 + 15;
  if (e >= 31)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) { // subnormal half (or zero)
    if (e < -10)
      return static_cast<uint16_t>(sign);
    mantissa |= 0x800000u;
    int shift = 14 - e;
    uint32_t half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u)))
      ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half; // a carry into the exponent is the right rounding
  return static_cast<uint16_t>(sign | half);
}

static uint16_t floatToBf16Bits(float value) {
  uint32_t x;
  std::memcpy(&x, &value, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x40u); // quiet NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

namespace swin::cuda::detail {
uint16_t halfBits(float value) { return floatToHalfBits(value); }
uint16_t bf16Bits(float value) { return floatToBf16Bits(value); }
} // namespace swin::cuda::detail

namespace swin::cuda {
llvm::Expected<MaskGroups> deriveMaskGroups(llvm::ArrayRef<float> mask, int64_t windows,
                                            int64_t n) {
  if (windows < 1 || n < 1 || static_cast<int64_t>(mask.size()) != windows * n * n)
    return llvm::createStringError("attention mask of " + Twine(mask.size()) +
                                   " values is not [" + Twine(windows) + ", " + Twine(n) +
                                   ", " + Twine(n) + "]");
  auto unsupported = [&](int64_t w, const Twine &why) {
    return llvm::createStringError(
        "the CUDA backend supports shifted-window masks (0 within groups of tokens, one "
        "negative constant across them); window " +
        Twine(w) + " " + why);
  };
  // Token i's group is led by the first token it may attend to; the mask
  // must then be exactly `value` across groups and 0 within.
  MaskGroups result;
  result.groups.resize(windows * n);
  std::optional<float> value;
  for (int64_t w = 0; w < windows; ++w) {
    const float *m = mask.data() + w * n * n;
    std::vector<int64_t> leader(n);
    llvm::SmallVector<int64_t> leaders;
    for (int64_t i = 0; i < n; ++i) {
      int64_t j = 0;
      while (j < n && m[i * n + j] != 0.0f)
        ++j;
      if (j == n)
        return unsupported(w, "masks every key of token " + Twine(i));
      leader[i] = j;
      auto *found = llvm::find(leaders, j);
      if (found == leaders.end()) {
        if (leaders.size() == 255)
          return unsupported(w, "has more than 255 groups");
        leaders.push_back(j);
        found = leaders.end() - 1;
      }
      result.groups[w * n + i] = static_cast<uint8_t>(found - leaders.begin());
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float v = m[i * n + j];
        bool same = leader[i] == leader[j];
        if (same ? v != 0.0f : (value ? v != *value : !(v < 0.0f)))
          return unsupported(w, "is not of that form at (" + Twine(i) + ", " + Twine(j) +
                                    ")");
        if (!same)
          value = v;
      }
  }
  result.value = value.value_or(0.0f);
  return result;
}

CompactPositionBias compactPositionBias(llvm::ArrayRef<float> bias, int64_t heads, int64_t n) {
  assert(static_cast<int64_t>(bias.size()) == heads * n * n && "bias is [heads, n, n]");
  // A class is one distinct column of per-head values, compared bit for
  // bit, numbered in order of first appearance (so blocks of one window
  // geometry share their index).
  CompactPositionBias result;
  result.index.resize(n * n);
  std::map<std::vector<uint32_t>, uint32_t> classOf;
  std::vector<uint32_t> column(heads);
  for (int64_t p = 0; p < n * n; ++p) {
    for (int64_t h = 0; h < heads; ++h)
      column[h] = llvm::bit_cast<uint32_t>(bias[h * n * n + p]);
    result.index[p] =
        classOf.try_emplace(column, static_cast<uint32_t>(classOf.size())).first->second;
  }
  result.classes = static_cast<int64_t>(classOf.size());
  result.table.resize(heads * result.classes);
  for (const auto &[values, c] : classOf)
    for (int64_t h = 0; h < heads; ++h)
      result.table[h * result.classes + c] = llvm::bit_cast<float>(values[h]);
  return result;
}
} // namespace swin::cuda

/// A float as a C++ literal that reads back to the same float.
static std::string floatLiteral(float value) {
  std::string text = llvm::formatv("{0}", llvm::format("%.9g", value)).str();
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  return text + "f";
}

//===----------------------------------------------------------------------===//
// Emitter
//===----------------------------------------------------------------------===//

namespace {

enum Layer {
  kPatchEmbed,
  kNormPartition,
  kAttention,
  kProjection,
  kMlpFc1,
  kMlpFc2,
  kMerging,
  kHead,
  kOther
};

const char *layerConstant(Layer layer) {
  static const char *const names[] = {
      "SWINRT_LAYER_PATCH_EMBED", "SWINRT_LAYER_NORM_PARTITION", "SWINRT_LAYER_ATTENTION",
      "SWINRT_LAYER_PROJECTION",  "SWINRT_LAYER_MLP_FC1",        "SWINRT_LAYER_MLP_FC2",
      "SWINRT_LAYER_MERGING",     "SWINRT_LAYER_HEAD",           "SWINRT_LAYER_OTHER"};
  return names[layer];
}

struct Buffer {
  std::string what;
  int64_t bytesPerImage;
  int firstStep = INT_MAX;
  int lastStep = -1;
};

enum class WeightKind { Storage, Float };

/// The ONNX node a location names (a NameLoc, or the first inside a fused
/// location), or "" where it names none.
static std::string nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string name = nodeName(inner); !name.empty())
        return name;
  return "";
}

/// The ONNX node an op came from, else the op's name.
static std::string locationName(Operation *op) {
  std::string name = nodeName(op->getLoc());
  return name.empty() ? op->getName().getStringRef().str() : name;
}

class Emitter {
public:
  Emitter(ModuleOp module, const EmitOptions &options) : module(module), options(options) {
    switch (options.precision) {
    case Precision::Fp32:
    case Precision::Tf32:
      storageType = "float";
      storageBytes = 4;
      break;
    case Precision::Fp16:
    case Precision::Fp8:
    case Precision::Int8:
      storageType = "__half";
      storageBytes = 2;
      break;
    case Precision::Bf16:
      storageType = "__nv_bfloat16";
      storageBytes = 2;
      break;
    }
    exactGelu = options.exactGelu || options.precision == Precision::Fp32 ||
                options.precision == Precision::Tf32;
  }

  llvm::Expected<CudaModel> run();

private:
  // Analysis helpers.
  llvm::Error opError(Operation *op, const Twine &message);
  int64_t rowsPerImage(Value value);
  int64_t channels(Value value) {
    return cast<RankedTensorType>(value.getType()).getShape().back();
  }
  /// The buffer holding `value`, created on first sight.
  int bufferFor(Value value, StringRef what);
  int scratch(StringRef what, int64_t bytesPerImage);
  /// Lets `result` reuse the buffer of `operand` when `op` is the operand's
  /// last reader (in-place residual updates: cuBLASLt allows C == D, and the
  /// residual kernels read each row before writing it).
  int bufferInPlace(Value result, Value operand, Operation *op, StringRef what);
  void define(int buffer) {
    buffers[buffer].firstStep = std::min(buffers[buffer].firstStep, step);
    buffers[buffer].lastStep = std::max(buffers[buffer].lastStep, step);
  }
  void use(int buffer) { buffers[buffer].lastStep = std::max(buffers[buffer].lastStep, step); }
  std::string ref(int buffer) { return "$buf" + std::to_string(buffer) + "$"; }
  /// The values of `value`, or `notConstant` as the error where it is not
  /// a constant.
  llvm::Expected<std::vector<float>> constantOperand(Operation *user, Value value,
                                                     StringRef notConstant);
  /// Appends `bytes` to the weights payload at the next aligned offset, as
  /// the section `name` of the weights file.
  uint64_t appendPayload(const void *data, size_t bytes, const llvm::Twine &name);
  /// The section name of the weight `value`: the ONNX node its constant
  /// came from, else the op being lowered.
  std::string constantName(Value value) {
    if (auto dequantize = value.getDefiningOp<ops::DequantizeOp>())
      value = dequantize.getInput();
    std::string name = value.getDefiningOp() ? nodeName(value.getDefiningOp()->getLoc()) : "";
    return name.empty() ? loweringName + " weight" : name;
  }
  /// appendPayload of a table the op being lowered needs: named after it.
  uint64_t appendOpTable(const void *data, size_t bytes, StringRef what) {
    return appendPayload(data, bytes, llvm::Twine(loweringName) + " " + what);
  }
  /// Appends float values in the weight's form (float, or the storage type).
  uint64_t appendWeightValues(ArrayRef<float> values, WeightKind kind, const llvm::Twine &name);
  llvm::Expected<uint64_t> weight(Operation *user, Value value, WeightKind kind);
  /// The bytes of a quantized weight (a dequantize of an 8-bit constant).
  llvm::Expected<std::vector<char>> quantizedWeightBytes(Operation *user,
                                                         ops::DequantizeOp dequantize);

  // Quantize points. A producer whose only user is a quantize point writes
  // the 8-bit tensor itself; the dequantize that follows becomes the scale
  // of the GEMM that reads it.
  struct Output {
    int buffer;
    bool quantized;
    float inverseScale; // 1 / scale, what the kernels multiply by
    std::string pointer() const {
      return (quantized ? "q8($buf" : "act($buf") + std::to_string(buffer) + "$)";
    }
    std::string type() const { return quantized ? "Q" : "T"; }
  };
  /// Where a producer writes `result`: its own buffer in T, or, when it
  /// can quantize and its only user is a fusable quantize point, that
  /// point's 8-bit buffer (the point is then lowered with the producer).
  llvm::Expected<Output> outputFor(Value result, StringRef what, bool canQuantize);
  /// A GEMM's x: its buffer, and its scale when the GEMM reads it quantized.
  struct GemmInput {
    int buffer;
    std::optional<float> scale;
  };
  GemmInput gemmInput(Value x) {
    auto it = activationScale.find(x);
    return {valueBuffer.lookup(x), it == activationScale.end()
                                       ? std::nullopt
                                       : std::optional<float>(it->second)};
  }
  /// A GEMM's w: its offset, and its scales when it is a quantized
  /// constant (one for E4M3, one per output channel for int8).
  struct GemmWeight {
    uint64_t offset;
    std::vector<float> scales; // empty for a float weight
  };
  llvm::Expected<GemmWeight> gemmWeight(Operation *user, Value value, bool quantizedInput);
  /// The scale block of an E4M3 GEMM (swinrt::GemmScales).
  uint64_t gemmScales(float weightScale, float inputScale, float outputInverse);
  /// The 8-bit element type of the precision's quantize points.
  bool isQuantType(Type type) const {
    return options.precision == Precision::Int8 ? type.isInteger(8) : type.isFloat8E4M3FN();
  }
  StringRef quantTypeName() const {
    return options.precision == Precision::Int8 ? "int8" : "E4M3";
  }
  /// The per-tensor scale of a quantize point the kernels can write.
  std::optional<float> pointScale(ops::QuantizeOp point) const;
  llvm::Error lowerDequantize(ops::DequantizeOp op);
  llvm::Error lowerQuantize(ops::QuantizeOp op);
  /// Packs a shifted-window mask as one group id per (window, token); the
  /// kernels add `value` where the query's and key's groups differ.
  struct PackedMask {
    uint64_t offset;
    float value;
  };
  llvm::Expected<PackedMask> maskGroups(Operation *user, Value mask);
  /// Stores the position bias [heads, n, n] compactly and schedules its
  /// expansion into window_attention_mma's fragment order (position_bias.h);
  /// returns the tiles' offset in the derived region (after kDerived).
  llvm::Expected<uint64_t> tiledPositionBias(Operation *user, Value bias);
  std::string wf(uint64_t offset) { return "wf(W + " + std::to_string(offset) + ")"; }

  // Emission helpers: each call is one step.
  void mark(Layer layer) {
    if (layer != currentLayer)
      body << "  swinrt::markLayer(ex, " << layerConstant(layer) << ");\n";
    currentLayer = layer;
  }
  void launch(StringRef kernel, StringRef templateArgs, StringRef grid, int block,
              int64_t sharedBytes, ArrayRef<std::string> args);
  /// A quantized `x` (and `w`) makes it an 8-bit GEMM (E4M3 or int8, as the
  /// precision says); `outputInverseScale` makes it write 8 bits.
  void gemm(StringRef name, int64_t rowsPerImage, int64_t n, int64_t k, StringRef epilogue,
            GemmInput x, GemmWeight w, std::optional<uint64_t> bias,
            std::optional<int> residual, int out,
            std::optional<float> outputInverseScale = std::nullopt);
  std::string rowsGrid(int64_t rowsPerImage) {
    return "(batch * " + std::to_string(rowsPerImage) + " + 7) / 8";
  }
  std::string rows(int64_t rowsPerImage) { return "batch * " + std::to_string(rowsPerImage); }
  /// "T, a, b, ..." template arguments.
  static std::string withT(ArrayRef<int64_t> values) {
    std::string text = "T";
    for (int64_t v : values)
      text += ", " + std::to_string(v);
    return text;
  }
  /// "T, TO, a, b, ..." for kernels with an output type.
  static std::string withTO(StringRef outputType, ArrayRef<int64_t> values) {
    return "T, " + outputType.str() + withT(values).substr(1);
  }
  /// "H, W, WH, WW, SH, SW": the window kernels' geometry arguments.
  static std::string windowGeometry(int64_t h, int64_t w, ArrayRef<int64_t> window,
                                    ArrayRef<int64_t> shifts) {
    return withT({h, w, window[0], window[1], shifts[0], shifts[1]}).substr(3);
  }
  void comment(Operation *op);

  llvm::Error lowerPatchEmbed(ops::PatchEmbedOp op);
  llvm::Error lowerNormPartition(ops::NormPartitionOp op);
  llvm::Error lowerWindowAttention(ops::WindowAttentionOp op);
  llvm::Error lowerAttentionOutput(ops::AttentionOutputOp op);
  llvm::Error lowerLayerNorm(ops::LayerNormOp op);
  llvm::Error lowerLinear(ops::LinearOp op);
  llvm::Error lowerResidualLinear(ops::ResidualLinearOp op);
  /// The fc2 that `fc1`'s int8 output feeds, when the two may run as one
  /// kernel (mlp_int8.cuh's contract), else null.
  ops::ResidualLinearOp fusableMlpPartner(ops::LinearOp fc1);
  /// alpha[c] = sx * sw[c] in the payload, appended once per weight and
  /// input scale (a fused MLP and its two-GEMM fallback share them).
  uint64_t int8Alpha(const GemmInput &x, const GemmWeight &w);
  /// fc2's int8 weight with its columns in mlpHiddenOrder, appended.
  llvm::Expected<uint64_t> permutedMlpWeight(ops::ResidualLinearOp fc2);
  /// The window attention whose QKV GEMM reads `op`'s int8 output and may
  /// run fused with it (norm_qkv_int8.cuh's contract), else null.
  ops::WindowAttentionOp fusableQkvPartner(ops::NormPartitionOp op);
  llvm::Error lowerPatchMerging(ops::PatchMergingOp op);
  llvm::Error lowerClassifierHead(ops::ClassifierHeadOp op);

  std::string assemble(const MemoryPlan &plan, uint64_t payloadChecksum,
                       uint64_t modelHash);

  ModuleOp module;
  EmitOptions options;
  std::string storageType;
  int storageBytes = 4;
  bool exactGelu = false;

  func::FuncOp func;
  int64_t maxBatch = 1;
  int64_t inChannels = 0, inHeight = 0, inWidth = 0, numClasses = 0;
  Value input;
  int step = 1; // step 0 is the prologue
  Layer currentLayer = kOther;

  llvm::DenseMap<Value, int64_t> batchMultiple;
  llvm::DenseMap<Value, int> valueBuffer;
  llvm::DenseMap<Value, float> activationScale; // dequantized 8-bit activations
  llvm::DenseSet<Operation *> fusedAway; // lowered as part of an earlier op
  std::vector<Buffer> buffers;
  std::vector<char> payload;
  std::vector<swinw_section> sections; // one per appendPayload, in offset order
  std::string loweringName;            // the op being lowered, for section names
  llvm::DenseMap<std::pair<Value, int>, uint64_t> weightOffsets;
  // Weights the engine derives on the device at load time (expandWeights),
  // placed after the payload: their size and the launches that fill them.
  uint64_t derivedBytes = 0;
  std::string expandText;
  std::map<std::vector<uint32_t>, uint64_t> positionIndexOffsets; // shared indices
  std::vector<std::string> gemmRows;
  unsigned int8GemmCount = 0; // sites on libswinrt's int8 GEMM
  std::set<Int8GemmClass> int8GemmClasses;
  /// fc1 of an int8 MLP that may run fused, keyed by its fc2: what the
  /// fused launch (emitted with fc2) needs from fc1.
  struct FusableMlp {
    int x;
    uint64_t w1, alpha1, bias1;
    std::string activation; // swinrt::Int8Activation constant
    float hiddenInverse;
  };
  llvm::DenseMap<Operation *, FusableMlp> fusableMlps;
  std::map<std::pair<uint64_t, float>, uint64_t> int8Alphas; // (weight, input scale)
  bool emitsFusedMlp = false;
  /// A norm_partition that may run fused with its attention's int8 QKV
  /// GEMM, keyed by the attention: what the fused launch needs from it.
  struct FusableQkv {
    int in;
    uint64_t gamma, beta;
    float eps, inputInverse;
    std::string geometry; // "H, W, WH, WW, SH, SW"
  };
  llvm::DenseMap<Operation *, FusableQkv> fusableQkvs;
  bool emitsFusedQkv = false;
  bool emitsFusedProj = false;
  llvm::SetVector<std::string, std::vector<std::string>, std::set<std::string>>
      initLines; // once per kernel instantiation
  std::string prologueText, epilogueText;
  std::string bodyText;
  llvm::raw_string_ostream body{bodyText};
  unsigned numKernels = 0;
  double flopsPerImage = 0;
};

} // namespace

llvm::Error Emitter::opError(Operation *op, const Twine &message) {
  std::string where;
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    where = " (ONNX node '" + name.getName().str() + "')";
  return llvm::createStringError("'" + op->getName().getStringRef().str() + "'" + where +
                                 ": " + message.str());
}

int64_t Emitter::rowsPerImage(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rows = batchMultiple.lookup(value);
  for (int64_t d : type.getShape().drop_front().drop_back())
    rows *= d;
  return rows;
}

int Emitter::bufferFor(Value value, StringRef what) {
  auto it = valueBuffer.find(value);
  if (it != valueBuffer.end())
    return it->second;
  int id = scratch(what, rowsPerImage(value) * channels(value) * storageBytes);
  valueBuffer[value] = id;
  return id;
}

int Emitter::bufferInPlace(Value result, Value operand, Operation *op, StringRef what) {
  bool lastUse = llvm::all_of(operand.getUsers(), [&](Operation *user) {
    return user == op || user->isBeforeInBlock(op);
  });
  if (!lastUse || operand == input || result.getType() != operand.getType())
    return bufferFor(result, what);
  int id = valueBuffer.lookup(operand);
  valueBuffer[result] = id;
  return id;
}

int Emitter::scratch(StringRef what, int64_t bytesPerImage) {
  buffers.push_back(Buffer{what.str(), bytesPerImage});
  return static_cast<int>(buffers.size()) - 1;
}

/// A constant's elements as bytes: `elementBytes` each, splats expanded.
static llvm::Expected<std::vector<char>> constantBytes(ops::ConstantOp constant,
                                                       size_t elementBytes) {
  auto type = cast<RankedTensorType>(constant.getValue().getType());
  size_t bytes = type.getNumElements() * elementBytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()); dense && dense.isSplat()) {
    ArrayRef<char> one = dense.getRawData();
    if (one.size() != elementBytes)
      return llvm::createStringError("constant data has the wrong size");
    std::vector<char> data;
    data.reserve(bytes);
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      data.insert(data.end(), one.begin(), one.end());
    return data;
  }
  std::optional<ArrayRef<char>> raw = constant.getRawData();
  if (!raw)
    return llvm::createStringError("unsupported constant attribute kind");
  if (raw->size() != bytes)
    return llvm::createStringError("constant data has the wrong size");
  return std::vector<char>(raw->begin(), raw->end());
}

/// Reads a constant's values as floats.
static llvm::Expected<std::vector<float>> constantValues(ops::ConstantOp constant) {
  auto type = cast<RankedTensorType>(constant.getValue().getType());
  if (!type.getElementType().isF32())
    return llvm::createStringError("weights must be f32 constants");
  auto bytes = constantBytes(constant, sizeof(float));
  if (!bytes)
    return bytes.takeError();
  std::vector<float> values(type.getNumElements());
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

/// The quantize point `result` flows into when that is its only use.
static ops::QuantizeOp soleQuantizeUser(Value result) {
  if (!result.hasOneUse())
    return nullptr;
  return dyn_cast<ops::QuantizeOp>(*result.getUsers().begin());
}

/// A per-tensor scale, or none for per-channel scales.
static std::optional<float> tensorScale(ArrayRef<float> scales,
                                        std::optional<uint64_t> axis) {
  if (axis || scales.size() != 1)
    return std::nullopt;
  return scales.front();
}

static std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

std::optional<float> Emitter::pointScale(ops::QuantizeOp point) const {
  if (!isQuantType(cast<RankedTensorType>(point.getType()).getElementType()))
    return std::nullopt;
  return tensorScale(point.getScales(), point.getAxis());
}

uint64_t Emitter::appendWeightValues(ArrayRef<float> values, WeightKind kind,
                                     const llvm::Twine &name) {
  if (kind == WeightKind::Float || storageBytes == 4)
    return appendPayload(values.data(), values.size() * sizeof(float), name);
  bool bf16 = options.precision == Precision::Bf16;
  std::vector<uint16_t> bits(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    bits[i] = bf16 ? floatToBf16Bits(values[i]) : floatToHalfBits(values[i]);
  return appendPayload(bits.data(), bits.size() * sizeof(uint16_t), name);
}

llvm::Expected<uint64_t> Emitter::weight(Operation *user, Value value, WeightKind kind) {
  auto key = std::make_pair(value, static_cast<int>(kind));
  auto it = weightOffsets.find(key);
  if (it != weightOffsets.end())
    return it->second;
  // A quantized weight keeps its bytes.
  if (auto dequantize = value.getDefiningOp<ops::DequantizeOp>()) {
    auto bytes = quantizedWeightBytes(user, dequantize);
    if (!bytes)
      return bytes.takeError();
    return weightOffsets[key] =
               appendPayload(bytes->data(), bytes->size(), constantName(value));
  }
  auto values = constantOperand(
      user, value, "the CUDA backend needs this operand to be a constant (a weight)");
  if (!values)
    return values.takeError();
  uint64_t offset = appendWeightValues(*values, kind, constantName(value));
  weightOffsets[key] = offset;
  return offset;
}

llvm::Expected<std::vector<char>>
Emitter::quantizedWeightBytes(Operation *user, ops::DequantizeOp dequantize) {
  auto constant = dequantize.getInput().getDefiningOp<ops::ConstantOp>();
  if (!constant)
    return opError(user, "the CUDA backend needs this operand to be a constant (a weight)");
  auto bytes = constantBytes(constant, 1);
  if (!bytes)
    return opError(user, llvm::toString(bytes.takeError()));
  return std::move(*bytes);
}

llvm::Expected<std::vector<float>> Emitter::constantOperand(Operation *user, Value value,
                                                            StringRef notConstant) {
  auto constant = value.getDefiningOp<ops::ConstantOp>();
  if (!constant)
    return opError(user, notConstant);
  auto values = constantValues(constant);
  if (!values)
    return opError(user, llvm::toString(values.takeError()));
  return values;
}

llvm::Expected<Emitter::Output> Emitter::outputFor(Value result, StringRef what,
                                                   bool canQuantize) {
  ops::QuantizeOp point = soleQuantizeUser(result);
  if (!canQuantize || !point)
    return Output{bufferFor(result, what), false, 1.0f};
  std::optional<float> scale = pointScale(point);
  if (!scale)
    return Output{bufferFor(result, what), false, 1.0f}; // lowered on its own
  fusedAway.insert(point);
  batchMultiple[point.getResult()] = batchMultiple.lookup(result);
  int id = scratch((what + " (" + quantTypeName() + ")").str(),
                   rowsPerImage(result) * channels(result));
  valueBuffer[point.getResult()] = id;
  return Output{id, true, 1.0f / *scale};
}

llvm::Expected<Emitter::GemmWeight> Emitter::gemmWeight(Operation *user, Value value,
                                                        bool quantizedInput) {
  std::vector<float> scales;
  if (auto dequantize = value.getDefiningOp<ops::DequantizeOp>()) {
    Type element = cast<RankedTensorType>(dequantize.getInput().getType()).getElementType();
    int64_t outChannels = cast<RankedTensorType>(value.getType()).getDimSize(0);
    ArrayRef<float> given = dequantize.getScales();
    bool perTensor = tensorScale(given, dequantize.getAxis()).has_value();
    bool perChannel = dequantize.getAxis() == 0u &&
                      static_cast<int64_t>(given.size()) == outChannels;
    if (!isQuantType(element))
      return opError(user, "has a weight quantized to " + typeName(element) +
                               "; precision " + precisionName(options.precision) +
                               " compiles " + quantTypeName() + " weights");
    if (options.precision == Precision::Fp8 && !perTensor)
      return opError(user, "has an E4M3 weight with per-channel scales; cuBLASLt's E4M3 "
                           "GEMMs on sm_90 take one weight scale");
    if (options.precision == Precision::Int8 && !perTensor && !perChannel)
      return opError(user, "has an int8 weight scaled along an axis other than its output "
                           "channels");
    scales.assign(given.begin(), given.end());
    if (perTensor)
      scales.assign(options.precision == Precision::Int8 ? outChannels : 1, given.front());
  }
  if (!scales.empty() != quantizedInput)
    return opError(user, quantizedInput
                             ? "reads a quantized input with a float weight; the CUDA backend "
                               "quantizes both operands of a GEMM or neither"
                             : "reads a float input with a quantized weight; the CUDA backend "
                               "quantizes both operands of a GEMM or neither");
  auto offset = weight(user, value, WeightKind::Storage);
  if (!offset)
    return offset.takeError();
  return GemmWeight{*offset, std::move(scales)};
}

uint64_t Emitter::gemmScales(float weightScale, float inputScale, float outputInverse) {
  // swinrt::GemmScales: three floats, each at the start of 16 bytes.
  float block[12] = {weightScale, 0, 0, 0, inputScale, 0, 0, 0, outputInverse, 0, 0, 0};
  return appendOpTable(block, sizeof(block), "fp8 scales");
}

llvm::Error Emitter::lowerDequantize(ops::DequantizeOp op) {
  if (op.getInput().getDefiningOp<ops::ConstantOp>())
    return llvm::Error::success(); // a weight: read by its GEMM
  std::optional<float> scale = tensorScale(op.getScales(), op.getAxis());
  if (!scale)
    return opError(op, "the CUDA backend dequantizes activations per tensor only");
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  valueBuffer[op.getResult()] = valueBuffer.lookup(op.getInput());
  activationScale[op.getResult()] = *scale;
  return llvm::Error::success();
}

llvm::Error Emitter::lowerQuantize(ops::QuantizeOp op) {
  std::optional<float> scale = pointScale(op);
  if (!scale)
    return opError(op, "precision " + precisionName(options.precision) +
                           " quantizes activations per tensor to " + quantTypeName() +
                           " only");
  if (activationScale.count(op.getInput()))
    return opError(op, "quantizes a dequantized tensor");
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  comment(op);
  int in = valueBuffer.lookup(op.getInput());
  int out = scratch(("quantized (" + quantTypeName() + ")").str(),
                    rowsPerImage(op.getResult()) * channels(op.getResult()));
  valueBuffer[op.getResult()] = out;
  use(in);
  define(out);
  std::string count = "(size_t)batch * " +
                      std::to_string(rowsPerImage(op.getResult()) * channels(op.getResult()));
  launch("quantize_elements", "T, Q", "(" + count + " + 255) / 256", 256, 0,
         {"act(" + ref(in) + ")", "q8(" + ref(out) + ")", floatLiteral(1.0f / *scale), count});
  return llvm::Error::success();
}

uint64_t Emitter::appendPayload(const void *data, size_t bytes, const llvm::Twine &name) {
  uint64_t offset = alignTo(payload.size(), SWINW_ALIGNMENT);
  payload.resize(offset);
  const char *begin = static_cast<const char *>(data);
  payload.insert(payload.end(), begin, begin + bytes);
  swinw_section section{};
  std::string text = name.str();
  // Too long a name keeps its end: the layer and the tensor's role.
  StringRef kept = StringRef(text).take_back(SWINW_SECTION_NAME_BYTES - 1);
  std::memcpy(section.name, kept.data(), kept.size());
  section.offset = offset;
  section.bytes = bytes;
  section.checksum = swinw_checksum(begin, bytes);
  sections.push_back(section);
  return offset;
}

llvm::Expected<Emitter::PackedMask> Emitter::maskGroups(Operation *user, Value mask) {
  auto type = cast<RankedTensorType>(mask.getType());
  auto values = constantOperand(
      user, mask, "the CUDA backend needs the attention mask to be a constant");
  if (!values)
    return values.takeError();
  auto derived = deriveMaskGroups(*values, type.getDimSize(0), type.getDimSize(1));
  if (!derived)
    return opError(user, llvm::toString(derived.takeError()));
  return PackedMask{appendOpTable(derived->groups.data(), derived->groups.size(), "mask groups"),
                    derived->value};
}

llvm::Expected<uint64_t> Emitter::tiledPositionBias(Operation *user, Value bias) {
  auto type = cast<RankedTensorType>(bias.getType());
  int64_t heads = type.getDimSize(0), n = type.getDimSize(1);
  auto values = constantOperand(
      user, bias, "the CUDA backend needs the position bias to be a constant");
  if (!values)
    return values.takeError();
  // The file keeps the compact form; the engine expands it into the derived
  // region once, at load time (expandWeights).
  CompactPositionBias compact = compactPositionBias(*values, heads, n);
  uint64_t table = appendOpTable(compact.table.data(), compact.table.size() * sizeof(float),
                                 "position bias table");
  auto [found, inserted] = positionIndexOffsets.try_emplace(compact.index, 0);
  if (inserted)
    found->second =
        appendOpTable(compact.index.data(), compact.index.size() * sizeof(uint32_t),
                      "position index");
  uint64_t tiles = alignTo(derivedBytes, SWINW_ALIGNMENT);
  int64_t floats = swinrt::tiledPositionBiasFloats(heads, n);
  derivedBytes = tiles + floats * sizeof(float);
  expandText += "  swinrt::expand_position_bias<<<" + std::to_string((floats + 255) / 256) +
                ", 256>>>(reinterpret_cast<float *>(W + kDerived + " + std::to_string(tiles) +
                "), " + std::to_string(floats) + ", " + std::to_string(n) + ", wf(W + " +
                std::to_string(table) + "), " + std::to_string(compact.classes) +
                ", reinterpret_cast<const uint32_t *>(W + " + std::to_string(found->second) +
                "));\n  SWINRT_TRY(swinrt::checkLaunch(\"expand_position_bias\"));\n";
  return tiles;
}

void Emitter::comment(Operation *op) {
  body << "\n  // " << op->getName().getStringRef();
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    body << " (" << name.getName().getValue() << ")";
  body << "\n";
}

void Emitter::launch(StringRef kernel, StringRef templateArgs, StringRef grid, int block,
                     int64_t sharedBytes, ArrayRef<std::string> args) {
  body << "  swinrt::" << kernel << "<" << templateArgs << ">\n      <<<" << grid << ", "
       << block << ", " << sharedBytes << ", ex.stream>>>(" << llvm::join(args, ", ")
       << ");\n"
       << "  SWINRT_TRY(swinrt::checkLaunch(\"" << kernel << "\"));\n";
  ++numKernels;
  ++step;
}

void Emitter::gemm(StringRef name, int64_t rowsPerImage, int64_t n, int64_t k,
                   StringRef epilogue, GemmInput x, GemmWeight w, std::optional<uint64_t> bias,
                   std::optional<int> residual, int out,
                   std::optional<float> outputInverseScale) {
  assert(x.scale.has_value() == !w.scales.empty() && "gemmWeight pairs the operands");
  bool int8 = x.scale && options.precision == Precision::Int8;
  std::optional<uint64_t> scales;
  if (int8) {
    scales = int8Alpha(x, w);
    ++int8GemmCount;
    initLines.insert("  SWINRT_TRY(swinrt::prepareGemmInt8Kernels());");
  } else if (x.scale) {
    scales = gemmScales(w.scales.front(), *x.scale, outputInverseScale.value_or(1.0f));
  }
  bool quantizedOutput = outputInverseScale.has_value();
  if (int8) {
    Int8GemmClass epilogueClass;
    epilogueClass.activation = epilogue == "kEpilogueGeluBias"      ? 1
                               : epilogue == "kEpilogueGeluErfBias" ? 2
                                                                    : 0;
    epilogueClass.quantizedOutput = quantizedOutput;
    epilogueClass.residual = residual.has_value();
    int8GemmClasses.insert(epilogueClass);
  }
  int id = static_cast<int>(gemmRows.size());
  flopsPerImage += 2.0 * rowsPerImage * n * k;
  gemmRows.push_back(
      llvm::formatv("    {{{0}, {1}, {2}, swinrt::{3}, {4}, swinrt::{5}, {6}, \"{7}\"},",
                    rowsPerImage, n, k, epilogue, residual ? "true" : "false",
                    int8 ? "kOperandsInt8" : scales ? "kOperandsE4M3" : "kOperandsStorage",
                    quantizedOutput ? "true" : "false", name)
          .str());
  use(x.buffer);
  if (residual)
    use(*residual);
  define(out);
  std::string biasArg = bias ? "W + " + std::to_string(*bias) : std::string("nullptr");
  std::string residualArg = residual ? ref(*residual) : std::string("nullptr");
  if (int8) {
    body << "  SWINRT_TRY(swinrt::gemmInt8(ex, " << id << ", batch, " << ref(x.buffer)
         << ", W + " << w.offset << ", " << wf(*scales) << ", " << biasArg << ", "
         << residualArg << ", " << ref(out) << ", "
         << floatLiteral(outputInverseScale.value_or(1.0f)) << "));\n";
    ++step;
    return;
  }
  body << "  SWINRT_TRY(swinrt::gemm(ex, " << id << ", batch, " << ref(x.buffer) << ", W + "
       << w.offset << ", " << biasArg << ", " << residualArg << ", " << ref(out);
  if (scales)
    body << ", reinterpret_cast<const swinrt::GemmScales *>(W + " << *scales << ")";
  body << "));\n";
  ++step;
}

uint64_t Emitter::int8Alpha(const GemmInput &x, const GemmWeight &w) {
  auto [found, inserted] = int8Alphas.try_emplace({w.offset, *x.scale}, 0);
  if (!inserted)
    return found->second;
  // gemm_s8 and mlp_s8 dequantize with one multiply.
  std::vector<float> alpha(w.scales);
  for (float &a : alpha)
    a *= *x.scale;
  return found->second = appendOpTable(alpha.data(), alpha.size() * sizeof(float), "int8 alpha");
}

/// The dequantize of `result`'s sole quantize point, where both have one
/// use: the 8-bit tensor a fused kernel may keep on chip. Null otherwise.
static ops::DequantizeOp soleDequantizedUse(Value result) {
  ops::QuantizeOp point = soleQuantizeUser(result);
  if (!point || !point.getResult().hasOneUse())
    return nullptr;
  auto dequantize = dyn_cast<ops::DequantizeOp>(*point.getResult().getUsers().begin());
  if (!dequantize || !dequantize.getResult().hasOneUse())
    return nullptr;
  return dequantize;
}

ops::ResidualLinearOp Emitter::fusableMlpPartner(ops::LinearOp fc1) {
  ops::DequantizeOp dequantize = soleDequantizedUse(fc1.getResult());
  if (!dequantize)
    return nullptr;
  auto fc2 = dyn_cast<ops::ResidualLinearOp>(*dequantize.getResult().getUsers().begin());
  if (!fc2 || fc2.getInput() != dequantize.getResult() || fc2.hasPostNorm() ||
      !fc2.getWeight().getDefiningOp<ops::DequantizeOp>())
    return nullptr;
  auto w1 = cast<RankedTensorType>(fc1.getWeight().getType());
  auto w2 = cast<RankedTensorType>(fc2.getWeight().getType());
  int64_t c = w1.getDimSize(1), h = w1.getDimSize(0);
  if (w2.getDimSize(0) != c || w2.getDimSize(1) != h || !swinrt::mlpInt8Takes(c, h))
    return nullptr;
  return fc2;
}

llvm::Expected<uint64_t> Emitter::permutedMlpWeight(ops::ResidualLinearOp fc2) {
  auto bytes = quantizedWeightBytes(fc2, fc2.getWeight().getDefiningOp<ops::DequantizeOp>());
  if (!bytes)
    return bytes.takeError();
  auto type = cast<RankedTensorType>(fc2.getWeight().getType());
  int64_t rows = type.getDimSize(0), h = type.getDimSize(1);
  std::vector<char> permuted(bytes->size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < h; ++k)
      permuted[r * h + k] = (*bytes)[r * h + swinrt::mlpHiddenOrder(static_cast<int>(k))];
  return appendPayload(permuted.data(), permuted.size(),
                       constantName(fc2.getWeight()) + " (permuted)");
}

ops::WindowAttentionOp Emitter::fusableQkvPartner(ops::NormPartitionOp op) {
  ops::DequantizeOp dequantize = soleDequantizedUse(op.getResult());
  if (!dequantize)
    return nullptr;
  auto attention = dyn_cast<ops::WindowAttentionOp>(*dequantize.getResult().getUsers().begin());
  if (!attention || attention.getInput() != dequantize.getResult() ||
      !attention.getQkvWeight().getDefiningOp<ops::DequantizeOp>())
    return nullptr;
  auto w = cast<RankedTensorType>(attention.getQkvWeight().getType());
  if (w.getDimSize(1) != channels(op.getInput()) ||
      !swinrt::normQkvInt8Takes(w.getDimSize(1), w.getDimSize(0)))
    return nullptr;
  return attention;
}

//===----------------------------------------------------------------------===//
// Op lowering
//===----------------------------------------------------------------------===//

#define SWIN_TRY_WEIGHT(var, op, value, kind)                                  \
  auto var##OrErr = weight(op, value, kind);                                   \
  if (!var##OrErr)                                                             \
    return var##OrErr.takeError();                                             \
  uint64_t var = *var##OrErr;

#define SWIN_TRY_ASSIGN(var, expr)                                             \
  auto var##OrErr = (expr);                                                    \
  if (!var##OrErr)                                                             \
    return var##OrErr.takeError();                                             \
  auto var = *var##OrErr;

llvm::Error Emitter::lowerPatchEmbed(ops::PatchEmbedOp op) {
  if (op.getInput() != input)
    return opError(op, "patch embedding must read the model input");
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t c = weightType.getDimSize(0), patch = weightType.getDimSize(2);
  int64_t k = inChannels * patch * patch;
  int64_t patches = (inHeight / patch) * (inWidth / patch);
  batchMultiple[op.getResult()] = 1;
  SWIN_TRY_WEIGHT(w, op, op.getWeight(), WeightKind::Storage);
  SWIN_TRY_WEIGHT(b, op, op.getBias(), WeightKind::Storage);
  SWIN_TRY_WEIGHT(gamma, op, op.getScale(), WeightKind::Float);
  SWIN_TRY_WEIGHT(beta, op, op.getShift(), WeightKind::Float);

  // Step 0 (the prologue, outside the graph): the image to patch rows.
  int columns = scratch("patch rows", patches * k * storageBytes);
  buffers[columns].firstStep = 0;
  buffers[columns].lastStep = 0;
  std::string imageArgs = llvm::formatv("{0}, {1}, {2}, {3}", inChannels, inHeight, inWidth,
                                        patch)
                              .str();
  std::string total = "batch * " + std::to_string(patches * k);
  llvm::raw_string_ostream p(prologueText);
  p << "  swinrt::markLayer(ex, SWINRT_LAYER_PATCH_EMBED);\n"
    << "  const int total = " << total << ";\n"
    << "  if (dtype == SWINRT_FLOAT32)\n"
    << "    swinrt::patch_im2col<float, T, " << imageArgs
    << "><<<(total + 255) / 256, 256, 0, ex.stream>>>(\n"
    << "        static_cast<const float *>(input), act(" << ref(columns) << "), total);\n"
    << "  else\n"
    << "    swinrt::patch_im2col<__half, T, " << imageArgs
    << "><<<(total + 255) / 256, 256, 0, ex.stream>>>(\n"
    << "        static_cast<const __half *>(input), act(" << ref(columns) << "), total);\n"
    << "  return swinrt::checkLaunch(\"patch_im2col\");\n";
  numKernels += 2;

  comment(op);
  mark(kPatchEmbed);
  int embedded = scratch("patch embedding", patches * c * storageBytes);
  buffers[columns].lastStep = step;
  gemm("patch_embed", patches, c, k, "kEpilogueBias", GemmInput{columns, std::nullopt},
       GemmWeight{w, {}}, b, std::nullopt, embedded);
  int out = bufferFor(op.getResult(), "embedded tokens");
  use(embedded);
  define(out);
  launch("layer_norm_rows", withT({c}), rowsGrid(patches), 256, 0,
         {"act(" + ref(embedded) + ")", "act(" + ref(out) + ")", wf(gamma), wf(beta),
          floatLiteral(op.getEpsilon().convertToFloat()), rows(patches)});
  return llvm::Error::success();
}

llvm::Error Emitter::lowerNormPartition(ops::NormPartitionOp op) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t h = inType.getDimSize(1), w = inType.getDimSize(2), c = inType.getDimSize(3);
  ArrayRef<int64_t> window = op.getWindow(), shifts = op.getShifts();
  batchMultiple[op.getResult()] =
      batchMultiple.lookup(op.getInput()) * (h / window[0]) * (w / window[1]);
  // Swin V2 partitions the residual stream without a LayerNorm.
  bool norm = op.hasNorm();
  uint64_t gamma = 0, beta = 0;
  float eps = 0.0f;
  if (norm) {
    SWIN_TRY_WEIGHT(g, op, op.getScale(), WeightKind::Float);
    SWIN_TRY_WEIGHT(b, op, op.getBias(), WeightKind::Float);
    gamma = g;
    beta = b;
    eps = op.getEpsilon()->convertToFloat();
  }
  comment(op);
  mark(kNormPartition);
  int in = valueBuffer.lookup(op.getInput());
  SWIN_TRY_ASSIGN(out, outputFor(op.getResult(), "LN+partition windows", true));
  use(in);
  define(out.buffer);
  int64_t perImage = rowsPerImage(op.getInput());
  ops::WindowAttentionOp partner =
      options.fuseInt8Qkv && options.precision == Precision::Int8 && out.quantized && norm
          ? fusableQkvPartner(op)
          : nullptr;
  if (partner) {
    // Runs unless the attention's lowering launches the fused kernel instead.
    fusableQkvs[partner] = FusableQkv{in, gamma, beta, eps, out.inverseScale,
                                      windowGeometry(h, w, window, shifts)};
    body << "  if (!swinrt::normQkvInt8Fused(" << rows(perImage) << ", " << c << ")) {\n";
  }
  launch("norm_partition",
         withTO(out.type(), {c, h, w, window[0], window[1], shifts[0], shifts[1]}) + ", " +
             (norm ? "true" : "false"),
         rowsGrid(perImage), 256, 0,
         {"act(" + ref(in) + ")", out.pointer(), norm ? wf(gamma) : "nullptr",
          norm ? wf(beta) : "nullptr", floatLiteral(eps), floatLiteral(out.inverseScale),
          rows(perImage)});
  if (partner)
    body << "  }\n";
  return llvm::Error::success();
}

/// Shared memory of swinrt::window_attention; the generated code
/// static_asserts that it equals windowAttentionSmemBytes in kernels.cuh.
static int64_t windowAttentionSharedBytes(int64_t n, int64_t headDim) {
  return (n * (headDim + 1) + n * headDim + 4 * n + 4 * headDim + n) * 4;
}

llvm::Error Emitter::lowerWindowAttention(ops::WindowAttentionOp op) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t n = inType.getDimSize(1), c = inType.getDimSize(2);
  int64_t heads = static_cast<int64_t>(op.getNumHeads());
  int64_t inner = cast<RankedTensorType>(op.getQkvWeight().getType()).getDimSize(0) / 3;
  int64_t headDim = inner / heads;
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  int64_t windowsPerImage = batchMultiple.lookup(op.getInput());
  int64_t maskWindows = 1;
  if (Value mask = op.getMask())
    maskWindows = cast<RankedTensorType>(mask.getType()).getDimSize(0);
  if (maskWindows < 1 || windowsPerImage % maskWindows != 0)
    return opError(op, "the mask's window count must divide the windows per image");

  // Tensor cores for 16-bit storage up to 256 tokens (a warp's scores stay
  // in registers) while q, k and v of a (window, head) fit every target's
  // shared memory; the fp32 CUDA-core kernel otherwise. MmaAttentionShape
  // in kernels.cuh has the same arithmetic (the generated code asserts it).
  int64_t paddedRows = (n + 15) / 16 * 16;
  int64_t rowTiles = paddedRows / 16;
  int64_t blockWarps = rowTiles <= 12 ? rowTiles : 8;
  int64_t split = (rowTiles + blockWarps - 1) / blockWarps;
  int64_t mmaShared = 3 * paddedRows * (headDim + 8) * 2;
  int64_t mmaStatic = paddedRows * (1 + 2 * 4); // mask groups, q and k inverse norms
  bool mmaFits = paddedRows <= 256;
  for (const std::string &arch : options.archs)
    mmaFits &= mmaShared + mmaStatic <= *sharedMemoryLimit(arch);
  bool useMma = storageBytes == 2 && headDim % 16 == 0 && mmaFits;
  int64_t shared = useMma ? mmaShared : windowAttentionSharedBytes(n, headDim);
  for (const std::string &arch : options.archs)
    if (shared > *sharedMemoryLimit(arch))
      return opError(op, "window of " + Twine(n) + " tokens with head dim " +
                             Twine(headDim) + " needs " + Twine(shared) +
                             " bytes of shared memory, more than " + arch + " offers (" +
                             Twine(*sharedMemoryLimit(arch)) + ")");

  GemmInput x = gemmInput(op.getInput());
  SWIN_TRY_ASSIGN(wqkv, gemmWeight(op, op.getQkvWeight(), x.scale.has_value()));
  // Quantized q, k and v: the QKV GEMM writes them in int8, each part
  // scaled by its own 1 / scale (folded into alpha and the bias), and the
  // attention kernel reads them.
  std::optional<std::array<float, 3>> operandScales;
  if (std::optional<Type> type = op.getQkvQuantType()) {
    if (options.precision != Precision::Int8 || !isQuantType(*type))
      return opError(op, "has quantized attention operands (" + typeName(*type) +
                             "); the CUDA backend compiles them at precision int8 only");
    if (!x.scale)
      return opError(op, "quantizes q, k and v but not the QKV projection's input; the "
                         "CUDA backend needs both (keep neither or both in float)");
    if (!useMma)
      return opError(op, "quantized attention operands need the tensor-core attention "
                         "kernel (16-bit storage, head dim a multiple of 16)");
    ArrayRef<float> given = *op.getQkvQuantScales();
    operandScales = std::array<float, 3>{given[0], given[1], given[2]};
  }
  uint64_t bqkv = 0;
  if (operandScales) {
    auto values = constantOperand(op, op.getQkvBias(),
                                  "the CUDA backend needs this operand to be a constant "
                                  "(a weight)");
    if (!values)
      return values.takeError();
    for (int64_t col = 0; col < 3 * inner; ++col) {
      float inverse = 1.0f / (*operandScales)[col / inner];
      wqkv.scales[col] *= inverse;
      (*values)[col] *= inverse;
    }
    bqkv = appendWeightValues(*values, WeightKind::Storage,
                              constantName(op.getQkvBias()) + " (q, k, v scaled)");
  } else {
    SWIN_TRY_WEIGHT(plain, op, op.getQkvBias(), WeightKind::Storage);
    bqkv = plain;
  }
  uint64_t bias = 0;
  if (useMma) {
    auto tiled = tiledPositionBias(op, op.getPositionBias());
    if (!tiled)
      return tiled.takeError();
    bias = *tiled;
  } else {
    SWIN_TRY_WEIGHT(dense, op, op.getPositionBias(), WeightKind::Float);
    bias = dense;
  }
  // Cosine attention (Swin V2): the kernels normalise q and k themselves
  // and scale each head's scores by its logit scale.
  std::optional<ArrayRef<float>> logitScales = op.getLogitScales();
  std::string logitScalesArg = "nullptr";
  if (logitScales)
    logitScalesArg = wf(appendWeightValues(*logitScales, WeightKind::Float,
                                           loweringName + " logit scales"));
  std::string maskArgs = "nullptr, 0.0f";
  if (Value mask = op.getMask()) {
    auto groups = maskGroups(op, mask);
    if (!groups)
      return groups.takeError();
    maskArgs = "reinterpret_cast<const uint8_t *>(W + " + std::to_string(groups->offset) +
               "), " + floatLiteral(groups->value);
  }
  comment(op);
  mark(kAttention);
  int64_t perImage = rowsPerImage(op.getInput());
  int qkv = operandScales ? scratch(("qkv (" + quantTypeName() + ")").str(), perImage * 3 * inner)
                         : scratch("qkv", perImage * 3 * inner * storageBytes);
  std::optional<float> qkvOutputInverse =
      operandScales ? std::optional<float>(1.0f) : std::nullopt;
  auto fusedQkv = fusableQkvs.find(op);
  if (fusedQkv == fusableQkvs.end()) {
    gemm("qkv", perImage, 3 * inner, c, "kEpilogueBias", x, wqkv, bqkv, std::nullopt, qkv,
         qkvOutputInverse);
  } else {
    // LayerNorm + partition + QKV in one kernel, or the QKV GEMM after
    // norm_partition (emitted under the same condition). The normalised
    // rows' input stays live to here either way.
    const FusableQkv &norm = fusedQkv->second;
    std::string kernel =
        llvm::formatv("swinrt::norm_qkv_s8<{0}, {1}, {2}, {3}, {4}>", c, 3 * inner,
                      norm.geometry, operandScales ? "Q" : "T", swinrt::kNormQkvInt8Warps)
            .str();
    initLines.insert("  SWINRT_TRY(setSharedMemory(" + kernel +
                     ", swinrt::int8qkv::sharedBytes<" + std::to_string(c) + ", " +
                     std::to_string(3 * inner) + ">()));");
    emitsFusedQkv = true;
    ++numKernels;
    use(norm.in);
    body << "  if (swinrt::normQkvInt8Fused(" << rows(perImage) << ", " << c << ")) {\n"
         << "    swinrt::launchNormQkvInt8<" << c << ", " << 3 * inner << ", " << norm.geometry
         << ", " << (operandScales ? "Q" : "T") << ", " << swinrt::kNormQkvInt8Warps
         << ">(swinrt::Int8NormQkvArgs{act(" << ref(norm.in) << "), " << wf(norm.gamma)
         << ", " << wf(norm.beta) << ", " << floatLiteral(norm.eps) << ", "
         << floatLiteral(norm.inputInverse) << ", reinterpret_cast<const int8_t *>(W + "
         << wqkv.offset << "), " << wf(int8Alpha(x, wqkv))
         << ", reinterpret_cast<const __half *>(W + " << bqkv << "), " << ref(qkv)
         << ", " << rows(perImage) << "}, ex.stream);\n"
         << "    SWINRT_TRY(swinrt::checkLaunch(\"norm_qkv_s8\"));\n"
         << "  } else {\n";
    gemm("qkv", perImage, 3 * inner, c, "kEpilogueBias", x, wqkv, bqkv, std::nullopt, qkv,
         qkvOutputInverse);
    body << "  }\n";
  }
  SWIN_TRY_ASSIGN(out, outputFor(op.getResult(), "attention output", useMma));
  use(qkv);
  define(out.buffer);
  std::string templateArgs = (useMma ? withTO(out.type(), {n, headDim, heads})
                                     : withT({n, headDim, heads})) +
                             ", " + (op.getMask() ? "true" : "false") + ", " +
                             std::to_string(maskWindows) + ", " +
                             (logitScales ? "true" : "false") + (operandScales ? ", Q" : "");
  flopsPerImage += 4.0 * n * n * headDim * heads * windowsPerImage;
  StringRef kernel = useMma ? "window_attention_mma" : "window_attention";
  // The kernels compute their shared memory themselves; the emitter's copy
  // must agree.
  std::string shape =
      "swinrt::MmaAttentionShape<" + std::to_string(n) + ", " + std::to_string(headDim) + ">";
  if (useMma) {
    initLines.insert("  static_assert(" + shape + "::kSharedBytes == " +
                     std::to_string(mmaShared) + ");");
    initLines.insert("  static_assert(" + shape + "::kBlockWarps == " +
                     std::to_string(blockWarps) + " && " + shape +
                     "::kSplit == " + std::to_string(split) + ");");
  } else {
    initLines.insert("  static_assert(swinrt::windowAttentionSmemBytes<" + std::to_string(n) +
                     ", " + std::to_string(headDim) + ">() == " + std::to_string(shared) +
                     ");");
  }
  if (shared > 48 * 1024)
    initLines.insert("  SWINRT_TRY(setSharedMemory(swinrt::" + kernel.str() + "<" +
                        templateArgs + ">, " + std::to_string(shared) + "));");
  float scoreScale = op.getScale().convertToFloat();
  // q's and k's scales cancel in a cosine.
  if (operandScales && !logitScales)
    scoreScale *= (*operandScales)[0] * (*operandScales)[1];
  std::vector<std::string> args = {
      (operandScales ? "q8(" : "act(") + ref(qkv) + ")", out.pointer(),
      useMma ? "reinterpret_cast<const float4 *>(W + kDerived + " + std::to_string(bias) + ")"
             : wf(bias),
      maskArgs, floatLiteral(scoreScale)};
  if (useMma) {
    args.push_back(floatLiteral(out.inverseScale));
    args.push_back(floatLiteral(operandScales ? (*operandScales)[2] : 1.0f));
  }
  args.push_back(logitScalesArg);
  launch(kernel, templateArgs,
         "batch * " + std::to_string(windowsPerImage * heads * (useMma ? split : 1)),
         useMma ? static_cast<int>(blockWarps * 32) : 128, shared, args);
  return llvm::Error::success();
}

llvm::Error Emitter::lowerAttentionOutput(ops::AttentionOutputOp op) {
  auto resType = cast<RankedTensorType>(op.getResidual().getType());
  int64_t h = resType.getDimSize(1), w = resType.getDimSize(2), c = resType.getDimSize(3);
  int64_t ci = channels(op.getInput());
  ArrayRef<int64_t> window = op.getWindow(), shifts = op.getShifts();
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getResidual());
  GemmInput x = gemmInput(op.getInput());
  SWIN_TRY_ASSIGN(wproj, gemmWeight(op, op.getWeight(), x.scale.has_value()));
  SWIN_TRY_WEIGHT(bproj, op, op.getBias(), WeightKind::Storage);

  // The block's next LayerNorm (the MLP's) reads this result: fuse it.
  ops::LayerNormOp norm;
  for (Operation *user : op.getResult().getUsers())
    if (auto ln = dyn_cast<ops::LayerNormOp>(user);
        ln && ln.getInput() == op.getResult() &&
        static_cast<int64_t>(ln.getAxis()) == resType.getRank() - 1) {
      norm = ln;
      break;
    }
  uint64_t gamma = 0, beta = 0;
  if (norm) {
    SWIN_TRY_WEIGHT(g, norm, norm.getScale(), WeightKind::Float);
    SWIN_TRY_WEIGHT(b, norm, norm.getBias(), WeightKind::Float);
    gamma = g;
    beta = b;
    batchMultiple[norm.getResult()] = batchMultiple.lookup(op.getResidual());
    fusedAway.insert(norm);
  }

  comment(op);
  mark(kProjection);
  int64_t perImage = rowsPerImage(op.getResidual());
  // With int8 operands and an int8 MLP input, the projection, reverse,
  // residual and LayerNorm may run as one kernel (proj_residual_int8.cuh);
  // the library picks it or the pair per batch. x stays live to the second
  // step either way.
  std::optional<Output> normOut;
  if (norm) {
    SWIN_TRY_ASSIGN(normOutput, outputFor(norm.getResult(), "MLP input (LN)", true));
    normOut = normOutput;
  }
  // Swin V2's MLP reads the residual stream itself; a quantize point on it
  // (an int8 or E4M3 fc1) is written by the same kernel, as a copy.
  ops::QuantizeOp mlpPoint;
  if (!norm)
    for (Operation *user : op.getResult().getUsers())
      if (auto point = dyn_cast<ops::QuantizeOp>(user); point && pointScale(point)) {
        mlpPoint = point;
        break;
      }
  if (mlpPoint) {
    fusedAway.insert(mlpPoint);
    batchMultiple[mlpPoint.getResult()] = batchMultiple.lookup(op.getResidual());
    int id = scratch(("MLP input (" + quantTypeName() + ")").str(),
                     rowsPerImage(op.getResidual()) * c);
    valueBuffer[mlpPoint.getResult()] = id;
    normOut = Output{id, true, 1.0f / *pointScale(mlpPoint)};
  }
  // Swin V2's post-norm of the projection.
  bool postNorm = op.hasPostNorm();
  std::string postNormArgs = "nullptr, nullptr, 0.0f";
  if (postNorm) {
    SWIN_TRY_WEIGHT(g, op, op.getNormScale(), WeightKind::Float);
    SWIN_TRY_WEIGHT(b, op, op.getNormBias(), WeightKind::Float);
    postNormArgs = wf(g) + ", " + wf(b) + ", " +
                   floatLiteral(op.getNormEpsilon()->convertToFloat());
  }
  bool fused = options.fuseInt8Proj && options.precision == Precision::Int8 && x.scale &&
               !postNorm && norm && normOut && normOut->quantized && ci == c &&
               swinrt::projResidualInt8Takes(c);
  std::string rowCount = rows(perImage);
  if (fused)
    body << "  if (!swinrt::projResidualInt8Fused(" << rowCount << ")) {\n";
  int proj = scratch("projection (window order)", perImage * c * storageBytes);
  gemm("proj", perImage, c, ci, "kEpilogueBias", x, wproj, bproj, std::nullopt, proj);
  if (fused)
    body << "  }\n";
  int residual = valueBuffer.lookup(op.getResidual());
  int out = bufferInPlace(op.getResult(), op.getResidual(), op, "residual stream");
  use(proj);
  use(residual);
  define(out);
  std::string normArgs = "static_cast<T *>(nullptr), nullptr, nullptr, 0.0f, 1.0f";
  std::string normType = "T";
  if (norm) {
    define(normOut->buffer);
    normType = normOut->type();
    normArgs = normOut->pointer() + ", " + wf(gamma) + ", " + wf(beta) + ", " +
               floatLiteral(norm.getEpsilon().convertToFloat()) + ", " +
               floatLiteral(normOut->inverseScale);
  } else if (mlpPoint) {
    define(normOut->buffer);
    normType = normOut->type();
    normArgs = normOut->pointer() + ", nullptr, nullptr, 0.0f, " +
               floatLiteral(normOut->inverseScale);
  }
  if (fused) {
    std::string geometry = windowGeometry(h, w, window, shifts);
    use(x.buffer);
    std::string kernel = llvm::formatv("swinrt::proj_residual_s8<{0}, {1}, {2}>", c, geometry,
                                       swinrt::kProjResidualInt8Warps)
                             .str();
    initLines.insert("  SWINRT_TRY(setSharedMemory(" + kernel +
                     ", swinrt::int8proj::sharedBytes<" + std::to_string(c) + ">()));");
    emitsFusedProj = true;
    ++numKernels;
    body << "  if (swinrt::projResidualInt8Fused(" << rowCount << ")) {\n"
         << "    swinrt::launchProjResidualInt8<" << c << ", " << geometry << ", "
         << swinrt::kProjResidualInt8Warps << ">(swinrt::Int8ProjResidualArgs{q8("
         << ref(x.buffer) << "), reinterpret_cast<const int8_t *>(W + " << wproj.offset
         << "), " << wf(int8Alpha(x, wproj)) << ", reinterpret_cast<const __half *>(W + "
         << bproj << "), act(" << ref(residual) << "), act(" << ref(out) << "), "
         << normOut->pointer() << ", " << wf(gamma) << ", " << wf(beta) << ", "
         << floatLiteral(norm.getEpsilon().convertToFloat()) << ", "
         << floatLiteral(normOut->inverseScale) << ", " << rowCount << "}, ex.stream);\n"
         << "    SWINRT_TRY(swinrt::checkLaunch(\"proj_residual_s8\"));\n"
         << "  } else {\n";
  }
  launch("window_reverse_residual",
         withTO(normType, {c, h, w, window[0], window[1], shifts[0], shifts[1]}) + ", " +
             (normOut ? "true" : "false") + ", " + (postNorm ? "true" : "false"),
         rowsGrid(perImage), 256, 0,
         {"act(" + ref(proj) + ")", "act(" + ref(residual) + ")", "act(" + ref(out) + ")",
          normArgs, postNormArgs, rowCount});
  if (fused)
    body << "  }\n";
  return llvm::Error::success();
}

llvm::Error Emitter::lowerLayerNorm(ops::LayerNormOp op) {
  auto type = cast<RankedTensorType>(op.getInput().getType());
  if (static_cast<int64_t>(op.getAxis()) != type.getRank() - 1)
    return opError(op, "the CUDA backend normalises over the last axis only");
  int64_t c = type.getShape().back();
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  SWIN_TRY_WEIGHT(gamma, op, op.getScale(), WeightKind::Float);
  SWIN_TRY_WEIGHT(beta, op, op.getBias(), WeightKind::Float);
  comment(op);
  mark(kOther);
  int64_t perImage = rowsPerImage(op.getInput());
  int in = valueBuffer.lookup(op.getInput());
  int out = bufferFor(op.getResult(), "layer norm");
  use(in);
  define(out);
  launch("layer_norm_rows", withT({c}), rowsGrid(perImage), 256, 0,
         {"act(" + ref(in) + ")", "act(" + ref(out) + ")", wf(gamma), wf(beta),
          floatLiteral(op.getEpsilon().convertToFloat()), rows(perImage)});
  return llvm::Error::success();
}

llvm::Error Emitter::lowerLinear(ops::LinearOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  GemmInput x = gemmInput(op.getInput());
  SWIN_TRY_ASSIGN(w, gemmWeight(op, op.getWeight(), x.scale.has_value()));
  std::optional<uint64_t> bias;
  if (op.getBias()) {
    SWIN_TRY_WEIGHT(b, op, op.getBias(), WeightKind::Storage);
    bias = b;
  }
  ops::Activation activation = op.getActivation();
  bool gelu = activation != ops::Activation::none;
  if (gelu && !bias)
    return opError(op, "a GELU linear needs a bias for cuBLASLt's epilogue");
  comment(op);
  mark(gelu ? kMlpFc1 : kOther);
  int64_t perImage = rowsPerImage(op.getInput());
  // gemm_s8 (int8 sites) has both GELU forms in its epilogue; cuBLASLt
  // only the tanh form, so exact GELU is a kernel of its own there.
  bool int8Site = x.scale.has_value() && options.precision == Precision::Int8;
  bool tanhForm = activation == ops::Activation::gelu_tanh || !exactGelu;
  bool epilogueGelu = gelu && (tanhForm || int8Site);
  bool geluKernel = gelu && !epilogueGelu;
  // cuBLASLt writes E4M3 only from E4M3 operands, and the epilogue must be
  // the last step before the quantize point.
  SWIN_TRY_ASSIGN(out, outputFor(op.getResult(), gelu ? "MLP hidden" : "linear",
                                 x.scale.has_value() && !geluKernel));
  StringRef epilogue = !epilogueGelu ? (bias ? "kEpilogueBias" : "kEpilogueNone")
                       : tanhForm    ? "kEpilogueGeluBias"
                                     : "kEpilogueGeluErfBias";
  ops::ResidualLinearOp partner = options.fuseInt8Mlp && int8Site && epilogueGelu &&
                                          out.quantized
                                      ? fusableMlpPartner(op)
                                      : nullptr;
  if (partner) {
    // Runs unless fc2's lowering launches the fused MLP instead.
    fusableMlps[partner] = FusableMlp{x.buffer, w.offset, int8Alpha(x, w), *bias,
                                      tanhForm ? "swinrt::kInt8ActGeluTanh"
                                               : "swinrt::kInt8ActGeluErf",
                                      out.inverseScale};
    body << "  if (!swinrt::mlpInt8Fused(" << rows(perImage) << ", " << k << ")) {\n";
  }
  gemm(gelu ? "fc1" : "linear", perImage, n, k, epilogue, x, w, bias, std::nullopt,
       out.buffer, out.quantized ? std::optional<float>(out.inverseScale) : std::nullopt);
  if (partner)
    body << "  }\n";
  if (geluKernel) {
    use(out.buffer);
    std::string count = "(size_t)batch * " + std::to_string(perImage * n);
    launch("gelu_erf", "T", "(" + count + " + 255) / 256", 256, 0,
           {"act(" + ref(out.buffer) + ")", count});
  }
  return llvm::Error::success();
}

llvm::Error Emitter::lowerResidualLinear(ops::ResidualLinearOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  int64_t n = weightType.getDimSize(0), k = weightType.getDimSize(1);
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getResidual());
  GemmInput x = gemmInput(op.getInput());
  SWIN_TRY_ASSIGN(w, gemmWeight(op, op.getWeight(), x.scale.has_value()));
  SWIN_TRY_WEIGHT(b, op, op.getBias(), WeightKind::Storage);
  comment(op);
  mark(kMlpFc2);
  int64_t perImage = rowsPerImage(op.getInput());
  if (perImage != rowsPerImage(op.getResidual()))
    return opError(op, "input and residual rows differ");
  int residual = valueBuffer.lookup(op.getResidual());
  if (op.hasPostNorm()) {
    // Swin V2: residual + LayerNorm(fc2): the GEMM's rows, then one kernel
    // that normalises them and adds the residual.
    SWIN_TRY_WEIGHT(gamma, op, op.getNormScale(), WeightKind::Float);
    SWIN_TRY_WEIGHT(beta, op, op.getNormBias(), WeightKind::Float);
    int y = scratch("fc2 (before post-norm)", perImage * n * storageBytes);
    gemm("fc2", perImage, n, k, "kEpilogueBias", x, w, b, std::nullopt, y);
    int out = bufferInPlace(op.getResult(), op.getResidual(), op, "residual stream");
    use(y);
    use(residual);
    define(out);
    launch("post_norm_residual", withT({n}), rowsGrid(perImage), 256, 0,
           {"act(" + ref(y) + ")", "act(" + ref(residual) + ")", "act(" + ref(out) + ")",
            wf(gamma), wf(beta), floatLiteral(op.getNormEpsilon()->convertToFloat()),
            rows(perImage)});
    return llvm::Error::success();
  }
  int out = bufferInPlace(op.getResult(), op.getResidual(), op, "residual stream");
  auto fusable = fusableMlps.find(op);
  if (fusable == fusableMlps.end()) {
    gemm("fc2", perImage, n, k, "kEpilogueBias", x, w, b, residual, out);
    return llvm::Error::success();
  }
  // The whole MLP in one kernel, or fc2 after fc1 (emitted with fc1 under
  // the same condition). fc1's input stays live to here either way.
  const FusableMlp &fc1 = fusable->second;
  SWIN_TRY_ASSIGN(w2Permuted, permutedMlpWeight(op));
  std::string kernel = llvm::formatv("swinrt::mlp_s8<{0}, {1}, {2}, {3}>", n, k,
                                     fc1.activation, swinrt::kMlpInt8Warps)
                           .str();
  initLines.insert("  SWINRT_TRY(setSharedMemory(" + kernel + ", swinrt::int8mlp::sharedBytes<" +
                   std::to_string(n) + ", " + std::to_string(k) + ">()));");
  emitsFusedMlp = true;
  ++numKernels;
  use(fc1.x);
  auto weightAs = [](StringRef type, uint64_t offset) {
    return "reinterpret_cast<const " + type.str() + " *>(W + " + std::to_string(offset) + ")";
  };
  body << "  if (swinrt::mlpInt8Fused(" << rows(perImage) << ", " << n << ")) {\n"
       << "    swinrt::launchMlpInt8<" << n << ", " << k << ", " << fc1.activation << ", "
       << swinrt::kMlpInt8Warps << ">(swinrt::Int8MlpArgs{q8(" << ref(fc1.x) << "), "
       << weightAs("int8_t", fc1.w1) << ", " << wf(fc1.alpha1) << ", "
       << weightAs("__half", fc1.bias1) << ", " << weightAs("int8_t", w2Permuted) << ", "
       << wf(int8Alpha(x, w)) << ", " << weightAs("__half", b) << ", act(" << ref(residual)
       << "), act(" << ref(out) << "), " << floatLiteral(fc1.hiddenInverse) << ", "
       << rows(perImage) << "}, ex.stream);\n"
       << "    SWINRT_TRY(swinrt::checkLaunch(\"mlp_s8\"));\n"
       << "  } else {\n";
  gemm("fc2", perImage, n, k, "kEpilogueBias", x, w, b, residual, out);
  body << "  }\n";
  return llvm::Error::success();
}

llvm::Error Emitter::lowerPatchMerging(ops::PatchMergingOp op) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t h = inType.getDimSize(1), w = inType.getDimSize(2), c = inType.getDimSize(3);
  int64_t n = cast<RankedTensorType>(op.getWeight().getType()).getDimSize(0);
  batchMultiple[op.getResult()] = batchMultiple.lookup(op.getInput());
  SWIN_TRY_WEIGHT(gamma, op, op.getScale(), WeightKind::Float);
  SWIN_TRY_WEIGHT(beta, op, op.getBias(), WeightKind::Float);
  // The internal quantize point (`quant_type`, `quant_scale`) sits between
  // the LayerNorm and the reduction.
  std::optional<float> pointScale;
  if (std::optional<Type> type = op.getQuantType()) {
    if (!isQuantType(*type))
      return opError(op, "precision " + precisionName(options.precision) +
                             " quantizes the reduction's input to " + quantTypeName() +
                             " only");
    pointScale = op.getQuantScaleAttr().getValueAsDouble();
  }
  SWIN_TRY_ASSIGN(reduction, gemmWeight(op, op.getWeight(), pointScale.has_value()));
  comment(op);
  mark(kMerging);
  int64_t outPerImage = rowsPerImage(op.getResult());
  int in = valueBuffer.lookup(op.getInput());
  // Swin V1 normalises the gathered 4C values before the reduction, Swin V2
  // (norm_after_reduction) the reduced ones after it.
  bool normFirst = !op.getNormAfterReduction();
  std::string what = "merged patches";
  if (normFirst || pointScale)
    what += " (" + std::string(normFirst ? "LN" : "") + (normFirst && pointScale ? ", " : "") +
            (pointScale ? quantTypeName().str() : "") + ")";
  Output merged{scratch(what, outPerImage * 4 * c * (pointScale ? 1 : storageBytes)),
                pointScale.has_value(), pointScale ? 1.0f / *pointScale : 1.0f};
  use(in);
  define(merged.buffer);
  std::string eps = floatLiteral(op.getEpsilon().convertToFloat());
  launch("patch_merge_norm",
         withTO(merged.type(), {c, h, w}) + ", " + (normFirst ? "true" : "false"),
         rowsGrid(outPerImage), 256, 0,
         {"act(" + ref(in) + ")", merged.pointer(), normFirst ? wf(gamma) : "nullptr",
          normFirst ? wf(beta) : "nullptr", eps, floatLiteral(merged.inverseScale),
          rows(outPerImage)});
  GemmInput gathered{merged.buffer, pointScale};
  if (normFirst) {
    int out = bufferFor(op.getResult(), "merged tokens");
    gemm("reduction", outPerImage, n, 4 * c, "kEpilogueNone", gathered, reduction,
         std::nullopt, std::nullopt, out);
    return llvm::Error::success();
  }
  int reduced = scratch("reduced patches (before LN)", outPerImage * n * storageBytes);
  gemm("reduction", outPerImage, n, 4 * c, "kEpilogueNone", gathered, reduction, std::nullopt,
       std::nullopt, reduced);
  int out = bufferFor(op.getResult(), "merged tokens");
  use(reduced);
  define(out);
  launch("layer_norm_rows", withT({n}), rowsGrid(outPerImage), 256, 0,
         {"act(" + ref(reduced) + ")", "act(" + ref(out) + ")", wf(gamma), wf(beta), eps,
          rows(outPerImage)});
  return llvm::Error::success();
}

llvm::Error Emitter::lowerClassifierHead(ops::ClassifierHeadOp op) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  int64_t c = inType.getShape().back();
  int64_t tokens = rowsPerImage(op.getInput());
  if (batchMultiple.lookup(op.getInput()) != 1)
    return opError(op, "the head must read whole images");
  if (c > 1536)
    return opError(op, "the pooling kernel holds at most 1536 channels");
  int64_t classes = cast<RankedTensorType>(op.getWeight().getType()).getDimSize(0);
  batchMultiple[op.getResult()] = 1;
  SWIN_TRY_WEIGHT(gamma, op, op.getScale(), WeightKind::Float);
  SWIN_TRY_WEIGHT(beta, op, op.getShift(), WeightKind::Float);
  SWIN_TRY_WEIGHT(w, op, op.getWeight(), WeightKind::Storage);
  SWIN_TRY_WEIGHT(b, op, op.getBias(), WeightKind::Storage);
  comment(op);
  mark(kHead);
  int in = valueBuffer.lookup(op.getInput());
  int pooled = scratch("pooled features", c * storageBytes);
  use(in);
  define(pooled);
  launch("norm_mean_pool", withT({c, tokens}), "batch", 256, 0,
         {"act(" + ref(in) + ")", "act(" + ref(pooled) + ")", wf(gamma), wf(beta),
          floatLiteral(op.getEpsilon().convertToFloat())});
  int out = bufferFor(op.getResult(), "logits");
  gemm("head", 1, classes, c, "kEpilogueBias", GemmInput{pooled, std::nullopt},
       GemmWeight{w, {}}, b, std::nullopt, out);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

llvm::Expected<CudaModel> Emitter::run() {
  auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
  if (funcs.size() != 1)
    return llvm::createStringError("the CUDA backend expects one function, found " +
                                   std::to_string(funcs.size()));
  func = funcs.front();
  if (auto attr = func->getAttrOfType<IntegerAttr>("swin.max_batch"))
    maxBatch = attr.getInt();
  if (maxBatch < 1)
    return llvm::createStringError("swin.max_batch must be at least 1");
  FunctionType type = func.getFunctionType();
  if (type.getNumInputs() != 1 || type.getNumResults() != 1)
    return llvm::createStringError("the model must take one image tensor and return one "
                                   "logits tensor");
  auto inType = dyn_cast<RankedTensorType>(type.getInput(0));
  auto outType = dyn_cast<RankedTensorType>(type.getResult(0));
  if (!inType || inType.getRank() != 4 || !outType || outType.getRank() != 2 ||
      !inType.getElementType().isF32())
    return llvm::createStringError(
        "the model must map [batch, C, H, W] f32 images to [batch, classes] logits");
  inChannels = inType.getDimSize(1);
  inHeight = inType.getDimSize(2);
  inWidth = inType.getDimSize(3);
  numClasses = outType.getDimSize(1);
  input = func.getArgument(0);
  batchMultiple[input] = 1;

  bool hasQuantizePoints = false;
  func.walk([&](Operation *op) {
    hasQuantizePoints |= isa<ops::QuantizeOp>(op) ||
                         (isa<ops::PatchMergingOp>(op) &&
                          cast<ops::PatchMergingOp>(op).getQuantType().has_value());
  });
  if (hasQuantizePoints && options.precision != Precision::Fp8 &&
      options.precision != Precision::Int8)
    return llvm::createStringError(
        "the model has quantize points; the CUDA backend compiles them with precision fp8 "
        "or int8 (not " + precisionName(options.precision).str() + ")");

  // Dequantized activations are read only as GEMM inputs, where the
  // GEMM takes their scale.
  auto gemmInputOf = [](Operation *op) -> Value {
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case<ops::WindowAttentionOp, ops::AttentionOutputOp, ops::LinearOp,
              ops::ResidualLinearOp>([](auto o) { return o.getInput(); })
        .Default([](Operation *) { return Value(); });
  };
  auto isWeight = [](Value value) {
    if (auto dequantize = value.getDefiningOp<ops::DequantizeOp>())
      value = dequantize.getInput();
    return static_cast<bool>(value.getDefiningOp<ops::ConstantOp>());
  };

  Value result;
  for (Operation &op : func.getBody().front()) {
    if (fusedAway.contains(&op) || isa<ops::ConstantOp>(op))
      continue;
    loweringName = locationName(&op);
    for (Value operand : op.getOperands()) {
      if (!isWeight(operand) && operand != input && !valueBuffer.count(operand))
        return opError(&op, "reads a value the CUDA backend did not produce");
      if (activationScale.count(operand) && operand != gemmInputOf(&op))
        return opError(&op, "reads a dequantized activation other than as a GEMM input; "
                            "the CUDA backend has no kernel for that");
    }
    llvm::Error error =
        llvm::TypeSwitch<Operation *, llvm::Error>(&op)
            .Case([&](ops::PatchEmbedOp o) { return lowerPatchEmbed(o); })
            .Case([&](ops::NormPartitionOp o) { return lowerNormPartition(o); })
            .Case([&](ops::WindowAttentionOp o) { return lowerWindowAttention(o); })
            .Case([&](ops::AttentionOutputOp o) { return lowerAttentionOutput(o); })
            .Case([&](ops::LayerNormOp o) { return lowerLayerNorm(o); })
            .Case([&](ops::LinearOp o) { return lowerLinear(o); })
            .Case([&](ops::ResidualLinearOp o) { return lowerResidualLinear(o); })
            .Case([&](ops::PatchMergingOp o) { return lowerPatchMerging(o); })
            .Case([&](ops::ClassifierHeadOp o) { return lowerClassifierHead(o); })
            .Case([&](ops::DequantizeOp o) { return lowerDequantize(o); })
            .Case([&](ops::QuantizeOp o) { return lowerQuantize(o); })
            .Case([&](func::ReturnOp o) {
              result = o.getOperand(0);
              return llvm::Error::success();
            })
            .Default([&](Operation *o) {
              return opError(o, "not supported by the CUDA backend (the fused pipeline "
                                "should have absorbed it; run swin-compile --stats)");
            });
    if (error)
      return std::move(error);
  }
  if (!result || !valueBuffer.count(result) ||
      !result.getDefiningOp<ops::ClassifierHeadOp>())
    return llvm::createStringError(
        "the model must end in a classifier head (swin.classifier_head)");

  // The epilogue (after the graph) reads the logits.
  int logits = valueBuffer.lookup(result);
  buffers[logits].lastStep = step;
  {
    llvm::raw_string_ostream e(epilogueText);
    std::string count = "batch * " + std::to_string(numClasses);
    e << "  swinrt::markLayer(ex, SWINRT_LAYER_HEAD);\n"
      << "  const int count = " << count << ";\n"
      << "  if (dtype == SWINRT_FLOAT32)\n"
      << "    swinrt::convert<T, float><<<(count + 255) / 256, 256, 0, ex.stream>>>(\n"
      << "        act(" << ref(logits) << "), static_cast<float *>(output), count);\n"
      << "  else\n"
      << "    swinrt::convert<T, __half><<<(count + 255) / 256, 256, 0, ex.stream>>>(\n"
      << "        act(" << ref(logits) << "), static_cast<__half *>(output), count);\n"
      << "  return swinrt::checkLaunch(\"convert\");\n";
    numKernels += 2;
  }

  std::vector<BufferRequest> requests;
  for (const Buffer &b : buffers)
    requests.push_back(BufferRequest{static_cast<uint64_t>(b.bytesPerImage * maxBatch),
                                     b.firstStep, b.lastStep});
  MemoryPlan plan = planMemory(requests, SWINW_ALIGNMENT);
  if (auto conflict = findConflict(requests, plan, SWINW_ALIGNMENT))
    return llvm::createStringError("internal error: the memory plan overlaps buffers " +
                                   std::to_string(conflict->first) + " and " +
                                   std::to_string(conflict->second));

  payload.resize(alignTo(payload.size(), SWINW_ALIGNMENT));
  uint64_t payloadChecksum = swinw_checksum(payload.data(), payload.size());
  std::string unhashed = assemble(plan, payloadChecksum, 0);
  uint64_t modelHash = swinw_checksum(unhashed.data(), unhashed.size());

  CudaModel model;
  model.source = assemble(plan, payloadChecksum, modelHash);
  model.modelHash = modelHash;
  model.arenaBytes = plan.arenaBytes;
  model.arenaLowerBound = livenessLowerBound(requests, SWINW_ALIGNMENT);
  model.numKernels = numKernels;
  model.numGemms = gemmRows.size();
  model.int8GemmClasses.assign(int8GemmClasses.begin(), int8GemmClasses.end());
  model.flopsPerImage = flopsPerImage;

  if (sections.size() > SWINW_MAX_SECTIONS)
    return llvm::createStringError("the model has " + std::to_string(sections.size()) +
                                   " weight tensors, more than the weights format's " +
                                   std::to_string(SWINW_MAX_SECTIONS));
  const char *table = reinterpret_cast<const char *>(sections.data());
  size_t tableBytes = sections.size() * sizeof(swinw_section);
  swinw_header header{};
  std::memcpy(header.magic, SWINW_MAGIC, 8);
  header.version = SWINW_VERSION;
  header.header_bytes = SWINW_HEADER_BYTES;
  header.payload_bytes = payload.size();
  header.payload_checksum = payloadChecksum;
  header.model_hash = modelHash;
  header.precision = static_cast<uint32_t>(options.precision);
  header.section_count = sections.size();
  header.payload_offset = swinw_payload_offset(sections.size());
  header.table_checksum = swinw_checksum(table, tableBytes);
  header.header_checksum = swinw_checksum(&header, offsetof(swinw_header, header_checksum));
  model.weights.assign(reinterpret_cast<const char *>(&header),
                       reinterpret_cast<const char *>(&header) + SWINW_HEADER_BYTES);
  model.weights.insert(model.weights.end(), table, table + tableBytes);
  model.weights.resize(header.payload_offset);
  model.weights.insert(model.weights.end(), payload.begin(), payload.end());
  return model;
}

/// Replaces each $bufN$ with its arena address.
static std::string placeBuffers(StringRef text, const MemoryPlan &plan) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    size_t start = text.find("$buf");
    if (start == StringRef::npos) {
      out += text.str();
      break;
    }
    out += text.substr(0, start).str();
    size_t end = text.find('$', start + 4);
    unsigned id = 0;
    text.substr(start + 4, end - start - 4).getAsInteger(10, id);
    out += "A + " + std::to_string(plan.offsets[id]);
    text = text.substr(end + 1);
  }
  return out;
}

std::string Emitter::assemble(const MemoryPlan &plan, uint64_t payloadChecksum,
                              uint64_t modelHash) {
  std::string text;
  llvm::raw_string_ostream os(text);
  StringRef precision = precisionName(options.precision);
  std::string archs = llvm::join(options.archs, ",");
  os << "// Generated by swin-compile. Do not edit.\n"
     << "// model: " << inChannels << "x" << inHeight << "x" << inWidth << " -> "
     << numClasses << " classes, precision " << precision << ", max batch " << maxBatch
     << ", targets " << archs << "\n"
     << "// kernels: " << numKernels << " launches, " << gemmRows.size()
     << " GEMMs (" << int8GemmCount << " int8 on libswinrt's int8 GEMM, the rest cuBLASLt), "
     << llvm::format("%.3f", flopsPerImage / 1e9)
     << " GFLOP per image; GELU: " << (exactGelu ? "exact (erf) kernel" : "tanh epilogue")
     << "\n//\n"
     << "// memory plan: arena " << plan.arenaBytes << " bytes at batch " << maxBatch
     << "\n";
  for (size_t i = 0; i < buffers.size(); ++i)
    os << "//   buffer " << i << ": offset " << plan.offsets[i] << ", "
       << buffers[i].bytesPerImage * maxBatch << " bytes, steps [" << buffers[i].firstStep
       << ", " << buffers[i].lastStep << "], " << buffers[i].what << "\n";
  os << "// weights: " << payload.size() << " bytes\n\n"
     << "#include \"swinrt/kernels.cuh\"\n"
     << (emitsFusedMlp ? "#include \"swinrt/mlp_int8.cuh\"\n" : "")
     << (emitsFusedQkv ? "#include \"swinrt/norm_qkv_int8.cuh\"\n" : "")
     << (emitsFusedProj ? "#include \"swinrt/proj_residual_int8.cuh\"\n" : "")
     << "#include \"swinrt/model.h\"\n\n"
     << "namespace {\n\n"
     << "using T = " << storageType << ";\n"
     << "using Q = " << (options.precision == Precision::Int8 ? "int8_t" : "__nv_fp8_e4m3")
     << "; // quantized activations\n\n"
     << "inline T *act(char *p) { return reinterpret_cast<T *>(p); }\n"
     << "inline Q *q8(char *p) { return reinterpret_cast<Q *>(p); }\n"
     << "inline const float *wf(const char *p) {\n"
     << "  return reinterpret_cast<const float *>(p);\n}\n\n"
     << "// Derived weights (expandWeights) follow the file's payload.\n"
     << "constexpr size_t kDerived = " << payload.size() << ";\n\n"
     << "const swinrt::GemmSpec kGemms[] = {\n"
     << "    // rows per image, n, k, epilogue, residual, operands, E4M3 output, name\n";
  for (const std::string &row : gemmRows)
    os << row << "\n";
  os << "};\n\n"
     << "template <typename Kernel>\n"
     << "swinrt_status setSharedMemory(Kernel kernel, int bytes) {\n"
     << "  cudaError_t error = cudaFuncSetAttribute(\n"
     << "      kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);\n"
     << "  return error == cudaSuccess ? SWINRT_OK\n"
     << "                              : swinrt::cudaFailure(error, "
        "\"cudaFuncSetAttribute\");\n"
     << "}\n\n"
     << "swinrt_status init() {\n"
     << "  cudaFuncAttributes attributes;\n"
     << "  cudaError_t error = cudaFuncGetAttributes(&attributes, swinrt::convert<T, float>);\n"
     << "  if (error == cudaErrorNoKernelImageForDevice ||\n"
     << "      error == cudaErrorInvalidDeviceFunction) {\n"
     << "    cudaGetLastError();\n"
     << "    return SWINRT_ERROR_WRONG_ARCH;\n"
     << "  }\n"
     << "  if (error != cudaSuccess)\n"
     << "    return swinrt::cudaFailure(error, \"cudaFuncGetAttributes\");\n";
  for (const std::string &line : initLines)
    os << line << "\n";
  os << "  return SWINRT_OK;\n}\n\n"
     << "swinrt_status expandWeights(char *W) {\n"
     << expandText << "  return SWINRT_OK;\n}\n\n"
     << "swinrt_status prologue(swinrt::Exec &ex, const void *input, swinrt_dtype dtype,\n"
     << "                       int batch) {\n"
     << "  char *A = ex.arena;\n"
     << placeBuffers(prologueText, plan) << "}\n\n"
     << "swinrt_status body(swinrt::Exec &ex, int batch) {\n"
     << "  char *A = ex.arena;\n"
     << "  const char *W = ex.weights;\n"
     << placeBuffers(bodyText, plan) << "  return SWINRT_OK;\n}\n\n"
     << "swinrt_status epilogue(swinrt::Exec &ex, void *output, swinrt_dtype dtype,\n"
     << "                       int batch) {\n"
     << "  char *A = ex.arena;\n"
     << placeBuffers(epilogueText, plan) << "}\n\n"
     << "} // namespace\n\n"
     << "const swinrt::ModelDesc swinrt::kModel = {\n"
     << "    /*modelHash=*/0x" << llvm::format_hex_no_prefix(modelHash, 16) << "ull,\n"
     << "    /*payloadChecksum=*/0x" << llvm::format_hex_no_prefix(payloadChecksum, 16)
     << "ull,\n"
     << "    /*weightsBytes=*/" << payload.size() << "ull,\n"
     << "    /*derivedWeightsBytes=*/" << derivedBytes << "ull,\n"
     << "    /*arenaBytes=*/" << plan.arenaBytes << "ull,\n"
     << "    swinrt::k"
     << (options.precision == Precision::Fp32   ? "Fp32"
         : options.precision == Precision::Tf32 ? "Tf32"
         : options.precision == Precision::Fp16 ? "Fp16"
         : options.precision == Precision::Bf16 ? "Bf16"
         : options.precision == Precision::Fp8  ? "Fp8"
                                                : "Int8")
     << ",\n"
     << "    /*maxBatch=*/" << maxBatch << ",\n"
     << "    /*input=*/" << inChannels << ", " << inHeight << ", " << inWidth << ",\n"
     << "    /*numClasses=*/" << numClasses << ",\n"
     << "    \"" << precision << "\",\n"
     << "    \"" << archs << "\",\n"
     << "    kGemms,\n"
     << "    /*numGemms=*/" << gemmRows.size() << ",\n"
     << "    init,\n"
     << "    expandWeights,\n"
     << "    prologue,\n"
     << "    body,\n"
     << "    epilogue,\n"
     << "};\n";
  return text;
}

namespace swin::cuda {
llvm::Expected<CudaModel> emitCudaModel(ModuleOp module, const EmitOptions &options) {
  return Emitter(module, options).run();
}
} // namespace swin::cuda

//===----------------------------------------------------------------------===//
// Translation registration
//===----------------------------------------------------------------------===//

namespace swin::cuda {
void registerToCudaTranslation() {
  static llvm::cl::opt<std::string> precision(
      "swin-cuda-precision", llvm::cl::desc("Precision of --swin-to-cuda"),
      llvm::cl::init("fp16"));
  static llvm::cl::opt<std::string> archs(
      "swin-cuda-arch", llvm::cl::desc("Targets of --swin-to-cuda"), llvm::cl::init("sm_90"));
  TranslateFromMLIRRegistration registration(
      "swin-to-cuda", "emit the CUDA C++ of a fused swin module (model.cu)",
      [](ModuleOp module, llvm::raw_ostream &os) -> LogicalResult {
        EmitOptions options;
        if (!parsePrecision(precision, options.precision))
          return module.emitError("unknown precision '" + precision + "'");
        auto parsedArchs = parseArchList(archs);
        if (!parsedArchs)
          return module.emitError(llvm::toString(parsedArchs.takeError()));
        options.archs = *parsedArchs;
        auto model = emitCudaModel(module, options);
        if (!model)
          return module.emitError(llvm::toString(model.takeError()));
        os << model->source;
        return success();
      },
      [](DialectRegistry &registry) {
        registry.insert<mlir::swin::SwinDialect, func::FuncDialect>();
      });
}
} // namespace swin::cuda
