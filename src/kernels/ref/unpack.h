#pragma once
// Integer unpacking of quantized blocks: the quantized values with their offsets applied, and the
// integer sub-block scales and mins. Dot-product kernels work on these so that, as in ggml, every
// partial sum inside a block is exact integer arithmetic and floats enter only per block.

#include <cstdint>

#include "tensor/blocks.h"

namespace olla::kernels::ref {

// A legacy 32-element block: q[i] in the block's integer range (Q4_0: -8..7, Q4_1: 0..15, ...).
void UnpackQ4_0(const tensor::BlockQ4_0& b, int8_t q[32]);
void UnpackQ4_1(const tensor::BlockQ4_1& b, int8_t q[32]);
void UnpackQ5_0(const tensor::BlockQ5_0& b, int8_t q[32]);
void UnpackQ5_1(const tensor::BlockQ5_1& b, int8_t q[32]);
void UnpackIQ4_NL(const tensor::BlockIQ4_NL& b, int8_t q[32]);
void UnpackMXFP4(const tensor::BlockMXFP4& b, int8_t q[32]);  // doubled E2M1: -12..12

// A k-quant super-block of 256 elements split into n_sub sub-blocks of 256 / n_sub elements:
// x[e] = d * scale[e / sub_len] * q[e] - dmin * min[e / sub_len].
struct UnpackedK {
  int8_t q[256];
  int16_t scale[16];
  int16_t min[16];  // all zero for types without mins
  int n_sub;        // 16 (sub-blocks of 16) or 8 (sub-blocks of 32)
  float d;
  float dmin;
};
void UnpackQ2_K(const tensor::BlockQ2_K& b, UnpackedK& u);
void UnpackQ3_K(const tensor::BlockQ3_K& b, UnpackedK& u);
void UnpackQ4_K(const tensor::BlockQ4_K& b, UnpackedK& u);
void UnpackQ5_K(const tensor::BlockQ5_K& b, UnpackedK& u);
void UnpackQ6_K(const tensor::BlockQ6_K& b, UnpackedK& u);
void UnpackIQ4_XS(const tensor::BlockIQ4_XS& b, UnpackedK& u);

}  // namespace olla::kernels::ref
