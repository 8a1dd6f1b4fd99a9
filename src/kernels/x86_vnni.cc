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
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

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

// ---- legacy blocks (32 elements, one F16 scale per row) ---------------------------------------

struct FmtQ8_0 {
  static constexpr int32_t kOffset = 128;
  OLLA_VNNI static inline void Decode(const uint8_t* v, __m512i q[8]) {
    for (int k = 0; k < 8; ++k) q[k] = Load(v + 64 * k);
  }
};

struct FmtQ4_0 {
  static constexpr int32_t kOffset = 8;
  OLLA_VNNI static inline void Decode(const uint8_t* v, __m512i q[8]) {
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    for (int i = 0; i < 4; ++i) {
      const __m512i x = Load(v + 64 * i);
      q[i] = _mm512_and_si512(x, m4);                          // elements 4i .. 4i + 3
      q[i + 4] = _mm512_and_si512(_mm512_srli_epi16(x, 4), m4);  // elements 16 + 4i ..
    }
  }
};

// Rows of group g against tokens [t0, t0 + T); y points at row 16g of token 0.
template <class F, int T>
OLLA_VNNI void LegacyTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys,
                          __mmask16 mask) {
  const size_t nb = p.n_blocks, nc = a.n_cols;
  __m512 acc[T];
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) acc[j] = _mm512_setzero_ps();
  for (size_t b = 0; b < nb; ++b) {
    __m512i q[8];
    F::Decode(p.vecs(g, b), q);
    const __m512 dw = LoadF16x16(p.meta(g, b));
    #pragma GCC unroll 16
    for (int j = 0; j < T; ++j) {
      const size_t t = t0 + j, ab = t * nb + b;
      const int8_t* aq = a.qs + t * nc + 32 * b;
      __m512i s0 = _mm512_set1_epi32(-F::kOffset * a.qsum[ab]);
      __m512i s1 = _mm512_setzero_si512();
      for (int k = 0; k < 8; k += 2) {
        s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
        s1 = _mm512_dpbusd_epi32(s1, q[k + 1], Bcast32(aq + 4 * k + 4));
      }
      // ref: sum += float(isum) * (dw * da)
      const __m512 isum = _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1));
      acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(isum, _mm512_mul_ps(dw, _mm512_set1_ps(a.d[ab]))));
    }
  }
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// ---- Q4_K: 8 sub-blocks of 32 with 6-bit scales and mins ----------------------------------------

template <int T>
OLLA_VNNI void Q4_KTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols;
  const __m512i m4 = _mm512_set1_epi8(0x0F);
  __m512 acc[T];
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) acc[j] = _mm512_setzero_ps();
  for (size_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* v = p.vecs(g, sb);
    const uint8_t* m = p.meta(g, sb);
    __m512i isum[T];
    #pragma GCC unroll 16
    for (int j = 0; j < T; ++j) isum[j] = _mm512_setzero_si512();
    for (int s = 0; s < 8; ++s) {
      __m512i q[8];
      const uint8_t* vg = v + (s / 2) * 8 * 64;
      for (int k = 0; k < 8; ++k) {
        const __m512i x = Load(vg + 64 * k);
        q[k] = (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(x, 4), m4) : _mm512_and_si512(x, m4);
      }
      const __m512i sc = _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * s)));
      #pragma GCC unroll 16
      for (int j = 0; j < T; ++j) {
        const int8_t* aq = a.qs + (t0 + j) * nc + 256 * sb + 32 * s;
        __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
        for (int k = 0; k < 8; k += 2) {
          s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
          s1 = _mm512_dpbusd_epi32(s1, q[k + 1], Bcast32(aq + 4 * k + 4));
        }
        isum[j] = _mm512_add_epi32(isum[j], _mm512_mullo_epi32(_mm512_add_epi32(s0, s1), sc));
      }
    }
    const __m512 d = LoadF16x16(m + 384), dmin = LoadF16x16(m + 416);
    #pragma GCC unroll 16
    for (int j = 0; j < T; ++j) {
      const size_t t = t0 + j;
      const int16_t* bs = a.bsums + t * nsb * 16 + 16 * sb;
      __m512i imin = _mm512_setzero_si512();
      for (int pr = 0; pr < 4; ++pr) {  // sub-blocks 2pr and 2pr + 1: their 32-element sums
        const uint32_t lo = static_cast<uint16_t>(bs[4 * pr] + bs[4 * pr + 1]);
        const uint32_t hi = static_cast<uint16_t>(bs[4 * pr + 2] + bs[4 * pr + 3]);
        imin = _mm512_dpwssd_epi32(imin, Load(m + 128 + 64 * pr), _mm512_set1_epi32(static_cast<int32_t>(lo | hi << 16)));
      }
      // ref: sum += d * yd * float(isum) - dmin * yd * float(imin)
      const __m512 yd = _mm512_set1_ps(a.d[t * nsb + sb]);
      const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(isum[j]));
      const __m512 neg = _mm512_mul_ps(_mm512_mul_ps(dmin, yd), _mm512_cvtepi32_ps(imin));
      acc[j] = _mm512_add_ps(acc[j], _mm512_sub_ps(pos, neg));
    }
  }
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// ---- Q6_K: 16 sub-blocks of 16 with int8 scales, q = ql | qh << 4, value q - 32 ---------------

template <int T>
OLLA_VNNI void Q6_KTile(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols;
  const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  const __m512 zero = _mm512_setzero_ps();
  __m512 acc[T];
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) acc[j] = _mm512_setzero_ps();
  for (size_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* v = p.vecs(g, sb);
    const uint8_t* m = p.meta(g, sb);
    __m512i isum[T];
    #pragma GCC unroll 16
    for (int j = 0; j < T; ++j) isum[j] = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
      for (int part = 0; part < 4; ++part) {  // elements 128h + 32 part + [0, 32)
        __m512i q[8];
        for (int k = 0; k < 8; ++k) {
          const __m512i ql = Load(v + (h * 16 + (part & 1) * 8 + k) * 64);
          const __m512i qh = Load(v + (32 + h * 8 + k) * 64);
          const __m512i low = part < 2 ? _mm512_and_si512(ql, m4) : _mm512_and_si512(_mm512_srli_epi16(ql, 4), m4);
          __m512i high;  // bits 2 part, 2 part + 1 of qh moved to bits 4, 5
          switch (part) {
            case 0: high = _mm512_slli_epi16(qh, 4); break;
            case 1: high = _mm512_slli_epi16(qh, 2); break;
            case 2: high = qh; break;
            default: high = _mm512_srli_epi16(qh, 2); break;
          }
          q[k] = _mm512_or_si512(low, _mm512_and_si512(high, m30));
        }
        const int sub = h * 8 + 2 * part;
        const __m512i sc0 = _mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * sub)));
        const __m512i sc1 = _mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * (sub + 1))));
        #pragma GCC unroll 16
        for (int j = 0; j < T; ++j) {
          const size_t t = t0 + j;
          const int16_t* bs = a.bsums + t * nsb * 16 + 16 * sb;
          const int8_t* aq = a.qs + t * nc + 256 * sb + 128 * h + 32 * part;
          __m512i s0 = _mm512_set1_epi32(-32 * bs[sub]), s1 = _mm512_set1_epi32(-32 * bs[sub + 1]);
          for (int k = 0; k < 4; ++k) {
            s0 = _mm512_dpbusd_epi32(s0, q[k], Bcast32(aq + 4 * k));
            s1 = _mm512_dpbusd_epi32(s1, q[k + 4], Bcast32(aq + 16 + 4 * k));
          }
          isum[j] = _mm512_add_epi32(isum[j], _mm512_add_epi32(_mm512_mullo_epi32(s0, sc0), _mm512_mullo_epi32(s1, sc1)));
        }
      }
    }
    const __m512 d = LoadF16x16(m + 256);
    #pragma GCC unroll 16
    for (int j = 0; j < T; ++j) {
      // ref: sum += d * yd * float(isum) - dmin * yd * float(imin), with dmin = 0 and imin = 0
      const __m512 yd = _mm512_set1_ps(a.d[(t0 + j) * nsb + sb]);
      const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(isum[j]));
      acc[j] = _mm512_add_ps(acc[j], _mm512_sub_ps(pos, _mm512_mul_ps(_mm512_mul_ps(zero, yd), zero)));
    }
  }
  #pragma GCC unroll 16
  for (int j = 0; j < T; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// ---- drivers: groups x tokens in tiles of 8, 4, 2, 1 tokens -----------------------------------

template <template <int> class Tile>
OLLA_VNNI void Groups(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a, float* y, size_t ys) {
  for (size_t g = g_begin; g < g_end; ++g) {
    const size_t r0 = 16 * g;
    const size_t valid = p.n_rows - r0 < 16 ? p.n_rows - r0 : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1);
    float* yg = y + r0;
    size_t t = 0;
    for (; t + 8 <= a.n_tok; t += 8) Tile<8>::Run(p, g, a, t, yg, ys, mask);
    if (a.n_tok - t >= 4) {
      Tile<4>::Run(p, g, a, t, yg, ys, mask);
      t += 4;
    }
    if (a.n_tok - t >= 2) {
      Tile<2>::Run(p, g, a, t, yg, ys, mask);
      t += 2;
    }
    if (a.n_tok - t >= 1) Tile<1>::Run(p, g, a, t, yg, ys, mask);
  }
}

template <int T>
struct TileQ8_0 {
  OLLA_VNNI static void Run(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 m) {
    LegacyTile<FmtQ8_0, T>(p, g, a, t0, y, ys, m);
  }
};
template <int T>
struct TileQ4_0 {
  OLLA_VNNI static void Run(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 m) {
    LegacyTile<FmtQ4_0, T>(p, g, a, t0, y, ys, m);
  }
};
template <int T>
struct TileQ4_K {
  OLLA_VNNI static void Run(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 m) {
    Q4_KTile<T>(p, g, a, t0, y, ys, m);
  }
};
template <int T>
struct TileQ6_K {
  OLLA_VNNI static void Run(const PackedMatrix& p, size_t g, const Acts& a, size_t t0, float* y, size_t ys, __mmask16 m) {
    Q6_KTile<T>(p, g, a, t0, y, ys, m);
  }
};

OLLA_VNNI void GroupsQ8_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  Groups<TileQ8_0>(p, gb, ge, a, y, ys);
}
OLLA_VNNI void GroupsQ4_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  Groups<TileQ4_0>(p, gb, ge, a, y, ys);
}
OLLA_VNNI void GroupsQ4_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  Groups<TileQ4_K>(p, gb, ge, a, y, ys);
}
OLLA_VNNI void GroupsQ6_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  Groups<TileQ6_K>(p, gb, ge, a, y, ys);
}

}  // namespace

PackedKernel VnniPackedKernel(PackedFormat format) {
  switch (format) {
    case PackedFormat::kQ8_0x16: return GroupsQ8_0;
    case PackedFormat::kQ4_0x16: return GroupsQ4_0;
    case PackedFormat::kQ4_Kx16: return GroupsQ4_K;
    case PackedFormat::kQ6_Kx16: return GroupsQ6_K;
  }
  return nullptr;
}

}  // namespace olla::kernels::internal

#else  // !defined(__x86_64__)

namespace olla::kernels::internal {
PackedKernel VnniPackedKernel(PackedFormat) { return nullptr; }
}  // namespace olla::kernels::internal

#endif
