//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// Reader and writer for the NumPy .npy format, restricted to little-endian,
// C-ordered float32 arrays. The header is a Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
//
// which is parsed by a small recursive-descent parser that understands just
// the literals the format uses (strings, booleans, integers and tuples).
//
//===----------------------------------------------------------------------===//

#include "swin/Support/Npy.h"

#include "swin/Support/FileUtils.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Errc.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <limits>
#include <optional>

using namespace llvm;

namespace swin {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

Error npyError(StringRef path, const Twine &message) {
  return createStringError(inconvertibleErrorCode(),
                           path.str() + ": " + message.str());
}

/// The three keys of a .npy header.
struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// Parses the header dict. Returns an error message (without the file name)
/// on failure.
class HeaderParser {
public:
  explicit HeaderParser(StringRef text) : text(text) {}

  std::optional<std::string> parse(NpyHeader &header) {
    skipSpace();
    if (!consume('{'))
      return std::string("header is not a Python dict");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (!parseString(key))
        return std::string("header dict key is not a string");
      skipSpace();
      if (!consume(':'))
        return "expected ':' after header key '" + key + "'";
      skipSpace();
      if (key == "descr") {
        std::string descr;
        if (!parseString(descr))
          return std::string("header 'descr' is not a string (structured "
                             "dtypes are not supported)");
        header.descr = descr;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          header.fortranOrder = true;
        else if (consumeWord("False"))
          header.fortranOrder = false;
        else
          return std::string("header 'fortran_order' is not True or False");
      } else if (key == "shape") {
        std::vector<int64_t> shape;
        if (std::optional<std::string> err = parseShape(shape))
          return err;
        header.shape = std::move(shape);
      } else {
        return "unexpected header key '" + key + "'";
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return std::string("malformed header dict");
    }
    skipSpace();
    if (!text.empty())
      return std::string("trailing characters after the header dict");
    return std::nullopt;
  }

private:
  void skipSpace() { text = text.ltrim(" \t\r\n"); }

  bool consume(char c) {
    if (text.empty() || text.front() != c)
      return false;
    text = text.drop_front();
    return true;
  }

  bool consumeWord(StringRef word) {
    if (!text.starts_with(word))
      return false;
    StringRef rest = text.drop_front(word.size());
    if (!rest.empty() && (isAlnum(rest.front()) || rest.front() == '_'))
      return false;
    text = rest;
    return true;
  }

  bool parseString(std::string &out) {
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return false;
    char quote = text.front();
    text = text.drop_front();
    out.clear();
    while (!text.empty() && text.front() != quote) {
      if (text.front() == '\\')
        return false; // No escapes in the keys and dtypes we accept.
      out.push_back(text.front());
      text = text.drop_front();
    }
    return consume(quote);
  }

  std::optional<std::string> parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return std::string("header 'shape' is not a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return std::nullopt;
      size_t digits = 0;
      while (digits < text.size() && isDigit(text[digits]))
        ++digits;
      if (digits == 0)
        return std::string("header 'shape' holds a non-integer entry");
      uint64_t value;
      if (text.take_front(digits).getAsInteger(10, value) ||
          value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return std::string("header 'shape' entry is too large");
      text = text.drop_front(digits);
      // Python 2 era files may write long integers as 3L.
      consume('L');
      shape.push_back(static_cast<int64_t>(value));
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume(')'))
        return std::nullopt;
      return std::string("malformed header 'shape' tuple");
    }
  }

  StringRef text;
};

std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

} // namespace

Expected<Tensor> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> fileOrErr =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (std::error_code ec = fileOrErr.getError())
    return npyError(path, "cannot read file: " + ec.message());
  StringRef contents = (*fileOrErr)->getBuffer();

  if (contents.size() < kMagicSize + 2 ||
      std::memcmp(contents.data(), kMagic, kMagicSize) != 0)
    return npyError(path, "not a .npy file (bad magic string)");
  unsigned major = static_cast<unsigned char>(contents[6]);
  unsigned minor = static_cast<unsigned char>(contents[7]);
  size_t headerLenSize;
  if (major == 1)
    headerLenSize = 2;
  else if (major == 2 || major == 3)
    headerLenSize = 4;
  else
    return npyError(path, "unsupported .npy format version " + Twine(major) +
                              "." + Twine(minor));
  size_t prefix = kMagicSize + 2 + headerLenSize;
  if (contents.size() < prefix)
    return npyError(path, "truncated .npy header");
  uint64_t headerLen = 0;
  for (size_t i = 0; i < headerLenSize; ++i)
    headerLen |= static_cast<uint64_t>(
                     static_cast<unsigned char>(contents[kMagicSize + 2 + i]))
                 << (8 * i);
  if (headerLen > contents.size() - prefix)
    return npyError(path, "truncated .npy header (header length " +
                              Twine(headerLen) + ", file size " +
                              Twine(contents.size()) + ")");
  StringRef headerText = contents.substr(prefix, headerLen);

  NpyHeader header;
  if (std::optional<std::string> err = HeaderParser(headerText).parse(header))
    return npyError(path, "bad .npy header: " + *err);
  if (!header.descr || !header.fortranOrder || !header.shape)
    return npyError(path, "bad .npy header: 'descr', 'fortran_order' and "
                          "'shape' are all required");
  if (*header.descr != "<f4")
    return npyError(path, "expected float32 ('<f4'), got '" + *header.descr +
                              "'");
  if (*header.fortranOrder)
    return npyError(path, "Fortran-ordered arrays are not supported (expected "
                          "fortran_order False)");

  // Element count, guarding against overflow of the byte size.
  const std::vector<int64_t> &shape = *header.shape;
  uint64_t count = 1;
  const uint64_t maxCount = std::numeric_limits<int64_t>::max() / sizeof(float);
  for (int64_t d : shape) {
    uint64_t dim = static_cast<uint64_t>(d);
    if (dim != 0 && count > maxCount / dim)
      return npyError(path, "shape " + shapeToString(shape) +
                                " has too many elements");
    count *= dim;
  }
  uint64_t dataBytes = count * sizeof(float);
  uint64_t available = contents.size() - prefix - headerLen;
  if (available < dataBytes)
    return npyError(path, "truncated data: shape " + shapeToString(shape) +
                              " needs " + Twine(dataBytes) +
                              " bytes, the file has " + Twine(available));
  if (available > dataBytes)
    return npyError(path, "file has " + Twine(available - dataBytes) +
                              " unexpected bytes after the data of shape " +
                              shapeToString(shape));

  Tensor tensor(shape);
  if (dataBytes)
    std::memcpy(tensor.data.data(), contents.data() + prefix + headerLen,
                dataBytes);
  return tensor;
}

Error writeNpy(StringRef path, const Tensor &tensor) {
  if (static_cast<int64_t>(tensor.data.size()) !=
      Tensor::numElements(tensor.shape))
    return npyError(path, "tensor data does not match its shape " +
                              shapeToString(tensor.shape));

  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    dict += std::to_string(tensor.shape[i]);
    if (tensor.shape.size() == 1 || i + 1 < tensor.shape.size())
      dict += ",";
    if (i + 1 < tensor.shape.size())
      dict += " ";
  }
  dict += "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary; the
  // header ends with a newline.
  size_t prefix = kMagicSize + 2 + 2;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  if (dict.size() > 0xffff)
    return npyError(path, "shape " + shapeToString(tensor.shape) +
                              " is too long for a version 1.0 header");

  return writeFileAtomically(path, [&](raw_ostream &os) {
    os.write(kMagic, kMagicSize);
    os << '\x01' << '\x00';
    os << static_cast<char>(dict.size() & 0xff)
       << static_cast<char>((dict.size() >> 8) & 0xff);
    os << dict;
    os.write(reinterpret_cast<const char *>(tensor.data.data()),
             tensor.data.size() * sizeof(float));
    return Error::success();
  });
}

} // namespace swin
