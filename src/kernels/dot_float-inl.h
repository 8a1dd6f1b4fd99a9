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

#include "hwy/highway.h"
#include "kernels/internal.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const float* p) {
  return hn::LoadU(df, p);
}
template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const hwy::float16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::float16_t, DF>(), p));
}
template <class DF>
HWY_INLINE hn::Vec<DF> LoadWeights(DF df, const hwy::bfloat16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::bfloat16_t, DF>(), p));
}
HWY_INLINE float WeightToF32(float w) { return w; }
HWY_INLINE float WeightToF32(hwy::float16_t w) {
  uint16_t bits;
  std::memcpy(&bits, &w, 2);
  return tensor::F16ToF32(bits);
}
HWY_INLINE float WeightToF32(hwy::bfloat16_t w) {
  uint16_t bits;
  std::memcpy(&bits, &w, 2);
  return tensor::BF16ToF32(bits);
}

// A tile of kR rows x kT tokens over the whole row. Rows past r_end and tokens past n_tok are
// computed on clamped (repeated) inputs and not stored, so one instantiation serves every edge.
template <class WT, size_t kR, size_t kT>
HWY_INLINE void FloatTile(const internal::WeightRows& w, size_t r, size_t r_end, const internal::Acts& a, size_t t,
                          float* y, size_t y_stride) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df), n = w.n_cols;
  const WT* wr[kR];
  const float* ar[kT];
  for (size_t i = 0; i < kR; ++i)
    wr[i] = reinterpret_cast<const WT*>(w.data + std::min(r + i, r_end - 1) * w.row_bytes);
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
  for (size_t i = 0; i < kR && r + i < r_end; ++i) {
    for (size_t j = 0; j < kT && t + j < a.n_tok; ++j) {
      float sum = hn::GetLane(hn::SumOfLanes(df, acc[i][j]));
      for (size_t kk = k; kk < n; ++kk) sum += WeightToF32(wr[i][kk]) * ar[j][kk];
      y[(t + j) * y_stride + r + i] = sum;
    }
  }
}

// AVX2 has 16 vector registers: a 4x3 tile keeps its 12 sums, 3 activations and a weight in them.
constexpr size_t kFloatTileT = HWY_TARGET == HWY_AVX2 ? 3 : HWY_TARGET == HWY_AVX3 ? 6 : 4;

template <class WT>
HWY_INLINE void FloatRows(const internal::WeightRows& w, size_t r_begin, size_t r_end, const internal::Acts& a,
                          float* y, size_t y_stride) {
  for (size_t r = r_begin; r < r_end; r += 4) {
    if (a.n_tok == 1) {
      FloatTile<WT, 4, 1>(w, r, r_end, a, 0, y, y_stride);
      continue;
    }
    for (size_t t = 0; t < a.n_tok; t += kFloatTileT) FloatTile<WT, 4, kFloatTileT>(w, r, r_end, a, t, y, y_stride);
  }
}

HWY_NOINLINE void RowsF32(const internal::WeightRows& w, size_t r_begin, size_t r_end, const internal::Acts& a,
                          float* y, size_t y_stride) {
  FloatRows<float>(w, r_begin, r_end, a, y, y_stride);
}
HWY_NOINLINE void RowsF16(const internal::WeightRows& w, size_t r_begin, size_t r_end, const internal::Acts& a,
                          float* y, size_t y_stride) {
  FloatRows<hwy::float16_t>(w, r_begin, r_end, a, y, y_stride);
}
HWY_NOINLINE void RowsBF16(const internal::WeightRows& w, size_t r_begin, size_t r_end, const internal::Acts& a,
                           float* y, size_t y_stride) {
  FloatRows<hwy::bfloat16_t>(w, r_begin, r_end, a, y, y_stride);
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
