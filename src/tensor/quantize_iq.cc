// Reference quantizers of the non-linear 4-bit formats IQ4_NL and IQ4_XS, following ggml's
// quantize_iq4_nl / quantize_iq4_xs with no importance matrix (both go through
// quantize_row_iq4_nl_impl with ntry = 7). Each 32-element block picks levels from the fixed table
// kIQ4NLValues; its scale is the best x^2-weighted least-squares fit among 15 candidate scales.
// IQ4_XS then quantizes the eight block scales to 6 bits against one fp16 super-scale.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/half.h"
#include "tensor/quantize.h"
#include "tensor/quantize_internal.h"

namespace olla::tensor {
namespace {

using internal::NearestInt;

constexpr float kGroupMaxEps = 1e-15f;
constexpr int kNTry = 7;  // candidate scales: (values[0] + itry) / max for itry in [-7, 7]

// Index of the table entry nearest to x (ties go to the upper entry), by binary search over the
// sorted 16 values, as ggml's best_index_int8.
int BestIndex(float x) {
  const int8_t* val = kIQ4NLValues;
  if (x <= val[0]) return 0;
  if (x >= val[15]) return 15;
  int lo = 0, hi = 15;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (x < val[mid]) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return x - static_cast<float>(val[hi - 1]) < static_cast<float>(val[hi]) - x ? hi - 1 : hi;
}

// Finds the scale of one 32-element block (levels written to levels); returns 0 for an all-zero
// block.
float FitBlock(const float* xb, uint8_t* levels) {
  float weight[32];
  for (int j = 0; j < 32; ++j) weight[j] = xb[j] * xb[j];
  float amax = 0, max = 0;
  for (int j = 0; j < 32; ++j) {
    const float ax = std::fabs(xb[j]);
    if (ax > amax) {
      amax = ax;
      max = xb[j];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(levels, 0, 32);
    return 0;
  }
  const float v0 = static_cast<float>(kIQ4NLValues[0]);  // -127
  // First guess: map the extreme element onto -127 … then refine with the least-squares scale.
  float d = -max / v0;
  float id = 1 / d;
  float sumqx = 0, sumq2 = 0;
  for (int j = 0; j < 32; ++j) {
    const int l = BestIndex(id * xb[j]);
    levels[j] = static_cast<uint8_t>(l);
    const float q = static_cast<float>(kIQ4NLValues[l]);
    sumqx += weight[j] * q * xb[j];
    sumq2 += weight[j] * q * q;
  }
  d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
  float best = d * sumqx;
  for (int itry = -kNTry; itry <= kNTry; ++itry) {
    id = static_cast<float>(itry + kIQ4NLValues[0]) / max;
    sumqx = sumq2 = 0;
    for (int j = 0; j < 32; ++j) {
      const float q = static_cast<float>(kIQ4NLValues[BestIndex(id * xb[j])]);
      sumqx += weight[j] * q * xb[j];
      sumq2 += weight[j] * q * q;
    }
    if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {  // compares gains sumqx^2/sumq2
      d = sumqx / sumq2;
      best = d * sumqx;
    }
  }
  return d;
}

// Low nibbles hold elements 0..15 of each 32-block, high nibbles 16..31.
void PackNibbles(const uint8_t* levels, int n, uint8_t* qs) {
  for (int i = 0; i < n / 32; ++i) {
    for (int j = 0; j < 16; ++j)
      qs[16 * i + j] = static_cast<uint8_t>(levels[32 * i + j] | (levels[32 * i + 16 + j] << 4));
  }
}

}  // namespace

void QuantizeRowIQ4_NL(const float* x, BlockIQ4_NL* y, size_t n) {
  uint8_t levels[kQK];
  for (size_t b = 0; b < n / kQK; ++b, x += kQK) {
    const float d = FitBlock(x, levels);
    y[b].d = F32ToF16(d);
    // Re-pick the levels for the final (float, not fp16) scale.
    const float id = d != 0.0f ? 1 / d : 0;
    for (int j = 0; j < kQK; ++j) levels[j] = static_cast<uint8_t>(BestIndex(id * x[j]));
    PackNibbles(levels, kQK, y[b].qs);
  }
}

void QuantizeRowIQ4_XS(const float* x, BlockIQ4_XS* y, size_t n) {
  uint8_t levels[kQK_K];
  float scales[kQK_K / 32];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max_scale = 0, amax_scale = 0;  // the signed block scale of largest magnitude
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      scales[ib] = FitBlock(x + 32 * ib, levels + 32 * ib);
      if (std::fabs(scales[ib]) > amax_scale) {
        amax_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }
    // Block scales become 6-bit signed multiples of d; the largest maps to -32.
    const float d = -max_scale / 32;
    y[b].d = F32ToF16(d);
    const float id = d != 0.0f ? 1 / d : 0.f;
    y[b].scales_h = 0;
    std::memset(y[b].scales_l, 0, sizeof(y[b].scales_l));
    for (int ib = 0; ib < kQK_K / 32; ++ib) {
      int l = std::max(-32, std::min(31, NearestInt(id * scales[ib])));
      // Levels are re-picked against the block's quantized scale (in float: d is not rounded).
      const float dl = d * static_cast<float>(l);
      const float idl = dl != 0.0f ? 1 / dl : 0.f;
      for (int j = 0; j < 32; ++j)
        levels[32 * ib + j] = static_cast<uint8_t>(BestIndex(idl * x[32 * ib + j]));
      l += 32;
      y[b].scales_l[ib / 2] |= static_cast<uint8_t>((l & 0xf) << (4 * (ib % 2)));
      y[b].scales_h = static_cast<uint16_t>(y[b].scales_h | ((l >> 4) << (2 * ib)));
    }
    PackNibbles(levels, kQK_K, y[b].qs);
  }
}

}  // namespace olla::tensor
