// Legacy 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL, MXFP4) against Q8_0/Q8_1
// activations, vectorized with Highway. Each block's integer dot is exact (int16 products summed
// in int32). Symmetric types reduce it to a scalar before the float scales enter; the affine types
// (Q4_1, Q5_1) keep eight sums of four adjacent products and accumulate them in eight float lanes,
// as ggml's x86 kernels do (ref/dot_ref.cc, DotAffineQ8_1). Either way the float operations are the
// reference's, so results equal ref::Dot* bit for bit on every target.

#if defined(OLLA_KERNELS_DOT_LEGACY_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_DOT_LEGACY_INL_H_
#undef OLLA_KERNELS_DOT_LEGACY_INL_H_
#else
#define OLLA_KERNELS_DOT_LEGACY_INL_H_
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "hwy/highway.h"
#include "kernels/internal.h"
#include "kernels/quant_common-inl.h"
#include "kernels/ref/dot_ref.h"
#include "kernels/x86_avx2-inl.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

struct DecQ4_0 {
  using Block = tensor::BlockQ4_0;
  static constexpr bool kAffine = false;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return hn::Sub(WidenU8(Nibbles(b.qs, i)), hn::Set(D16(), 8));
  }
};
struct DecQ4_1 {
  using Block = tensor::BlockQ4_1;
  static constexpr bool kAffine = true;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return WidenU8(Nibbles(b.qs, i));
  }
};
struct DecQ5_0 {
  using Block = tensor::BlockQ5_0;
  static constexpr bool kAffine = false;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return hn::Sub(WidenU8(hn::Or(Nibbles(b.qs, i), FifthBits(b.qh, i))), hn::Set(D16(), 16));
  }
};
struct DecQ5_1 {
  using Block = tensor::BlockQ5_1;
  static constexpr bool kAffine = true;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return WidenU8(hn::Or(Nibbles(b.qs, i), FifthBits(b.qh, i)));
  }
};
struct DecQ8_0 {
  using Block = tensor::BlockQ8_0;
  static constexpr bool kAffine = false;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return hn::PromoteTo(D16(), hn::LoadU(hn::Rebind<int8_t, D16>(), b.qs + i));
  }
};
struct DecIQ4_NL {
  using Block = tensor::BlockIQ4_NL;
  static constexpr bool kAffine = false;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return LookupI8(tensor::kIQ4NLValues, Nibbles(b.qs, i));
  }
};

// MXFP4 codes are doubled E2M1 values, looked up like IQ4_NL's levels; its scale is a power of
// two from 2^-128 to 2^127 (a float, never an F16), so it neither flushes nor overflows before
// the product with the activation scale, where ggml's does too.
struct DecMXFP4 {
  using Block = tensor::BlockMXFP4;
  static constexpr bool kAffine = false;
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t i) {
    return LookupI8(tensor::kMXFP4Values, Nibbles(b.qs, i));
  }
};

template <class Dec>
HWY_INLINE float BlockD(const typename Dec::Block& b) {
  if constexpr (std::is_same_v<typename Dec::Block, tensor::BlockMXFP4>) {
    return tensor::E8M0ToF32Half(b.e);
  } else {
    return tensor::F16ToF32(b.d);
  }
}

// Q4_1 / Q5_1: per block, the sums of products over elements 4k..4k+3 (k < 8) go into float lane
// k as fma(d_w * d_a, sum, lane); the m * s terms are summed apart; then the fixed reduction
// ref::HorizontalSum8. Products fit in int16 (|q * a| <= 31 * 128).
template <class Dec, size_t kT>
HWY_INLINE void AffineTile(const typename Dec::Block* wb, size_t nb, const internal::Acts& a,
                           const size_t* tok, float* sums) {
  const D16 d16;
  const hn::Rebind<int8_t, D16> d8;
  const size_t lanes = hn::Lanes(d16);
  float acc[kT][8] = {};
  float summs[kT] = {};
  HWY_ALIGN int16_t prod[32];
  for (size_t b = 0; b < nb; ++b) {
    const float dw = BlockD<Dec>(wb[b]), mw = tensor::F16ToF32(wb[b].m);
    for (size_t j = 0; j < kT; ++j) {
      for (size_t i = 0; i < 32; i += lanes) {
        const auto av = hn::PromoteTo(d16, hn::LoadU(d8, a.qs_row(tok[j]) + 32 * b + i));
        hn::StoreU(hn::Mul(Dec::Chunk(wb[b], i), av), d16, prod + i);
      }
      const size_t ab = tok[j] * nb + b;
      summs[j] += mw * a.s[ab];
      const float d = dw * a.d[ab];
      for (size_t k = 0; k < 8; ++k) {
        const int32_t g = prod[4 * k] + prod[4 * k + 1] + prod[4 * k + 2] + prod[4 * k + 3];
        acc[j][k] = std::fma(d, static_cast<float>(g), acc[j][k]);
      }
    }
  }
  for (size_t j = 0; j < kT; ++j) sums[j] = ref::HorizontalSum8(acc[j]) + summs[j];
}

// One weight row against kT tokens starting at t (clamped at the last token; see FloatTile).
template <class Dec, size_t kT>
HWY_INLINE void LegacyTile(const typename Dec::Block* wb, size_t nb, const internal::Acts& a,
                           size_t t, float* sums) {
  const D16 d16;
  const hn::RepartitionToWide<D16> d32;
  const hn::Rebind<int8_t, D16> d8;
  const size_t lanes = hn::Lanes(d16);
  size_t tok[kT];
  for (size_t j = 0; j < kT; ++j) tok[j] = std::min(t + j, a.n_tok - 1);
  if constexpr (Dec::kAffine) {
    AffineTile<Dec, kT>(wb, nb, a, tok, sums);
    return;
  }
  float acc[kT] = {};
  for (size_t b = 0; b < nb; ++b) {
    hn::Vec<decltype(d32)> s0[kT], s1[kT];
    for (size_t j = 0; j < kT; ++j) s0[j] = s1[j] = hn::Zero(d32);
    for (size_t i = 0; i < 32; i += lanes) {
      const auto wv = Dec::Chunk(wb[b], i);
      for (size_t j = 0; j < kT; ++j) {
        const auto av = hn::PromoteTo(d16, hn::LoadU(d8, a.qs_row(tok[j]) + 32 * b + i));
        s0[j] = hn::ReorderWidenMulAccumulate(d32, wv, av, s0[j], s1[j]);
      }
    }
    const float dw = BlockD<Dec>(wb[b]);
    for (size_t j = 0; j < kT; ++j) {
      const int32_t isum = hn::GetLane(hn::SumOfLanes(d32, hn::Add(s0[j], s1[j])));
      acc[j] += static_cast<float>(isum) * (dw * a.d[tok[j] * nb + b]);
    }
  }
  for (size_t j = 0; j < kT; ++j) sums[j] = acc[j];
}

template <class Dec>
HWY_INLINE void LegacyRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                           const internal::Acts& a, float* y, size_t y_stride) {
  using Block = typename Dec::Block;
  constexpr size_t kT = 4;
  const size_t nb = w.n_cols / 32;
#if HWY_TARGET == HWY_AVX2
  r_begin = Avx2LegacyRows<Dec>(w, r_begin, r_end, a, y, y_stride);  // all but a tail of rows
#endif
  for (size_t r = r_begin; r < r_end; ++r) {
    const Block* wb = reinterpret_cast<const Block*>(w.data + r * w.row_bytes);
    float sums[kT];
    if (a.n_tok == 1) {
      LegacyTile<Dec, 1>(wb, nb, a, 0, sums);
      y[r] = sums[0];
      continue;
    }
    for (size_t t = 0; t < a.n_tok; t += kT) {
      LegacyTile<Dec, kT>(wb, nb, a, t, sums);
      for (size_t j = 0; j < kT && t + j < a.n_tok; ++j) y[(t + j) * y_stride + r] = sums[j];
    }
  }
}

#define OLLA_LEGACY_ROWS_(NAME)                                                             \
  HWY_NOINLINE void Rows##NAME(const internal::WeightRows& w, size_t r_begin, size_t r_end, \
                               const internal::Acts& a, float* y, size_t y_stride) {        \
    LegacyRows<Dec##NAME>(w, r_begin, r_end, a, y, y_stride);                               \
  }
OLLA_LEGACY_ROWS_(Q4_0)
OLLA_LEGACY_ROWS_(Q4_1)
OLLA_LEGACY_ROWS_(Q5_0)
OLLA_LEGACY_ROWS_(Q5_1)
OLLA_LEGACY_ROWS_(Q8_0)
OLLA_LEGACY_ROWS_(IQ4_NL)
OLLA_LEGACY_ROWS_(MXFP4)
#undef OLLA_LEGACY_ROWS_

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
