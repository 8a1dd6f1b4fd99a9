// Float-weight kernels (F32, F16, BF16 weights against float activations), vectorized with
// Highway. Products of F16 (or BF16) values rounded from the activations are exact in F32, so
// these differ from the scalar reference only in the order of the F32 sums (budget in the test).

#if defined(OLLA_KERNELS_DOT_FLOAT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_DOT_FLOAT_INL_H_
#undef OLLA_KERNELS_DOT_FLOAT_INL_H_
#else
#define OLLA_KERNELS_DOT_FLOAT_INL_H_
#endif

#include <algorithm>
#include <cstring>

#include "hwy/cache_control.h"
#include "hwy/highway.h"
#include "kernels/internal.h"
#include "kernels/widen_float-inl.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// A tile of kR rows (wr, already clamped: pointers past the valid rows repeat the last one) x
// kT tokens over the whole row. Rows past n_valid and tokens past n_tok are computed on clamped
// inputs and not stored, so one instantiation serves every edge. yr: y at this tile's first row.
template <class WT, size_t kR, size_t kT>
HWY_INLINE void FloatTile(const WT* const* wr, size_t n_valid, size_t n, const internal::Acts& a,
                          size_t t, float* yr, size_t y_stride) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const float* ar[kT];
  for (size_t j = 0; j < kT; ++j) ar[j] = a.f + std::min(t + j, a.n_tok - 1) * n;
  // Four named weight vectors and one activation at a time: GCC keeps all of them and the
  // kR x kT sums in registers (an array of activation vectors went through the stack).
  static_assert(kR == 4);
  hn::Vec<decltype(df)> acc[kR][kT];
#pragma GCC unroll 8
  for (size_t j = 0; j < kT; ++j) acc[0][j] = acc[1][j] = acc[2][j] = acc[3][j] = hn::Zero(df);
  size_t k = 0;
  for (; k + lanes <= n; k += lanes) {
    const auto w0 = LoadWeights(df, wr[0] + k), w1 = LoadWeights(df, wr[1] + k);
    const auto w2 = LoadWeights(df, wr[2] + k), w3 = LoadWeights(df, wr[3] + k);
#pragma GCC unroll 8
    for (size_t j = 0; j < kT; ++j) {
      const auto av = hn::LoadU(df, ar[j] + k);
      acc[0][j] = hn::MulAdd(w0, av, acc[0][j]);
      acc[1][j] = hn::MulAdd(w1, av, acc[1][j]);
      acc[2][j] = hn::MulAdd(w2, av, acc[2][j]);
      acc[3][j] = hn::MulAdd(w3, av, acc[3][j]);
    }
  }
  for (size_t i = 0; i < kR && i < n_valid; ++i) {
    for (size_t j = 0; j < kT && t + j < a.n_tok; ++j) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[i][j]));
      for (size_t kk = k; kk < n; ++kk) sum += WeightToF32(wr[i][kk]) * ar[j][kk];
      yr[(t + j) * y_stride + i] = sum;
    }
  }
}

// AVX2 has 16 vector registers: a 4x3 tile keeps its 12 sums, 3 activations and a weight in them.
constexpr size_t kFloatTileT = HWY_TARGET == HWY_AVX2 ? 3 : HWY_TARGET == HWY_AVX3 ? 6 : 4;

// One token: the rows split into four contiguous quarters read side by side, one row of each at
// a time, so that each quarter is one linear stream through memory (as the packed kernels' row
// groups are; the hardware prefetchers stop at page boundaries, so each stream is also fetched
// 1 KiB ahead in software, one line per line read). Each row's sum runs over k in order, as
// FloatTile's. Against four adjacent rows with the next four prefetched: +7-18 % in
// matmul_bench's A/B, +15 % F16 generation.
template <class WT>
HWY_INLINE void FloatGemvQuarters(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                                  const internal::Acts& a, float* y) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const size_t n = w.n_cols, n_rows = r_end - r_begin, q = n_rows / 4;
  const size_t line_elems = 64 / sizeof(WT);
  const float* x = a.f;
  for (size_t step = 0; step < q; ++step) {
    const WT* wr[4];
    size_t rows[4];
    for (size_t i = 0; i < 4; ++i) {
      rows[i] = r_begin + i * q + step;
      wr[i] = reinterpret_cast<const WT*>(w.data + rows[i] * w.row_bytes);
    }
    auto s0 = hn::Zero(df), s1 = hn::Zero(df), s2 = hn::Zero(df), s3 = hn::Zero(df);
    size_t k = 0;
    for (; k + lanes <= n; k += lanes) {
      if (k % line_elems == 0) {
        for (size_t i = 0; i < 4; ++i)
          hwy::Prefetch(reinterpret_cast<const uint8_t*>(wr[i] + k) + 1024);
      }
      const auto av = hn::LoadU(df, x + k);
      s0 = hn::MulAdd(LoadWeights(df, wr[0] + k), av, s0);
      s1 = hn::MulAdd(LoadWeights(df, wr[1] + k), av, s1);
      s2 = hn::MulAdd(LoadWeights(df, wr[2] + k), av, s2);
      s3 = hn::MulAdd(LoadWeights(df, wr[3] + k), av, s3);
    }
    const hn::Vec<decltype(df)> sums[4] = {s0, s1, s2, s3};
    for (size_t i = 0; i < 4; ++i) {
      float sum = hn::GetLane(hn::SumOfLanes(df, sums[i]));
      for (size_t kk = k; kk < n; ++kk) sum += WeightToF32(wr[i][kk]) * x[kk];
      y[rows[i]] = sum;
    }
  }
  r_begin += 4 * q;  // the n_rows % 4 rows left: one at a time
  for (size_t r = r_begin; r < r_end; ++r) {
    const WT* wr = reinterpret_cast<const WT*>(w.data + r * w.row_bytes);
    auto s = hn::Zero(df);
    size_t k = 0;
    for (; k + lanes <= n; k += lanes)
      s = hn::MulAdd(LoadWeights(df, wr + k), hn::LoadU(df, x + k), s);
    float sum = hn::GetLane(hn::SumOfLanes(df, s));
    for (size_t kk = k; kk < n; ++kk) sum += WeightToF32(wr[kk]) * x[kk];
    y[r] = sum;
  }
}

template <class WT>
HWY_INLINE void FloatRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                          const internal::Acts& a, float* y, size_t y_stride) {
  const size_t n = w.n_cols;
  if (a.n_tok == 1) return FloatGemvQuarters<WT>(w, r_begin, r_end, a, y);
  for (size_t r = r_begin; r < r_end; r += 4) {
    const WT* wr[4];
    for (size_t i = 0; i < 4; ++i)
      wr[i] = reinterpret_cast<const WT*>(w.data + std::min(r + i, r_end - 1) * w.row_bytes);
    const size_t n_valid = std::min<size_t>(4, r_end - r);
    for (size_t t = 0; t < a.n_tok; t += kFloatTileT)
      FloatTile<WT, 4, kFloatTileT>(wr, n_valid, n, a, t, y + r, y_stride);
  }
}

HWY_NOINLINE void RowsF32(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                          const internal::Acts& a, float* y, size_t y_stride) {
  FloatRows<float>(w, r_begin, r_end, a, y, y_stride);
}
HWY_NOINLINE void RowsF16(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                          const internal::Acts& a, float* y, size_t y_stride) {
  FloatRows<hwy::float16_t>(w, r_begin, r_end, a, y, y_stride);
}
HWY_NOINLINE void RowsBF16(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                           const internal::Acts& a, float* y, size_t y_stride) {
  FloatRows<hwy::bfloat16_t>(w, r_begin, r_end, a, y, y_stride);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
