// AVX-512 VNNI kernels for packed matrices. Every function carries the target attribute, so this
// file builds with the project's baseline flags and runs only where the CPU has the instructions
// (ActiveCpuPath checks). Lanes are rows: vpdpbusd adds, per row, 4 products of the row's
// unsigned weight bytes with 4 signed activation bytes broadcast from memory; the weights are
// stored with an offset (q + 8 for Q4_0, q + 128 for Q8_0, q + 32 for Q6_K) that is subtracted
// exactly through the activation block sums.

#include "kernels/x86_vnni.h"

#if defined(__x86_64__)
// GCC 12 reports the deliberately undefined pass-through operand of its own AVX-512 intrinsics
// (_mm512_undefined_*) as maybe-uninitialized once they are inlined (GCC bug 105593).
#if !defined(__clang__)  // clang has no such warning, and would warn about the pragma
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "kernels/x86_q6k_decode.h"

namespace olla::kernels::internal {
namespace {

#define OLLA_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,f16c")))

OLLA_VNNI inline __m512i Bcast32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

OLLA_VNNI inline __m512 LoadF16x16(const uint8_t* p) {
  return _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(p)));
}

OLLA_VNNI inline __m512i Load(const uint8_t* p) { return _mm512_load_si512(p); }

// Generation reads every weight once, from several groups at a time. The hardware prefetchers
// stop at page boundaries, so each stream is also fetched in software, one block (at least
// 1 KiB) ahead, one line per line read: a burst of prefetches at the start of a block fills the
// line fill buffers and stalls the loads behind it (measured with matmul_bench's A/B: spread
// out, 7-17 % faster for Q4_0, Q4_K and Q6_K; 2 or 4 blocks ahead, no better).
inline size_t AheadBytes(size_t block_bytes) { return block_bytes < 1024 ? 1024 : block_bytes; }

inline void PrefetchLine(const uint8_t* p) {
  _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
}

// ---- legacy blocks (32 elements, one F16 scale per row) ---------------------------------------

struct FmtQ8_0 {
  static constexpr int32_t kOffset = 128;
  static constexpr bool kHighTimes16 = false;
  OLLA_VNNI static inline void Decode(const uint8_t* v, __m512i q[8], const uint8_t* pf) {
    for (int k = 0; k < 8; ++k) {
      if (pf) PrefetchLine(pf + 64 * k);
      q[k] = Load(v + 64 * k);
    }
  }
};

// q[4..7] are the high nibbles in place (x & 0xF0 = 16 x their value): a shift would compete
// with vpdpbusd for port 0. LegacyDot scales the low half to match.
struct FmtQ4_0 {
  static constexpr int32_t kOffset = 8;
  static constexpr bool kHighTimes16 = true;
  OLLA_VNNI static inline void Decode(const uint8_t* v, __m512i q[8], const uint8_t* pf) {
    const __m512i m4 = _mm512_set1_epi8(0x0F), mf0 = _mm512_set1_epi8(static_cast<char>(0xF0));
    for (int i = 0; i < 4; ++i) {
      if (pf) PrefetchLine(pf + 64 * i);
      const __m512i x = Load(v + 64 * i);
      q[i] = _mm512_and_si512(x, m4);       // elements 4i .. 4i + 3
      q[i + 4] = _mm512_and_si512(x, mf0);  // elements 16 + 4i .., times 16
    }
  }
};

// One block of one token against the decoded rows q: acc + float(isum) * (dw * da), as ref.
template <class F>
OLLA_VNNI inline __m512 LegacyDot(__m512 acc, const __m512i q[8], __m512 dw, const int8_t* aq,
                                  int32_t qsum, float da) {
  __m512 fsum;
  if constexpr (F::kHighTimes16) {
    // 16 * isum = 16 * (low half - offset * qsum) + (16 x high half), exact in int32; its float
    // is 16 x float(isum) (|isum| < 2^24), so scaling by 1/16 gives float(isum) exactly.
    __m512i lo = _mm512_set1_epi32(-F::kOffset * qsum), hi = _mm512_setzero_si512();
    for (int k = 0; k < 4; ++k) {
      lo = _mm512_dpbusd_epi32(lo, q[k], Bcast32(aq + 4 * k));
      hi = _mm512_dpbusd_epi32(hi, q[k + 4], Bcast32(aq + 16 + 4 * k));
    }
    const __m512i isum16 = _mm512_add_epi32(_mm512_slli_epi32(lo, 4), hi);
    fsum = _mm512_mul_ps(_mm512_cvtepi32_ps(isum16), _mm512_set1_ps(1.0f / 16));
  } else {
    __m512i s0 = _mm512_set1_epi32(-F::kOffset * qsum);
    __m512i s1 = _mm512_setzero_si512();
    for (int k = 0; k < 8; k += 2) {
      s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
      s1 = _mm512_dpbusd_epi32(s1, q[k + 1], Bcast32(aq + 4 * k + 4));
    }
    fsum = _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1));
  }
  // ref: sum += float(isum) * (dw * da)
  return _mm512_add_ps(acc, _mm512_mul_ps(fsum, _mm512_mul_ps(dw, _mm512_set1_ps(da))));
}

// Groups [g, g + G) against tokens [t0, t0 + T); y points at row 16g of token 0. Prompts use one
// group and many tokens (each decoded block serves T tokens); generation uses one token and four
// groups, whose four streams of weights the memory system serves faster than one.
template <class F, int G, int T>
OLLA_VNNI void LegacyTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y,
                          size_t ys, __mmask16 last_mask) {
  const size_t nb = p.n_blocks, nc = a.n_cols;
  __m512 acc[G][T];
#pragma GCC unroll 16
  for (int i = 0; i < G; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < T; ++j) acc[i][j] = _mm512_setzero_ps();
  for (size_t b = 0; b < nb; ++b) {
#pragma GCC unroll 4
    for (int i = 0; i < G; ++i) {
      const uint8_t* pf = nullptr;
      if (T == 1) pf = p.vecs(g + i, b) + AheadBytes(p.vec_bytes);
      __m512i q[8];
      F::Decode(p.vecs(g + i, b), q, pf);
      const __m512 dw = LoadF16x16(p.meta(g + i, b));
#pragma GCC unroll 16
      for (int j = 0; j < T; ++j) {
        const size_t t = t0 + j, ab = t * nb + b;
        acc[i][j] = LegacyDot<F>(acc[i][j], q, dw, a.qs + t * nc + 32 * b, a.qsum[ab], a.d[ab]);
      }
    }
  }
  for (int i = 0; i < G; ++i)
    for (int j = 0; j < T; ++j)
      _mm512_mask_storeu_ps(y + (t0 + j) * ys + 16 * i, i == G - 1 ? last_mask : __mmask16{0xFFFF},
                            acc[i][j]);
}

// ---- Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins ----------------------------------------

// The integer sum of sub-block s (32 elements at aq) against decoded rows q.
OLLA_VNNI inline __m512i SubDot32(const __m512i q[8], const int8_t* aq) {
  __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
  for (int k = 0; k < 8; k += 2) {
    s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
    s1 = _mm512_dpbusd_epi32(s1, q[k + 1], Bcast32(aq + 4 * k + 4));
  }
  return _mm512_add_epi32(s0, s1);
}

// acc + d * yd * float(isum) - dmin * yd * float(imin), as ref, from isum16 = 16 * isum, with
// imin from the packed min pairs at m + 128 and the token's bsums of this super-block.
OLLA_VNNI inline __m512 Q4_KFinish(__m512 acc, __m512i isum16, const uint8_t* m, const int16_t* bs,
                                   float yd_s) {
  __m512i imin = _mm512_setzero_si512();
  for (int pr = 0; pr < 4; ++pr) {  // sub-blocks 2pr and 2pr + 1: their 32-element sums
    const uint32_t lo = static_cast<uint16_t>(bs[4 * pr] + bs[4 * pr + 1]);
    const uint32_t hi = static_cast<uint16_t>(bs[4 * pr + 2] + bs[4 * pr + 3]);
    imin = _mm512_dpwssd_epi32(imin, Load(m + 128 + 64 * pr),
                               _mm512_set1_epi32(static_cast<int32_t>(lo | hi << 16)));
  }
  const __m512 yd = _mm512_set1_ps(yd_s);
  // isum16 is 16 x isum (see Q4_KTile): both convert to float with the same rounding, and the
  // division by 16 is exact.
  const __m512 fsum = _mm512_mul_ps(_mm512_cvtepi32_ps(isum16), _mm512_set1_ps(1.0f / 16));
  const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(LoadF16x16(m + 384), yd), fsum);
  const __m512 neg =
      _mm512_mul_ps(_mm512_mul_ps(LoadF16x16(m + 416), yd), _mm512_cvtepi32_ps(imin));
  return _mm512_add_ps(acc, _mm512_sub_ps(pos, neg));
}

template <int G, int T>
OLLA_VNNI void Q4_KTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y,
                        size_t ys, __mmask16 last_mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols;
  const __m512i m4 = _mm512_set1_epi8(0x0F), mf0 = _mm512_set1_epi8(static_cast<char>(0xF0));
  __m512 acc[G][T];
#pragma GCC unroll 16
  for (int i = 0; i < G; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < T; ++j) acc[i][j] = _mm512_setzero_ps();
  for (size_t sb = 0; sb < nsb; ++sb) {
#pragma GCC unroll 4
    for (int i = 0; i < G; ++i) {
      const uint8_t* v = p.vecs(g + i, sb);
      const uint8_t* m = p.meta(g + i, sb);
      __m512i isum[T];
#pragma GCC unroll 16
      for (int j = 0; j < T; ++j) isum[j] = _mm512_setzero_si512();
      // Sub-blocks 2pr (low nibbles) and 2pr + 1 (high nibbles) share their bytes. The high
      // nibbles are used in place, as 16 x their value (x & 0xF0: no shift, which would compete
      // with vpdpbusd for port 0), so the low ones get 16 x their scale and isum holds 16 x the
      // reference's sum; exact in int32 (|isum| < 2^25).
      for (int pr = 0; pr < 4; ++pr) {
        __m512i lo[8], hi[8];
        const uint8_t* vg = v + pr * 8 * 64;
        for (int k = 0; k < 8; ++k) {
          if (T == 1) PrefetchLine(vg + AheadBytes(p.vec_bytes) + 64 * k);
          const __m512i x = Load(vg + 64 * k);
          lo[k] = _mm512_and_si512(x, m4);
          hi[k] = _mm512_and_si512(x, mf0);
        }
        const __m512i sc_lo = _mm512_slli_epi32(
            _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 32 * pr))), 4);
        const __m512i sc_hi = _mm512_cvtepu8_epi32(
            _mm_load_si128(reinterpret_cast<const __m128i*>(m + 32 * pr + 16)));
#pragma GCC unroll 16
        for (int j = 0; j < T; ++j) {
          const int8_t* aq = a.qs + (t0 + j) * nc + 256 * sb + 64 * pr;
          isum[j] = _mm512_add_epi32(
              isum[j], _mm512_add_epi32(_mm512_mullo_epi32(SubDot32(lo, aq), sc_lo),
                                        _mm512_mullo_epi32(SubDot32(hi, aq + 32), sc_hi)));
        }
      }
#pragma GCC unroll 16
      for (int j = 0; j < T; ++j) {
        const size_t t = t0 + j;
        acc[i][j] =
            Q4_KFinish(acc[i][j], isum[j], m, a.bsums + t * nsb * 16 + 16 * sb, a.d[t * nsb + sb]);
      }
    }
  }
  for (int i = 0; i < G; ++i)
    for (int j = 0; j < T; ++j)
      _mm512_mask_storeu_ps(y + (t0 + j) * ys + 16 * i, i == G - 1 ? last_mask : __mmask16{0xFFFF},
                            acc[i][j]);
}

// ---- Q6_K: 16 sub-blocks of 16 with int8 scales, values q - 32 (q decoded by x86_q6k_decode.h)
// ----

template <int G, int T>
OLLA_VNNI void Q6_KTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y,
                        size_t ys, __mmask16 last_mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols;
  const __m512 zero = _mm512_setzero_ps();
  __m512 acc[G][T];
#pragma GCC unroll 16
  for (int i = 0; i < G; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < T; ++j) acc[i][j] = _mm512_setzero_ps();
  for (size_t sb = 0; sb < nsb; ++sb) {
#pragma GCC unroll 4
    for (int i = 0; i < G; ++i) {
      const uint8_t* v = p.vecs(g + i, sb);
      const uint8_t* m = p.meta(g + i, sb);
      __m512i isum[T];
#pragma GCC unroll 16
      for (int j = 0; j < T; ++j) isum[j] = _mm512_setzero_si512();
      for (int h = 0; h < 2; ++h) {
        for (int part = 0; part < 4; ++part) {
          if (T == 1) {  // 6 of the block's 48 lines per (h, part): spread over the block
            const uint8_t* ahead = v + AheadBytes(p.vec_bytes) + (h * 4 + part) * 6 * 64;
            for (int l = 0; l < 6; ++l) PrefetchLine(ahead + 64 * l);
          }
          __m512i q[8];
          DecodeQ6_KPart(v, h, part, q);
          const int sub = h * 8 + 2 * part;
          const __m512i sc0 =
              _mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * sub)));
          const __m512i sc1 = _mm512_cvtepi8_epi32(
              _mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * (sub + 1))));
#pragma GCC unroll 16
          for (int j = 0; j < T; ++j) {
            const size_t t = t0 + j;
            const int16_t* bs = a.bsums + t * nsb * 16 + 16 * sb;
            const int8_t* aq = a.qs + t * nc + 256 * sb + 128 * h + 32 * part;
            __m512i s0 = _mm512_set1_epi32(-32 * bs[sub]),
                    s1 = _mm512_set1_epi32(-32 * bs[sub + 1]);
            for (int k = 0; k < 4; ++k) {
              s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
              s1 = _mm512_dpbusd_epi32(s1, q[k + 4], Bcast32(aq + 16 + 4 * k));
            }
            isum[j] = _mm512_add_epi32(isum[j], _mm512_add_epi32(_mm512_mullo_epi32(s0, sc0),
                                                                 _mm512_mullo_epi32(s1, sc1)));
          }
        }
      }
      const __m512 d = LoadF16x16(m + 256);
#pragma GCC unroll 16
      for (int j = 0; j < T; ++j) {
        // ref: sum += d * yd * float(isum) - dmin * yd * float(imin), with dmin = 0 and imin = 0
        const __m512 yd = _mm512_set1_ps(a.d[(t0 + j) * nsb + sb]);
        const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(isum[j]));
        acc[i][j] = _mm512_add_ps(acc[i][j],
                                  _mm512_sub_ps(pos, _mm512_mul_ps(_mm512_mul_ps(zero, yd), zero)));
      }
    }
  }
  for (int i = 0; i < G; ++i)
    for (int j = 0; j < T; ++j)
      _mm512_mask_storeu_ps(y + (t0 + j) * ys + 16 * i, i == G - 1 ? last_mask : __mmask16{0xFFFF},
                            acc[i][j]);
}

// ---- drivers ----------------------------------------------------------------------------------

using TileFn = void (*)(const PackedMatrix&, size_t, const Acts&, size_t, float*, size_t,
                        __mmask16);

// One token: groups four at a time (G = 4), the rest one by one. Several tokens: each group with
// tiles of 8, 4, 2 and 1 tokens.
template <TileFn kGemv4, TileFn kGemv1, TileFn kT8, TileFn kT4, TileFn kT2>
OLLA_VNNI void Groups(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a, float* y,
                      size_t ys) {
  auto mask_of = [&](size_t g) {
    const size_t valid = p.n_rows - 16 * g < 16 ? p.n_rows - 16 * g : 16;
    return static_cast<__mmask16>((1u << valid) - 1);
  };
  if (a.n_tok == 1) {
    size_t g = g_begin;
    for (; g + 4 <= g_end; g += 4) kGemv4(p, g, a, 0, y + 16 * g, ys, mask_of(g + 3));
    for (; g < g_end; ++g) kGemv1(p, g, a, 0, y + 16 * g, ys, mask_of(g));
    return;
  }
  for (size_t g = g_begin; g < g_end; ++g) {
    const __mmask16 mask = mask_of(g);
    float* yg = y + 16 * g;
    size_t t = 0;
    for (; t + 8 <= a.n_tok; t += 8) kT8(p, g, a, t, yg, ys, mask);
    if (a.n_tok - t >= 4) {
      kT4(p, g, a, t, yg, ys, mask);
      t += 4;
    }
    if (a.n_tok - t >= 2) {
      kT2(p, g, a, t, yg, ys, mask);
      t += 2;
    }
    if (a.n_tok - t >= 1) kGemv1(p, g, a, t, yg, ys, mask);
  }
}

OLLA_VNNI void GroupsQ8_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                          size_t ys) {
  Groups<LegacyTile<FmtQ8_0, 4, 1>, LegacyTile<FmtQ8_0, 1, 1>, LegacyTile<FmtQ8_0, 1, 8>,
         LegacyTile<FmtQ8_0, 1, 4>, LegacyTile<FmtQ8_0, 1, 2>>(p, gb, ge, a, y, ys);
}
OLLA_VNNI void GroupsQ4_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                          size_t ys) {
  Groups<LegacyTile<FmtQ4_0, 4, 1>, LegacyTile<FmtQ4_0, 1, 1>, LegacyTile<FmtQ4_0, 1, 8>,
         LegacyTile<FmtQ4_0, 1, 4>, LegacyTile<FmtQ4_0, 1, 2>>(p, gb, ge, a, y, ys);
}
OLLA_VNNI void GroupsQ4_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                          size_t ys) {
  Groups<Q4_KTile<4, 1>, Q4_KTile<1, 1>, Q4_KTile<1, 8>, Q4_KTile<1, 4>, Q4_KTile<1, 2>>(p, gb, ge,
                                                                                         a, y, ys);
}
OLLA_VNNI void GroupsQ6_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                          size_t ys) {
  Groups<Q6_KTile<4, 1>, Q6_KTile<1, 1>, Q6_KTile<1, 8>, Q6_KTile<1, 4>, Q6_KTile<1, 2>>(p, gb, ge,
                                                                                         a, y, ys);
}

}  // namespace

PackedKernel VnniPackedKernel(PackedFormat format) {
  switch (format) {
    case PackedFormat::kQ8_0x16:
      return GroupsQ8_0;
    case PackedFormat::kQ4_0x16:
      return GroupsQ4_0;
    case PackedFormat::kQ4_Kx16:
      return GroupsQ4_K;
    case PackedFormat::kQ6_Kx16:
      return GroupsQ6_K;
  }
  return nullptr;
}

}  // namespace olla::kernels::internal

#else  // !defined(__x86_64__)

namespace olla::kernels::internal {
PackedKernel VnniPackedKernel(PackedFormat) { return nullptr; }
}  // namespace olla::kernels::internal

#endif
