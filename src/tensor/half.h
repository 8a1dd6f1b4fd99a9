#pragma once
// 16-bit float conversions: IEEE binary16 ("F16", ggml_fp16_t) and bfloat16 ("BF16", ggml_bf16_t).
// Values are carried as their raw uint16_t bit patterns, exactly as GGUF stores them.
//
// F32ToF16 rounds to nearest, ties to even, like the x86 F16C instruction VCVTPS2PH with imm 0 and
// ggml's software fallback: results that round past 65504 become infinity, results below 2^-14
// become subnormals (or zero). NaN stays NaN (quiet, sign and top payload bits kept, as F16C does).
// F32ToBF16 follows ggml_compute_fp32_to_bf16: round to nearest even on the top 16 bits, subnormals
// kept (not flushed), NaN forced quiet. The widening conversions are exact.

#include <bit>
#include <cstdint>

namespace olla::tensor {

// binary16 -> binary32; exact for every input (subnormals, infinities and NaN payloads included).
inline float F16ToF32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (man << 13));  // inf / NaN
  if (exp == 0) {
    // Zero or subnormal: man * 2^-24, exact in float (2^-24 is a power of two, man < 2^10).
    const float mag = static_cast<float>(man) * 0x1p-24f;
    return sign ? -mag : mag;
  }
  // Normal: rebias the exponent from 15 to 127 (+112) and widen the mantissa.
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (man << 13));
}

// binary32 -> binary16, round to nearest even.
inline uint16_t F32ToF16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7fffffffu;
  if (ax > 0x7f800000u) {  // NaN: keep the top payload bits, set the quiet bit
    return static_cast<uint16_t>(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
  }
  // 0x477ff000 is 65520, halfway between 65504 (max half) and 65536; the tie rounds to even = inf.
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
  if (ax < 0x38800000u) {  // |f| < 2^-14: the result is a half subnormal (units of 2^-24) or zero
    const uint32_t exp = ax >> 23;
    if (exp < 102) return sign;  // |f| < 2^-25: rounds to zero (f32 subnormals included)
    // ax = m * 2^(exp-150) with m in [2^23, 2^24) → m * 2^(exp-126) units of 2^-24.
    const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14..24
    uint32_t h = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (h & 1u))) ++h;  // may carry into the smallest normal
    return static_cast<uint16_t>(sign | h);
  }
  // Normal: rebias (-112 << 23 == 0x38000000) and round the 13 dropped mantissa bits.
  uint32_t h = (ax - 0x38000000u) >> 13;
  const uint32_t rem = ax & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry bumps the exponent correctly
  return static_cast<uint16_t>(sign | h);
}

// bfloat16 -> binary32: bf16 is the top half of a binary32, so this is exact.
inline float BF16ToF32(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// binary32 -> bfloat16, as ggml_compute_fp32_to_bf16 does it.
inline uint16_t F32ToBF16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  // Adding 0x7fff (+1 if the kept lsb is odd) and truncating rounds to nearest even; a carry out
  // of the mantissa correctly increments the exponent (and overflows to inf).
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

}  // namespace olla::tensor
