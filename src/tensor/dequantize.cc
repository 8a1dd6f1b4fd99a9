// Reference dequantizers of the plain float types and the legacy 32-element block formats.
// Each mirrors ggml's dequantize_row_* (ggml/src/ggml-quants.c); products are formed in the same
// order (int level converted to float, times the fp16 scale, plus the fp16 min) so results match
// bit for bit.

#include "tensor/dequantize.h"

#include <cstring>

#include "tensor/half.h"

namespace olla::tensor {

void DequantizeRowF32(const float* x, float* y, size_t n) { std::memcpy(y, x, n * sizeof(float)); }

void DequantizeRowF16(const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = F16ToF32(x[i]);
}

void DequantizeRowBF16(const uint16_t* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = BF16ToF32(x[i]);
}

void DequantizeRowQ4_0(const BlockQ4_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = (x[b].qs[j] & 0x0f) - 8;
      const int hi = (x[b].qs[j] >> 4) - 8;
      y[j] = static_cast<float>(lo) * d;
      y[j + kQK / 2] = static_cast<float>(hi) * d;
    }
  }
}

void DequantizeRowQ4_1(const BlockQ4_1* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    const float m = F16ToF32(x[b].m);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = x[b].qs[j] & 0x0f;
      const int hi = x[b].qs[j] >> 4;
      y[j] = static_cast<float>(lo) * d + m;
      y[j + kQK / 2] = static_cast<float>(hi) * d + m;
    }
  }
}

namespace {
// The 32 fifth bits of a Q5 block: bit j belongs to element j.
uint32_t LoadQh(const uint8_t qh[4]) {
  uint32_t v;
  std::memcpy(&v, qh, sizeof(v));
  return v;
}
}  // namespace

void DequantizeRowQ5_0(const BlockQ5_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    const uint32_t qh = LoadQh(x[b].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int hi_bit_lo = static_cast<int>((qh >> j) & 1u) << 4;
      const int hi_bit_hi = static_cast<int>((qh >> (j + 16)) & 1u) << 4;
      const int lo = ((x[b].qs[j] & 0x0f) | hi_bit_lo) - 16;
      const int hi = ((x[b].qs[j] >> 4) | hi_bit_hi) - 16;
      y[j] = static_cast<float>(lo) * d;
      y[j + kQK / 2] = static_cast<float>(hi) * d;
    }
  }
}

void DequantizeRowQ5_1(const BlockQ5_1* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    const float m = F16ToF32(x[b].m);
    const uint32_t qh = LoadQh(x[b].qh);
    for (int j = 0; j < kQK / 2; ++j) {
      const int lo = (x[b].qs[j] & 0x0f) | (static_cast<int>((qh >> j) & 1u) << 4);
      const int hi = (x[b].qs[j] >> 4) | (static_cast<int>((qh >> (j + 16)) & 1u) << 4);
      y[j] = static_cast<float>(lo) * d + m;
      y[j + kQK / 2] = static_cast<float>(hi) * d + m;
    }
  }
}

void DequantizeRowQ8_0(const BlockQ8_0* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

// ggml has no to_float for Q8_1 (it only ever holds activations); s is redundant here.
void DequantizeRowQ8_1(const BlockQ8_1* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

void DequantizeRowIQ4_NL(const BlockIQ4_NL* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = F16ToF32(x[b].d);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = d * static_cast<float>(kIQ4NLValues[x[b].qs[j] & 0x0f]);
      y[j + kQK / 2] = d * static_cast<float>(kIQ4NLValues[x[b].qs[j] >> 4]);
    }
  }
}

// The product of a level (at most 12) and a power of two is exact in float, except that it
// overflows to infinity from e = 254 (levels >= 4) or e = 255 (levels >= 2), as in ggml.
void DequantizeRowMXFP4(const BlockMXFP4* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK; ++b, y += kQK) {
    const float d = E8M0ToF32Half(x[b].e);
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>(kMXFP4Values[x[b].qs[j] & 0x0f]) * d;
      y[j + kQK / 2] = static_cast<float>(kMXFP4Values[x[b].qs[j] >> 4]) * d;
    }
  }
}

}  // namespace olla::tensor
