#include "kernels/ref/unpack.h"

#include <cstring>

#include "tensor/half.h"

namespace olla::kernels::ref {

using tensor::F16ToF32;

void UnpackQ4_0(const tensor::BlockQ4_0& b, int8_t q[32]) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>((b.qs[j] & 0x0F) - 8);
    q[j + 16] = static_cast<int8_t>((b.qs[j] >> 4) - 8);
  }
}

void UnpackQ4_1(const tensor::BlockQ4_1& b, int8_t q[32]) {
  for (int j = 0; j < 16; ++j) {
    q[j] = static_cast<int8_t>(b.qs[j] & 0x0F);
    q[j + 16] = static_cast<int8_t>(b.qs[j] >> 4);
  }
}

namespace {
// Fifth bits: element j's is bit j of the little-endian 32-bit qh.
inline uint32_t LoadQh(const uint8_t qh[4]) {
  uint32_t v;
  std::memcpy(&v, qh, 4);
  return v;
}
}  // namespace

void UnpackQ5_0(const tensor::BlockQ5_0& b, int8_t q[32]) {
  const uint32_t qh = LoadQh(b.qh);
  for (int j = 0; j < 16; ++j) {
    int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
    q[j] = static_cast<int8_t>(((b.qs[j] & 0x0F) | (h0 << 4)) - 16);
    q[j + 16] = static_cast<int8_t>(((b.qs[j] >> 4) | (h1 << 4)) - 16);
  }
}

void UnpackQ5_1(const tensor::BlockQ5_1& b, int8_t q[32]) {
  const uint32_t qh = LoadQh(b.qh);
  for (int j = 0; j < 16; ++j) {
    int h0 = (qh >> j) & 1, h1 = (qh >> (j + 16)) & 1;
    q[j] = static_cast<int8_t>((b.qs[j] & 0x0F) | (h0 << 4));
    q[j + 16] = static_cast<int8_t>((b.qs[j] >> 4) | (h1 << 4));
  }
}

void UnpackIQ4_NL(const tensor::BlockIQ4_NL& b, int8_t q[32]) {
  for (int j = 0; j < 16; ++j) {
    q[j] = tensor::kIQ4NLValues[b.qs[j] & 0x0F];
    q[j + 16] = tensor::kIQ4NLValues[b.qs[j] >> 4];
  }
}

void UnpackMXFP4(const tensor::BlockMXFP4& b, int8_t q[32]) {
  for (int j = 0; j < 16; ++j) {
    q[j] = tensor::kMXFP4Values[b.qs[j] & 0x0F];
    q[j + 16] = tensor::kMXFP4Values[b.qs[j] >> 4];
  }
}

void UnpackQ2_K(const tensor::BlockQ2_K& b, UnpackedK& u) {
  u.n_sub = 16;
  u.d = F16ToF32(b.d);
  u.dmin = F16ToF32(b.dmin);
  for (int s = 0; s < 16; ++s) {
    u.scale[s] = b.scales[s] & 0x0F;
    u.min[s] = b.scales[s] >> 4;
  }
  // Each 128-element half uses 32 bytes; element half*128 + 32*k + l is bits 2k..2k+1 of byte l.
  for (int half = 0; half < 2; ++half)
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l)
        u.q[half * 128 + 32 * k + l] = static_cast<int8_t>((b.qs[half * 32 + l] >> (2 * k)) & 3);
}

void UnpackQ3_K(const tensor::BlockQ3_K& b, UnpackedK& u) {
  u.n_sub = 16;
  u.d = F16ToF32(b.d);
  u.dmin = 0;
  // 16 six-bit scales: low 4 bits in bytes 0-7 (two per byte: sub-blocks s and s+8), high 2 bits
  // in bytes 8-11 (four per byte).
  for (int s = 0; s < 16; ++s) {
    int low = s < 8 ? (b.scales[s] & 0x0F) : (b.scales[s - 8] >> 4);
    int high = (b.scales[8 + s % 4] >> (2 * (s / 4))) & 3;
    u.scale[s] = static_cast<int16_t>((low | (high << 4)) - 32);
    u.min[s] = 0;
  }
  for (int half = 0; half < 2; ++half)
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l) {
        int e = half * 128 + 32 * k + l;
        int low = (b.qs[half * 32 + l] >> (2 * k)) & 3;
        bool high = (b.hmask[l] >> (half * 4 + k)) & 1;
        u.q[e] = static_cast<int8_t>(low - (high ? 0 : 4));
      }
}

void UnpackQ4_K(const tensor::BlockQ4_K& b, UnpackedK& u) {
  u.n_sub = 8;
  u.d = F16ToF32(b.d);
  u.dmin = F16ToF32(b.dmin);
  for (int s = 0; s < 8; ++s) {
    uint8_t sc, m;
    tensor::GetScaleMinK4(s, b.scales, &sc, &m);
    u.scale[s] = sc;
    u.min[s] = m;
  }
  for (int g = 0; g < 4; ++g)
    for (int l = 0; l < 32; ++l) {
      u.q[64 * g + l] = static_cast<int8_t>(b.qs[32 * g + l] & 0x0F);
      u.q[64 * g + 32 + l] = static_cast<int8_t>(b.qs[32 * g + l] >> 4);
    }
}

void UnpackQ5_K(const tensor::BlockQ5_K& b, UnpackedK& u) {
  u.n_sub = 8;
  u.d = F16ToF32(b.d);
  u.dmin = F16ToF32(b.dmin);
  for (int s = 0; s < 8; ++s) {
    uint8_t sc, m;
    tensor::GetScaleMinK4(s, b.scales, &sc, &m);
    u.scale[s] = sc;
    u.min[s] = m;
  }
  for (int g = 0; g < 4; ++g)
    for (int l = 0; l < 32; ++l) {
      int h0 = (b.qh[l] >> (2 * g)) & 1, h1 = (b.qh[l] >> (2 * g + 1)) & 1;
      u.q[64 * g + l] = static_cast<int8_t>((b.qs[32 * g + l] & 0x0F) | (h0 << 4));
      u.q[64 * g + 32 + l] = static_cast<int8_t>((b.qs[32 * g + l] >> 4) | (h1 << 4));
    }
}

void UnpackQ6_K(const tensor::BlockQ6_K& b, UnpackedK& u) {
  u.n_sub = 16;
  u.d = F16ToF32(b.d);
  u.dmin = 0;
  for (int s = 0; s < 16; ++s) {
    u.scale[s] = b.scales[s];
    u.min[s] = 0;
  }
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = b.ql + 64 * half;
    const uint8_t* qh = b.qh + 32 * half;
    int8_t* q = u.q + 128 * half;
    for (int l = 0; l < 32; ++l) {
      q[l] = static_cast<int8_t>(((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32);
      q[l + 32] = static_cast<int8_t>(((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32);
      q[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
      q[l + 96] = static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
    }
  }
}

void UnpackIQ4_XS(const tensor::BlockIQ4_XS& b, UnpackedK& u) {
  u.n_sub = 8;
  u.d = F16ToF32(b.d);
  u.dmin = 0;
  for (int s = 0; s < 8; ++s) {
    int ls = ((b.scales_l[s / 2] >> (4 * (s % 2))) & 0x0F) | (((b.scales_h >> (2 * s)) & 3) << 4);
    u.scale[s] = static_cast<int16_t>(ls - 32);
    u.min[s] = 0;
    for (int j = 0; j < 16; ++j) {
      u.q[32 * s + j] = tensor::kIQ4NLValues[b.qs[16 * s + j] & 0x0F];
      u.q[32 * s + j + 16] = tensor::kIQ4NLValues[b.qs[16 * s + j] >> 4];
    }
  }
}

}  // namespace olla::kernels::ref
