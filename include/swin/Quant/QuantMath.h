//===- QuantMath.h - the arithmetic of swin.quantize ------------*- C++ -*-===//
//
// One definition of quantization, shared by the CPU reference, calibration
// and the tests, and matched by the GPU kernels: x is scaled by the fp32
// reciprocal of the scale, then rounded to nearest even and saturated.
//
//===----------------------------------------------------------------------===//
#ifndef SWIN_QUANT_QUANTMATH_H
#define SWIN_QUANT_QUANTMATH_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace swin::quant {

enum class QuantType { Int8, Fp8E4M3 };

/// The largest magnitude each type represents: 127 (symmetric int8, -128 is
/// reachable only by saturation) and 448 (E4M3 without infinities).
inline float quantTypeMax(QuantType type) {
  return type == QuantType::Int8 ? 127.0f : 448.0f;
}

/// Rounds to the nearest E4M3 value (ties to even), saturating at +-448.
/// NaN stays NaN.
inline float roundToE4M3(float value) {
  if (std::isnan(value))
    return value;
  float magnitude = std::fabs(value);
  if (magnitude >= 448.0f)
    return std::copysign(448.0f, value);
  float rounded;
  if (magnitude < 0.015625f) {
    // Subnormal range (below 2^-6): a fixed quantum of 2^-9.
    rounded = std::nearbyint(magnitude * 512.0f) / 512.0f;
  } else {
    // Keep 3 mantissa bits: round the 20 dropped bits to nearest even.
    uint32_t bits;
    std::memcpy(&bits, &magnitude, sizeof(bits));
    bits += 0x7FFFFu + ((bits >> 20) & 1u);
    bits &= ~0xFFFFFu;
    std::memcpy(&rounded, &bits, sizeof(rounded));
  }
  return std::copysign(rounded, value);
}

/// Rounds to the nearest integer (ties to even), saturating to [-128, 127];
/// NaN becomes 0, as the GPU's saturating conversion does.
inline float roundToInt8(float value) {
  if (std::isnan(value))
    return 0.0f;
  float rounded = std::nearbyint(value);
  return rounded < -128.0f ? -128.0f : rounded > 127.0f ? 127.0f : rounded;
}

/// The value `x` quantizes to with `inverseScale = 1 / scale`, on the
/// type's grid (an integer for int8).
inline float quantizeValue(float x, float inverseScale, QuantType type) {
  float scaled = x * inverseScale;
  return type == QuantType::Int8 ? roundToInt8(scaled) : roundToE4M3(scaled);
}

/// The E4M3 bit pattern of a value that is exactly representable (the
/// result of roundToE4M3, not NaN).
inline uint8_t encodeE4M3(float exact) {
  uint8_t sign = std::signbit(exact) ? 0x80 : 0x00;
  float magnitude = std::fabs(exact);
  if (magnitude < 0.015625f) // subnormal: exponent field 0, units of 2^-9
    return sign | static_cast<uint8_t>(magnitude * 512.0f);
  uint32_t bits;
  std::memcpy(&bits, &magnitude, sizeof(bits));
  uint32_t exponent = (bits >> 23) - 127 + 7, mantissa = (bits >> 20) & 7u;
  return sign | static_cast<uint8_t>(exponent << 3 | mantissa);
}

} // namespace swin::quant

#endif // SWIN_QUANT_QUANTMATH_H
