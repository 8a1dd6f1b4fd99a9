#pragma once
// Decoding of packed Q6_K values (kernels/pack.h, kQ6_Kx16) for the AVX-512 VNNI and AMX
// translation units, which include this only when building for x86-64.

#include <immintrin.h>

#include <cstdint>

namespace olla::kernels::internal {

// The 8 quad vectors (values 0..63, one byte each) of elements 128h + 32 part + [0, 32) of the
// packed super-block at v: parts 0-2 sit in bits 0-5 of their own vectors; part 3 is gathered
// from bits 6-7 of the three.
__attribute__((target("avx512f,avx512bw"))) inline void DecodeQ6_KPart(const uint8_t* v, int h,
                                                                       int part, __m512i q[8]) {
  const __m512i m3f = _mm512_set1_epi8(0x3F);
  const uint8_t* base = v + 24 * 64 * h;
  if (part < 3) {
    for (int k = 0; k < 8; ++k)
      q[k] = _mm512_and_si512(_mm512_load_si512(base + (3 * k + part) * 64), m3f);
    return;
  }
  // bits 0-1 from part 0's bits 6-7, 2-3 from part 1's, 4-5 from part 2's; (a ? b : c) = 0xCA
  const __m512i sel23 = _mm512_set1_epi8(0x0C), sel01 = _mm512_set1_epi8(0x03);
  for (int k = 0; k < 8; ++k) {
    const uint8_t* t = base + 3 * k * 64;
    const __m512i b0 = _mm512_srli_epi16(_mm512_load_si512(t), 6);
    const __m512i b1 = _mm512_srli_epi16(_mm512_load_si512(t + 64), 4);
    const __m512i b2 = _mm512_srli_epi16(_mm512_load_si512(t + 128), 2);
    const __m512i hi = _mm512_ternarylogic_epi32(sel23, b1, b2, 0xCA);
    q[k] = _mm512_and_si512(_mm512_ternarylogic_epi32(sel01, b0, hi, 0xCA), m3f);
  }
}

}  // namespace olla::kernels::internal
