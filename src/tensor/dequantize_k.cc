// Reference dequantizers of the k-quant super-block formats and IQ4_XS, mirroring ggml's
// dequantize_row_q{2..8}_K / dequantize_row_iq4_xs. The per-sub-block factors are rounded to float
// first (e.g. d1 = d * scale, m1 = dmin * min), then y = d1 * q - m1, exactly as ggml evaluates it.

#include "tensor/dequantize.h"
#include "tensor/half.h"

namespace olla::tensor {

void DequantizeRowQ2_K(const BlockQ2_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = F16ToF32(x[b].d);
    const float dmin = F16ToF32(x[b].dmin);
    const uint8_t* q = x[b].qs;
    int sub = 0;  // sub-block index, 0..15, in element order
    // Two halves of 128 elements, each from 32 bytes of qs; within a half, bit pair `shift`
    // selects a run of 32 elements, split into two 16-element sub-blocks (bytes 0-15, 16-31).
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int part = 0; part < 2; ++part, ++sub) {
          const uint8_t sc = x[b].scales[sub];
          const float dl = d * static_cast<float>(sc & 0xf);
          const float ml = dmin * static_cast<float>(sc >> 4);
          for (int l = 0; l < 16; ++l) {
            const int level = (q[16 * part + l] >> shift) & 3;
            *y++ = dl * static_cast<float>(level) - ml;
          }
        }
      }
    }
  }
}

namespace {
// Q3_K's 16 six-bit scales, stored +32: low nibbles in bytes 0-7 (sub-blocks 0-7 low nibble,
// 8-15 high nibble), top two bits in bytes 8-11 (sub-block j uses bits 2*(j/4) of byte 8 + j%4).
int Q3KScale(const uint8_t* scales, int j) {
  const int low = j < 8 ? (scales[j] & 0xf) : (scales[j - 8] >> 4);
  const int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}
}  // namespace

void DequantizeRowQ3_K(const BlockQ3_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d_all = F16ToF32(x[b].d);
    const uint8_t* q = x[b].qs;
    const uint8_t* hm = x[b].hmask;
    uint8_t mask = 1;  // hmask bit of the current run of 32 elements
    int sub = 0;
    for (int half = 0; half < 2; ++half, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, mask = static_cast<uint8_t>(mask << 1)) {
        for (int part = 0; part < 2; ++part, ++sub) {
          const float dl = d_all * static_cast<float>(Q3KScale(x[b].scales, sub));
          for (int l = 16 * part; l < 16 * part + 16; ++l) {
            // A clear high bit means the level is 4 lower: levels span -4..3.
            const int level = ((q[l] >> shift) & 3) - ((hm[l] & mask) ? 0 : 4);
            *y++ = dl * static_cast<float>(level);
          }
        }
      }
    }
  }
}

void DequantizeRowQ4_K(const BlockQ4_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = F16ToF32(x[b].d);
    const float dmin = F16ToF32(x[b].dmin);
    const uint8_t* q = x[b].qs;
    // Each 32 bytes of qs hold two sub-blocks: low nibbles then high nibbles.
    for (int sub = 0; sub < 8; sub += 2, q += 32) {
      uint8_t sc, m;
      GetScaleMinK4(sub, x[b].scales, &sc, &m);
      const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
      GetScaleMinK4(sub + 1, x[b].scales, &sc, &m);
      const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xf) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
    }
  }
}

void DequantizeRowQ5_K(const BlockQ5_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = F16ToF32(x[b].d);
    const float dmin = F16ToF32(x[b].dmin);
    const uint8_t* ql = x[b].qs;
    const uint8_t* qh = x[b].qh;
    uint8_t u1 = 1, u2 = 2;  // qh bits of the two sub-blocks in this group
    for (int sub = 0; sub < 8; sub += 2, ql += 32) {
      uint8_t sc, m;
      GetScaleMinK4(sub, x[b].scales, &sc, &m);
      const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
      GetScaleMinK4(sub + 1, x[b].scales, &sc, &m);
      const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
      for (int l = 0; l < 32; ++l) {
        const int level = (ql[l] & 0xf) + ((qh[l] & u1) ? 16 : 0);
        *y++ = d1 * static_cast<float>(level) - m1;
      }
      for (int l = 0; l < 32; ++l) {
        const int level = (ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0);
        *y++ = d2 * static_cast<float>(level) - m2;
      }
      u1 = static_cast<uint8_t>(u1 << 2);
      u2 = static_cast<uint8_t>(u2 << 2);
    }
  }
}

// Q6_K: each half of 128 elements uses 64 bytes of ql, 32 of qh and 8 scales. For l in 0..31,
// elements l, l+32, l+64, l+96 take ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high nibbles and
// bit pairs 0, 2, 4, 6 of qh[l]; their scales are sc[l/16 + 0, 2, 4, 6].
void DequantizeRowQ6_K(const BlockQ6_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = F16ToF32(x[b].d);
    const uint8_t* ql = x[b].ql;
    const uint8_t* qh = x[b].qh;
    const int8_t* sc = x[b].scales;
    for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * static_cast<float>(sc[is + 0]) * static_cast<float>(q1);
        y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
        y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
        y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
      }
    }
  }
}

void DequantizeRowQ8_K(const BlockQ8_K* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    for (int j = 0; j < kQK_K; ++j) *y++ = x[b].d * static_cast<float>(x[b].qs[j]);
  }
}

void DequantizeRowIQ4_XS(const BlockIQ4_XS* x, float* y, size_t n) {
  for (size_t b = 0; b < n / kQK_K; ++b) {
    const float d = F16ToF32(x[b].d);
    const uint8_t* qs = x[b].qs;
    for (int sub = 0; sub < kQK_K / 32; ++sub, y += 32, qs += 16) {
      const int ls = ((x[b].scales_l[sub / 2] >> (4 * (sub % 2))) & 0xf) |
                     (((x[b].scales_h >> (2 * sub)) & 3) << 4);
      const float dl = d * static_cast<float>(ls - 32);
      for (int j = 0; j < 16; ++j) {
        y[j] = dl * static_cast<float>(kIQ4NLValues[qs[j] & 0xf]);
        y[j + 16] = dl * static_cast<float>(kIQ4NLValues[qs[j] >> 4]);
      }
    }
  }
}

}  // namespace olla::tensor
