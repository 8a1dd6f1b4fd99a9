#pragma once
// Helpers shared by the quantize*.cc files only (not part of the library's API).

#include <bit>
#include <climits>
#include <cstdint>

namespace olla::tensor::internal {

// ggml's nearest_int: rounds to nearest, ties to even, by adding 1.5 * 2^23 so the float adder does
// the rounding and the integer lands in the low mantissa bits. Exact for |f| <= 4194303 (ggml
// asserts that); outside it (or for NaN) the result is meaningless but well defined, and every
// caller clamps it into its level range.
inline int NearestInt(float f) {
  const float biased = f + 12582912.f;
  return static_cast<int>(std::bit_cast<uint32_t>(biased) & 0x007fffffu) - 0x00400000;
}

// C's (int)f, truncating toward zero, for the legacy quantizers' casts. Out-of-range values and NaN
// give INT_MIN, as x86's cvttss2si does, instead of undefined behaviour (inputs can hold inf/NaN
// when a model diverges; the output is then garbage but memory-safe).
inline int TruncToInt(float f) {
  if (!(f >= -2147483648.f && f < 2147483648.f)) return INT_MIN;
  return static_cast<int>(f);
}

}  // namespace olla::tensor::internal
