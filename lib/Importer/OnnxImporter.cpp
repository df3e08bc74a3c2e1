//===- OnnxImporter.cpp - ONNX ModelProto to swin dialect -----------------===//
//
// Walks the ONNX graph in order. Values that do not depend on the image are
// folded on the host (HostTensor, in two batch lanes); values that do become
// swin ops. Shapes are static except one batch-carrying dimension, whose size
// is `batchCoeff * batch`.
//
//===----------------------------------------------------------------------===//

#include "swin/Importer/OnnxImporter.h"

#include "HostTensor.h"
#include "onnx/onnx.pb.h"
#include "swin/Dialect/Swin/IR/SwinOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <array>
#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace ::swin::onnx_import;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;
using llvm::Twine;

namespace {

Error fail(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

constexpr int64_t kDynamic = ShapedType::kDynamic;
/// Most nodes (and initializers) a graph may have: Swin-L exports about
/// 6,000; the bound keeps a hostile file from exhausting memory in the
/// importer's maps before anything else is checked.
constexpr int kMaxNodes = 200000;
/// Most elements per image of a tensor computed at run time (the batch
/// dimension counts once): Swin-L at 384 peaks at about 10^7.
constexpr int64_t kMaxRuntimeElements = int64_t(1) << 32;

/// An ONNX value during import: a folded constant, a lazily decoded
/// initializer, or a runtime SSA value.
struct ImportedValue {
  Value value;
  /// Size of the dynamic dimension of `value`, in batches (0: fully static).
  int64_t batchCoeff = 0;
  LaneTensor constant;
  const onnx::TensorProto *initializer = nullptr;

  bool isRuntime() const { return static_cast<bool>(value); }
  bool hasConstant() const { return constant.lanes[0] != nullptr; }
};

/// Adapts ONNX node attributes to the folder's interface.
class NodeAttrs : public FoldAttrs {
public:
  NodeAttrs(const onnx::NodeProto &node,
            std::function<Expected<HostTensor>(const onnx::TensorProto &)> decode)
      : node(node), decode(std::move(decode)) {}

  const onnx::AttributeProto *find(StringRef name) const {
    for (const onnx::AttributeProto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  bool has(StringRef name) const override { return find(name) != nullptr; }
  int64_t getInt(StringRef name, int64_t dflt) const override {
    const onnx::AttributeProto *a = find(name);
    return a && a->has_i() ? a->i() : dflt;
  }
  float getFloat(StringRef name, float dflt) const override {
    const onnx::AttributeProto *a = find(name);
    return a && a->has_f() ? a->f() : dflt;
  }
  std::vector<int64_t> getInts(StringRef name) const override {
    const onnx::AttributeProto *a = find(name);
    if (!a)
      return {};
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  }
  std::string getString(StringRef name) const override { return getString(name, ""); }
  std::string getString(StringRef name, StringRef dflt) const {
    const onnx::AttributeProto *a = find(name);
    return a && a->has_s() ? a->s() : dflt.str();
  }
  Expected<HostTensor> getTensor(StringRef name) const override {
    const onnx::AttributeProto *a = find(name);
    if (!a || !a->has_t())
      return fail("attribute '" + name + "' is not a tensor");
    return decode(a->t());
  }

private:
  const onnx::NodeProto &node;
  std::function<Expected<HostTensor>(const onnx::TensorProto &)> decode;
};

class OnnxImporter {
public:
  OnnxImporter(MLIRContext &context, StringRef path,
               const ::swin::ImportOptions &options)
      : context(context), builder(&context), path(path.str()), options(options) {}

  /// `contents`: the model's bytes, or none to read them from `path`.
  Expected<OwningOpRef<ModuleOp>> run(std::optional<StringRef> contents);

private:
  // Loading and validation.
  Error loadModel(std::optional<StringRef> contents);
  Error validateModel();
  Expected<ArrayRef<char>> rawBytes(const onnx::TensorProto &t);
  Expected<HostTensor> decodeTensor(const onnx::TensorProto &t);
  Expected<FunctionType> buildSignature();

  // Values.
  Expected<ImportedValue *> lookup(const std::string &name);
  Expected<const LaneTensor *> getConstant(ImportedValue &v);
  Expected<Value> getRuntime(ImportedValue &v, Location loc);
  Expected<Value> materialize(const HostTensor &t, Location loc);
  Expected<Value> materialize(const LaneTensor &t, Location loc);
  Lanes dimLanes(const ImportedValue &v, int64_t dim) const;
  Expected<std::vector<int64_t>> staticInts(ImportedValue &v, StringRef what);

  // Nodes.
  Error importNode(const onnx::NodeProto &node);
  bool isBatchExpand(const onnx::NodeProto &node,
                     ArrayRef<ImportedValue *> inputs);
  Error importRuntimeNode(const onnx::NodeProto &node, const NodeAttrs &attrs,
                          std::vector<ImportedValue *> &inputs,
                          std::vector<ImportedValue> &outputs);

  // Op construction.
  template <typename OpTy, typename... Args>
  Expected<Value> create(Location loc, Args &&...args);
  Error verifyOp(Operation *op);
  int64_t coeffOf(ArrayRef<ImportedValue *> values) const;
  std::string resolutionHint() const;
  Expected<ImportedValue> reshape(ImportedValue &in,
                                  std::vector<Lanes> target,
                                  Location loc);
  Expected<ImportedValue> slice(ImportedValue &in, int64_t axis, int64_t begin,
                                int64_t end, int64_t step, Location loc);

  MLIRContext &context;
  OpBuilder builder;
  std::string path;
  ::swin::ImportOptions options;
  onnx::ModelProto model;
  int64_t opset = 0;
  std::string currentNode;
  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> externalFiles;
  llvm::StringMap<Value> materializedInitializers;
  llvm::StringSet<> consumed;
  std::string inputName;
};

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

Error OnnxImporter::loadModel(std::optional<StringRef> given) {
  std::unique_ptr<llvm::MemoryBuffer> file;
  if (!given) {
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return fail("cannot read file: " + buffer.getError().message());
    file = std::move(*buffer);
  }
  StringRef contents = given ? *given : file->getBuffer();
  StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".textproto" || ext == ".pbtxt") {
    // Collects the first error (and keeps protobuf from logging to stderr).
    struct FirstError : google::protobuf::io::ErrorCollector {
      std::string message;
      void AddError(int line, int column, const std::string &text) override {
        if (message.empty())
          message = llvm::formatv("{0}:{1}: {2}", line + 1, column + 1, text).str();
      }
    } errors;
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(contents.str(), &model))
      return fail("not a valid ONNX model in protobuf text format: " + errors.message);
    return Error::success();
  }
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(contents.data()), contents.size());
  stream.SetTotalBytesLimit(std::numeric_limits<int>::max());
  if (contents.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return fail("model file is larger than 2 GiB; store the weights as ONNX external data");
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return fail("not a valid ONNX model (protobuf parsing failed; is the file truncated or "
                "not ONNX?)");
  return Error::success();
}

Error OnnxImporter::validateModel() {
  if (model.ByteSizeLong() == 0)
    return fail("the file is empty; not an ONNX model");
  if (model.ir_version() <= 0)
    return fail("not a valid ONNX model: ir_version is missing");
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset <= 0)
    return fail("not a valid ONNX model: no opset for the default domain");
  if (opset < 11)
    return fail("opset " + Twine(opset) + " is older than the oldest supported (11)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    return fail("not a valid ONNX model: the graph is empty");
  if (model.graph().output_size() == 0)
    return fail("not a valid ONNX model: the graph has no outputs");
  if (model.graph().node_size() > kMaxNodes)
    return fail("the graph has " + Twine(model.graph().node_size()) +
                " nodes, above the importer's limit of " + Twine(kMaxNodes));
  if (model.graph().initializer_size() > kMaxNodes)
    return fail("the graph has " + Twine(model.graph().initializer_size()) +
                " initializers, above the importer's limit of " + Twine(kMaxNodes));
  return Error::success();
}

Expected<ArrayRef<char>> OnnxImporter::rawBytes(const onnx::TensorProto &t) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return ArrayRef<char>(t.raw_data().data(), t.raw_data().size());
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" || kv.key() == "length") {
      int64_t v = 0;
      if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
        return fail("tensor '" + t.name() + "': invalid external data " + kv.key());
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty())
    return fail("tensor '" + t.name() + "': external data has no location");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::any_of(llvm::make_range(llvm::sys::path::begin(location),
                                    llvm::sys::path::end(location)),
                   [](StringRef c) { return c == ".."; }))
    return fail("tensor '" + t.name() + "': external data path '" + location +
                "' must stay inside the model's folder");
  auto &file = externalFiles[location];
  if (!file) {
    llvm::SmallString<256> folder(llvm::sys::path::parent_path(path));
    if (folder.empty())
      folder = ".";
    llvm::SmallString<256> full(folder);
    llvm::sys::path::append(full, location);
    // A symbolic link (of the file or of a folder on its way) must not lead
    // out of the model's folder either.
    llvm::SmallString<256> realFolder, realFile;
    if (!llvm::sys::fs::real_path(folder, realFolder) &&
        !llvm::sys::fs::real_path(full, realFile)) {
      llvm::sys::path::append(realFolder, "");
      if (!StringRef(realFile).starts_with(realFolder))
        return fail("tensor '" + t.name() + "': external data path '" + location +
                    "' leads out of the model's folder (through a symbolic link)");
    }
    // Not a folder, nor a FIFO or device a read could block on forever.
    if (llvm::sys::fs::exists(full) && !llvm::sys::fs::is_regular_file(full))
      return fail("tensor '" + t.name() + "': external data path '" + location +
                  "' is not a regular file");
    auto buffer = llvm::MemoryBuffer::getFile(full, false, false);
    if (!buffer)
      return fail("tensor '" + t.name() + "': cannot read external data '" + full +
                  "': " + buffer.getError().message());
    file = std::move(*buffer);
  }
  int64_t size = file->getBufferSize();
  if (offset > size)
    return fail("tensor '" + t.name() + "': external data offset " + Twine(offset) +
                " lies past the end of '" + location + "' (" + Twine(size) + " bytes)");
  if (length < 0)
    length = size - offset;
  if (offset > size || length > size - offset)
    return fail("tensor '" + t.name() + "': external data range [" + Twine(offset) + ", " +
                Twine(offset + length) + ") lies outside '" + location + "' (" +
                Twine(size) + " bytes)");
  return ArrayRef<char>(file->getBufferStart() + offset, length);
}

Expected<HostTensor> OnnxImporter::decodeTensor(const onnx::TensorProto &t) {
  HostTensor out;
  int32_t type = t.data_type();
  if (!isSupportedOnnxType(type))
    return fail("tensor '" + t.name() + "' has unsupported data type " + Twine(type));
  out.onnxType = type;
  out.kind = kindOfOnnxType(type);
  out.shape.assign(t.dims().begin(), t.dims().end());
  if (Error e = checkHostShape(out.shape, "tensor '" + t.name() + "'"))
    return std::move(e);
  int64_t count = 1;
  for (int64_t d : out.shape)
    count *= d; // checked above: at most kMaxHostElements
  std::vector<double> &v = out.data;
  auto raw = rawBytes(t);
  if (!raw)
    return raw.takeError();
  bool useRaw = t.data_location() == onnx::TensorProto::EXTERNAL || t.has_raw_data();
  auto checkCount = [&](int64_t n) -> Error {
    if (n != count)
      return fail("tensor '" + t.name() + "' holds " + Twine(n) + " values, its shape " +
                  shapeToString(out.shape) + " needs " + Twine(count));
    return Error::success();
  };
  if (useRaw) {
    static const int kSizes[17] = {0, 4, 1, 1, 2, 2, 4, 8, 0, 1, 2, 8, 4, 8, 0, 0, 2};
    int elem = kSizes[type];
    if (raw->size() % elem)
      return fail("tensor '" + t.name() + "' has a partial element in its raw data");
    if (Error e = checkCount(raw->size() / elem))
      return e;
    v.reserve(count);
    const char *p = raw->data();
    for (int64_t i = 0; i < count; ++i, p += elem) {
      switch (type) {
      case 1: { float x; std::memcpy(&x, p, 4); v.push_back(x); break; }
      case 2: v.push_back(static_cast<uint8_t>(*p)); break;
      case 3: v.push_back(static_cast<int8_t>(*p)); break;
      case 4: { uint16_t x; std::memcpy(&x, p, 2); v.push_back(x); break; }
      case 5: { int16_t x; std::memcpy(&x, p, 2); v.push_back(x); break; }
      case 6: { int32_t x; std::memcpy(&x, p, 4); v.push_back(x); break; }
      case 7: { int64_t x; std::memcpy(&x, p, 8); v.push_back(static_cast<double>(x)); break; }
      case 9: v.push_back(*p != 0); break;
      case 10: {
        uint16_t h; std::memcpy(&h, p, 2);
        v.push_back(llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, h)).convertToFloat());
        break;
      }
      case 11: { double x; std::memcpy(&x, p, 8); v.push_back(x); break; }
      case 12: { uint32_t x; std::memcpy(&x, p, 4); v.push_back(x); break; }
      case 13: { uint64_t x; std::memcpy(&x, p, 8); v.push_back(static_cast<double>(x)); break; }
      case 16: {
        uint16_t h; std::memcpy(&h, p, 2);
        uint32_t bits = uint32_t(h) << 16; float x; std::memcpy(&x, &bits, 4);
        v.push_back(x);
        break;
      }
      }
    }
    return out;
  }
  switch (type) {
  case 1:
    if (Error e = checkCount(t.float_data_size())) return std::move(e);
    v.assign(t.float_data().begin(), t.float_data().end());
    break;
  case 11:
    if (Error e = checkCount(t.double_data_size())) return std::move(e);
    v.assign(t.double_data().begin(), t.double_data().end());
    break;
  case 7:
    if (Error e = checkCount(t.int64_data_size())) return std::move(e);
    for (int64_t x : t.int64_data()) v.push_back(static_cast<double>(x));
    break;
  case 12: case 13:
    if (Error e = checkCount(t.uint64_data_size())) return std::move(e);
    for (uint64_t x : t.uint64_data()) v.push_back(static_cast<double>(x));
    break;
  case 10: case 16:
    return fail("tensor '" + t.name() + "': 16-bit floats are only supported as raw data");
  default:
    if (Error e = checkCount(t.int32_data_size())) return std::move(e);
    v.assign(t.int32_data().begin(), t.int32_data().end());
    break;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

Expected<ImportedValue *> OnnxImporter::lookup(const std::string &name) {
  auto it = values.find(name);
  if (it == values.end())
    return fail("input '" + name + "' is not produced by any earlier node, initializer "
                "or graph input");
  return &it->second;
}

Expected<const LaneTensor *> OnnxImporter::getConstant(ImportedValue &v) {
  if (!v.hasConstant() && v.initializer) {
    auto t = decodeTensor(*v.initializer);
    if (!t)
      return t.takeError();
    v.constant = LaneTensor::uniform(std::move(*t));
  }
  if (!v.hasConstant())
    return fail("internal error: value has no constant");
  return &v.constant;
}

Lanes OnnxImporter::dimLanes(const ImportedValue &v, int64_t dim) const {
  int64_t d = cast<RankedTensorType>(v.value.getType()).getDimSize(dim);
  if (!ShapedType::isDynamic(d))
    return Lanes::uniform(d);
  return Lanes::batchMultiple(v.batchCoeff);
}

Expected<std::vector<int64_t>> OnnxImporter::staticInts(ImportedValue &v,
                                                        StringRef what) {
  if (v.isRuntime())
    return fail(what + " must be a constant, but it depends on the input image");
  auto c = getConstant(v);
  if (!c)
    return c.takeError();
  if ((*c)->dependsOnBatch())
    return fail(what + " depends on the batch size");
  std::vector<int64_t> out;
  for (double x : (*c)->lane(0).data)
    out.push_back(toInt64(x));
  return out;
}

Expected<Value> OnnxImporter::materialize(const LaneTensor &t, Location loc) {
  if (t.dependsOnBatch())
    return fail("a constant that depends on the batch size feeds a computation on the image");
  return materialize(t.lane(0), loc);
}

Expected<Value> OnnxImporter::materialize(const HostTensor &t, Location loc) {
  if (t.kind != ElemKind::Float)
    return fail(Twine("a constant of type ") + onnxTypeName(t.onnxType) +
                " feeds a computation on the image; only float tensors are supported there");
  std::vector<float> data(t.data.begin(), t.data.end());
  auto type = RankedTensorType::get(t.shape, builder.getF32Type());
  auto attr = DenseElementsAttr::get(type, ArrayRef<float>(data));
  return builder.create<mlir::swin::ConstantOp>(loc, attr).getResult();
}

Expected<Value> OnnxImporter::getRuntime(ImportedValue &v, Location loc) {
  if (v.isRuntime())
    return v.value;
  if (v.initializer && v.initializer->data_type() == onnx::TensorProto::FLOAT) {
    Value &cached = materializedInitializers[v.initializer->name()];
    if (!cached) {
      // Fast path for weights: raw little-endian fp32 straight into the attribute.
      auto t = getConstant(v);
      if (!t)
        return t.takeError();
      auto value = materialize(**t, loc);
      if (!value)
        return value.takeError();
      cached = *value;
      // The decoded copy is no longer needed unless a folded op asks again.
      v.constant = LaneTensor();
    }
    return cached;
  }
  auto t = getConstant(v);
  if (!t)
    return t.takeError();
  return materialize(**t, loc);
}

int64_t OnnxImporter::coeffOf(ArrayRef<ImportedValue *> vs) const {
  for (ImportedValue *v : vs)
    if (v && v->isRuntime() && v->batchCoeff)
      return v->batchCoeff;
  return 0;
}

//===----------------------------------------------------------------------===//
// Op construction
//===----------------------------------------------------------------------===//

Error OnnxImporter::verifyOp(Operation *op) {
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    if (message.empty())
      message = d.str();
    return success();
  });
  if (failed(mlir::verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return fail(message.empty() ? "invalid op" : message);
  }
  // Bound what later shape arithmetic (lanes, evaluator, emitter) multiplies.
  for (Type type : op->getResultTypes()) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped)
      continue;
    int64_t elements = 1;
    bool tooLarge = shaped.getRank() > kMaxRank;
    for (int64_t d : shaped.getShape())
      if (d != kDynamic)
        tooLarge = tooLarge || llvm::MulOverflow(elements, d, elements) ||
                   elements > kMaxRuntimeElements;
    if (tooLarge) {
      std::string text;
      llvm::raw_string_ostream os(text);
      shaped.print(os);
      op->erase();
      return fail("the result " + text + " is larger than the importer's limit (rank " +
                  Twine(kMaxRank) + ", " + Twine(kMaxRuntimeElements) +
                  " elements per image)");
    }
  }
  return Error::success();
}

/// Builds `OpTy` with its result type inferred, turning inference failures
/// (bad shapes in the model) into errors instead of aborts.
template <typename OpTy, typename... Args>
Expected<Value> OnnxImporter::create(Location loc, Args &&...args) {
  OperationState state(loc, OpTy::getOperationName());
  OpTy::build(builder, state, Type(), std::forward<Args>(args)...);
  state.types.clear();
  SmallVector<Type> types;
  std::string message;
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
      if (message.empty())
        message = d.str();
      return success();
    });
    if (failed(OpTy::inferReturnTypes(&context, loc, state.operands,
                                      state.attributes.getDictionary(&context),
                                      state.getRawProperties(), state.regions, types)))
      return fail(message.empty() ? "shape inference failed" : message);
  }
  state.addTypes(types);
  Operation *op = builder.create(state);
  if (Error e = verifyOp(op))
    return std::move(e);
  return op->getResult(0);
}

/// When the user chose the resolution, a failed reshape most likely means it
/// does not tile into the model's patches and windows.
std::string OnnxImporter::resolutionHint() const {
  if (!options.imageHeight)
    return "";
  return llvm::formatv("; check that the input resolution {0}x{1} divides into the "
                       "model's patches and windows",
                       *options.imageHeight, *options.imageWidth)
      .str();
}

Expected<ImportedValue>
OnnxImporter::reshape(ImportedValue &in, std::vector<Lanes> target, Location loc) {
  auto inType = cast<RankedTensorType>(in.value.getType());
  Lanes count = Lanes::uniform(1);
  for (int64_t d = 0; d < inType.getRank(); ++d)
    count *= dimLanes(in, d);
  if ((int64_t)target.size() > kMaxRank)
    return fail("Reshape to rank " + Twine(target.size()) + ", above the limit of " +
                Twine(kMaxRank));
  auto laneShape = [&](int lane) {
    std::vector<int64_t> s;
    for (const Lanes &t : target)
      s.push_back(t[lane]);
    return s;
  };
  // Resolve -1 in each lane.
  for (int lane = 0; lane < kNumLanes; ++lane) {
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i][lane] == -1)
        infer = i;
      else if (target[i][lane] < 0 || llvm::MulOverflow(known, target[i][lane], known))
        return fail("cannot reshape " + shapeToString(inType.getShape()) + " to " +
                    shapeToString(laneShape(lane)) + ": invalid or overflowing dimensions");
    }
    if (infer >= 0) {
      if (known == 0 || count[lane] % known)
        return fail("cannot reshape " + shapeToString(inType.getShape()) + " to " +
                    shapeToString(laneShape(lane)) + " at batch " +
                    Twine(kBatchLane[lane]) + resolutionHint());
      target[infer][lane] = count[lane] / known;
    }
  }
  SmallVector<int64_t> shape;
  int64_t coeff = 0;
  Lanes product = Lanes::uniform(1);
  for (const Lanes &t : target) {
    product *= t;
    if (t.isUniform()) {
      shape.push_back(t[0]);
      continue;
    }
    // Batch-dependent: must be coeff * batch.
    std::optional<int64_t> k = t.asBatchMultiple();
    if (coeff || !k) {
      std::string perLane;
      for (int lane = 0; lane < kNumLanes; ++lane)
        perLane += (lane ? ", " : "") + shapeToString(laneShape(lane)) + " at batch " +
                   std::to_string(kBatchLane[lane]);
      return fail("reshape target (" + perLane + ") is not a single multiple of the batch");
    }
    coeff = *k;
    shape.push_back(kDynamic);
  }
  if (product != count)
    return fail("cannot reshape " + shapeToString(inType.getShape()) + " (" +
                Twine(count[0] / kBatchLane[0]) + " elements per image) to " +
                shapeToString(shape) + resolutionHint());
  ImportedValue out;
  out.batchCoeff = coeff;
  auto type = RankedTensorType::get(shape, inType.getElementType());
  if (type == inType) {
    out.value = in.value;
    return out;
  }
  auto op = builder.create<mlir::swin::ReshapeOp>(loc, type, in.value);
  if (Error e = verifyOp(op))
    return std::move(e);
  out.value = op;
  return out;
}

Expected<ImportedValue> OnnxImporter::slice(ImportedValue &in, int64_t axis,
                                            int64_t begin, int64_t end, int64_t step,
                                            Location loc) {
  auto type = cast<RankedTensorType>(in.value.getType());
  SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
  SmallVector<int64_t> sizes(type.getShape());
  offsets[axis] = begin;
  strides[axis] = step;
  sizes[axis] = std::max<int64_t>(0, (end - begin + step - 1) / step);
  auto v = create<mlir::swin::SliceOp>(loc, in.value, offsets, sizes, strides);
  if (!v)
    return v.takeError();
  ImportedValue out;
  out.value = *v;
  out.batchCoeff = in.batchCoeff;
  return out;
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

/// An Expand whose target shape depends on the batch (a mask expanded to the
/// batch) cannot be a constant; it becomes swin.broadcast.
bool OnnxImporter::isBatchExpand(const onnx::NodeProto &node,
                                 ArrayRef<ImportedValue *> inputs) {
  if (node.op_type() != "Expand" || inputs.size() != 2 || !inputs[1] ||
      inputs[1]->isRuntime())
    return false;
  auto shape = getConstant(*inputs[1]);
  if (!shape) {
    llvm::consumeError(shape.takeError());
    return false;
  }
  return (*shape)->dependsOnBatch();
}

Error OnnxImporter::importNode(const onnx::NodeProto &node) {
  NodeAttrs attrs(node, [this](const onnx::TensorProto &t) { return decodeTensor(t); });
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return fail("unsupported op '" + node.domain() + "." + node.op_type() + "'");

  std::vector<ImportedValue *> inputs;
  bool anyRuntime = false;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(nullptr);
      continue;
    }
    auto v = lookup(name);
    if (!v)
      return v.takeError();
    inputs.push_back(*v);
    anyRuntime |= (*v)->isRuntime();
  }

  std::vector<ImportedValue> outputs;
  StringRef op = node.op_type();
  // Shape and Size only read the static type, so they fold on image values.
  bool foldShapeOf = (op == "Shape" || op == "Size") && !inputs.empty() && inputs[0] &&
                     inputs[0]->isRuntime();
  if (foldShapeOf) {
    ImportedValue &x = *inputs[0];
    int64_t rank = cast<RankedTensorType>(x.value.getType()).getRank();
    std::array<HostTensor, kNumLanes> t;
    for (HostTensor &lane : t) {
      lane.kind = ElemKind::Int;
      lane.onnxType = onnx::TensorProto::INT64;
    }
    if (op == "Size") {
      Lanes n = Lanes::uniform(1);
      for (int64_t d = 0; d < rank; ++d)
        n *= dimLanes(x, d);
      for (int lane = 0; lane < kNumLanes; ++lane)
        t[lane].data = {static_cast<double>(n[lane])};
    } else {
      int64_t start = attrs.getInt("start", 0), end = attrs.getInt("end", rank);
      start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
      end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
      for (int64_t d = start; d < end; ++d)
        for (int lane = 0; lane < kNumLanes; ++lane)
          t[lane].data.push_back(dimLanes(x, d)[lane]);
      for (HostTensor &lane : t)
        lane.shape = {end - start};
    }
    outputs.emplace_back();
    outputs.back().constant = LaneTensor::fromLanes(std::move(t));
  } else if (!anyRuntime && canFold(op) && !isBatchExpand(node, inputs)) {
    // Fold in lane 0, and again in lane 1 if any input depends on the batch.
    std::vector<const LaneTensor *> constants;
    bool batchDependent = false;
    for (ImportedValue *v : inputs) {
      if (!v) {
        constants.push_back(nullptr);
        continue;
      }
      auto c = getConstant(*v);
      if (!c)
        return c.takeError();
      constants.push_back(*c);
      batchDependent |= (*c)->dependsOnBatch();
    }
    std::vector<HostTensor> folded[kNumLanes];
    for (int lane = 0; lane < (batchDependent ? kNumLanes : 1); ++lane) {
      std::vector<const HostTensor *> laneInputs;
      for (const LaneTensor *c : constants)
        laneInputs.push_back(c ? &c->lane(lane) : nullptr);
      auto result = foldOp(op, opset, laneInputs, attrs, node.output_size());
      if (!result)
        return result.takeError();
      folded[lane] = std::move(*result);
    }
    for (size_t i = 0; i < folded[0].size(); ++i) {
      outputs.emplace_back();
      if (!batchDependent) {
        outputs.back().constant = LaneTensor::uniform(std::move(folded[0][i]));
        continue;
      }
      std::array<HostTensor, kNumLanes> lanes;
      for (int lane = 0; lane < kNumLanes; ++lane)
        lanes[lane] = std::move(folded[lane][i]);
      outputs.back().constant = LaneTensor::fromLanes(std::move(lanes));
    }
  } else {
    if (Error e = importRuntimeNode(node, attrs, inputs, outputs))
      return e;
  }

  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &name = node.output(i);
    if (name.empty())
      continue;
    if (i >= static_cast<int>(outputs.size())) {
      if (consumed.contains(name))
        return fail("output " + Twine(i) + " ('" + name + "') is not supported");
      continue;
    }
    values[name] = std::move(outputs[i]);
  }
  return Error::success();
}

Error OnnxImporter::importRuntimeNode(const onnx::NodeProto &node,
                                      const NodeAttrs &attrs,
                                      std::vector<ImportedValue *> &in,
                                      std::vector<ImportedValue> &out) {
  StringRef op = node.op_type();
  Location loc = NameLoc::get(builder.getStringAttr(
      node.name().empty() ? node.op_type() : node.name()));
  auto input = [&](size_t i) -> ImportedValue * { return i < in.size() ? in[i] : nullptr; };
  auto requireInputs = [&](size_t n) -> Error {
    for (size_t i = 0; i < n; ++i)
      if (!input(i))
        return fail("expects at least " + Twine(n) + " inputs");
    return Error::success();
  };
  auto runtime = [&](size_t i) { return getRuntime(*in[i], loc); };
  auto rankOf = [](Value v) { return cast<RankedTensorType>(v.getType()).getRank(); };
  auto emit = [&](Expected<Value> v, int64_t coeff) -> Error {
    if (!v)
      return v.takeError();
    ImportedValue r;
    r.value = *v;
    r.batchCoeff = cast<RankedTensorType>(v->getType()).hasStaticShape() ? 0 : coeff;
    out.push_back(std::move(r));
    return Error::success();
  };
  auto passThrough = [&]() -> Error {
    out.push_back(*in[0]);
    return Error::success();
  };
  auto normalizeAxis = [](int64_t axis, int64_t rank) -> Expected<int64_t> {
    if (axis < -rank || axis >= rank)
      return fail("axis " + Twine(axis) + " out of range for rank " + Twine(rank));
    return axis < 0 ? axis + rank : axis;
  };
  if (Error e = requireInputs(1))
    return e;
  int64_t coeff = coeffOf(in);

  // --- Elementwise -------------------------------------------------------
  using BinaryBuilder = std::function<Expected<Value>(Value, Value)>;
  auto binaryOp = [&](auto tag) -> BinaryBuilder {
    using OpTy = decltype(tag);
    return [&, this](Value a, Value b) { return create<OpTy>(loc, a, b); };
  };
  BinaryBuilder binary = llvm::StringSwitch<BinaryBuilder>(op)
                             .Case("Add", binaryOp(mlir::swin::AddOp()))
                             .Case("Sub", binaryOp(mlir::swin::SubOp()))
                             .Case("Mul", binaryOp(mlir::swin::MulOp()))
                             .Case("Div", binaryOp(mlir::swin::DivOp()))
                             .Case("Pow", binaryOp(mlir::swin::PowOp()))
                             .Case("Max", binaryOp(mlir::swin::MaxOp()))
                             .Case("Min", binaryOp(mlir::swin::MinOp()))
                             .Case("Sum", binaryOp(mlir::swin::AddOp()))
                             .Default(nullptr);
  if (binary) {
    if (Error e = requireInputs(2))
      return e;
    auto acc = runtime(0);
    for (size_t i = 1; acc && i < in.size(); ++i) {
      auto rhs = runtime(i);
      if (!rhs)
        return rhs.takeError();
      acc = binary(*acc, *rhs);
    }
    return emit(std::move(acc), coeff);
  }

  using UnaryBuilder = std::function<Value(Value)>;
  auto unaryOp = [&](auto tag) -> UnaryBuilder {
    using OpTy = decltype(tag);
    return [&, this](Value a) -> Value { return builder.create<OpTy>(loc, a); };
  };
  UnaryBuilder unary = llvm::StringSwitch<UnaryBuilder>(op)
                           .Case("Neg", unaryOp(mlir::swin::NegOp()))
                           .Case("Abs", unaryOp(mlir::swin::AbsOp()))
                           .Case("Sqrt", unaryOp(mlir::swin::SqrtOp()))
                           .Case("Reciprocal", unaryOp(mlir::swin::ReciprocalOp()))
                           .Case("Exp", unaryOp(mlir::swin::ExpOp()))
                           .Case("Log", unaryOp(mlir::swin::LogOp()))
                           .Case("Erf", unaryOp(mlir::swin::ErfOp()))
                           .Case("Tanh", unaryOp(mlir::swin::TanhOp()))
                           .Case("Sigmoid", unaryOp(mlir::swin::SigmoidOp()))
                           .Case("Relu", unaryOp(mlir::swin::ReluOp()))
                           .Default(nullptr);
  if (unary) {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    return emit(unary(*x), coeff);
  }

  if (op == "Identity" || op == "Dropout")
    return passThrough();
  if (op == "Cast") {
    if (kindOfOnnxType(attrs.getInt("to", 1)) != ElemKind::Float)
      return fail(Twine("casting image data to ") +
                  onnxTypeName(attrs.getInt("to", 1)) + " is not supported");
    return passThrough();
  }
  if (op == "Gelu") {
    std::string approx = attrs.getString("approximate", "none");
    if (approx != "none" && approx != "tanh")
      return fail("unknown approximate mode '" + approx + "'");
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    auto mode = approx == "tanh" ? mlir::swin::GeluApproximation::tanh
                                 : mlir::swin::GeluApproximation::none;
    return emit(builder.create<mlir::swin::GeluOp>(
                           loc, *x, mlir::swin::GeluApproximationAttr::get(&context, mode))
                    .getResult(),
                coeff);
  }
  if (op == "Clip") {
    float lo = -std::numeric_limits<float>::infinity(), hi = -lo;
    for (int i : {1, 2}) {
      if (!input(i))
        continue;
      auto c = getConstant(*in[i]);
      if (!c || in[i]->isRuntime())
        return fail("Clip bounds must be constants");
      (i == 1 ? lo : hi) = (*c)->lane(0).data.at(0);
    }
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    return emit(builder.create<mlir::swin::ClipOp>(loc, *x, builder.getF32FloatAttr(lo),
                                             builder.getF32FloatAttr(hi))
                    .getResult(),
                coeff);
  }

  // --- Linear algebra ----------------------------------------------------
  if (op == "MatMul") {
    if (Error e = requireInputs(2))
      return e;
    auto a = runtime(0), b = runtime(1);
    if (!a) return a.takeError();
    if (!b) return b.takeError();
    if (rankOf(*a) < 2 || rankOf(*b) < 2)
      return fail("MatMul with a rank-1 operand is not supported");
    return emit(create<mlir::swin::MatMulOp>(loc, *a, *b), coeff);
  }
  if (op == "Gemm") {
    if (Error e = requireInputs(2))
      return e;
    if (attrs.getInt("transA", 0))
      return fail("Gemm with transA=1 is not supported");
    if (in[1]->isRuntime() || (input(2) && in[2]->isRuntime()))
      return fail("Gemm weights and bias must be constants");
    auto w = getConstant(*in[1]);
    if (!w)
      return w.takeError();
    if ((*w)->dependsOnBatch())
      return fail("Gemm weight depends on the batch size");
    HostTensor weight = (*w)->lane(0);
    if (weight.shape.size() != 2)
      return fail("Gemm weight must be a matrix");
    if (!attrs.getInt("transB", 0)) {
      // Stored [K, N]; swin.linear takes [N, K].
      HostTensor t = weight;
      int64_t k = weight.shape[0], n = weight.shape[1];
      t.shape = {n, k};
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j)
          t.data[j * k + i] = weight.data[i * n + j];
      weight = std::move(t);
    }
    float alpha = attrs.getFloat("alpha", 1.0f), beta = attrs.getFloat("beta", 1.0f);
    if (alpha != 1.0f)
      for (double &v : weight.data)
        v *= alpha;
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    if (rankOf(*x) != 2)
      return fail("Gemm input must be a matrix");
    auto wv = materialize(weight, loc);
    if (!wv)
      return wv.takeError();
    Value bias;
    if (input(2)) {
      auto c = getConstant(*in[2]);
      if (!c)
        return c.takeError();
      HostTensor b = (*c)->lane(0);
      int64_t n = weight.shape[0];
      if (b.numElements() == 1 && n != 1)
        b.data.assign(n, b.data[0]);
      if (b.numElements() != n)
        return fail("Gemm bias of shape " + shapeToString(b.shape) +
                    " is not per output feature (" + Twine(n) + ")");
      b.shape = {n};
      for (double &v : b.data)
        v *= beta;
      auto bv = materialize(b, loc);
      if (!bv)
        return bv.takeError();
      bias = *bv;
    }
    return emit(create<mlir::swin::LinearOp>(loc, *x, *wv, bias), coeff);
  }
  if (op == "Conv") {
    if (Error e = requireInputs(2))
      return e;
    std::string autoPad = attrs.getString("auto_pad", "NOTSET");
    if (autoPad != "NOTSET" && autoPad != "VALID")
      return fail("Conv auto_pad=" + autoPad + " is not supported");
    auto x = runtime(0), w = runtime(1);
    if (!x) return x.takeError();
    if (!w) return w.takeError();
    if (rankOf(*x) != 4 || rankOf(*w) != 4)
      return fail("only 2-D convolution (NCHW) is supported");
    Value bias;
    if (input(2)) {
      auto b = runtime(2);
      if (!b)
        return b.takeError();
      bias = *b;
    }
    std::vector<int64_t> strides = attrs.getInts("strides"), pads = attrs.getInts("pads"),
                         dilations = attrs.getInts("dilations");
    if (strides.empty()) strides = {1, 1};
    if (dilations.empty()) dilations = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
      return fail("Conv strides, dilations or pads have the wrong length");
    auto xType = cast<RankedTensorType>(x->getType());
    auto wType = cast<RankedTensorType>(w->getType());
    // A patch embedding needs the image to tile into patches exactly.
    for (int i = 0; i < 2; ++i) {
      int64_t extent = xType.getDimSize(2 + i) + pads[i] + pads[i + 2];
      if (strides[i] == wType.getDimSize(2 + i) && dilations[i] == 1 &&
          extent % strides[i] != 0)
        return fail(llvm::formatv("input resolution {0}x{1} is not a multiple of the patch "
                                  "size {2}x{3}",
                                  xType.getDimSize(2), xType.getDimSize(3),
                                  wType.getDimSize(2), wType.getDimSize(3))
                        .str());
    }
    return emit(create<mlir::swin::Conv2DOp>(loc, *x, *w, bias, strides, pads, dilations,
                                       attrs.getInt("group", 1)),
                coeff);
  }

  // --- Normalisation -----------------------------------------------------
  if (op == "LayerNormalization") {
    if (Error e = requireInputs(2))
      return e;
    auto x = runtime(0), scale = runtime(1);
    if (!x) return x.takeError();
    if (!scale) return scale.takeError();
    auto axis = normalizeAxis(attrs.getInt("axis", -1), rankOf(*x));
    if (!axis)
      return axis.takeError();
    Value bias;
    if (input(2)) {
      auto b = runtime(2);
      if (!b)
        return b.takeError();
      bias = *b;
    } else {
      HostTensor zeros;
      zeros.shape = cast<RankedTensorType>(scale->getType()).getShape().vec();
      zeros.data.assign(zeros.numElements(), 0.0);
      auto b = materialize(zeros, loc);
      if (!b)
        return b.takeError();
      bias = *b;
    }
    return emit(create<mlir::swin::LayerNormOp>(loc, *x, *scale, bias,
                                          builder.getF32FloatAttr(attrs.getFloat("epsilon", 1e-5f)),
                                          builder.getI64IntegerAttr(*axis)),
                coeff);
  }
  if (op == "Softmax") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    int64_t rank = rankOf(*x);
    auto axis = normalizeAxis(attrs.getInt("axis", opset >= 13 ? -1 : 1), rank);
    if (!axis)
      return axis.takeError();
    if (opset < 13 && *axis != rank - 1)
      return fail("Softmax before opset 13 is only supported on the last axis");
    return emit(builder.create<mlir::swin::SoftmaxOp>(loc, *x, *axis).getResult(), coeff);
  }

  // --- Data movement -----------------------------------------------------
  if (op == "Reshape" || op == "Unsqueeze" || op == "Squeeze" || op == "Flatten") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    ImportedValue src = *in[0];
    src.value = *x;
    int64_t rank = rankOf(*x);
    std::vector<Lanes> target;
    if (op == "Reshape") {
      if (Error e = requireInputs(2))
        return e;
      if (in[1]->isRuntime())
        return fail("Reshape shape must be computable at compile time");
      auto shapeT = getConstant(*in[1]);
      if (!shapeT)
        return shapeT.takeError();
      bool allowZero = attrs.getInt("allowzero", 0);
      if (!(*shapeT)->hasUniformShape())
        return fail("Reshape shape has a batch-dependent length");
      for (int64_t i = 0; i < (*shapeT)->lane(0).numElements(); ++i) {
        Lanes d = (*shapeT)->element(i);
        if (d == Lanes::uniform(0) && !allowZero) {
          if (i >= rank)
            return fail("Reshape copies dimension " + Twine(i) + " of a rank-" +
                        Twine(rank) + " input");
          target.push_back(dimLanes(src, i));
        } else if (llvm::any_of(d, [](int64_t v) { return v < 0; }) &&
                   d != Lanes::uniform(-1)) {
          return fail("Reshape dimension " + Twine(d[0]) + " is invalid");
        } else {
          target.push_back(d);
        }
      }
    } else if (op == "Flatten") {
      auto axis = normalizeAxis(attrs.getInt("axis", 1), rank + 1);
      if (!axis)
        return axis.takeError();
      Lanes outer = Lanes::uniform(1), inner = Lanes::uniform(1);
      for (int64_t d = 0; d < rank; ++d)
        (d < *axis ? outer : inner) *= dimLanes(src, d);
      target = {outer, inner};
    } else {
      std::vector<int64_t> axes;
      if (input(1)) {
        auto a = staticInts(*in[1], (op + " axes").str());
        if (!a)
          return a.takeError();
        axes = *a;
      } else {
        axes = attrs.getInts("axes");
      }
      bool isUnsqueeze = op == "Unsqueeze";
      int64_t outRank = isUnsqueeze ? rank + axes.size() : rank;
      std::vector<bool> marked(outRank, false);
      for (int64_t a : axes) {
        auto axis = normalizeAxis(a, outRank);
        if (!axis)
          return axis.takeError();
        marked[*axis] = true;
      }
      int64_t k = 0;
      for (int64_t d = 0; d < outRank; ++d) {
        if (isUnsqueeze) {
          target.push_back(marked[d] ? Lanes::uniform(1) : dimLanes(src, k++));
          continue;
        }
        auto lanes = dimLanes(src, d);
        bool isOne = lanes == Lanes::uniform(1);
        if (marked[d] && !isOne)
          return fail("Squeeze of dimension " + Twine(d) + " whose size is not 1");
        if (!(isOne && (marked[d] || axes.empty())))
          target.push_back(lanes);
      }
    }
    auto r = reshape(src, target, loc);
    if (!r)
      return r.takeError();
    out.push_back(std::move(*r));
    return Error::success();
  }
  if (op == "Transpose") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    std::vector<int64_t> perm = attrs.getInts("perm");
    if (perm.empty())
      for (int64_t i = rankOf(*x) - 1; i >= 0; --i)
        perm.push_back(i);
    return emit(create<mlir::swin::TransposeOp>(loc, *x, perm), coeff);
  }
  if (op == "Concat") {
    SmallVector<Value> operands;
    for (size_t i = 0; i < in.size(); ++i) {
      auto v = runtime(i);
      if (!v)
        return v.takeError();
      operands.push_back(*v);
    }
    auto axis = normalizeAxis(attrs.getInt("axis", 0), rankOf(operands[0]));
    if (!axis)
      return axis.takeError();
    // Along the batch-carrying axis the batch multiples add up, and every
    // operand must carry the batch there (batch + k is not a multiple).
    int64_t resultCoeff = coeff;
    bool alongBatch = llvm::any_of(operands, [&](Value v) {
      return cast<RankedTensorType>(v.getType()).isDynamicDim(*axis);
    });
    if (alongBatch) {
      resultCoeff = 0;
      for (ImportedValue *v : in) {
        if (!v->isRuntime() ||
            !cast<RankedTensorType>(v->value.getType()).isDynamicDim(*axis))
          return fail("concatenating along the batch dimension needs every input to "
                      "carry the batch there");
        resultCoeff += v->batchCoeff;
      }
    }
    return emit(create<mlir::swin::ConcatOp>(loc, operands, *axis), resultCoeff);
  }
  if (op == "Slice" || op == "Split" || op == "Gather") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    ImportedValue src = *in[0];
    src.value = *x;
    int64_t rank = rankOf(*x);
    // Resolves [begin, end) with step on one axis, per lane; a batch-carrying
    // axis may only be taken whole.
    auto resolve = [&](int64_t axis, Lanes begin, Lanes end,
                       int64_t step) -> Expected<std::array<int64_t, 2>> {
      if (step <= 0)
        return fail("slices with a non-positive step are not supported on image data");
      Lanes dims = dimLanes(src, axis), first, last;
      for (int lane = 0; lane < kNumLanes; ++lane) {
        int64_t dim = dims[lane], b = begin[lane], e = end[lane];
        if (b < 0) b += dim;
        if (e < 0) e += dim;
        first[lane] = std::clamp<int64_t>(b, 0, dim);
        last[lane] = std::clamp<int64_t>(e, 0, dim);
      }
      if (!dims.isUniform()) {
        if (first != Lanes::uniform(0) || last != dims || step != 1)
          return fail("slicing the batch dimension is not supported");
        return std::array<int64_t, 2>{0, kDynamic};
      }
      if (!first.isUniform() || !last.isUniform())
        return fail("slice bounds depend on the batch size");
      return std::array<int64_t, 2>{first[0], last[0]};
    };
    auto sliceAxis = [&](int64_t axis, std::array<int64_t, 2> range,
                         int64_t step) -> Expected<ImportedValue> {
      if (range[1] == kDynamic)
        return src;
      return slice(src, axis, range[0], range[1], step, loc);
    };
    auto lanesOf = [&](ImportedValue *v, StringRef what)
        -> Expected<std::vector<Lanes>> {
      if (v->isRuntime())
        return fail(what + " must be computable at compile time");
      auto c = getConstant(*v);
      if (!c)
        return c.takeError();
      if (!(*c)->hasUniformShape())
        return fail(what + " has a batch-dependent length");
      std::vector<Lanes> r;
      for (int64_t i = 0; i < (*c)->lane(0).numElements(); ++i)
        r.push_back((*c)->element(i));
      return r;
    };

    if (op == "Slice") {
      if (Error e = requireInputs(3))
        return e;
      auto starts = lanesOf(in[1], "Slice starts");
      auto ends = lanesOf(in[2], "Slice ends");
      if (!starts) return starts.takeError();
      if (!ends) return ends.takeError();
      std::vector<int64_t> axes, steps;
      if (input(3)) {
        auto a = staticInts(*in[3], "Slice axes");
        if (!a) return a.takeError();
        axes = *a;
      } else {
        for (size_t i = 0; i < starts->size(); ++i)
          axes.push_back(i);
      }
      if (input(4)) {
        auto s = staticInts(*in[4], "Slice steps");
        if (!s) return s.takeError();
        steps = *s;
      } else {
        steps.assign(starts->size(), 1);
      }
      if (ends->size() != starts->size() || axes.size() != starts->size() ||
          steps.size() != starts->size())
        return fail("Slice starts, ends, axes and steps differ in length");
      for (size_t i = 0; i < starts->size(); ++i) {
        auto axis = normalizeAxis(axes[i], rank);
        if (!axis)
          return axis.takeError();
        auto range = resolve(*axis, (*starts)[i], (*ends)[i], steps[i]);
        if (!range)
          return range.takeError();
        auto next = sliceAxis(*axis, *range, steps[i]);
        if (!next)
          return next.takeError();
        src = *next;
      }
      out.push_back(src);
      return Error::success();
    }

    if (op == "Split") {
      auto axis = normalizeAxis(attrs.getInt("axis", 0), rank);
      if (!axis)
        return axis.takeError();
      auto dims = dimLanes(src, *axis);
      if (!dims.isUniform())
        return fail("splitting the batch dimension is not supported");
      std::vector<int64_t> sizes;
      if (input(1)) {
        auto s = staticInts(*in[1], "Split sizes");
        if (!s)
          return s.takeError();
        sizes = *s;
      } else if (attrs.has("split")) {
        sizes = attrs.getInts("split");
      } else {
        int64_t n = node.output_size(), chunk = (dims[0] + n - 1) / n;
        for (int64_t i = 0; i < n; ++i)
          sizes.push_back(std::min(chunk, dims[0] - i * chunk));
      }
      if (static_cast<int>(sizes.size()) != node.output_size())
        return fail("Split sizes do not match the number of outputs");
      int64_t offset = 0;
      ImportedValue whole = src;
      for (int64_t s : sizes) {
        if (s < 0 || offset + s > dims[0])
          return fail("Split sizes exceed the dimension");
        auto part = slice(whole, *axis, offset, offset + s, 1, loc);
        if (!part)
          return part.takeError();
        out.push_back(std::move(*part));
        offset += s;
      }
      return Error::success();
    }

    // Gather with constant indices on image data: slices (+ concat), then a
    // reshape that puts the index shape in place of the axis.
    if (Error e = requireInputs(2))
      return e;
    auto axis = normalizeAxis(attrs.getInt("axis", 0), rank);
    if (!axis)
      return axis.takeError();
    auto dims = dimLanes(src, *axis);
    auto idxT = getConstant(*in[1]);
    if (!idxT)
      return idxT.takeError();
    if ((*idxT)->dependsOnBatch() || !dims.isUniform()) {
      // Exporters decompose as_strided views into a Gather over the flattened
      // tensor with an index grid built from the batch size. When the grid
      // enumerates the axis in order in every lane, it is only a reshape.
      size_t indexRank = (*idxT)->lane(0).shape.size();
      for (int lane = 0; lane < kNumLanes; ++lane) {
        const HostTensor &ids = (*idxT)->lane(lane);
        bool identity = ids.numElements() == dims[lane] && ids.shape.size() == indexRank;
        for (int64_t i = 0; identity && i < dims[lane]; ++i)
          identity = toInt64(ids.data[i]) == i;
        if (!identity)
          return fail("gathering along the batch dimension is only supported as an "
                      "identity view");
      }
      std::vector<Lanes> target;
      for (int64_t d = 0; d < rank; ++d) {
        if (d != *axis) {
          target.push_back(dimLanes(src, d));
          continue;
        }
        for (size_t i = 0; i < indexRank; ++i) {
          Lanes extent;
          for (int lane = 0; lane < kNumLanes; ++lane)
            extent[lane] = (*idxT)->lane(lane).shape[i];
          target.push_back(extent);
        }
      }
      auto r = reshape(src, target, loc);
      if (!r)
        return r.takeError();
      out.push_back(std::move(*r));
      return Error::success();
    }
    auto idx = staticInts(*in[1], "Gather indices");
    if (!idx)
      return idx.takeError();
    if (idx->empty())
      return fail("Gather with no indices is not supported");
    for (int64_t &i : *idx) {
      if (i < -dims[0] || i >= dims[0])
        return fail("Gather index " + Twine(i) + " out of range for size " +
                    Twine(dims[0]));
      if (i < 0)
        i += dims[0];
    }
    SmallVector<Value> pieces;
    for (size_t i = 0; i < idx->size();) {
      int64_t first = (*idx)[i];
      size_t j = i + 1;
      while (j < idx->size() && (*idx)[j] == first + static_cast<int64_t>(j - i))
        ++j;
      auto part = slice(src, *axis, first, first + (j - i), 1, loc);
      if (!part)
        return part.takeError();
      pieces.push_back(part->value);
      i = j;
    }
    ImportedValue gathered;
    gathered.batchCoeff = src.batchCoeff;
    if (pieces.size() == 1) {
      gathered.value = pieces[0];
    } else {
      auto c = create<mlir::swin::ConcatOp>(loc, pieces, *axis);
      if (!c)
        return c.takeError();
      gathered.value = *c;
    }
    std::vector<Lanes> target;
    for (int64_t d = 0; d < rank; ++d) {
      if (d != *axis) {
        target.push_back(dimLanes(src, d));
        continue;
      }
      for (int64_t s : (*idxT)->lane(0).shape)
        target.push_back(Lanes::uniform(s));
    }
    auto r = reshape(gathered, target, loc);
    if (!r)
      return r.takeError();
    out.push_back(std::move(*r));
    return Error::success();
  }
  if (op == "Expand") {
    if (Error e = requireInputs(2))
      return e;
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    if (in[1]->isRuntime())
      return fail("Expand shape must be computable at compile time");
    auto shapeT = getConstant(*in[1]);
    if (!shapeT)
      return shapeT.takeError();
    ImportedValue src = *in[0];
    src.value = *x;
    if (!(*shapeT)->hasUniformShape())
      return fail("Expand shape has a batch-dependent length");
    int64_t rank = rankOf(*x), n = (*shapeT)->lane(0).numElements();
    int64_t outRank = std::max(rank, n);
    SmallVector<int64_t> shape;
    int64_t resultCoeff = 0;
    for (int64_t d = 0; d < outRank; ++d) {
      Lanes a = Lanes::uniform(1), b = Lanes::uniform(1), r;
      if (d >= outRank - rank)
        a = dimLanes(src, d - (outRank - rank));
      if (d >= outRank - n)
        b = (*shapeT)->element(d - (outRank - n));
      for (int lane = 0; lane < kNumLanes; ++lane) {
        if (a[lane] != b[lane] && a[lane] != 1 && b[lane] != 1)
          return fail("Expand: shapes do not broadcast");
        r[lane] = a[lane] == 1 ? b[lane] : a[lane];
      }
      if (r.isUniform()) {
        shape.push_back(r[0]);
        continue;
      }
      std::optional<int64_t> k = r.asBatchMultiple();
      if (resultCoeff || !k)
        return fail("Expand target depends on the batch size in an unsupported way");
      resultCoeff = *k;
      shape.push_back(kDynamic);
    }
    auto type = RankedTensorType::get(shape, builder.getF32Type());
    if (type == x->getType())
      return passThrough();
    int64_t multiple = resultCoeff ? resultCoeff : 0;
    if (!resultCoeff && src.batchCoeff && !type.hasStaticShape())
      multiple = src.batchCoeff;
    auto b = builder.create<mlir::swin::BroadcastOp>(loc, type, *x, multiple);
    if (Error e = verifyOp(b))
      return e;
    ImportedValue r;
    r.value = b;
    r.batchCoeff = type.hasStaticShape() ? 0 : multiple;
    out.push_back(std::move(r));
    return Error::success();
  }
  if (op == "Pad") {
    std::string mode = attrs.getString("mode", "constant");
    if (mode != "constant")
      return fail("Pad mode '" + mode + "' is not supported");
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    int64_t rank = rankOf(*x);
    std::vector<int64_t> pads;
    if (input(1)) {
      auto p = staticInts(*in[1], "Pad pads");
      if (!p)
        return p.takeError();
      pads = *p;
    } else {
      pads = attrs.getInts("pads");
    }
    std::vector<int64_t> axes;
    if (input(3)) {
      auto a = staticInts(*in[3], "Pad axes");
      if (!a)
        return a.takeError();
      for (int64_t v : *a) {
        auto n = normalizeAxis(v, rank);
        if (!n)
          return n.takeError();
        axes.push_back(*n);
      }
    } else {
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    }
    if (pads.size() != 2 * axes.size())
      return fail("Pad pads has the wrong length");
    float value = 0.0f;
    if (input(2)) {
      auto c = getConstant(*in[2]);
      if (!c || in[2]->isRuntime())
        return fail("Pad value must be a constant");
      value = (*c)->lane(0).data.at(0);
    }
    SmallVector<int64_t> low(rank, 0), high(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      low[axes[i]] = pads[i];
      high[axes[i]] = pads[i + axes.size()];
      if (low[axes[i]] < 0 || high[axes[i]] < 0)
        return fail("negative Pad (cropping) is not supported");
    }
    if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(high, [](int64_t p) { return p == 0; }))
      return passThrough();
    return emit(create<mlir::swin::PadOp>(loc, *x, low, high, llvm::APFloat(value)),
                coeff);
  }

  // --- Reductions and pooling --------------------------------------------
  if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceL2") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    int64_t rank = rankOf(*x);
    bool axesFromInput = opset >= 18 || (op == "ReduceSum" && opset >= 13);
    std::vector<int64_t> axes;
    if (axesFromInput && input(1)) {
      auto a = staticInts(*in[1], (op + " axes").str());
      if (!a)
        return a.takeError();
      axes = *a;
    } else if (!axesFromInput) {
      axes = attrs.getInts("axes");
    }
    if (axes.empty()) {
      if (attrs.getInt("noop_with_empty_axes", 0))
        return passThrough();
      for (int64_t d = 0; d < rank; ++d)
        axes.push_back(d);
    }
    for (int64_t &a : axes) {
      auto n = normalizeAxis(a, rank);
      if (!n)
        return n.takeError();
      a = *n;
    }
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    bool keep = attrs.getInt("keepdims", 1);
    if (op == "ReduceMean")
      return emit(create<mlir::swin::ReduceMeanOp>(loc, *x, axes, keep), coeff);
    if (op == "ReduceSum")
      return emit(create<mlir::swin::ReduceSumOp>(loc, *x, axes, keep), coeff);
    if (op == "ReduceMax")
      return emit(create<mlir::swin::ReduceMaxOp>(loc, *x, axes, keep), coeff);
    return emit(create<mlir::swin::ReduceL2Op>(loc, *x, axes, keep), coeff);
  }
  if (op == "GlobalAveragePool") {
    auto x = runtime(0);
    if (!x)
      return x.takeError();
    return emit(create<mlir::swin::GlobalAvgPoolOp>(loc, *x), coeff);
  }

  if (canFold(op))
    return fail("this op is only supported on values known at compile time, but its "
                "input depends on the image");
  return fail("unsupported op type");
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

Expected<FunctionType> OnnxImporter::buildSignature() {
  const onnx::GraphProto &graph = model.graph();
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &t : graph.initializer())
    initializerNames.insert(t.name());
  const onnx::ValueInfoProto *imageInput = nullptr;
  for (const onnx::ValueInfoProto &v : graph.input()) {
    if (initializerNames.contains(v.name()))
      continue;
    if (imageInput)
      return fail("the model has more than one input ('" + imageInput->name() + "', '" +
                  v.name() + "'); Swin models take one image tensor");
    imageInput = &v;
  }
  if (!imageInput)
    return fail("the model has no input");
  inputName = imageInput->name();
  const onnx::TypeProto &type = imageInput->type();
  if (!type.has_tensor_type())
    return fail("input '" + inputName + "' is not a tensor; the image input must be float32");
  if (type.tensor_type().elem_type() != onnx::TensorProto::FLOAT)
    return fail("input '" + inputName + "' is " +
                onnxTypeName(type.tensor_type().elem_type()) +
                "; the image input must be float32");
  if (!type.tensor_type().has_shape() || type.tensor_type().shape().dim_size() != 4)
    return fail("input '" + inputName + "' must be a rank-4 NCHW image tensor");
  const auto &dims = type.tensor_type().shape().dim();
  if (!dims[1].has_dim_value())
    return fail("input '" + inputName + "' has a symbolic channel count");
  SmallVector<int64_t> shape = {kDynamic, dims[1].dim_value(), 0, 0};
  std::optional<int64_t> requested[2] = {options.imageHeight, options.imageWidth};
  for (int i = 0; i < 2; ++i) {
    const auto &d = dims[2 + i];
    if (d.has_dim_value()) {
      if (requested[i] && *requested[i] != d.dim_value())
        return fail(llvm::formatv("the model's input is {0}x{1}, but an image size of "
                                  "{2}x{3} was requested",
                                  dims[2].dim_value(), dims[3].dim_value(),
                                  options.imageHeight.value_or(0),
                                  options.imageWidth.value_or(0))
                        .str());
      shape[2 + i] = d.dim_value();
    } else if (requested[i]) {
      shape[2 + i] = *requested[i];
    } else {
      return fail("input '" + inputName +
                  "' has a symbolic height or width; pass --image-size");
    }
    if (shape[2 + i] <= 0 || shape[2 + i] > 16384)
      return fail("image size " + Twine(shape[2 + i]) + " is out of range");
  }
  if (options.maxBatch < 1)
    return fail("the maximum batch must be at least 1");
  ImportedValue arg;
  if (dims[0].has_dim_value()) {
    // A static batch in the export bakes it into every reshape.
    int64_t batch = dims[0].dim_value();
    if (options.maxBatch != batch && options.maxBatch != 1)
      return fail("the model was exported with a fixed batch of " + Twine(batch) +
                  "; re-export it with a dynamic batch axis to compile for a maximum "
                  "batch of " + Twine(options.maxBatch));
    options.maxBatch = batch;
    shape[0] = batch;
  } else {
    arg.batchCoeff = 1;
  }
  auto inputType = RankedTensorType::get(shape, builder.getF32Type());
  values[inputName] = arg;
  return FunctionType::get(&context, {inputType}, {});
}

Expected<OwningOpRef<ModuleOp>> OnnxImporter::run(std::optional<StringRef> contents) {
  auto withFile = [&](Error e) { return fail(path + ": " + llvm::toString(std::move(e))); };
  if (Error e = loadModel(contents))
    return withFile(std::move(e));
  if (Error e = validateModel())
    return withFile(std::move(e));
  const onnx::GraphProto &graph = model.graph();
  context.loadDialect<mlir::swin::SwinDialect, func::FuncDialect>();

  auto signature = buildSignature();
  if (!signature)
    return withFile(signature.takeError());
  OwningOpRef<ModuleOp> module = ModuleOp::create(builder.getUnknownLoc());
  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(NameLoc::get(builder.getStringAttr(graph.name())),
                                           "main", *signature);
  func->setAttr(mlir::swin::kMaxBatchAttrName, builder.getI64IntegerAttr(options.maxBatch));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  values[inputName].value = entry->getArgument(0);

  for (const onnx::TensorProto &t : graph.initializer()) {
    ImportedValue v;
    v.initializer = &t;
    values[t.name()] = v;
  }
  for (const onnx::NodeProto &node : graph.node())
    for (const std::string &name : node.input())
      consumed.insert(name);
  for (const onnx::ValueInfoProto &o : graph.output())
    consumed.insert(o.name());

  for (const onnx::NodeProto &node : graph.node()) {
    if (Error e = importNode(node)) {
      // Unnamed nodes are known by their first output.
      std::string name = !node.name().empty() ? node.name()
                         : node.output_size()  ? "output " + node.output(0)
                                               : std::string();
      return fail(llvm::formatv("{0}: node '{1}' ({2}, opset {3}): {4}", path, name,
                                node.op_type(), opset, llvm::toString(std::move(e)))
                      .str());
    }
  }

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &o : graph.output()) {
    auto v = values.find(o.name());
    if (v == values.end())
      return withFile(fail("graph output '" + o.name() +
                           "' is not produced by any node, initializer or graph input"));
    auto r = getRuntime(v->second, builder.getUnknownLoc());
    if (!r)
      return withFile(fail("output '" + o.name() + "': " + llvm::toString(r.takeError())));
    results.push_back(*r);
  }
  builder.create<func::ReturnOp>(builder.getUnknownLoc(), results);
  func.setType(FunctionType::get(&context, signature->getInputs(), ValueRange(results).getTypes()));

  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    if (message.empty())
      message = d.str();
    return success();
  });
  if (failed(mlir::verify(*module)))
    return withFile(fail("internal error: imported module does not verify: " + message));
  return std::move(module);
}

} // namespace

namespace swin {
bool parseImageSize(StringRef text, ImportOptions &options) {
  auto [h, w] = text.split('x');
  int64_t height = 0, width = 0;
  if (h.getAsInteger(10, height) || height <= 0)
    return false;
  width = height;
  if (text.contains('x') && (w.getAsInteger(10, width) || width <= 0))
    return false;
  options.imageHeight = height;
  options.imageWidth = width;
  return true;
}

Expected<OwningOpRef<ModuleOp>> importOnnxFile(MLIRContext &context, StringRef path,
                                               const ImportOptions &options) {
  if (options.imageHeight.has_value() != options.imageWidth.has_value())
    return fail(path + ": give both the image height and width, or neither");
  OnnxImporter importer(context, path, options);
  return importer.run(std::nullopt);
}

Expected<OwningOpRef<ModuleOp>> importOnnxBuffer(MLIRContext &context, StringRef contents,
                                                 StringRef path, const ImportOptions &options) {
  if (options.imageHeight.has_value() != options.imageWidth.has_value())
    return fail(path + ": give both the image height and width, or neither");
  OnnxImporter importer(context, path, options);
  return importer.run(contents);
}
} // namespace swin
