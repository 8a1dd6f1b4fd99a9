// k-quant super-block formats (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS) against Q8_K activations,
// vectorized with Highway. Within a super-block everything is integer: sub-block dots in int32
// lanes, times the sub-block's integer scale, summed and reduced; the floats d, dmin and the
// activation scale enter once per super-block in the reference's order, so results equal
// ref::Dot* bit for bit on every target.

#if defined(OLLA_KERNELS_DOT_K_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_DOT_K_INL_H_
#undef OLLA_KERNELS_DOT_K_INL_H_
#else
#define OLLA_KERNELS_DOT_K_INL_H_
#endif

#include <algorithm>

#include "hwy/highway.h"
#include "kernels/internal.h"
#include "kernels/quant_common-inl.h"
#include "kernels/x86_avx2-inl.h"
#include "tensor/blocks.h"
#include "tensor/half.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Each decoder gives: kSubLen (elements per sub-block scale), kMins (x = d*sc*q - dmin*mn),
// Scales() (integer scales and mins of the 256 / kSubLen sub-blocks), D(), Dmin() and Chunk(e)
// (the signed values of elements [e, e + Lanes), never crossing a 16-element boundary).

struct DecQ2_K {
  using Block = tensor::BlockQ2_K;
  static constexpr size_t kSubLen = 16;
  static constexpr bool kMins = true;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 16; ++s) {
      sc[s] = b.scales[s] & 0x0F;
      mn[s] = b.scales[s] >> 4;
    }
  }
  static HWY_INLINE float Dmin(const Block& b) { return tensor::F16ToF32(b.dmin); }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    const size_t half = e / 128, k = (e % 128) / 32, l = e % 32;
    const auto v = hn::LoadU(DU8(), b.qs + 32 * half + l);
    return WidenU8(hn::And(ShiftRightU8(v, 2 * k), hn::Set(DU8(), 3)));
  }
};

struct DecQ3_K {
  using Block = tensor::BlockQ3_K;
  static constexpr size_t kSubLen = 16;
  static constexpr bool kMins = false;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 16; ++s) {
      const int low = s < 8 ? (b.scales[s] & 0x0F) : (b.scales[s - 8] >> 4);
      const int high = (b.scales[8 + s % 4] >> (2 * (s / 4))) & 3;
      sc[s] = (low | (high << 4)) - 32;
      mn[s] = 0;
    }
  }
  static HWY_INLINE float Dmin(const Block&) { return 0.0f; }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    const size_t half = e / 128, k = (e % 128) / 32, l = e % 32;
    const DU8 du8;
    const auto low =
        hn::And(ShiftRightU8(hn::LoadU(du8, b.qs + 32 * half + l), 2 * k), hn::Set(du8, 3));
    const auto high = BitToValue(hn::LoadU(du8, b.hmask + l), 4 * half + k, 4);
    return hn::Sub(WidenU8(hn::Add(low, high)), hn::Set(D16(), 4));
  }
};

struct DecQ4_K {
  using Block = tensor::BlockQ4_K;
  static constexpr size_t kSubLen = 32;
  static constexpr bool kMins = true;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 8; ++s) {
      uint8_t scale, min;
      tensor::GetScaleMinK4(s, b.scales, &scale, &min);
      sc[s] = scale;
      mn[s] = min;
    }
  }
  static HWY_INLINE float Dmin(const Block& b) { return tensor::F16ToF32(b.dmin); }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    const size_t g = e / 64, l = e % 64;
    return WidenU8(NibbleHalf(b.qs + 32 * g + l % 32, l >= 32));
  }
};

struct DecQ5_K {
  using Block = tensor::BlockQ5_K;
  static constexpr size_t kSubLen = 32;
  static constexpr bool kMins = true;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 8; ++s) {
      uint8_t scale, min;
      tensor::GetScaleMinK4(s, b.scales, &scale, &min);
      sc[s] = scale;
      mn[s] = min;
    }
  }
  static HWY_INLINE float Dmin(const Block& b) { return tensor::F16ToF32(b.dmin); }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    const size_t g = e / 64, l = e % 64;
    const auto low = NibbleHalf(b.qs + 32 * g + l % 32, l >= 32);
    const auto high = BitToValue(hn::LoadU(DU8(), b.qh + l % 32), 2 * g + (l >= 32 ? 1 : 0), 16);
    return WidenU8(hn::Or(low, high));
  }
};

struct DecQ6_K {
  using Block = tensor::BlockQ6_K;
  static constexpr size_t kSubLen = 16;
  static constexpr bool kMins = false;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 16; ++s) {
      sc[s] = b.scales[s];
      mn[s] = 0;
    }
  }
  static HWY_INLINE float Dmin(const Block&) { return 0.0f; }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    const size_t half = e / 128, part = (e % 128) / 32, l = e % 32;
    const DU8 du8;
    const auto ql = hn::LoadU(du8, b.ql + 64 * half + l + (part & 1) * 32);
    const auto low = part < 2 ? hn::And(ql, hn::Set(du8, 0x0F)) : hn::ShiftRight<4>(ql);
    const auto qh = hn::LoadU(du8, b.qh + 32 * half + l);
    const auto high = hn::ShiftLeft<4>(hn::And(ShiftRightU8(qh, 2 * part), hn::Set(du8, 3)));
    return hn::Sub(WidenU8(hn::Or(low, high)), hn::Set(D16(), 32));
  }
};

struct DecIQ4_XS {
  using Block = tensor::BlockIQ4_XS;
  static constexpr size_t kSubLen = 32;
  static constexpr bool kMins = false;
  static HWY_INLINE void Scales(const Block& b, int32_t* sc, int32_t* mn) {
    for (int s = 0; s < 8; ++s) {
      const int ls =
          ((b.scales_l[s / 2] >> (4 * (s % 2))) & 0x0F) | (((b.scales_h >> (2 * s)) & 3) << 4);
      sc[s] = ls - 32;
      mn[s] = 0;
    }
  }
  static HWY_INLINE float Dmin(const Block&) { return 0.0f; }
  static HWY_INLINE hn::Vec<D16> Chunk(const Block& b, size_t e) {
    return LookupI8(tensor::kIQ4NLValues, Nibbles(b.qs + 16 * (e / 32), e % 32));
  }
};

// One weight row against kT tokens starting at t (clamped at the last token).
template <class Dec, size_t kT>
HWY_INLINE void KTile(const typename Dec::Block* wb, size_t nsb, const internal::Acts& a, size_t t,
                      float* sums) {
  constexpr size_t kNumSub = 256 / Dec::kSubLen;
  const D16 d16;
  const hn::RepartitionToWide<D16> d32;
  const hn::Rebind<int8_t, D16> d8;
  const size_t lanes = hn::Lanes(d16);
  size_t tok[kT];
  for (size_t j = 0; j < kT; ++j) tok[j] = std::min(t + j, a.n_tok - 1);
  float acc[kT] = {};
  for (size_t sb = 0; sb < nsb; ++sb) {
    const auto& blk = wb[sb];
    int32_t sc[16], mn[16];
    Dec::Scales(blk, sc, mn);
    hn::Vec<decltype(d32)> isum[kT];
    for (size_t j = 0; j < kT; ++j) isum[j] = hn::Zero(d32);
    for (size_t s = 0; s < kNumSub; ++s) {
      hn::Vec<decltype(d32)> s0[kT], s1[kT];
      for (size_t j = 0; j < kT; ++j) s0[j] = s1[j] = hn::Zero(d32);
      for (size_t e = s * Dec::kSubLen; e < (s + 1) * Dec::kSubLen; e += lanes) {
        const auto wv = Dec::Chunk(blk, e);
        for (size_t j = 0; j < kT; ++j) {
          const auto av = hn::PromoteTo(d16, hn::LoadU(d8, a.qs_row(tok[j]) + 256 * sb + e));
          s0[j] = hn::ReorderWidenMulAccumulate(d32, wv, av, s0[j], s1[j]);
        }
      }
      for (size_t j = 0; j < kT; ++j)
        isum[j] = hn::Add(isum[j], hn::Mul(hn::Add(s0[j], s1[j]), hn::Set(d32, sc[s])));
    }
    const float dw = tensor::F16ToF32(blk.d), dmin = Dec::Dmin(blk);
    for (size_t j = 0; j < kT; ++j) {
      const int32_t is = hn::GetLane(hn::SumOfLanes(d32, isum[j]));
      int32_t imin = 0;
      if constexpr (Dec::kMins) {
        const int16_t* bs = a.bsums + tok[j] * (nsb * 16) + 16 * sb;
        for (size_t s = 0; s < kNumSub; ++s) {
          if (mn[s] == 0) continue;
          int32_t bsum = 0;
          for (size_t g = s * Dec::kSubLen / 16; g < (s + 1) * Dec::kSubLen / 16; ++g)
            bsum += bs[g];
          imin += mn[s] * bsum;
        }
      }
      const float yd = a.d[tok[j] * nsb + sb];
      acc[j] += dw * yd * static_cast<float>(is) - dmin * yd * static_cast<float>(imin);
    }
  }
  for (size_t j = 0; j < kT; ++j) sums[j] = acc[j];
}

template <class Dec>
HWY_INLINE void KRows(const internal::WeightRows& w, size_t r_begin, size_t r_end,
                      const internal::Acts& a, float* y, size_t y_stride) {
  using Block = typename Dec::Block;
  constexpr size_t kT = 4;
  const size_t nsb = w.n_cols / 256;
#if HWY_TARGET == HWY_AVX2
  r_begin = Avx2KRows<Dec>(w, r_begin, r_end, a, y, y_stride);  // all but a tail of rows
#endif
  for (size_t r = r_begin; r < r_end; ++r) {
    const Block* wb = reinterpret_cast<const Block*>(w.data + r * w.row_bytes);
    float sums[kT];
    if (a.n_tok == 1) {
      KTile<Dec, 1>(wb, nsb, a, 0, sums);
      y[r] = sums[0];
      continue;
    }
    for (size_t t = 0; t < a.n_tok; t += kT) {
      KTile<Dec, kT>(wb, nsb, a, t, sums);
      for (size_t j = 0; j < kT && t + j < a.n_tok; ++j) y[(t + j) * y_stride + r] = sums[j];
    }
  }
}

#define OLLA_K_ROWS_(NAME)                                                                  \
  HWY_NOINLINE void Rows##NAME(const internal::WeightRows& w, size_t r_begin, size_t r_end, \
                               const internal::Acts& a, float* y, size_t y_stride) {        \
    KRows<Dec##NAME>(w, r_begin, r_end, a, y, y_stride);                                    \
  }
OLLA_K_ROWS_(Q2_K)
OLLA_K_ROWS_(Q3_K)
OLLA_K_ROWS_(Q4_K)
OLLA_K_ROWS_(Q5_K)
OLLA_K_ROWS_(Q6_K)
OLLA_K_ROWS_(IQ4_XS)
#undef OLLA_K_ROWS_

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
