/*===- weights_format.h - the model.swinw weights file ------------*- C -*-===//
 *
 * Shared by the compiler, which writes the file, and the runtime, which
 * maps it. Layout (little endian):
 *
 *   [0, 128)           swinw_header
 *   [128, 128 + n)     payload: every weight at a 256-byte aligned offset
 *
 * `payload_checksum` is swinw_checksum over the payload and
 * `header_checksum` over the header bytes before it. `model_hash`
 * identifies the generated code (shapes, offsets, precision): a weights
 * file only loads into the library compiled with it.
 *
 *===----------------------------------------------------------------------===*/
#ifndef SWINRT_WEIGHTS_FORMAT_H
#define SWINRT_WEIGHTS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SWINW_MAGIC "SWINWTS"  /* 7 characters and a NUL: 8 bytes */
#define SWINW_VERSION 1u
#define SWINW_HEADER_BYTES 128u
#define SWINW_ALIGNMENT 256u

typedef struct swinw_header {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t payload_bytes;
  uint64_t payload_checksum;
  uint64_t model_hash;
  uint32_t precision; /* 0 fp32, 1 tf32, 2 fp16, 3 bf16, 4 fp8 */
  uint32_t reserved0;
  uint8_t reserved[72];
  uint64_t header_checksum;
} swinw_header;

#ifdef __cplusplus
static_assert(sizeof(swinw_header) == SWINW_HEADER_BYTES, "swinw_header layout");
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

#endif /* SWINRT_WEIGHTS_FORMAT_H */
