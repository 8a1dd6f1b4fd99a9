// Reference quantizers of the k-quant formats (Q2_K … Q6_K, Q8_K), following ggml's
// quantize_row_q*_K_ref and their scale searches (make_qx_quants, make_q3_quants,
// make_qkx2_quants in ggml/src/ggml-quants.c). A k-quant block is quantized in two passes:
//   1. each sub-block (16 or 32 elements) gets its own float scale (and min) from a small search;
//   2. those scales are themselves quantized to 4/6/8 bits against one fp16 super-scale, and the
//      elements are re-quantized with the scales as they will be decoded.
// The searches compare float sums, so every expression keeps ggml's operation order and float
// precision: changing (w*x)*l into w*(x*l) changes the chosen levels for some inputs.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "tensor/half.h"
#include "tensor/quantize.h"
#include "tensor/quantize_internal.h"

namespace olla::tensor {
namespace {

using internal::NearestInt;

constexpr float kGroupMaxEps = 1e-15f;  // a sub-block below this magnitude counts as all zero

int Clamp(int v, int lo, int hi) { return std::max(lo, std::min(hi, v)); }

// Symmetric levels in [-nmax, nmax-1] for n values, weighted by x^2 (ggml's make_qx_quants with
// rmse_type 1 and no importance weights). Tries 19 scales around nmax/max and keeps the one with
// the best weighted least-squares fit. Writes levels[i] = level + nmax; returns the scale.
float MakeQxQuants(int n, int nmax, const float* x, int8_t* levels) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(levels, 0, static_cast<size_t>(n));
    return 0.f;
  }
  float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    levels[i] = static_cast<int8_t>(l + nmax);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * static_cast<float>(l);
    suml2 += w * static_cast<float>(l) * static_cast<float>(l);
  }
  float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(static_cast<float>(nmax) + 0.1f * static_cast<float>(is)) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      sumlx += w * x[i] * static_cast<float>(l);
      suml2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    // sumlx^2/suml2 is the fit's gain; compare without dividing.
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i)
        levels[i] = static_cast<int8_t>(nmax + Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1));
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// Q3_K's sub-block search (ggml's make_q3_quants with do_rmse): start from nmax/max, then up to 5
// sweeps of coordinate descent, moving one level at a time when it improves the x^2-weighted fit.
// Writes levels[i] = level + nmax (level in [-nmax, nmax-1]); returns the scale.
float MakeQ3Quants(int n, int nmax, const float* x, int8_t* levels) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < kGroupMaxEps) {
    std::memset(levels, 0, static_cast<size_t>(n));
    return 0.f;
  }
  const float iscale = static_cast<float>(-nmax) / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = Clamp(NearestInt(iscale * x[i]), -nmax, nmax - 1);
    levels[i] = static_cast<int8_t>(l);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * static_cast<float>(l);
    suml2 += w * static_cast<float>(l) * static_cast<float>(l);
  }
  for (int itry = 0; itry < 5; ++itry) {
    int n_changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      const float li = static_cast<float>(levels[i]);
      float slx = sumlx - w * x[i] * li;  // the sums without element i
      if (slx > 0) {
        float sl2 = suml2 - w * li * li;
        const int new_l = Clamp(NearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
        if (new_l != levels[i]) {
          slx += w * x[i] * static_cast<float>(new_l);
          sl2 += w * static_cast<float>(new_l) * static_cast<float>(new_l);
          if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
            levels[i] = static_cast<int8_t>(new_l);
            sumlx = slx;
            suml2 = sl2;
            ++n_changed;
          }
        }
      }
    }
    if (!n_changed) break;
  }
  for (int i = 0; i < n; ++i) levels[i] = static_cast<int8_t>(levels[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Asymmetric levels in [0, nmax] with x ≈ scale * level - min, min >= 0 (make_qkx2_quants).
// Tries nstep+1 scales (nmax + rmin + rdelta*is over the range) and, for each, solves the weighted
// least squares for scale and min in closed form; keeps the lowest weighted error (|diff| if
// use_mad, else diff^2). Writes levels (levels_aux is scratch), *the_min = min; returns the scale.
float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* levels,
                     float* the_min, uint8_t* levels_aux, float rmin, float rdelta, int nstep,
                     bool use_mad) {
  float min = x[0], max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    std::memset(levels, 0, static_cast<size_t>(n));
    *the_min = -min;
    return 0.f;
  }
  float iscale = static_cast<float>(nmax) / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    levels[i] = static_cast<uint8_t>(Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax));
    float diff = scale * static_cast<float>(levels[i]) + min - x[i];
    diff = use_mad ? std::fabs(diff) : diff * diff;
    best_error += weights[i] * diff;
  }
  if (nstep < 1) {
    *the_min = -min;
    return scale;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * static_cast<float>(is) + static_cast<float>(nmax)) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = Clamp(NearestInt(iscale * (x[i] - min)), 0, nmax);
      levels_aux[i] = static_cast<uint8_t>(l);
      const float w = weights[i];
      const float fl = static_cast<float>(l);
      sum_l += w * fl;
      sum_l2 += w * fl * fl;
      sum_xl += w * fl * x[i];
    }
    const float det = sum_w * sum_l2 - sum_l * sum_l;
    if (det > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
      if (this_min > 0) {  // a positive offset is not representable: refit the scale alone
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * static_cast<float>(levels_aux[i]) + this_min - x[i];
        diff = use_mad ? std::fabs(diff) : diff * diff;
        cur_error += weights[i] * diff;
      }
      if (cur_error < best_error) {
        std::memcpy(levels, levels_aux, static_cast<size_t>(n));
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

// Packs 256 two-bit levels as Q2_K/Q3_K store them: byte l of each 32-byte group g holds elements
// 128g + l + 32k in bits 2k..2k+1.
void Pack2Bit(const uint8_t* levels, uint8_t* qs) {
  for (int j = 0; j < kQK_K; j += 128) {
    for (int l = 0; l < 32; ++l) {
      qs[j / 4 + l] = static_cast<uint8_t>(levels[j + l] | (levels[j + l + 32] << 2) |
                                           (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
    }
  }
}

// Q4_K/Q5_K's 12 scale bytes from eight 6-bit (scale, min) pairs; the inverse of GetScaleMinK4.
void PackScaleMinK4(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      scales[j] = ls[j];
      scales[j + 4] = lm[j];
    } else {
      scales[j + 4] = static_cast<uint8_t>((ls[j] & 0xf) | ((lm[j] & 0xf) << 4));
      scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
      scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
    }
  }
}

// Shared by Q4_K (nmax 15) and Q5_K (nmax 31): per-32 scale/min search weighted by
// rms(sub-block) + |x|, 6-bit quantization of scales and mins, then re-quantization of the levels
// with the decoded scales. Fills scales/d/dmin and levels (levels in [0, nmax]).
void QuantizeK4Scales(const float* x, int nmax, float rmin, int nstep, uint8_t* levels,
                      uint8_t scales_out[12], uint16_t* d_out, uint16_t* dmin_out) {
  float mins[kQK_K / 32], scales[kQK_K / 32], weights[32];
  uint8_t levels_aux[32];
  float max_scale = 0, max_min = 0;  // scales are >= 0 because the min is subtracted
  for (int j = 0; j < kQK_K / 32; ++j) {
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] = MakeQkx2Quants(32, nmax, x + 32 * j, weights, levels + 32 * j, &mins[j], levels_aux,
                               rmin, 0.1f, nstep, false);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  uint8_t ls[8], lm[8];
  for (int j = 0; j < kQK_K / 32; ++j) {
    // ggml stores nearest_int into a uint8_t before clamping; keep that wrap-around.
    ls[j] = std::min<uint8_t>(63, static_cast<uint8_t>(NearestInt(inv_scale * scales[j])));
    lm[j] = std::min<uint8_t>(63, static_cast<uint8_t>(NearestInt(inv_min * mins[j])));
  }
  PackScaleMinK4(ls, lm, scales_out);
  *d_out = F32ToF16(max_scale / 63.f);
  *dmin_out = F32ToF16(max_min / 63.f);
  for (int j = 0; j < kQK_K / 32; ++j) {
    uint8_t sc, m;
    GetScaleMinK4(j, scales_out, &sc, &m);
    const float d = F16ToF32(*d_out) * static_cast<float>(sc);
    if (d == 0.0f) continue;  // keep the search's levels
    const float dm = F16ToF32(*dmin_out) * static_cast<float>(m);
    for (int ii = 0; ii < 32; ++ii)
      levels[32 * j + ii] =
          static_cast<uint8_t>(Clamp(NearestInt((x[32 * j + ii] + dm) / d), 0, nmax));
  }
}

}  // namespace

void QuantizeRowQ2_K(const float* x, BlockQ2_K* y, size_t n) {
  constexpr float kQ4Scale = 15.f;
  uint8_t levels[kQK_K], levels_aux[16];
  float weights[16], mins[kQK_K / 16], scales[kQK_K / 16];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < kQK_K / 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = MakeQkx2Quants(16, 3, x + 16 * j, weights, levels + 16 * j, &mins[j], levels_aux,
                                 -0.5f, 0.1f, 15, true);
      if (scales[j] > max_scale) max_scale = scales[j];
      if (mins[j] > max_min) max_min = mins[j];
    }
    if (max_scale > 0) {
      const float iscale = kQ4Scale / max_scale;
      for (int j = 0; j < kQK_K / 16; ++j)
        y[b].scales[j] = static_cast<uint8_t>(NearestInt(iscale * scales[j]));
      y[b].d = F32ToF16(max_scale / kQ4Scale);
    } else {
      std::memset(y[b].scales, 0, sizeof(y[b].scales));
      y[b].d = F32ToF16(0.f);
    }
    if (max_min > 0) {
      const float iscale = kQ4Scale / max_min;
      for (int j = 0; j < kQK_K / 16; ++j)
        y[b].scales[j] |= static_cast<uint8_t>(NearestInt(iscale * mins[j]) << 4);
      y[b].dmin = F32ToF16(max_min / kQ4Scale);
    } else {
      y[b].dmin = F32ToF16(0.f);
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      const float d = F16ToF32(y[b].d) * static_cast<float>(y[b].scales[j] & 0xf);
      if (d == 0.0f) continue;
      const float dm = F16ToF32(y[b].dmin) * static_cast<float>(y[b].scales[j] >> 4);
      for (int ii = 0; ii < 16; ++ii)
        levels[16 * j + ii] =
            static_cast<uint8_t>(Clamp(NearestInt((x[16 * j + ii] + dm) / d), 0, 3));
    }
    Pack2Bit(levels, y[b].qs);
  }
}

void QuantizeRowQ3_K(const float* x, BlockQ3_K* y, size_t n) {
  int8_t levels[kQK_K];
  float scales[kQK_K / 16];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max_scale = 0, amax = 0;  // the signed scale of largest magnitude
    for (int j = 0; j < kQK_K / 16; ++j) {
      scales[j] = MakeQ3Quants(16, 4, x + 16 * j, levels + 16 * j);
      const float scale = std::fabs(scales[j]);
      if (scale > amax) {
        amax = scale;
        max_scale = scales[j];
      }
    }
    uint8_t* sc = y[b].scales;
    std::memset(sc, 0, 12);
    if (max_scale != 0.0f) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < kQK_K / 16; ++j) {
        int8_t l = static_cast<int8_t>(NearestInt(iscale * scales[j]));
        l = static_cast<int8_t>(Clamp(l, -32, 31) + 32);
        if (j < 8) {
          sc[j] = static_cast<uint8_t>(l & 0xf);
        } else {
          sc[j - 8] |= static_cast<uint8_t>((l & 0xf) << 4);
        }
        l = static_cast<int8_t>(l >> 4);
        sc[j % 4 + 8] |= static_cast<uint8_t>(l << (2 * (j / 4)));
      }
      y[b].d = F32ToF16(1 / iscale);
    } else {
      y[b].d = F32ToF16(0.f);
    }
    for (int j = 0; j < kQK_K / 16; ++j) {
      const int low = j < 8 ? (sc[j] & 0xf) : (sc[j - 8] >> 4);
      const int scale = (low | (((sc[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32;
      const float d = F16ToF32(y[b].d) * static_cast<float>(scale);
      if (d == 0.0f) continue;
      for (int ii = 0; ii < 16; ++ii)
        levels[16 * j + ii] = static_cast<int8_t>(Clamp(NearestInt(x[16 * j + ii] / d), -4, 3) + 4);
    }
    // High bit of element j goes to bit j/32 of hmask[j%32]; the low two bits are packed as Q2_K.
    std::memset(y[b].hmask, 0, sizeof(y[b].hmask));
    uint8_t low_bits[kQK_K];
    for (int j = 0; j < kQK_K; ++j) {
      int level = levels[j];
      if (level > 3) {
        y[b].hmask[j % 32] |= static_cast<uint8_t>(1u << (j / 32));
        level -= 4;
      }
      low_bits[j] = static_cast<uint8_t>(level);
    }
    Pack2Bit(low_bits, y[b].qs);
  }
}

void QuantizeRowQ4_K(const float* x, BlockQ4_K* y, size_t n) {
  uint8_t levels[kQK_K];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    QuantizeK4Scales(x, 15, -1.f, 20, levels, y[b].scales, &y[b].d, &y[b].dmin);
    uint8_t* q = y[b].qs;
    for (int j = 0; j < kQK_K; j += 64, q += 32) {
      for (int l = 0; l < 32; ++l)
        q[l] = static_cast<uint8_t>(levels[j + l] | (levels[j + l + 32] << 4));
    }
  }
}

void QuantizeRowQ5_K(const float* x, BlockQ5_K* y, size_t n) {
  uint8_t levels[kQK_K];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    QuantizeK4Scales(x, 31, -0.5f, 15, levels, y[b].scales, &y[b].d, &y[b].dmin);
    uint8_t* qh = y[b].qh;
    uint8_t* ql = y[b].qs;
    std::memset(qh, 0, kQK_K / 8);
    uint8_t m1 = 1, m2 = 2;  // qh bits of the low- and high-nibble sub-blocks of each group
    for (int g = 0; g < kQK_K; g += 64, ql += 32) {
      for (int j = 0; j < 32; ++j) {
        int l1 = levels[g + j];
        if (l1 > 15) {
          l1 -= 16;
          qh[j] |= m1;
        }
        int l2 = levels[g + j + 32];
        if (l2 > 15) {
          l2 -= 16;
          qh[j] |= m2;
        }
        ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
      }
      m1 = static_cast<uint8_t>(m1 << 2);
      m2 = static_cast<uint8_t>(m2 << 2);
    }
  }
}

void QuantizeRowQ6_K(const float* x, BlockQ6_K* y, size_t n) {
  int8_t levels[kQK_K];
  float scales[kQK_K / 16];
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < kQK_K / 16; ++ib) {
      scales[ib] = MakeQxQuants(16, 32, x + 16 * ib, levels + 16 * ib);
      const float abs_scale = std::fabs(scales[ib]);
      if (abs_scale > max_abs_scale) {
        max_abs_scale = abs_scale;
        max_scale = scales[ib];
      }
    }
    if (max_abs_scale < kGroupMaxEps) {
      std::memset(&y[b], 0, sizeof(y[b]));
      continue;
    }
    const float iscale = -128.f / max_scale;
    y[b].d = F32ToF16(1 / iscale);
    for (int ib = 0; ib < kQK_K / 16; ++ib)
      y[b].scales[ib] = static_cast<int8_t>(std::min(127, NearestInt(iscale * scales[ib])));
    for (int j = 0; j < kQK_K / 16; ++j) {
      const float d = F16ToF32(y[b].d) * static_cast<float>(y[b].scales[j]);
      if (d == 0.0f) continue;
      for (int ii = 0; ii < 16; ++ii)
        levels[16 * j + ii] =
            static_cast<int8_t>(Clamp(NearestInt(x[16 * j + ii] / d), -32, 31) + 32);
    }
    // Layout as in DequantizeRowQ6_K: per 128 elements, ql gets nibbles of l, l+32 (low) and
    // l+64, l+96 (high); qh[l] gets the four top bit pairs.
    uint8_t* ql = y[b].ql;
    uint8_t* qh = y[b].qh;
    for (int j = 0; j < kQK_K; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64],
                  q4 = levels[j + l + 96];
        ql[l] = static_cast<uint8_t>((q1 & 0xf) | ((q3 & 0xf) << 4));
        ql[l + 32] = static_cast<uint8_t>((q2 & 0xf) | ((q4 & 0xf) << 4));
        qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                     ((q4 >> 4) << 6));
      }
    }
  }
}

void QuantizeRowQ8_K(const float* x, BlockQ8_K* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
    float max = 0, amax = 0;
    for (int j = 0; j < kQK_K; ++j) {
      const float ax = std::fabs(x[j]);
      if (ax > amax) {
        amax = ax;
        max = x[j];
      }
    }
    if (amax == 0.0f) {  // ggml leaves bsums unset here; we zero the whole block
      std::memset(&y[b], 0, sizeof(y[b]));
      continue;
    }
    // -127 (not -128) so that the extreme element maps to exactly -127 and negation is safe.
    const float iscale = -127.f / max;
    for (int j = 0; j < kQK_K; ++j)
      y[b].qs[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * x[j])));
    for (int g = 0; g < kQK_K / 16; ++g) {
      int sum = 0;
      for (int ii = 0; ii < 16; ++ii) sum += y[b].qs[16 * g + ii];
      y[b].bsums[g] = static_cast<int16_t>(sum);
    }
    y[b].d = 1 / iscale;
  }
}

}  // namespace olla::tensor
