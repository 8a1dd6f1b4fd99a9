// Intel AMX kernels for packed Q8_0, Q4_0 and Q4_K matrices in prompt processing: one TDPBSUD
// multiplies a tile of 16 tokens x 32 activation bytes (signed) by one packed block of 16 rows
// (8 rows of 16 x 4 weight bytes, unsigned: the pack.h layout is already AMX's B-tile layout),
// giving the exact int32 block sums of 16 tokens x 16 rows at once. The per-block float scaling
// then runs on AVX-512, lane = row, in the reference's order, as the VNNI kernels do.
// Built with target attributes; used only where DetectedCpu().amx_int8 (CPUID, XCR0 and the
// Linux tile-data permission) holds.

#include "kernels/x86_amx.h"

#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC bug 105593, see x86_vnni.cc
#include <immintrin.h>

#include <cstring>

namespace olla::kernels::internal {
namespace {

#define OLLA_AMX \
  __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,f16c")))

struct alignas(64) TileConfig {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64);

// tmm0: C, 16 tokens x 16 int32; tmm1: A, 16 tokens x 32 bytes; tmm2: B, 8 x (16 rows x 4 bytes).
OLLA_AMX void ConfigureTiles() {
  TileConfig cfg;
  std::memset(&cfg, 0, sizeof(cfg));
  cfg.palette_id = 1;
  cfg.colsb[0] = 64;
  cfg.rows[0] = 16;
  cfg.colsb[1] = 32;
  cfg.rows[1] = 16;
  cfg.colsb[2] = 64;
  cfg.rows[2] = 8;
  // Not _tile_loadconfig: its asm declares a read of 8 bytes only, so GCC may drop the stores.
  __asm__ volatile("ldtilecfg %0" ::"m"(cfg));
}

// The B tile of block b of group g: the packed vectors themselves (Q8_0), or the nibbles
// expanded into `buf` (Q4_0).
struct AmxQ8_0 {
  static constexpr int32_t kOffset = 128;
  OLLA_AMX static inline const uint8_t* BTile(const PackedMatrix& p, size_t g, size_t b, uint8_t*) {
    return p.vecs(g, b);
  }
};
struct AmxQ4_0 {
  static constexpr int32_t kOffset = 8;
  OLLA_AMX static inline const uint8_t* BTile(const PackedMatrix& p, size_t g, size_t b, uint8_t* buf) {
    const uint8_t* v = p.vecs(g, b);
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    for (int i = 0; i < 4; ++i) {
      const __m512i x = _mm512_load_si512(v + 64 * i);
      _mm512_store_si512(buf + 64 * i, _mm512_and_si512(x, m4));
      _mm512_store_si512(buf + 64 * (i + 4), _mm512_and_si512(_mm512_srli_epi16(x, 4), m4));
    }
    __asm__ volatile("" ::: "memory");  // tileloadd's asm does not declare that it reads buf
    return buf;
  }
};

// Rows of groups [g_begin, g_end) against tokens [0, a.n_tok), a multiple of 16.
template <class F>
OLLA_AMX void AmxGroups(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a, float* y, size_t ys) {
  ConfigureTiles();
  const size_t nb = p.n_blocks, nc = a.n_cols;
  alignas(64) int32_t c[16][16];
  alignas(64) uint8_t bbuf[512];
  for (size_t g = g_begin; g < g_end; ++g) {
    const size_t r0 = 16 * g;
    const size_t valid = p.n_rows - r0 < 16 ? p.n_rows - r0 : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1);
    for (size_t t0 = 0; t0 + 16 <= a.n_tok; t0 += 16) {
      __m512 acc[16];
      for (int j = 0; j < 16; ++j) acc[j] = _mm512_setzero_ps();
      for (size_t b = 0; b < nb; ++b) {
        const uint8_t* btile = F::BTile(p, g, b, bbuf);
        _tile_zero(0);
        _tile_loadd(1, a.qs + t0 * nc + 32 * b, nc);
        _tile_loadd(2, btile, 64);
        _tile_dpbsud(0, 1, 2);
        _tile_stored(0, c, 64);
        const __m512 dw = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(p.meta(g, b))));
        for (int j = 0; j < 16; ++j) {
          const size_t ab = (t0 + j) * nb + b;
          const __m512i s = _mm512_add_epi32(_mm512_load_si512(c[j]), _mm512_set1_epi32(-F::kOffset * a.qsum[ab]));
          // ref: sum += float(isum) * (dw * da)
          acc[j] = _mm512_add_ps(acc[j], _mm512_mul_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw, _mm512_set1_ps(a.d[ab]))));
        }
      }
      for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys + r0, mask, acc[j]);
    }
  }
  _tile_release();
}

// Q4_K: one tile product per 32-element sub-block (the nibbles of that sub-block expanded into
// the B tile), whose int32 sums are scaled by the sub-block's integer scale and summed over the
// super-block exactly; the mins and the float scales follow the reference, as in x86_vnni.cc.
OLLA_AMX void AmxGroupsQ4_K(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a, float* y, size_t ys) {
  ConfigureTiles();
  const size_t nsb = p.n_blocks, nc = a.n_cols;
  const __m512i m4 = _mm512_set1_epi8(0x0F);
  alignas(64) int32_t c[16][16];
  alignas(64) uint8_t bbuf[512];
  for (size_t g = g_begin; g < g_end; ++g) {
    const size_t r0 = 16 * g;
    const size_t valid = p.n_rows - r0 < 16 ? p.n_rows - r0 : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1);
    for (size_t t0 = 0; t0 + 16 <= a.n_tok; t0 += 16) {
      __m512 acc[16];
      for (int j = 0; j < 16; ++j) acc[j] = _mm512_setzero_ps();
      for (size_t sb = 0; sb < nsb; ++sb) {
        const uint8_t* v = p.vecs(g, sb);
        const uint8_t* m = p.meta(g, sb);
        __m512i isum[16];
        for (int j = 0; j < 16; ++j) isum[j] = _mm512_setzero_si512();
        for (int s = 0; s < 8; ++s) {
          const uint8_t* vg = v + (s / 2) * 8 * 64;
          for (int k = 0; k < 8; ++k) {
            const __m512i x = _mm512_load_si512(vg + 64 * k);
            _mm512_store_si512(bbuf + 64 * k, (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(x, 4), m4) : _mm512_and_si512(x, m4));
          }
          __asm__ volatile("" ::: "memory");  // tileloadd's asm does not declare that it reads bbuf
          _tile_zero(0);
          _tile_loadd(1, a.qs + t0 * nc + 256 * sb + 32 * s, nc);
          _tile_loadd(2, bbuf, 64);
          _tile_dpbsud(0, 1, 2);
          _tile_stored(0, c, 64);
          const __m512i sc = _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * s)));
          for (int j = 0; j < 16; ++j) isum[j] = _mm512_add_epi32(isum[j], _mm512_mullo_epi32(_mm512_load_si512(c[j]), sc));
        }
        const __m512 d = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(m + 384)));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(m + 416)));
        for (int j = 0; j < 16; ++j) {
          const size_t t = t0 + j;
          const int16_t* bs = a.bsums + t * nsb * 16 + 16 * sb;
          __m512i imin = _mm512_setzero_si512();
          for (int pr = 0; pr < 4; ++pr) {
            const uint32_t lo = static_cast<uint16_t>(bs[4 * pr] + bs[4 * pr + 1]);
            const uint32_t hi = static_cast<uint16_t>(bs[4 * pr + 2] + bs[4 * pr + 3]);
            imin = _mm512_dpwssd_epi32(imin, _mm512_load_si512(m + 128 + 64 * pr),
                                       _mm512_set1_epi32(static_cast<int32_t>(lo | hi << 16)));
          }
          // ref: sum += d * yd * float(isum) - dmin * yd * float(imin)
          const __m512 yd = _mm512_set1_ps(a.d[t * nsb + sb]);
          const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(isum[j]));
          const __m512 neg = _mm512_mul_ps(_mm512_mul_ps(dmin, yd), _mm512_cvtepi32_ps(imin));
          acc[j] = _mm512_add_ps(acc[j], _mm512_sub_ps(pos, neg));
        }
      }
      for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys + r0, mask, acc[j]);
    }
  }
  _tile_release();
}

OLLA_AMX void AmxGroupsQ8_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  AmxGroups<AmxQ8_0>(p, gb, ge, a, y, ys);
}
OLLA_AMX void AmxGroupsQ4_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y, size_t ys) {
  AmxGroups<AmxQ4_0>(p, gb, ge, a, y, ys);
}

}  // namespace

PackedKernel AmxPackedKernel(PackedFormat format) {
  switch (format) {
    case PackedFormat::kQ8_0x16: return AmxGroupsQ8_0;
    case PackedFormat::kQ4_0x16: return AmxGroupsQ4_0;
    case PackedFormat::kQ4_Kx16: return AmxGroupsQ4_K;
    default: return nullptr;
  }
}

}  // namespace olla::kernels::internal

#else  // !defined(__x86_64__)

namespace olla::kernels::internal {
PackedKernel AmxPackedKernel(PackedFormat) { return nullptr; }
}  // namespace olla::kernels::internal

#endif
