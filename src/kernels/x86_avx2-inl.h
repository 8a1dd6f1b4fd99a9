// AVX2 integer dot products for the quantized kernels (dot_legacy-inl.h, dot_k-inl.h), compiled
// only into Highway's AVX2 target: Highway 1.0.3 has no u8 x i8 pairwise multiply (vpmaddubsw),
// which is what makes ggml's AVX2 path fast. Like ggml, weights are unsigned bytes (nibbles, or
// |q| for signed types, whose sign moves onto the activation) and activations signed bytes;
// vpmaddubsw gives int16 pair sums that cannot saturate here (|w| <= 128 and |a| <= 127, which
// the activation quantizers guarantee), vpmaddwd widens them to int32. Offsets of unsigned codes
// (Q4_0's 8, Q5_0's 16, Q6_K's 32) are removed exactly through the activation block sums.
//
// Lanes are rows: a tile of rows against a few tokens reduces each block's (super-block's) sums
// to one int32 per row and token, then evaluates the reference's float expression with one row
// per float lane, in ref::Dot*'s order. Results therefore equal the portable kernels' bit for
// bit (matmul_test.cc checks every target against ref:: exactly).

#if defined(OLLA_KERNELS_X86_AVX2_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_X86_AVX2_INL_H_
#undef OLLA_KERNELS_X86_AVX2_INL_H_
#else
#define OLLA_KERNELS_X86_AVX2_INL_H_
#endif

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "hwy/highway.h"
#include "kernels/internal.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {

#if HWY_TARGET == HWY_AVX2
namespace avx2 {

// The totals of the eight int32 lanes of v0..v3: [Σv0, Σv1, Σv2, Σv3].
HWY_INLINE __m128i Hsum4(__m256i v0, __m256i v1, __m256i v2, __m256i v3) {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}
HWY_INLINE __m128i Hsum4(__m128i v0, __m128i v1, __m128i v2, __m128i v3) {
  return _mm_hadd_epi32(_mm_hadd_epi32(v0, v1), _mm_hadd_epi32(v2, v3));
}

// Four F16 values as floats (exact; NaN payloads come back quieted).
HWY_INLINE __m128 F16x4(uint16_t a, uint16_t b, uint16_t c, uint16_t d) {
  return _mm_cvtph_ps(_mm_setr_epi16(static_cast<short>(a), static_cast<short>(b),
                                     static_cast<short>(c), static_cast<short>(d), 0, 0, 0, 0));
}

// Fetches the next tile's rows (one contiguous range of the matrix) while the current tile is
// computed, `step` bytes per block, as one linear stream that memory serves at full speed; the
// tile then reads its rows from cache.
struct TilePrefetch {
  const char* p;
  const char* end;
  size_t step;
  TilePrefetch(const internal::WeightRows& w, size_t next_row, size_t n_rows, size_t r_end,
               size_t n_blocks) {
    next_row = std::min(next_row, r_end);  // no pointer past the rows
    const size_t last = std::min(next_row + n_rows, r_end);
    p = reinterpret_cast<const char*>(w.data + next_row * w.row_bytes);
    end = reinterpret_cast<const char*>(w.data + last * w.row_bytes);
    const size_t bytes = (last - next_row) * w.row_bytes;
    step = (bytes / n_blocks + 63) / 64 * 64;
  }
  HWY_INLINE void Next() {
    for (size_t i = 0; i < step && p < end; i += 64, p += 64) _mm_prefetch(p, _MM_HINT_T0);
  }
};

HWY_INLINE __m256i Low4(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0F)); }
HWY_INLINE __m256i High4(__m256i v) {
  return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}
HWY_INLINE __m256i Load(const void* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// ---- k-quants: four rows x kT tokens per tile ---------------------------------------------------

// Q4_K: sub-block s (32 elements) is the low (s even) or high nibbles of qs[32 (s/2) ..].
struct KQ4_K {
  using Block = tensor::BlockQ4_K;
  static constexpr bool kMins = true;
  // The 8 scales (int16, repeated in both 128-bit halves) and 8 mins (int16) of a block,
  // unpacked as tensor::GetScaleMinK4 does (ggml's utmp shuffle).
  static HWY_INLINE void Scales(const Block& b, __m256i* sc, __m128i* mn) {
    uint32_t u[4];
    std::memcpy(u, b.scales, 12);
    constexpr uint32_t kM1 = 0x3f3f3f3f, kM2 = 0x0f0f0f0f, kM3 = 0x03030303;
    u[3] = ((u[2] >> 4) & kM2) | (((u[1] >> 6) & kM3) << 4);
    const uint32_t mins_lo = u[1] & kM1;
    u[1] = (u[2] & kM2) | (((u[0] >> 6) & kM3) << 4);
    u[2] = mins_lo;
    u[0] &= kM1;
    const __m256i both =
        _mm256_cvtepu8_epi16(_mm_set_epi32(static_cast<int>(u[3]), static_cast<int>(u[2]),
                                           static_cast<int>(u[1]), static_cast<int>(u[0])));
    *sc = _mm256_permute2x128_si256(both, both, 0x00);
    *mn = _mm256_extracti128_si256(both, 1);
  }
  // Σ_s scale_s <q_s, a_s> into acc[t] and Σ_s min_s bsum_s into mins[t] (four int32 lanes to
  // add up) for each token; bs32[t]: the token's eight sub-block sums of 32, as int16.
  template <size_t kT>
  static HWY_INLINE void Dot(const Block& b, const int8_t* const* act, const int16_t* const*,
                             const __m128i* bs32, __m256i* acc, __m128i* mins) {
    __m256i sc;
    __m128i mn;
    Scales(b, &sc, &mn);
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t) mins[t] = _mm_madd_epi16(mn, bs32[t]);
    HWY_UNROLL(4)
    for (size_t g = 0; g < 4; ++g) {
      const __m256i q = Load(b.qs + 32 * g);
      const __m256i lo = Low4(q), hi = High4(q);
      // int16 scale of sub-block s in every lane.
      const __m256i sc_lo = _mm256_shuffle_epi8(sc, _mm256_set1_epi16(0x0100 + 0x0202 * 2 * g));
      const __m256i sc_hi =
          _mm256_shuffle_epi8(sc, _mm256_set1_epi16(0x0100 + 0x0202 * (2 * g + 1)));
      HWY_UNROLL(4)
      for (size_t t = 0; t < kT; ++t) {
        const __m256i p_lo = _mm256_maddubs_epi16(lo, Load(act[t] + 64 * g));
        const __m256i p_hi = _mm256_maddubs_epi16(hi, Load(act[t] + 64 * g + 32));
        acc[t] = _mm256_add_epi32(acc[t], _mm256_add_epi32(_mm256_madd_epi16(p_lo, sc_lo),
                                                           _mm256_madd_epi16(p_hi, sc_hi)));
      }
    }
  }
};

// Q6_K: half h (128 elements) from ql[64h..], qh[32h..]; part p (32 elements) takes the low
// (p < 2) or high nibbles of ql[64h + 32 (p & 1)..] and bits 2p, 2p+1 of qh as bits 4, 5. The
// unsigned codes are q + 32: the 32 comes off through the activations' bsums.
struct KQ6_K {
  using Block = tensor::BlockQ6_K;
  static constexpr bool kMins = false;
  template <size_t kT>
  static HWY_INLINE void Dot(const Block& b, const int8_t* const* act, const int16_t* const* bsums,
                             const __m128i*, __m256i* acc, __m128i*) {
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m256i m3 = _mm256_set1_epi8(3);
    HWY_UNROLL(4)
    for (size_t h = 0; h < 2; ++h) {
      const __m256i ql0 = Load(b.ql + 64 * h), ql1 = Load(b.ql + 64 * h + 32);
      const __m256i qh = Load(b.qh + 32 * h);
      const __m256i v[4] = {
          _mm256_or_si256(Low4(ql0), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4)),
          _mm256_or_si256(Low4(ql1),
                          _mm256_slli_epi16(_mm256_and_si256(qh, _mm256_set1_epi8(0x0C)), 2)),
          _mm256_or_si256(High4(ql0), _mm256_and_si256(qh, _mm256_set1_epi8(0x30))),
          _mm256_or_si256(High4(ql1),
                          _mm256_srli_epi16(
                              _mm256_and_si256(qh, _mm256_set1_epi8(static_cast<char>(0xC0))), 2)),
      };
      HWY_UNROLL(4)
      for (size_t p = 0; p < 4; ++p) {
        // Scales of sub-blocks 8h + 2p (low 128 bits) and 8h + 2p + 1 (high), as int16.
        const int s = static_cast<int>(8 * h + 2 * p);
        const __m128i pick = _mm_setr_epi8(s, s, s, s, s, s, s, s, s + 1, s + 1, s + 1, s + 1,
                                           s + 1, s + 1, s + 1, s + 1);
        const __m256i scale = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(sc8, pick));
        HWY_UNROLL(4)
        for (size_t t = 0; t < kT; ++t) {
          const __m256i prod = _mm256_maddubs_epi16(v[p], Load(act[t] + 128 * h + 32 * p));
          acc[t] = _mm256_add_epi32(acc[t], _mm256_madd_epi16(prod, scale));
        }
      }
    }
    // - 32 Σ_s scale_s bsum_s.
    const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t)
      acc[t] =
          _mm256_sub_epi32(acc[t], _mm256_slli_epi32(_mm256_madd_epi16(sc16, Load(bsums[t])), 5));
  }
};

// Rows [r, r + 4) against tokens tok[0..kT): y[tok * y_stride + r + i].
template <class K, size_t kT>
HWY_INLINE void KTile4(const internal::WeightRows& w, size_t r, size_t r_end,
                       const internal::Acts& a, const size_t* tok, float* y, size_t y_stride) {
  using Block = typename K::Block;
  const size_t nsb = w.n_cols / 256;
  const Block* wb[4];
  HWY_UNROLL(4)
  for (size_t i = 0; i < 4; ++i)
    wb[i] = reinterpret_cast<const Block*>(w.data + (r + i) * w.row_bytes);
  __m128 facc[kT];
  HWY_UNROLL(4)
  for (size_t t = 0; t < kT; ++t) facc[t] = _mm_setzero_ps();
  TilePrefetch next(w, r + 4, 4, r_end, nsb);
  for (size_t sb = 0; sb < nsb; ++sb) {
    next.Next();
    const int8_t* act[kT];
    const int16_t* bs[kT];
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t) {
      act[t] = a.qs_row(tok[t]) + 256 * sb;
      bs[t] = a.bsums + tok[t] * (nsb * 16) + 16 * sb;
    }
    __m128i bs32[kT];
    if constexpr (K::kMins) {
      HWY_UNROLL(4)
      for (size_t t = 0; t < kT; ++t) {
        const __m256i b16 = Load(bs[t]);
        bs32[t] = _mm_hadd_epi16(_mm256_castsi256_si128(b16), _mm256_extracti128_si256(b16, 1));
      }
    }
    __m256i acc[4][kT];
    __m128i mins[4][kT];
    HWY_UNROLL(4)
    for (size_t i = 0; i < 4; ++i) {
      HWY_UNROLL(4)
      for (size_t t = 0; t < kT; ++t) acc[i][t] = _mm256_setzero_si256();
      K::template Dot<kT>(wb[i][sb], act, bs, bs32, acc[i], mins[i]);
    }
    const __m128 dw = F16x4(wb[0][sb].d, wb[1][sb].d, wb[2][sb].d, wb[3][sb].d);
    __m128 dmin = _mm_setzero_ps();
    if constexpr (K::kMins)
      dmin = F16x4(wb[0][sb].dmin, wb[1][sb].dmin, wb[2][sb].dmin, wb[3][sb].dmin);
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t) {
      const __m128 is = _mm_cvtepi32_ps(Hsum4(acc[0][t], acc[1][t], acc[2][t], acc[3][t]));
      __m128 im = _mm_setzero_ps();
      if constexpr (K::kMins)
        im = _mm_cvtepi32_ps(Hsum4(mins[0][t], mins[1][t], mins[2][t], mins[3][t]));
      const __m128 yd = _mm_set1_ps(a.d[tok[t] * nsb + sb]);
      // d * yd * is - dmin * yd * imin, as ref::DotK.
      const __m128 term =
          _mm_sub_ps(_mm_mul_ps(_mm_mul_ps(dw, yd), is), _mm_mul_ps(_mm_mul_ps(dmin, yd), im));
      facc[t] = _mm_add_ps(facc[t], term);
    }
  }
  HWY_UNROLL(4)
  for (size_t t = 0; t < kT; ++t) {
    alignas(16) float out[4];
    _mm_store_ps(out, facc[t]);
    HWY_UNROLL(4)
    for (size_t i = 0; i < 4; ++i) y[tok[t] * y_stride + r + i] = out[i];
  }
}

template <class K>
HWY_INLINE size_t KRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                        const internal::Acts& a, float* y, size_t y_stride) {
  constexpr size_t kT = 2;
  size_t r = r_begin;
  for (; r + 4 <= r_end; r += 4) {
    if (a.n_tok == 1) {
      const size_t tok[1] = {0};
      KTile4<K, 1>(w, r, r_end, a, tok, y, y_stride);
      continue;
    }
    size_t t = 0;
    for (; t + kT <= a.n_tok; t += kT) {
      size_t tok[kT];
      for (size_t j = 0; j < kT; ++j) tok[j] = t + j;
      KTile4<K, kT>(w, r, r_end, a, tok, y, y_stride);
    }
    for (; t < a.n_tok; ++t) KTile4<K, 1>(w, r, r_end, a, &t, y, y_stride);
  }
  return r;
}

// ---- legacy 32-element blocks: eight rows x kT tokens per tile ----------------------------------

// Codes(b): the block's 32 values as bytes, element order; unsigned with q = code - kOffset, or
// signed (kSigned, q = code).
HWY_INLINE __m256i Nibbles32(const uint8_t* qs) {  // low nibbles are elements 0..15
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return Low4(_mm256_set_m128i(_mm_srli_epi16(v, 4), v));
}
HWY_INLINE __m256i Lookup(const int8_t* table16, __m256i idx) {
  const __m256i t =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table16)));
  return _mm256_shuffle_epi8(t, idx);
}

struct LQ4_0 {
  using Block = tensor::BlockQ4_0;
  static constexpr bool kSigned = false;
  static constexpr int kOffset = 8;
  static HWY_INLINE __m256i Codes(const Block& b) { return Nibbles32(b.qs); }
};
struct LQ5_0 {
  using Block = tensor::BlockQ5_0;
  static constexpr bool kSigned = false;
  static constexpr int kOffset = 16;
  // 16 where bit j of qh is set (ggml's bytes_from_bits_32), or'ed onto the nibbles.
  static HWY_INLINE __m256i Codes(const Block& b) {
    uint32_t bits;
    std::memcpy(&bits, b.qh, 4);
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
    const __m256i set = _mm256_cmpeq_epi8(
        _mm256_or_si256(spread, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe)), _mm256_set1_epi8(-1));
    return _mm256_or_si256(Nibbles32(b.qs), _mm256_and_si256(set, _mm256_set1_epi8(16)));
  }
};
struct LQ8_0 {
  using Block = tensor::BlockQ8_0;
  static constexpr bool kSigned = true;
  static constexpr int kOffset = 0;
  static HWY_INLINE __m256i Codes(const Block& b) { return Load(b.qs); }
};
struct LIQ4_NL {
  using Block = tensor::BlockIQ4_NL;
  static constexpr bool kSigned = true;
  static constexpr int kOffset = 0;
  static HWY_INLINE __m256i Codes(const Block& b) {
    return Lookup(tensor::kIQ4NLValues, Nibbles32(b.qs));
  }
};
struct LMXFP4 {
  using Block = tensor::BlockMXFP4;
  static constexpr bool kSigned = true;
  static constexpr int kOffset = 0;
  static HWY_INLINE __m256i Codes(const Block& b) {
    return Lookup(tensor::kMXFP4Values, Nibbles32(b.qs));
  }
};

// The scales of block `blk` of eight rows, as floats.
template <class L>
HWY_INLINE __m256 BlockScales8(const typename L::Block* const* wb, size_t blk) {
  if constexpr (std::is_same_v<L, LMXFP4>) {
    float d[8];
    HWY_UNROLL(8)
    for (size_t i = 0; i < 8; ++i) d[i] = tensor::E8M0ToF32Half(wb[i][blk].e);
    return _mm256_loadu_ps(d);
  } else {
    uint16_t d[8];
    HWY_UNROLL(8)
    for (size_t i = 0; i < 8; ++i) d[i] = wb[i][blk].d;
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d)));
  }
}

// Rows [r, r + 8) against tokens tok[0..kT): y[tok * y_stride + r + i].
template <class L, size_t kT>
HWY_INLINE void LTile8(const internal::WeightRows& w, size_t r, size_t r_end,
                       const internal::Acts& a, const size_t* tok, float* y, size_t y_stride) {
  using Block = typename L::Block;
  const size_t nb = w.n_cols / 32;
  const Block* wb[8];
  HWY_UNROLL(8)
  for (size_t i = 0; i < 8; ++i)
    wb[i] = reinterpret_cast<const Block*>(w.data + (r + i) * w.row_bytes);
  const __m256i ones = _mm256_set1_epi16(1);
  __m256 facc[kT];
  HWY_UNROLL(4)
  for (size_t t = 0; t < kT; ++t) facc[t] = _mm256_setzero_ps();
  TilePrefetch next(w, r + 8, 8, r_end, nb);
  for (size_t blk = 0; blk < nb; ++blk) {
    next.Next();
    __m256i av[kT];
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t) av[t] = Load(a.qs_row(tok[t]) + 32 * blk);
    __m128i half[2][kT];
    HWY_UNROLL(2)
    for (size_t h = 0; h < 2; ++h) {
      __m256i s[4][kT];
      HWY_UNROLL(4)
      for (size_t i = 0; i < 4; ++i) {
        const __m256i c = L::Codes(wb[4 * h + i][blk]);
        HWY_UNROLL(4)
        for (size_t t = 0; t < kT; ++t) {
          __m256i p;
          if constexpr (L::kSigned) {
            p = _mm256_maddubs_epi16(_mm256_abs_epi8(c), _mm256_sign_epi8(av[t], c));
          } else {
            p = _mm256_maddubs_epi16(c, av[t]);
          }
          s[i][t] = _mm256_madd_epi16(p, ones);
        }
      }
      HWY_UNROLL(4)
      for (size_t t = 0; t < kT; ++t) half[h][t] = Hsum4(s[0][t], s[1][t], s[2][t], s[3][t]);
    }
    const __m256 dw = BlockScales8<L>(wb, blk);
    HWY_UNROLL(4)
    for (size_t t = 0; t < kT; ++t) {
      const size_t ab = tok[t] * nb + blk;
      __m256i isum = _mm256_set_m128i(half[1][t], half[0][t]);
      if constexpr (L::kOffset != 0)
        isum = _mm256_sub_epi32(isum, _mm256_set1_epi32(L::kOffset * a.qsum[ab]));
      // float(isum) * (d_w * d_a), as ref::Dot*Q8_0.
      const __m256 term =
          _mm256_mul_ps(_mm256_cvtepi32_ps(isum), _mm256_mul_ps(dw, _mm256_set1_ps(a.d[ab])));
      facc[t] = _mm256_add_ps(facc[t], term);
    }
  }
  HWY_UNROLL(4)
  for (size_t t = 0; t < kT; ++t) {
    alignas(32) float out[8];
    _mm256_store_ps(out, facc[t]);
    for (size_t i = 0; i < 8; ++i) y[tok[t] * y_stride + r + i] = out[i];
  }
}

template <class L>
HWY_INLINE size_t LRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                        const internal::Acts& a, float* y, size_t y_stride) {
  constexpr size_t kT = 2;
  size_t r = r_begin;
  for (; r + 8 <= r_end; r += 8) {
    size_t t = 0;
    for (; t + kT <= a.n_tok; t += kT) {
      size_t tok[kT];
      for (size_t j = 0; j < kT; ++j) tok[j] = t + j;
      LTile8<L, kT>(w, r, r_end, a, tok, y, y_stride);
    }
    for (; t < a.n_tok; ++t) LTile8<L, 1>(w, r, r_end, a, &t, y, y_stride);
  }
  return r;
}

}  // namespace avx2

// The rows done by the AVX2 kernel of Dec's type (from r_begin; the caller finishes the rest), or
// r_begin if it has none.
template <class Dec>
HWY_INLINE size_t Avx2KRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                            const internal::Acts& a, float* y, size_t y_stride) {
  using Block = typename Dec::Block;
  if constexpr (std::is_same_v<Block, tensor::BlockQ4_K>) {
    return avx2::KRows<avx2::KQ4_K>(w, r_begin, r_end, a, y, y_stride);
  } else if constexpr (std::is_same_v<Block, tensor::BlockQ6_K>) {
    return avx2::KRows<avx2::KQ6_K>(w, r_begin, r_end, a, y, y_stride);
  } else {
    return r_begin;
  }
}

template <class Dec>
HWY_INLINE size_t Avx2LegacyRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                                 const internal::Acts& a, float* y, size_t y_stride) {
  using Block = typename Dec::Block;
  if constexpr (std::is_same_v<Block, tensor::BlockQ4_0>) {
    return avx2::LRows<avx2::LQ4_0>(w, r_begin, r_end, a, y, y_stride);
  } else if constexpr (std::is_same_v<Block, tensor::BlockQ5_0>) {
    return avx2::LRows<avx2::LQ5_0>(w, r_begin, r_end, a, y, y_stride);
  } else if constexpr (std::is_same_v<Block, tensor::BlockQ8_0>) {
    return avx2::LRows<avx2::LQ8_0>(w, r_begin, r_end, a, y, y_stride);
  } else if constexpr (std::is_same_v<Block, tensor::BlockIQ4_NL>) {
    return avx2::LRows<avx2::LIQ4_NL>(w, r_begin, r_end, a, y, y_stride);
  } else if constexpr (std::is_same_v<Block, tensor::BlockMXFP4>) {
    return avx2::LRows<avx2::LMXFP4>(w, r_begin, r_end, a, y, y_stride);
  } else {
    return r_begin;
  }
}
#endif  // HWY_TARGET == HWY_AVX2

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
