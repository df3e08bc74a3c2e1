//===- WeightsFormatTest.cpp - swinw_validate on damaged files ------------===//
//
// Builds small weights files the way the emitter does and checks that every
// kind of damage is refused with its own error and a message naming it.
//
//===----------------------------------------------------------------------===//

#include "swinrt/weights_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

struct Section {
  std::string name;
  std::vector<char> bytes;
};

/// A version-2 file holding `sections`, each at a 256-byte aligned offset.
std::vector<char> buildFile(const std::vector<Section> &sections, uint64_t modelHash = 42,
                            uint32_t precision = 2) {
  std::vector<char> payload;
  std::vector<swinw_section> table;
  for (const Section &s : sections) {
    payload.resize((payload.size() + SWINW_ALIGNMENT - 1) / SWINW_ALIGNMENT * SWINW_ALIGNMENT);
    swinw_section entry{};
    std::memcpy(entry.name, s.name.data(), s.name.size());
    entry.offset = payload.size();
    entry.bytes = s.bytes.size();
    entry.checksum = swinw_checksum(s.bytes.data(), s.bytes.size());
    table.push_back(entry);
    payload.insert(payload.end(), s.bytes.begin(), s.bytes.end());
  }
  payload.resize((payload.size() + SWINW_ALIGNMENT - 1) / SWINW_ALIGNMENT * SWINW_ALIGNMENT);
  swinw_header header{};
  std::memcpy(header.magic, SWINW_MAGIC, 8);
  header.version = SWINW_VERSION;
  header.header_bytes = SWINW_HEADER_BYTES;
  header.payload_bytes = payload.size();
  header.payload_checksum = swinw_checksum(payload.data(), payload.size());
  header.model_hash = modelHash;
  header.precision = precision;
  header.section_count = table.size();
  header.payload_offset = swinw_payload_offset(table.size());
  header.table_checksum = swinw_checksum(table.data(), table.size() * sizeof(swinw_section));
  header.header_checksum = swinw_checksum(&header, offsetof(swinw_header, header_checksum));
  std::vector<char> file(reinterpret_cast<char *>(&header),
                         reinterpret_cast<char *>(&header) + sizeof(header));
  const char *t = reinterpret_cast<const char *>(table.data());
  file.insert(file.end(), t, t + table.size() * sizeof(swinw_section));
  file.resize(header.payload_offset);
  file.insert(file.end(), payload.begin(), payload.end());
  return file;
}

std::vector<Section> twoSections() {
  return {{"/layers.0/blocks.0/attn/qkv/MatMul", std::vector<char>(1000, 3)},
          {"/layers.0/blocks.0/attn/qkv/Add", std::vector<char>(300, 5)}};
}

swinw_header headerOf(const std::vector<char> &file) {
  swinw_header h;
  std::memcpy(&h, file.data(), sizeof(h));
  return h;
}

void setHeader(std::vector<char> &file, swinw_header h) {
  h.header_checksum = swinw_checksum(&h, offsetof(swinw_header, header_checksum));
  std::memcpy(file.data(), &h, sizeof(h));
}

swinw_section sectionOf(const std::vector<char> &file, int i) {
  swinw_section s;
  std::memcpy(&s, file.data() + SWINW_HEADER_BYTES + i * SWINW_SECTION_BYTES, sizeof(s));
  return s;
}

/// Rewrites section `i` and re-seals the table and header checksums, as a
/// deliberate forger would: only the bounds checks stand in the way.
void setSection(std::vector<char> &file, int i, const swinw_section &s) {
  std::memcpy(file.data() + SWINW_HEADER_BYTES + i * SWINW_SECTION_BYTES, &s, sizeof(s));
  swinw_header h = headerOf(file);
  h.table_checksum =
      swinw_checksum(file.data() + SWINW_HEADER_BYTES, h.section_count * SWINW_SECTION_BYTES);
  setHeader(file, h);
}

struct Result {
  swinw_error error;
  std::string message;
};

Result validate(const std::vector<char> &file, const swinw_expected *expected = nullptr) {
  char message[512] = "unset";
  const char *payload = nullptr;
  swinw_error error =
      swinw_validate(file.data(), file.size(), expected, message, sizeof(message), &payload);
  return {error, message};
}

TEST(WeightsFormat, IntactFileIsAccepted) {
  std::vector<char> file = buildFile(twoSections());
  char message[512];
  const char *payload = nullptr;
  swinw_expected expected{42, headerOf(file).payload_bytes, headerOf(file).payload_checksum, 2};
  ASSERT_EQ(swinw_validate(file.data(), file.size(), &expected, message, sizeof(message),
                           &payload),
            SWINW_OK)
      << message;
  EXPECT_EQ(payload, file.data() + swinw_payload_offset(2));
  EXPECT_EQ(payload[0], 3);
  EXPECT_EQ(payload[SWINW_ALIGNMENT * 4], 5); // 1000 bytes round up to 1024
  EXPECT_EQ(swinw_payload_offset(2) % SWINW_ALIGNMENT, 0u);
}

TEST(WeightsFormat, EmptyModelHasNoSections) {
  std::vector<char> file = buildFile({});
  EXPECT_EQ(validate(file).error, SWINW_OK);
  EXPECT_EQ(file.size(), swinw_payload_offset(0));
}

TEST(WeightsFormat, TruncationIsNamed) {
  std::vector<char> file = buildFile(twoSections());
  for (size_t keep : {size_t(0), size_t(50), size_t(SWINW_HEADER_BYTES), file.size() - 1}) {
    std::vector<char> cut(file.begin(), file.begin() + keep);
    Result r = validate(cut);
    EXPECT_EQ(r.error, SWINW_ERROR_TRUNCATED) << keep << ": " << r.message;
    EXPECT_NE(r.message.find("truncated weights file: " + std::to_string(keep) + " bytes"),
              std::string::npos)
        << r.message;
  }
  file.push_back(0);
  Result r = validate(file);
  EXPECT_EQ(r.error, SWINW_ERROR_OVERSIZED);
  EXPECT_NE(r.message.find("oversized"), std::string::npos) << r.message;
}

TEST(WeightsFormat, HeaderDamageIsNamed) {
  std::vector<char> file = buildFile(twoSections());
  std::vector<char> magic = file;
  magic[0] = 'X';
  EXPECT_EQ(validate(magic).error, SWINW_ERROR_MAGIC);
  EXPECT_EQ(validate(magic).message, "not a swin weights file (bad magic)");

  std::vector<char> version = file;
  swinw_header h = headerOf(file);
  h.version = 1;
  setHeader(version, h);
  EXPECT_EQ(validate(version).error, SWINW_ERROR_VERSION);
  EXPECT_NE(validate(version).message.find("version 1, this runtime reads version 2"),
            std::string::npos);

  std::vector<char> flipped = file;
  flipped[offsetof(swinw_header, model_hash)] ^= 1;
  EXPECT_EQ(validate(flipped).error, SWINW_ERROR_HEADER);
  EXPECT_EQ(validate(flipped).message, "corrupt weights header (checksum mismatch)");

  // A re-sealed header whose layout fields disagree with each other.
  for (int field = 0; field < 3; ++field) {
    std::vector<char> layout = file;
    h = headerOf(file);
    if (field == 0)
      h.section_count = SWINW_MAX_SECTIONS + 1;
    else if (field == 1)
      h.payload_offset += SWINW_ALIGNMENT;
    else
      h.payload_bytes = ~0ull - 100; // offset + bytes would wrap
    setHeader(layout, h);
    Result r = validate(layout);
    EXPECT_EQ(r.error, SWINW_ERROR_HEADER) << field << ": " << r.message;
    EXPECT_NE(r.message.find("corrupt weights header:"), std::string::npos) << r.message;
  }
}

TEST(WeightsFormat, ForeignFilesAreRefused) {
  std::vector<char> file = buildFile(twoSections(), /*modelHash=*/7, /*precision=*/2);
  swinw_header h = headerOf(file);
  swinw_expected other{8, 0, 0, -1};
  Result r = validate(file, &other);
  EXPECT_EQ(r.error, SWINW_ERROR_MODEL);
  EXPECT_NE(r.message.find("belong to another model"), std::string::npos) << r.message;

  swinw_expected int8{7, 0, 0, 5};
  r = validate(file, &int8);
  EXPECT_EQ(r.error, SWINW_ERROR_MODEL);
  EXPECT_EQ(r.message, "the weights are fp16, this library is int8");

  swinw_expected bytes{7, h.payload_bytes + 256, 0, 2};
  EXPECT_EQ(validate(file, &bytes).error, SWINW_ERROR_MODEL);

  swinw_expected recompiled{7, h.payload_bytes, h.payload_checksum ^ 1, 2};
  r = validate(file, &recompiled);
  EXPECT_EQ(r.error, SWINW_ERROR_MODEL);
  EXPECT_NE(r.message.find("another compile"), std::string::npos) << r.message;
}

TEST(WeightsFormat, DamagedSectionIsNamed) {
  std::vector<char> file = buildFile(twoSections());
  swinw_section second = sectionOf(file, 1);
  file[swinw_payload_offset(2) + second.offset + 17] ^= 0x40;
  Result r = validate(file);
  EXPECT_EQ(r.error, SWINW_ERROR_SECTION_CHECKSUM);
  EXPECT_EQ(r.message, "section 1 '/layers.0/blocks.0/attn/qkv/Add' (300 bytes at payload "
                       "offset 1024) is damaged: checksum mismatch");
}

TEST(WeightsFormat, DamageBetweenSectionsIsCaught) {
  std::vector<char> file = buildFile(twoSections());
  file[swinw_payload_offset(2) + 1010] ^= 1; // padding after the first section
  Result r = validate(file);
  EXPECT_EQ(r.error, SWINW_ERROR_PAYLOAD_CHECKSUM);
  EXPECT_NE(r.message.find("outside every section"), std::string::npos) << r.message;
}

TEST(WeightsFormat, TableDamageIsCaught) {
  std::vector<char> file = buildFile(twoSections());
  file[SWINW_HEADER_BYTES + 3] ^= 1;
  Result r = validate(file);
  EXPECT_EQ(r.error, SWINW_ERROR_TABLE);
  EXPECT_EQ(r.message, "corrupt section table (checksum mismatch)");
}

TEST(WeightsFormat, ResealedTableIsBoundsChecked) {
  std::vector<char> file = buildFile(twoSections());
  uint64_t payloadBytes = headerOf(file).payload_bytes;
  struct Case {
    const char *what;
    uint64_t offset, bytes;
  } cases[] = {
      {"past the end", payloadBytes + SWINW_ALIGNMENT, 1},
      {"wrapping", SWINW_ALIGNMENT * 4, ~0ull - 10},
      {"misaligned", 1024 + 8, 16},
      {"overlapping the first", 768, 300},
  };
  for (const Case &c : cases) {
    std::vector<char> forged = file;
    swinw_section s = sectionOf(forged, 1);
    s.offset = c.offset;
    s.bytes = c.bytes;
    setSection(forged, 1, s);
    Result r = validate(forged);
    EXPECT_EQ(r.error, SWINW_ERROR_SECTION) << c.what << ": " << r.message;
    EXPECT_NE(r.message.find("is misplaced in the"), std::string::npos) << r.message;
  }
  std::vector<char> unnamed = file;
  swinw_section s = sectionOf(unnamed, 0);
  std::memset(s.name, 'x', sizeof(s.name)); // no terminating NUL
  setSection(unnamed, 0, s);
  EXPECT_EQ(validate(unnamed).error, SWINW_ERROR_SECTION);
  EXPECT_EQ(validate(unnamed).message, "section 0 has no name");
}

} // namespace
