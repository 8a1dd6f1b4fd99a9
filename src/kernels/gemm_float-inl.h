// Float-weight GEMM for batches of tokens (F32, F16, BF16 weights against float activations),
// vectorized with Highway; the orchestration (activation packing, threads) is in gemm_float.cc.
//
// The dot-product kernels of dot_float-inl.h widen every weight vector once per tile of tokens
// and stream the activations from L2. Here each thread instead, per block of kGemmRowBlock rows x
// kGemmKBlock columns x kGemmTokenBlock tokens:
//   1. widens the block's weights to F32 once (PackWeights), in panels of kR rows laid out
//      [column / 16][row][16], so the micro-kernel reads one sequential stream;
//   2. runs an outer-product micro-kernel on each (panel, tile of kV vectors of tokens): per
//      column, kV vectors of activations (packed [column][token] by gemm_float.cc) times kR
//      broadcast weights into kR x kV accumulators that stay in registers. A tile's activations
//      (kGemmKInner x kV vectors) stay in L1 while the panels of the row block stream from L2;
//   3. accumulates over the column blocks in a per-thread buffer [panel][row][token], written
//      transposed into y once all columns are summed.
// Every output is one sequential F32 FMA chain over the columns; products of F16/BF16-rounded
// values are exact in F32, so only the summation order differs from the reference.

#if defined(OLLA_KERNELS_GEMM_FLOAT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_GEMM_FLOAT_INL_H_
#undef OLLA_KERNELS_GEMM_FLOAT_INL_H_
#else
#define OLLA_KERNELS_GEMM_FLOAT_INL_H_
#endif

#include <algorithm>
#include <cstring>

#include "hwy/highway.h"
#include "kernels/internal.h"
#include "kernels/widen_float-inl.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows per micro-kernel panel: AVX-512 has 32 registers for 12 x 2 sums, 2 activation vectors
// and the broadcast weight; 16-register targets hold 6 x 2 sums.
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
constexpr size_t kGemmRows = 12;
#else
constexpr size_t kGemmRows = 6;
#endif
constexpr size_t kGemmVecs = 2;  // vectors of tokens per micro-kernel tile
constexpr size_t kGemmGroup = internal::kGemmColGroup;
static_assert(internal::kGemmRowBlock % kGemmRows == 0);

// Tokens per tile: the packed activations' layout (gemm_float.cc) depends on it. A constant, so
// that the micro-kernel's addressing folds into its instructions (targets with fixed vectors).
constexpr size_t kGemmLanes = HWY_LANES(float);
constexpr size_t kGemmTile = kGemmVecs * kGemmLanes;
static_assert(kGemmTile <= internal::kGemmMaxTileTokens);
HWY_NOINLINE size_t GemmTileTokens() { return kGemmTile; }

template <class WT>
HWY_NOINLINE void PackWeights(const internal::WeightRows& w, size_t m0, size_t m1, size_t k0,
                              size_t kc, float* HWY_RESTRICT dst) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t n_panels = (m1 - m0 + kGemmRows - 1) / kGemmRows;
  for (size_t p = 0; p < n_panels; ++p) {
    float* panel = dst + p * kc * kGemmRows;
    for (size_t r = 0; r < kGemmRows; ++r) {
      const size_t row = m0 + p * kGemmRows + r;
      float* out = panel + r * kGemmGroup;
      if (row >= m1) {
        for (size_t g = 0; g < kc; g += kGemmGroup)
          std::memset(out + g * kGemmRows, 0, kGemmGroup * sizeof(float));
        continue;
      }
      const WT* src = reinterpret_cast<const WT*>(w.data + row * w.row_bytes);
      size_t g = 0;
      for (; g < kc && k0 + g + kGemmGroup <= w.n_cols; g += kGemmGroup) {
        for (size_t i = 0; i < kGemmGroup; i += lanes)
          hn::Store(LoadWeights(df, src + k0 + g + i), df, out + g * kGemmRows + i);
      }
      for (; g < kc; g += kGemmGroup) {
        for (size_t i = 0; i < kGemmGroup; ++i) {
          const size_t k = k0 + g + i;
          out[g * kGemmRows + i] = k < w.n_cols ? WeightToF32(src[k]) : 0.0f;
        }
      }
    }
  }
}

// c[r * kGemmTile + t] (+)= sum over k < kc of ap[k / 16][r][k % 16] * bp[k * kGemmTile + t]
// for kR rows and kV vectors of tokens: one FMA chain per output, in column order.
template <size_t kR, size_t kV>
HWY_NOINLINE void GemmMicroKernel(const float* HWY_RESTRICT ap, const float* HWY_RESTRICT bp,
                                  size_t kc, float* HWY_RESTRICT c, bool accumulate) {
  const hn::ScalableTag<float> df;
  using V = hn::Vec<decltype(df)>;
  constexpr size_t lanes = kGemmLanes, b_stride = kGemmTile, c_stride = kGemmTile;
  V acc[kR][kV];
  if (accumulate) {
#pragma GCC unroll 16
    for (size_t r = 0; r < kR; ++r)
#pragma GCC unroll 4
      for (size_t v = 0; v < kV; ++v) acc[r][v] = hn::Load(df, c + r * c_stride + v * lanes);
  } else {
#pragma GCC unroll 16
    for (size_t r = 0; r < kR; ++r)
#pragma GCC unroll 4
      for (size_t v = 0; v < kV; ++v) acc[r][v] = hn::Zero(df);
  }
  for (size_t k = 0; k < kc; k += kGemmGroup) {
    const float* a = ap + k * kR;
    const float* b = bp + k * b_stride;
#pragma GCC unroll 16
    for (size_t kk = 0; kk < kGemmGroup; ++kk) {
      V bv[kV];
#pragma GCC unroll 4
      for (size_t v = 0; v < kV; ++v) bv[v] = hn::Load(df, b + kk * b_stride + v * lanes);
#pragma GCC unroll 16
      for (size_t r = 0; r < kR; ++r) {
        const V wv = hn::Set(df, a[r * kGemmGroup + kk]);
#pragma GCC unroll 4
        for (size_t v = 0; v < kV; ++v) acc[r][v] = hn::MulAdd(wv, bv[v], acc[r][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (size_t r = 0; r < kR; ++r)
#pragma GCC unroll 4
    for (size_t v = 0; v < kV; ++v) hn::Store(acc[r][v], df, c + r * c_stride + v * lanes);
}

// Rows [r_begin, r_end) of y against all tokens. bpack: the activations packed by gemm_float.cc,
// tile j (GemmTileTokens() tokens) at bpack + j * kp * tile, [kp][tile], zero past n_tok and
// n_cols; kp: n_cols rounded up to kGemmColGroup. a_buf and c_buf: this thread's scratch of
// kGemmRowBlock * kGemmKBlock and kGemmRowBlock * kGemmTokenBlock floats.
template <class WT>
HWY_INLINE void GemmRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                         const float* bpack, size_t n_tok, size_t kp, float* y, size_t y_stride,
                         float* a_buf, float* c_buf) {
  constexpr size_t lanes = kGemmLanes, tile = kGemmTile;
  const size_t n_tiles = (n_tok + tile - 1) / tile;
  const size_t tiles_per_block = std::max<size_t>(1, internal::kGemmTokenBlock / tile);
  const size_t c_tile = kGemmRows * tile;  // floats of one (panel, tile) accumulator block
  for (size_t j0 = 0; j0 < n_tiles; j0 += tiles_per_block) {
    const size_t j1 = std::min(n_tiles, j0 + tiles_per_block);
    for (size_t m0 = r_begin; m0 < r_end; m0 += internal::kGemmRowBlock) {
      const size_t m1 = std::min(r_end, m0 + internal::kGemmRowBlock);
      const size_t n_panels = (m1 - m0 + kGemmRows - 1) / kGemmRows;
      for (size_t k0 = 0; k0 < kp; k0 += internal::kGemmKBlock) {
        const size_t kc = std::min(internal::kGemmKBlock, kp - k0);
        PackWeights<WT>(w, m0, m1, k0, kc, a_buf);
        // A tile's activations for kGemmKInner columns stay in L1 while the row block's panels
        // stream past them.
        for (size_t j = j0; j < j1; ++j) {
          const bool one_vec = n_tok - j * tile <= lanes;  // the last tile, at most one vector
          for (size_t ki = 0; ki < kc; ki += internal::kGemmKInner) {
            const size_t kn = std::min(internal::kGemmKInner, kc - ki);
            const float* bp = bpack + j * kp * tile + (k0 + ki) * tile;
            const bool accumulate = k0 + ki > 0;
            for (size_t p = 0; p < n_panels; ++p) {
              float* c = c_buf + ((j - j0) * n_panels + p) * c_tile;
              const float* ap = a_buf + p * kc * kGemmRows + ki * kGemmRows;
              if (one_vec) {
                GemmMicroKernel<kGemmRows, 1>(ap, bp, kn, c, accumulate);
              } else {
                GemmMicroKernel<kGemmRows, kGemmVecs>(ap, bp, kn, c, accumulate);
              }
            }
          }
        }
      }
      // All columns summed: write the block into y, transposed to [token][row].
      for (size_t j = j0; j < j1; ++j) {
        const size_t t0 = j * tile, nt = std::min(tile, n_tok - t0);
        for (size_t p = 0; p < n_panels; ++p) {
          const float* c = c_buf + ((j - j0) * n_panels + p) * c_tile;
          const size_t row0 = m0 + p * kGemmRows, nr = std::min(kGemmRows, m1 - row0);
          for (size_t t = 0; t < nt; ++t) {
            float* yt = y + (t0 + t) * y_stride + row0;
            for (size_t r = 0; r < nr; ++r) yt[r] = c[r * tile + t];
          }
        }
      }
    }
  }
}

HWY_NOINLINE void GemmRowsF32(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                              const float* bpack, size_t n_tok, size_t kp, float* y,
                              size_t y_stride, float* a_buf, float* c_buf) {
  GemmRows<float>(w, r_begin, r_end, bpack, n_tok, kp, y, y_stride, a_buf, c_buf);
}
HWY_NOINLINE void GemmRowsF16(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                              const float* bpack, size_t n_tok, size_t kp, float* y,
                              size_t y_stride, float* a_buf, float* c_buf) {
  GemmRows<hwy::float16_t>(w, r_begin, r_end, bpack, n_tok, kp, y, y_stride, a_buf, c_buf);
}
HWY_NOINLINE void GemmRowsBF16(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                               const float* bpack, size_t n_tok, size_t kp, float* y,
                               size_t y_stride, float* a_buf, float* c_buf) {
  GemmRows<hwy::bfloat16_t>(w, r_begin, r_end, bpack, n_tok, kp, y, y_stride, a_buf, c_buf);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
