//===- position_bias.h - the attention kernel's position-bias tiles -------===//
//
// The relative position bias of a block, [heads, n, n], depends only on the
// relative position of query and key: a few hundred distinct values per
// head repeated over n * n entries. The weights file stores it compactly,
// a table [heads, classes] and one index [n, n] into it (shared by blocks of
// the same window), and the engine expands it once at load time into the
// tiled layout that window_attention_mma reads. The compiler (which builds
// the table) and the expansion kernel share this addressing.
//
//===----------------------------------------------------------------------===//
#ifndef SWINRT_POSITION_BIAS_H
#define SWINRT_POSITION_BIAS_H

#include <cmath>
#include <cstdint>

#ifdef __CUDACC__
#define SWINRT_HOST_DEVICE __host__ __device__
#else
#define SWINRT_HOST_DEVICE
#endif

namespace swinrt {

/// Floats in the tiled bias of one block: [heads][warps][key tiles][32 lanes][4],
/// with n padded to a multiple of 16.
SWINRT_HOST_DEVICE inline int64_t tiledPositionBiasFloats(int64_t heads, int64_t n) {
  int64_t rows = (n + 15) / 16 * 16;
  return heads * rows * rows;
}

/// Element `i` of the tiled bias: lane (g, t) = (lane / 4, lane % 4) of warp
/// w holds rows 16w + g and 16w + g + 8 at columns 8 * tile + 2t and + 1 (the
/// accumulator layout of mma m16n8k16). Padded keys get -inf (they take no
/// probability), padded queries 0.
SWINRT_HOST_DEVICE inline float tiledPositionBiasAt(int64_t i, int64_t n, const float *table,
                                                    int64_t classes, const uint32_t *index) {
  int64_t rows = (n + 15) / 16 * 16, warps = rows / 16, keyTiles = rows / 8;
  int64_t e = i % 4, lane = (i / 4) % 32, tile = (i / 128) % keyTiles;
  int64_t warp = (i / (128 * keyTiles)) % warps, head = i / (128 * keyTiles * warps);
  int64_t row = 16 * warp + lane / 4 + (e < 2 ? 0 : 8);
  int64_t col = 8 * tile + 2 * (lane % 4) + (e & 1);
  if (col >= n)
    return -INFINITY;
  if (row >= n)
    return 0.0f;
  return table[head * classes + index[row * n + col]];
}

} // namespace swinrt

#endif // SWINRT_POSITION_BIAS_H
