/*===- weights_format.h - the model.swinw weights file ------------*- C -*-===//
 *
 * Shared by the compiler, which writes the file, and the runtime, which
 * maps it; host-only, so the fuzzer and the unit tests use it too.
 * Layout (little endian), version 2:
 *
 *   [0, 128)                     swinw_header
 *   [128, 128 + 80 n)            n swinw_section entries, sorted by offset
 *   [payload_offset, file end)   payload; payload_offset is the table's end
 *                                rounded up to 256 bytes
 *
 * Every weight (and every table the kernels read) is one section of the
 * payload, at a 256-byte aligned offset, with its own checksum, so a
 * damaged file is refused with the name of what is damaged.
 * `header_checksum` covers the header bytes before it, `table_checksum` the
 * section table, `payload_checksum` the whole payload (padding included).
 * `model_hash` identifies the generated code (shapes, offsets, precision):
 * a weights file only loads into the library compiled with it.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SWINRT_WEIGHTS_FORMAT_H
#define SWINRT_WEIGHTS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SWINW_MAGIC "SWINWTS"  /* 7 characters and a NUL: 8 bytes */
#define SWINW_VERSION 2u
#define SWINW_HEADER_BYTES 128u
#define SWINW_SECTION_BYTES 80u
#define SWINW_SECTION_NAME_BYTES 56u
#define SWINW_ALIGNMENT 256u
/* Far above any Swin (Swin-L has about 700 sections); bounds the table. */
#define SWINW_MAX_SECTIONS 65536u

typedef struct swinw_header {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t payload_bytes;
  uint64_t payload_checksum;
  uint64_t model_hash;
  uint32_t precision; /* swinrt::Precision: 0 fp32, 1 tf32, 2 fp16, 3 bf16, 4 fp8, 5 int8 */
  uint32_t section_count;
  uint64_t payload_offset;
  uint64_t table_checksum;
  uint8_t reserved[56];
  uint64_t header_checksum;
} swinw_header;

typedef struct swinw_section {
  /* NUL-terminated; a longer name keeps its last 55 characters. */
  char name[SWINW_SECTION_NAME_BYTES];
  uint64_t offset; /* from the payload's start */
  uint64_t bytes;
  uint64_t checksum;
} swinw_section;

#ifdef __cplusplus
static_assert(sizeof(swinw_header) == SWINW_HEADER_BYTES, "swinw_header layout");
static_assert(sizeof(swinw_section) == SWINW_SECTION_BYTES, "swinw_section layout");
#endif

/* FNV-1a over 64-bit little-endian words (then the tail bytes): one
 * multiply per 8 bytes, so a 100 MB file hashes in tens of milliseconds. */
static inline uint64_t swinw_checksum(const void *data, size_t bytes) {
  const unsigned char *p = (const unsigned char *)data;
  uint64_t h = 0xcbf29ce484222325ull;
  size_t words = bytes / 8;
  for (size_t i = 0; i < words; ++i) {
    uint64_t w;
    memcpy(&w, p + 8 * i, 8);
    h = (h ^ w) * 0x100000001b3ull;
  }
  for (size_t i = 8 * words; i < bytes; ++i)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* Where the payload starts in a file with `sections` sections. */
static inline uint64_t swinw_payload_offset(uint64_t sections) {
  uint64_t end = SWINW_HEADER_BYTES + SWINW_SECTION_BYTES * sections;
  return (end + SWINW_ALIGNMENT - 1) / SWINW_ALIGNMENT * SWINW_ALIGNMENT;
}

static inline const char *swinw_precision_name(uint32_t precision) {
  static const char *const names[] = {"fp32", "tf32", "fp16", "bf16", "fp8", "int8"};
  return precision < sizeof(names) / sizeof(names[0]) ? names[precision] : "unknown";
}

typedef enum swinw_error {
  SWINW_OK = 0,
  SWINW_ERROR_TRUNCATED,        /* shorter than its header, table or payload */
  SWINW_ERROR_OVERSIZED,        /* bytes after the payload */
  SWINW_ERROR_MAGIC,            /* not a weights file */
  SWINW_ERROR_VERSION,          /* another format version */
  SWINW_ERROR_HEADER,           /* header checksum or fields inconsistent */
  SWINW_ERROR_MODEL,            /* written for another compiled model */
  SWINW_ERROR_TABLE,            /* section table damaged */
  SWINW_ERROR_SECTION,          /* a section out of bounds, unordered or unnamed */
  SWINW_ERROR_SECTION_CHECKSUM, /* a section's bytes altered */
  SWINW_ERROR_PAYLOAD_CHECKSUM  /* payload altered outside every section */
} swinw_error;

/* What the loading library was compiled with; zero fields are not checked. */
typedef struct swinw_expected {
  uint64_t model_hash;
  uint64_t payload_bytes;
  uint64_t payload_checksum;
  int32_t precision; /* -1: not checked */
} swinw_expected;

/* Checks `size` bytes of a weights file: header, table, every section's
 * bounds and checksum, the payload checksum and, when `expected` is given,
 * that it belongs to that model. On failure writes one line (without the
 * file's name) into `message` and returns the kind of damage; on success
 * sets `*payload` to the payload's first byte. Reads nothing outside
 * [file, file + size). */
static inline swinw_error swinw_validate(const void *file, uint64_t size,
                                         const swinw_expected *expected, char *message,
                                         size_t message_bytes, const char **payload) {
  const char *bytes = (const char *)file;
  swinw_header header;
  uint64_t table_end, payload_offset, previous_end = 0;
  uint32_t i;
  if (size < SWINW_HEADER_BYTES) {
    snprintf(message, message_bytes,
             "truncated weights file: %llu bytes, less than its %u-byte header",
             (unsigned long long)size, SWINW_HEADER_BYTES);
    return SWINW_ERROR_TRUNCATED;
  }
  memcpy(&header, bytes, sizeof(header));
  if (memcmp(header.magic, SWINW_MAGIC, 8) != 0) {
    snprintf(message, message_bytes, "not a swin weights file (bad magic)");
    return SWINW_ERROR_MAGIC;
  }
  if (header.version != SWINW_VERSION) {
    snprintf(message, message_bytes,
             "weights format version %u, this runtime reads version %u (recompile the model)",
             header.version, SWINW_VERSION);
    return SWINW_ERROR_VERSION;
  }
  if (header.header_bytes != SWINW_HEADER_BYTES ||
      swinw_checksum(&header, offsetof(swinw_header, header_checksum)) !=
          header.header_checksum) {
    snprintf(message, message_bytes, "corrupt weights header (checksum mismatch)");
    return SWINW_ERROR_HEADER;
  }
  if (header.section_count > SWINW_MAX_SECTIONS ||
      header.payload_offset != swinw_payload_offset(header.section_count) ||
      header.payload_bytes > UINT64_MAX - header.payload_offset) {
    snprintf(message, message_bytes,
             "corrupt weights header: %u sections, a %llu-byte payload at byte %llu",
             header.section_count, (unsigned long long)header.payload_bytes,
             (unsigned long long)header.payload_offset);
    return SWINW_ERROR_HEADER;
  }
  if (expected && expected->model_hash && header.model_hash != expected->model_hash) {
    snprintf(message, message_bytes,
             "the weights belong to another model (hash %016llx, this library is %016llx)",
             (unsigned long long)header.model_hash,
             (unsigned long long)expected->model_hash);
    return SWINW_ERROR_MODEL;
  }
  if (expected && expected->precision >= 0 &&
      header.precision != (uint32_t)expected->precision) {
    snprintf(message, message_bytes, "the weights are %s, this library is %s",
             swinw_precision_name(header.precision),
             swinw_precision_name((uint32_t)expected->precision));
    return SWINW_ERROR_MODEL;
  }
  if (expected && expected->payload_bytes && header.payload_bytes != expected->payload_bytes) {
    snprintf(message, message_bytes,
             "the header declares %llu bytes of weights, the library expects %llu",
             (unsigned long long)header.payload_bytes,
             (unsigned long long)expected->payload_bytes);
    return SWINW_ERROR_MODEL;
  }
  payload_offset = header.payload_offset;
  table_end = SWINW_HEADER_BYTES + (uint64_t)SWINW_SECTION_BYTES * header.section_count;
  if (size < payload_offset || size - payload_offset < header.payload_bytes) {
    snprintf(message, message_bytes, "truncated weights file: %llu bytes, expected %llu",
             (unsigned long long)size, (unsigned long long)(payload_offset + header.payload_bytes));
    return SWINW_ERROR_TRUNCATED;
  }
  if (size - payload_offset != header.payload_bytes) {
    snprintf(message, message_bytes, "oversized weights file: %llu bytes, expected %llu",
             (unsigned long long)size, (unsigned long long)(payload_offset + header.payload_bytes));
    return SWINW_ERROR_OVERSIZED;
  }
  if (swinw_checksum(bytes + SWINW_HEADER_BYTES, table_end - SWINW_HEADER_BYTES) !=
      header.table_checksum) {
    snprintf(message, message_bytes, "corrupt section table (checksum mismatch)");
    return SWINW_ERROR_TABLE;
  }
  for (i = 0; i < header.section_count; ++i) {
    swinw_section section;
    memcpy(&section, bytes + SWINW_HEADER_BYTES + (uint64_t)SWINW_SECTION_BYTES * i,
           sizeof(section));
    if (memchr(section.name, 0, SWINW_SECTION_NAME_BYTES) == NULL || section.name[0] == 0) {
      snprintf(message, message_bytes, "section %u has no name", i);
      return SWINW_ERROR_SECTION;
    }
    if (section.offset % SWINW_ALIGNMENT != 0 || section.offset < previous_end ||
        section.offset > header.payload_bytes ||
        section.bytes > header.payload_bytes - section.offset) {
      snprintf(message, message_bytes,
               "section %u '%s' at [%llu, +%llu) is misplaced in the %llu-byte payload", i,
               section.name, (unsigned long long)section.offset,
               (unsigned long long)section.bytes, (unsigned long long)header.payload_bytes);
      return SWINW_ERROR_SECTION;
    }
    previous_end = section.offset + section.bytes;
    if (swinw_checksum(bytes + payload_offset + section.offset, section.bytes) !=
        section.checksum) {
      snprintf(message, message_bytes,
               "section %u '%s' (%llu bytes at payload offset %llu) is damaged: checksum "
               "mismatch",
               i, section.name, (unsigned long long)section.bytes,
               (unsigned long long)section.offset);
      return SWINW_ERROR_SECTION_CHECKSUM;
    }
  }
  {
    uint64_t checksum = swinw_checksum(bytes + payload_offset, header.payload_bytes);
    if (checksum != header.payload_checksum) {
      snprintf(message, message_bytes,
               "weights checksum mismatch outside every section (file altered)");
      return SWINW_ERROR_PAYLOAD_CHECKSUM;
    }
    if (expected && expected->payload_checksum && checksum != expected->payload_checksum) {
      snprintf(message, message_bytes,
               "the weights come from another compile of this model (payload checksum)");
      return SWINW_ERROR_MODEL;
    }
  }
  if (payload)
    *payload = bytes + payload_offset;
  if (message_bytes)
    message[0] = 0;
  return SWINW_OK;
}

#endif /* SWINRT_WEIGHTS_FORMAT_H */
