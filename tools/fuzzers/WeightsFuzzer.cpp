//===- WeightsFuzzer.cpp - fuzz target: the weights-file loader's checks --===//
//
// Runs the checks libswinrt applies to a mapped model.swinw (swinw_validate)
// on arbitrary bytes: as they are, and again with the header and table
// checksums recomputed (a forged file), so that mutations of the layout
// fields reach the bounds checks behind the checksums. Each time as a
// library that expects exactly the model the header claims, and as one
// that expects another. Whatever they return, they must not read outside
// the input or overflow; sanitizers and the exact-size copy catch it
// where they do.
//
//===----------------------------------------------------------------------===//

#include "swinrt/weights_format.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int *, char ***) { return 0; }

namespace {

void check(const std::vector<char> &file) {
  char message[512];
  const char *payload = nullptr;
  swinw_expected claimed{0, 0, 0, -1};
  swinw_header header{};
  if (file.size() >= sizeof(swinw_header)) {
    std::memcpy(&header, file.data(), sizeof(header));
    claimed = {header.model_hash, header.payload_bytes, header.payload_checksum,
               static_cast<int32_t>(header.precision & 0x7fffffff)};
  }
  swinw_error error =
      swinw_validate(file.data(), file.size(), &claimed, message, sizeof(message), &payload);
  if (std::memchr(message, 0, sizeof(message)) == nullptr)
    std::abort(); // every answer is one terminated line
  // An accepted payload lies inside the input, ending at its end.
  if (error == SWINW_OK &&
      (payload < file.data() || payload > file.data() + file.size() ||
       uint64_t(file.data() + file.size() - payload) != header.payload_bytes))
    std::abort();
  swinw_expected other{1, 256, 1, 4};
  (void)swinw_validate(file.data(), file.size(), &other, message, sizeof(message), nullptr);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // Exact-size heap copies, so a read one byte past the end is caught.
  std::vector<char> file(data, data + size);
  check(file);
  if (size < sizeof(swinw_header))
    return 0;
  swinw_header header;
  std::memcpy(&header, data, sizeof(header));
  uint64_t tableBytes = uint64_t(SWINW_SECTION_BYTES) * header.section_count;
  if (header.section_count <= SWINW_MAX_SECTIONS && SWINW_HEADER_BYTES + tableBytes <= size)
    header.table_checksum = swinw_checksum(data + SWINW_HEADER_BYTES, tableBytes);
  header.header_checksum = swinw_checksum(&header, offsetof(swinw_header, header_checksum));
  std::memcpy(file.data(), &header, sizeof(header));
  check(file);
  return 0;
}
