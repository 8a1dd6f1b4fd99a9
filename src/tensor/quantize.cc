// Reference quantizers of the plain float types and the legacy 32-element block formats, following
// ggml's quantize_row_*_ref. Float expressions and integer casts are kept in ggml's form
// (truncating casts after adding 8.5 / 16.5 / 0.5, roundf for Q8) because the exact bytes are the
// contract.

#include "tensor/quantize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "tensor/half.h"
#include "tensor/quantize_internal.h"

namespace olla::tensor {

using internal::TruncToInt;

void QuantizeRowF32(const float* x, float* y, size_t n) { std::memcpy(y, x, n * sizeof(float)); }

void QuantizeRowF16(const float* x, uint16_t* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = F32ToF16(x[i]);
}

void QuantizeRowBF16(const float* x, uint16_t* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = F32ToBF16(x[i]);
}

namespace {

// The element of largest magnitude, with its sign (the first one on ties).
float SignedAbsMax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void MinMax(const float* x, int n, float* min, float* max) {
  *min = FLT_MAX;
  *max = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < *min) *min = x[j];
    if (x[j] > *max) *max = x[j];
  }
}

// C's (int8_t)(f): truncation, then the low byte.
int Int8Trunc(float f) { return static_cast<int8_t>(TruncToInt(f)); }

}  // namespace

// Symmetric 4-bit: the largest-magnitude element maps to level 0 (value -8 * d), so d carries its
// sign and the other extreme gets +7 at most.
void QuantizeRowQ4_0(const float* x, BlockQ4_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = SignedAbsMax(x, kQK) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = F32ToF16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const uint8_t lo = static_cast<uint8_t>(std::min(15, Int8Trunc(x[j] * id + 8.5f)));
      const uint8_t hi = static_cast<uint8_t>(std::min(15, Int8Trunc(x[j + kQK / 2] * id + 8.5f)));
      y[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

// Asymmetric 4-bit: levels 0..15 span [min, max].
void QuantizeRowQ4_1(const float* x, BlockQ4_1* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float min, max;
    MinMax(x, kQK, &min, &max);
    const float d = (max - min) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = F32ToF16(d);
    y[b].m = F32ToF16(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const float x0 = (x[j] - min) * id;
      const float x1 = (x[j + kQK / 2] - min) * id;
      const uint8_t lo = static_cast<uint8_t>(std::min(15, Int8Trunc(x0 + 0.5f)));
      const uint8_t hi = static_cast<uint8_t>(std::min(15, Int8Trunc(x1 + 0.5f)));
      y[b].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

namespace {
// Packs 32 five-bit levels: low nibbles into qs (as Q4), bit 4 of level j into bit j of qh.
void PackQ5(const uint8_t* levels, uint8_t qs[16], uint8_t qh[4]) {
  uint32_t bits = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    const uint8_t lo = levels[j], hi = levels[j + kQK / 2];
    qs[j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    bits |= static_cast<uint32_t>((lo & 0x10u) >> 4) << j;
    bits |= static_cast<uint32_t>((hi & 0x10u) >> 4) << (j + kQK / 2);
  }
  std::memcpy(qh, &bits, sizeof(bits));
}
}  // namespace

void QuantizeRowQ5_0(const float* x, BlockQ5_0* y, size_t n) {
  uint8_t levels[kQK];
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = SignedAbsMax(x, kQK) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = F32ToF16(d);
    for (int j = 0; j < kQK; ++j)
      levels[j] = static_cast<uint8_t>(std::min(31, Int8Trunc(x[j] * id + 16.5f)));
    PackQ5(levels, y[b].qs, y[b].qh);
  }
}

void QuantizeRowQ5_1(const float* x, BlockQ5_1* y, size_t n) {
  uint8_t levels[kQK];
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    float min, max;
    MinMax(x, kQK, &min, &max);
    const float d = (max - min) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    y[b].d = F32ToF16(d);
    y[b].m = F32ToF16(min);
    // ggml casts straight to uint8_t here, without the MIN(31, …) of Q5_0.
    for (int j = 0; j < kQK; ++j)
      levels[j] = static_cast<uint8_t>(TruncToInt((x[j] - min) * id + 0.5f));
    PackQ5(levels, y[b].qs, y[b].qh);
  }
}

namespace {

enum class Q8Rounding {
  kRef,         // quantize_row_q8_{0,1}_ref: id = 1 / (amax / 127), roundf (ties away from zero)
  kActivation,  // ggml-cpu's SIMD quantize_row_q8_{0,1}: id = 127 / amax, ties to even, saturate
};

// Shared by Q8_0 and Q8_1: d = amax / 127, q = round(x * id). Returns d (unrounded).
float QuantizeQ8Block(const float* x, int8_t* qs, Q8Rounding mode) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127;
  if (mode == Q8Rounding::kRef) {
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < kQK; ++j) qs[j] = static_cast<int8_t>(TruncToInt(std::round(x[j] * id)));
  } else {
    const float id = amax != 0.0f ? 127.f / amax : 0.0f;
    for (int j = 0; j < kQK; ++j) {
      const float v = x[j] * id;
      // The SIMD code rounds (ties to even), converts to int32 (NaN and |v| >= 2^31 become
      // INT_MIN, e.g. when a subnormal amax makes id infinite) and packs with saturation.
      if (!(v >= -128.f && v < 2147483648.f)) {
        qs[j] = -128;
      } else {
        qs[j] = static_cast<int8_t>(v > 127.f ? 127 : internal::NearestInt(v));
      }
    }
  }
  return d;
}

void QuantizeQ8_1Blocks(const float* x, BlockQ8_1* y, size_t n, Q8Rounding mode) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = QuantizeQ8Block(x, y[b].qs, mode);
    int sum = 0;
    for (int j = 0; j < kQK; ++j) sum += y[b].qs[j];
    y[b].d = F32ToF16(d);
    y[b].s = F32ToF16(static_cast<float>(sum) * d);  // d in full float precision, as ggml
  }
}

}  // namespace

void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK)
    y[b].d = F32ToF16(QuantizeQ8Block(x, y[b].qs, Q8Rounding::kRef));
}

void QuantizeRowQ8_1(const float* x, BlockQ8_1* y, size_t n) {
  QuantizeQ8_1Blocks(x, y, n, Q8Rounding::kRef);
}

void QuantizeActivationsQ8_0(const float* x, BlockQ8_0* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, x += kQK)
    y[b].d = F32ToF16(QuantizeQ8Block(x, y[b].qs, Q8Rounding::kActivation));
}

void QuantizeActivationsQ8_1(const float* x, BlockQ8_1* y, size_t n) {
  QuantizeQ8_1Blocks(x, y, n, Q8Rounding::kActivation);
}

}  // namespace olla::tensor
