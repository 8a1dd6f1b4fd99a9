// Intel AMX kernels for packed Q8_0, Q4_0, Q4_K and Q6_K matrices in prompt processing. A 16-row
// group is first expanded into a panel of signed int8 B tiles (pack.h's quad-interleaved layout is
// already AMX's B-tile layout; only nibbles and offsets are undone). Then, for 16 tokens at a
// time, one TDPBSSD per 32-element block (or sub-block) gives the exact int32 sums of 16 tokens
// x 16 rows, and AVX-512 applies the scales lane by lane (lane = row) in the reference's order,
// as the VNNI kernels do, so the results are identical to theirs and to ref::Dot*. Two sets of
// tiles alternate so that the tile unit works on block b + 1 while the vector units scale block b.
// Built with target attributes; used only where DetectedCpu().amx_int8 (CPUID, XCR0 and the
// Linux tile-data permission) holds.

#include "kernels/x86_amx.h"

#if defined(__x86_64__)
#if !defined(__clang__)  // clang has no such warning, and would warn about the pragma
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC bug 105593, see x86_vnni.cc
#endif
#include <immintrin.h>

#include <cstring>

#include "kernels/x86_q6k_decode.h"

namespace olla::kernels::internal {
namespace {

#define OLLA_AMX  \
  __attribute__(( \
      target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma,f16c")))

constexpr size_t kTileBytes = 512;  // one B tile: 8 rows of 16 x 4 bytes

struct alignas(64) TileConfig {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64);

// tmm0, tmm1: C (16 tokens x 16 int32); tmm2, tmm3: A (16 tokens x k bytes); tmm4, tmm5: B
// (k / 4 rows of 16 x 4 bytes), for k = 32 elements per block (16 for Q6_K's sub-blocks).
// Set 0 = (tmm0, tmm2, tmm4), set 1 = (tmm1, tmm3, tmm5).
OLLA_AMX void ConfigureTiles(int k = 32) {
  TileConfig cfg;
  std::memset(&cfg, 0, sizeof(cfg));
  cfg.palette_id = 1;
  for (int t : {0, 1}) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
    cfg.colsb[t + 2] = static_cast<uint16_t>(k);
    cfg.rows[t + 2] = 16;
    cfg.colsb[t + 4] = 64;
    cfg.rows[t + 4] = static_cast<uint8_t>(k / 4);
  }
  // Not _tile_loadconfig: its asm declares a read of 8 bytes only, so GCC may drop the stores.
  __asm__ volatile("ldtilecfg %0" ::"m"(cfg));
}

// Starts C[j][r] = sum_k A[j][k] * B[k][r] for A at `a` (16 rows, stride `stride`) and B at `b`
// in tile set `set`; StoreProduct(set, c) waits for it and stores it to c[16][16]. The tile
// loops start unit u + 1 before they store and use unit u, so the tile unit computes while the
// vector units scale the previous result.
OLLA_AMX inline void StartProduct(int set, const int8_t* a, size_t stride, const uint8_t* b) {
  if (set == 0) {
    _tile_loadd(2, a, stride);
    _tile_loadd(4, b, 64);
    _tile_zero(0);
    _tile_dpbssd(0, 2, 4);
  } else {
    _tile_loadd(3, a, stride);
    _tile_loadd(5, b, 64);
    _tile_zero(1);
    _tile_dpbssd(1, 3, 5);
  }
}

OLLA_AMX inline void StoreProduct(int set, int32_t* c) {
  if (set == 0) {
    _tile_stored(0, c, 64);
  } else {
    _tile_stored(1, c, 64);
  }
  __asm__ volatile("" ::: "memory");  // tilestored's asm does not declare that it writes c
}

// ---- panels: a group's B tiles as signed bytes ------------------------------------------------

OLLA_AMX void PanelQ8_0(const PackedMatrix& p, size_t g, uint8_t* panel) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));  // q + 128 -> q
  for (size_t b = 0; b < p.n_blocks; ++b)
    for (int k = 0; k < 8; ++k)
      _mm512_store_si512(panel + b * kTileBytes + 64 * k,
                         _mm512_xor_si512(_mm512_load_si512(p.vecs(g, b) + 64 * k), flip));
}

OLLA_AMX void PanelQ4_0(const PackedMatrix& p, size_t g, uint8_t* panel) {
  const __m512i m4 = _mm512_set1_epi8(0x0F), eight = _mm512_set1_epi8(8);
  for (size_t b = 0; b < p.n_blocks; ++b) {
    uint8_t* out = panel + b * kTileBytes;
    for (int i = 0; i < 4; ++i) {
      const __m512i x = _mm512_load_si512(p.vecs(g, b) + 64 * i);
      _mm512_store_si512(out + 64 * i, _mm512_sub_epi8(_mm512_and_si512(x, m4), eight));
      _mm512_store_si512(out + 64 * (i + 4),
                         _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(x, 4), m4), eight));
    }
  }
}

// Q4_K: one tile per 32-element sub-block, 8 per super-block.
OLLA_AMX void PanelQ4_K(const PackedMatrix& p, size_t g, uint8_t* panel) {
  const __m512i m4 = _mm512_set1_epi8(0x0F);
  for (size_t sb = 0; sb < p.n_blocks; ++sb)
    for (int s = 0; s < 8; ++s) {
      const uint8_t* vg = p.vecs(g, sb) + (s / 2) * 8 * 64;
      uint8_t* out = panel + (sb * 8 + s) * kTileBytes;
      for (int k = 0; k < 8; ++k) {
        const __m512i x = _mm512_load_si512(vg + 64 * k);
        _mm512_store_si512(out + 64 * k, (s & 1) ? _mm512_and_si512(_mm512_srli_epi16(x, 4), m4)
                                                 : _mm512_and_si512(x, m4));
      }
    }
}

// Q6_K: one 4-row tile (16 elements) per sub-block, 16 per super-block; values q - 32.
OLLA_AMX void PanelQ6_K(const PackedMatrix& p, size_t g, uint8_t* panel) {
  const __m512i off = _mm512_set1_epi8(32);
  for (size_t sb = 0; sb < p.n_blocks; ++sb) {
    const uint8_t* v = p.vecs(g, sb);
    for (int h = 0; h < 2; ++h) {
      for (int part = 0; part < 4;
           ++part) {  // elements 128h + 32 part + [0, 32): sub-blocks 8h + 2 part, + 1
        uint8_t* out = panel + (sb * 16 + h * 8 + 2 * part) * (kTileBytes / 2);
        __m512i q[8];
        DecodeQ6_KPart(v, h, part, q);
        // quads 0..3: first sub-block, 4..7: the second
        for (int k = 0; k < 8; ++k) _mm512_store_si512(out + 64 * k, _mm512_sub_epi8(q[k], off));
      }
    }
  }
}

// ---- tiles of 16 tokens ----------------------------------------------------------------------

// Legacy blocks: y rows of group g for tokens [t0, t0 + 16).
OLLA_AMX void LegacyTokens(const PackedMatrix& p, size_t g, const uint8_t* panel, const Acts& a,
                           size_t t0, float* y, size_t ys, __mmask16 mask) {
  const size_t nb = p.n_blocks, nc = a.n_cols;
  alignas(64) int32_t c[2][16][16];
  __m512 acc[16];
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) acc[j] = _mm512_setzero_ps();
  const int8_t* a0 = a.qs + t0 * nc;
  StartProduct(0, a0, nc, panel);
  for (size_t b = 0; b < nb; ++b) {
    StoreProduct(static_cast<int>(b & 1), &c[b & 1][0][0]);
    if (b + 1 < nb)
      StartProduct(static_cast<int>((b + 1) & 1), a0 + 32 * (b + 1), nc,
                   panel + (b + 1) * kTileBytes);
    const __m512 dw =
        _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(p.meta(g, b))));
    const float* da = a.d + t0 * nb + b;
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) {
      // ref: sum += float(isum) * (dw * da)
      const __m512 isum = _mm512_cvtepi32_ps(_mm512_load_si512(c[b & 1][j]));
      acc[j] =
          _mm512_add_ps(acc[j], _mm512_mul_ps(isum, _mm512_mul_ps(dw, _mm512_set1_ps(da[j * nb]))));
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// Q4_K: per sub-block, integer sums times the sub-block's scale, summed over the super-block;
// the mins and float scales as in x86_vnni.cc.
OLLA_AMX void Q4_KTokens(const PackedMatrix& p, size_t g, const uint8_t* panel, const Acts& a,
                         size_t t0, float* y, size_t ys, __mmask16 mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols, n_units = nsb * 8;
  alignas(64) int32_t c[2][16][16];
  __m512 acc[16];
  __m512i isum[16];
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) {
    acc[j] = _mm512_setzero_ps();
    isum[j] = _mm512_setzero_si512();
  }
  const int8_t* a0 = a.qs + t0 * nc;
  StartProduct(0, a0, nc, panel);
  for (size_t u = 0; u < n_units; ++u) {  // u = 8 * super-block + sub-block
    StoreProduct(static_cast<int>(u & 1), &c[u & 1][0][0]);
    if (u + 1 < n_units)
      StartProduct(static_cast<int>((u + 1) & 1), a0 + 32 * (u + 1), nc,
                   panel + (u + 1) * kTileBytes);
    const size_t sb = u / 8, s = u % 8;
    const uint8_t* m = p.meta(g, sb);
    const __m512i sc =
        _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * s)));
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j)
      isum[j] = _mm512_add_epi32(isum[j], _mm512_mullo_epi32(_mm512_load_si512(c[u & 1][j]), sc));
    if (s != 7) continue;
    const __m512 d = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(m + 384)));
    const __m512 dmin =
        _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(m + 416)));
#pragma GCC unroll 16
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
      isum[j] = _mm512_setzero_si512();
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// Q6_K: per 16-element sub-block, integer sums times the int8 scale, summed over the super-block.
OLLA_AMX void Q6_KTokens(const PackedMatrix& p, size_t g, const uint8_t* panel, const Acts& a,
                         size_t t0, float* y, size_t ys, __mmask16 mask) {
  const size_t nsb = p.n_blocks, nc = a.n_cols, n_units = nsb * 16;
  constexpr size_t kUnitBytes = kTileBytes / 2;
  alignas(64) int32_t c[2][16][16];
  __m512 acc[16];
  __m512i isum[16];
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) {
    acc[j] = _mm512_setzero_ps();
    isum[j] = _mm512_setzero_si512();
  }
  const int8_t* a0 = a.qs + t0 * nc;
  StartProduct(0, a0, nc, panel);
  for (size_t u = 0; u < n_units; ++u) {  // u = 16 * super-block + sub-block
    StoreProduct(static_cast<int>(u & 1), &c[u & 1][0][0]);
    if (u + 1 < n_units)
      StartProduct(static_cast<int>((u + 1) & 1), a0 + 16 * (u + 1), nc,
                   panel + (u + 1) * kUnitBytes);
    const size_t sb = u / 16, s = u % 16;
    const uint8_t* m = p.meta(g, sb);
    const __m512i sc =
        _mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(m + 16 * s)));
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j)
      isum[j] = _mm512_add_epi32(isum[j], _mm512_mullo_epi32(_mm512_load_si512(c[u & 1][j]), sc));
    if (s != 15) continue;
    const __m512 d = _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(m + 256)));
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) {
      // ref: sum += d * yd * float(isum) - dmin * yd * float(imin), with dmin = 0 and imin = 0
      const __m512 yd = _mm512_set1_ps(a.d[(t0 + j) * nsb + sb]);
      const __m512 pos = _mm512_mul_ps(_mm512_mul_ps(d, yd), _mm512_cvtepi32_ps(isum[j]));
      acc[j] =
          _mm512_add_ps(acc[j], _mm512_sub_ps(pos, _mm512_mul_ps(_mm512_mul_ps(zero, yd), zero)));
      isum[j] = _mm512_setzero_si512();
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(y + (t0 + j) * ys, mask, acc[j]);
}

// Groups [g_begin, g_end) against tokens [0, a.n_tok), a multiple of 16.
template <void (*Panel)(const PackedMatrix&, size_t, uint8_t*),
          void (*Tokens)(const PackedMatrix&, size_t, const uint8_t*, const Acts&, size_t, float*,
                         size_t, __mmask16),
          int kBlockK = 32>
OLLA_AMX void AmxGroups(const PackedMatrix& p, size_t g_begin, size_t g_end, const Acts& a,
                        float* y, size_t ys, uint8_t* scratch) {
  ConfigureTiles(kBlockK);
  for (size_t g = g_begin; g < g_end; ++g) {
    const size_t r0 = 16 * g;
    const size_t valid = p.n_rows - r0 < 16 ? p.n_rows - r0 : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1);
    Panel(p, g, scratch);
    __asm__ volatile("" ::: "memory");  // tileloadd's asm does not declare that it reads the panel
    for (size_t t0 = 0; t0 + 16 <= a.n_tok; t0 += 16)
      Tokens(p, g, scratch, a, t0, y + r0, ys, mask);
  }
  _tile_release();
}

OLLA_AMX void AmxQ8_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                      size_t ys, uint8_t* s) {
  AmxGroups<PanelQ8_0, LegacyTokens>(p, gb, ge, a, y, ys, s);
}
OLLA_AMX void AmxQ4_0(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                      size_t ys, uint8_t* s) {
  AmxGroups<PanelQ4_0, LegacyTokens>(p, gb, ge, a, y, ys, s);
}
OLLA_AMX void AmxQ4_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                      size_t ys, uint8_t* s) {
  AmxGroups<PanelQ4_K, Q4_KTokens>(p, gb, ge, a, y, ys, s);
}

OLLA_AMX void AmxQ6_K(const PackedMatrix& p, size_t gb, size_t ge, const Acts& a, float* y,
                      size_t ys, uint8_t* s) {
  AmxGroups<PanelQ6_K, Q6_KTokens, 16>(p, gb, ge, a, y, ys, s);
}

}  // namespace

AmxKernel AmxPackedKernel(PackedFormat format) {
  switch (format) {
    case PackedFormat::kQ8_0x16:
      return AmxQ8_0;
    case PackedFormat::kQ4_0x16:
      return AmxQ4_0;
    case PackedFormat::kQ4_Kx16:
      return AmxQ4_K;
    case PackedFormat::kQ6_Kx16:
      return AmxQ6_K;
  }
  return nullptr;
}

size_t AmxScratchBytes(const PackedMatrix& p) {
  const bool k_quant = p.format == PackedFormat::kQ4_Kx16 || p.format == PackedFormat::kQ6_Kx16;
  return p.n_blocks * kTileBytes * (k_quant ? 8 : 1);
}

}  // namespace olla::kernels::internal

#else  // !defined(__x86_64__)

namespace olla::kernels::internal {
AmxKernel AmxPackedKernel(PackedFormat) { return nullptr; }
size_t AmxScratchBytes(const PackedMatrix&) { return 0; }
}  // namespace olla::kernels::internal

#endif
