#pragma once
// Packed quantization blocks, byte-for-byte identical to ggml's (ggml/src/ggml-common.h), so a GGUF
// tensor's data can be reinterpreted as an array of these. Scale fields that ggml stores as
// ggml_fp16_t are uint16_t bit patterns here; convert with half.h. All fields are little-endian
// (we only build for little-endian hosts) and every struct has alignment 1 or 2 (4 for Q8_K).
//
// Notation: a "block" covers kQK (32) elements; a k-quant "super-block" covers kQK_K (256) elements
// split into sub-blocks of 16 or 32 that share a 6- or 8-bit scale. Element j of a block is
// reconstructed as shown beside each struct.

#include <bit>
#include <cstdint>

namespace olla::tensor {

inline constexpr int kQK = 32;     // elements per legacy block (Q4_0 … Q8_1, IQ4_NL, MXFP4)
inline constexpr int kQK_K = 256;  // elements per k-quant super-block (Q2_K … Q8_K, IQ4_XS)

// ---- legacy 32-element blocks ---------------------------------------------------------------
// Low nibbles hold elements 0..15, high nibbles elements 16..31.

struct BlockQ4_0 {  // x = d * (q - 8), q in [0, 15]
  uint16_t d;
  uint8_t qs[kQK / 2];
};
struct BlockQ4_1 {  // x = d * q + m, q in [0, 15]
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK / 2];
};
struct BlockQ5_0 {  // x = d * (q - 16); bit 4 of element j is bit j of qh
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ5_1 {  // x = d * q + m
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
struct BlockQ8_0 {  // x = d * q
  uint16_t d;
  int8_t qs[kQK];
};
struct BlockQ8_1 {  // x = d * q; s = d * sum(q), used by the Q4_1/Q5_1 dot products for the m term
  uint16_t d;
  uint16_t s;
  int8_t qs[kQK];
};
struct BlockIQ4_NL {  // x = d * kIQ4NLValues[q]
  uint16_t d;
  uint8_t qs[kQK / 2];
};
// OCP microscaling FP4: 4-bit E2M1 codes sharing one E8M0 exponent e (a power of two, no
// mantissa). x = E8M0ToF32Half(e) * kMXFP4Values[q]: ggml stores the E2M1 values doubled (as
// integers) and halves the scale, so the table stays int8.
struct BlockMXFP4 {
  uint8_t e;
  uint8_t qs[kQK / 2];
};

// ---- k-quant 256-element super-blocks -------------------------------------------------------

// 16 sub-blocks of 16. scales[i]: low nibble = scale, high nibble = min, both 4 bits.
// x = d * scale * q - dmin * min, q 2 bits. qs: byte l of 32-byte group g holds elements
// 128*(g) + l + 32*k in bits 2k..2k+1 (k = 0..3).
struct BlockQ2_K {
  uint8_t scales[kQK_K / 16];
  uint8_t qs[kQK_K / 4];
  uint16_t d;
  uint16_t dmin;
};
// 16 sub-blocks of 16, signed 6-bit scales (stored +32) packed into 12 bytes.
// x = d * (scale - 32) * (q - 4), q = 2 low bits from qs (as Q2_K) + high bit from hmask
// (bit set means +4; element j's high bit is bit j/32 of hmask[j%32]).
struct BlockQ3_K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[12];
  uint16_t d;
};
// 8 sub-blocks of 32, 6-bit scales and mins packed into 12 bytes (see GetScaleMinK4).
// x = (d * scale) * q - (dmin * min), q 4 bits; qs: 32-byte group g holds elements 64g..64g+31 in
// the low nibbles and 64g+32..64g+63 in the high nibbles.
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[kQK_K / 2];
};
// As Q4_K plus a fifth bit: qh[l] bit 2g holds element 64g+l's, bit 2g+1 element 64g+32+l's.
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
// 16 sub-blocks of 16 with signed 8-bit scales. x = d * scale * (q - 32), q 6 bits: 4 low bits in
// ql, 2 high bits in qh (layout in dequantize_k.cc).
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
// Activations for k-quant dot products. d is a full float; bsums[i] = sum of qs[16i .. 16i+15].
struct BlockQ8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
// 8 sub-blocks of 32 with 6-bit scales (stored +32): low 4 bits in scales_l (2 per byte), high 2
// bits in scales_h (2 bits per sub-block). x = d * (scale - 32) * kIQ4NLValues[q].
struct BlockIQ4_XS {
  uint16_t d;
  uint16_t scales_h;
  uint8_t scales_l[kQK_K / 64];
  uint8_t qs[kQK_K / 2];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockMXFP4) == 17);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ4_XS) == 136);

// The 16 non-linear levels of IQ4_NL / IQ4_XS (ggml's kvalues_iq4nl), sorted ascending.
inline constexpr int8_t kIQ4NLValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// The 16 E2M1 codes of MXFP4 times two (ggml's kvalues_mxfp4): bit 3 is the sign, bits 0-2 the
// magnitude 0, 0.5, 1, 1.5, 2, 3, 4, 6. Code 8 is -0, stored as 0.
inline constexpr int8_t kMXFP4Values[16] = {0, 1,  2,  3,  4,  6,  8,  12,
                                            0, -1, -2, -3, -4, -6, -8, -12};

// An E8M0 exponent e as the float 2^(e - 128), half the scale it encodes (ggml's
// GGML_E8M0_TO_FP32_HALF). e = 0 and 1 give the float subnormals 2^-128 and 2^-127; e = 255 gives
// 2^127 (ggml does not treat it as NaN, and neither do we).
inline float E8M0ToF32Half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : static_cast<uint32_t>(e - 1) << 23;
  return std::bit_cast<float>(bits);
}

// Unpacks sub-block j's 6-bit scale and min from Q4_K/Q5_K's 12 scale bytes: bytes 0-3 hold the
// scales of sub-blocks 0-3 and bytes 4-7 their mins (low 6 bits); sub-blocks 4-7 keep their low 4
// bits in bytes 8-11 (scale low nibble, min high nibble) and their top 2 bits in the top 2 bits of
// bytes 0-3 (scale) and 4-7 (min).
inline void GetScaleMinK4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

}  // namespace olla::tensor
