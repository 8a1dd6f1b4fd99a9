// Activation quantizers, vectorized with Highway, bit-identical to the reference quantizers in
// tensor/quantize*.cc (the tests compare bytes). Every float expression below is the reference's
// own expression on a vector of lanes, so IEEE rounding gives the same bits; only the order of
// max and integer sums changes, which is exact. Blocks holding inf or NaN take the scalar
// reference path, whose special-case behaviour is not worth mirroring.

#if defined(OLLA_KERNELS_QUANTIZE_ACT_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_QUANTIZE_ACT_INL_H_
#undef OLLA_KERNELS_QUANTIZE_ACT_INL_H_
#else
#define OLLA_KERNELS_QUANTIZE_ACT_INL_H_
#endif

#include <cstring>

#include "hwy/highway.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quantize.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Max |x[i]| over n elements (a multiple of the vector length); false if any is inf or NaN.
template <class DF>
HWY_INLINE bool AbsMaxFinite(DF df, const float* x, size_t n, float* amax) {
  auto m = hn::Zero(df);
  bool finite = true;
  for (size_t j = 0; j < n; j += hn::Lanes(df)) {
    const auto v = hn::LoadU(df, x + j);
    finite &= hn::AllTrue(df, hn::IsFinite(v));
    m = hn::Max(m, hn::Abs(v));
  }
  *amax = hn::GetLane(hn::MaxOfLanes(df, m));
  return finite;
}

// roundf (ties away from zero) of integral-range lanes, as an int32 vector.
template <class DF>
HWY_INLINE hn::Vec<hn::RebindToSigned<DF>> RoundAway(DF df, hn::Vec<DF> v) {
  const auto t = hn::Trunc(v);
  const auto frac = hn::Abs(hn::Sub(v, t));  // exact
  const auto step = hn::CopySignToAbs(hn::Set(df, 1.0f), v);
  return hn::ConvertTo(hn::RebindToSigned<DF>(),
                       hn::Add(t, hn::IfThenElseZero(hn::Ge(frac, hn::Set(df, 0.5f)), step)));
}

// One Q8_0/Q8_1 block: q = round(x * id) with d = amax / 127 (quantize.cc, QuantizeQ8Block).
// Returns d, or a negative value if the block must take the scalar path.
HWY_INLINE float QuantizeQ8Block(const float* x, int8_t* qs, int32_t* qsum) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<int8_t, decltype(di)> d8;
  float amax;
  if (!AbsMaxFinite(df, x, 32, &amax)) return -1.0f;
  const float d = amax / 127;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  auto sum = hn::Zero(di);
  for (size_t j = 0; j < 32; j += hn::Lanes(df)) {
    const auto q = RoundAway(df, hn::Mul(hn::LoadU(df, x + j), hn::Set(df, id)));
    sum = hn::Add(sum, q);
    hn::StoreU(hn::DemoteTo(d8, q), d8, qs + j);
  }
  *qsum = hn::GetLane(hn::SumOfLanes(di, sum));
  return d;
}

HWY_NOINLINE void QuantizeQ8_0Split(const float* x, size_t n, int8_t* qs, float* d, int32_t* qsum) {
  for (size_t b = 0; b < n / 32; ++b) {
    const float db = QuantizeQ8Block(x + 32 * b, qs + 32 * b, qsum + b);
    if (db >= 0.0f) {
      d[b] = tensor::F16ToF32(tensor::F32ToF16(db));
      continue;
    }
    tensor::BlockQ8_0 blk;
    tensor::QuantizeRowQ8_0(x + 32 * b, &blk, 32);
    std::memcpy(qs + 32 * b, blk.qs, 32);
    d[b] = tensor::F16ToF32(blk.d);
    qsum[b] = 0;
    for (int j = 0; j < 32; ++j) qsum[b] += blk.qs[j];
  }
}

HWY_NOINLINE void QuantizeQ8_1Split(const float* x, size_t n, int8_t* qs, float* d, float* s,
                                    int32_t* qsum) {
  for (size_t b = 0; b < n / 32; ++b) {
    const float db = QuantizeQ8Block(x + 32 * b, qs + 32 * b, qsum + b);
    if (db >= 0.0f) {
      d[b] = tensor::F16ToF32(tensor::F32ToF16(db));
      s[b] = tensor::F16ToF32(tensor::F32ToF16(static_cast<float>(qsum[b]) * db));
      continue;
    }
    tensor::BlockQ8_1 blk;
    tensor::QuantizeRowQ8_1(x + 32 * b, &blk, 32);
    std::memcpy(qs + 32 * b, blk.qs, 32);
    d[b] = tensor::F16ToF32(blk.d);
    s[b] = tensor::F16ToF32(blk.s);
    qsum[b] = 0;
    for (int j = 0; j < 32; ++j) qsum[b] += blk.qs[j];
  }
}

// Q8_K (quantize_k.cc, QuantizeRowQ8_K): d = max / -127 where max is the first element of largest
// magnitude, q = min(127, nearest-even(x * -127 / max)), bsums over groups of 16.
HWY_NOINLINE void QuantizeQ8_KSplit(const float* x, size_t n, int8_t* qs, float* d,
                                    int16_t* bsums) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<int8_t, decltype(di)> d8;
  const size_t lanes = hn::Lanes(df);
  for (size_t b = 0; b < n / 256; ++b, x += 256, qs += 256, bsums += 16) {
    float amax;
    const bool finite = AbsMaxFinite(df, x, 256, &amax);
    // The sign of the first element with |x| == amax: decided by vectors unless both signs occur.
    bool pos = false, neg = false;
    if (finite && amax != 0.0f) {
      for (size_t j = 0; j < 256; j += lanes) {
        const auto v = hn::LoadU(df, x + j);
        pos |= !hn::AllFalse(df, hn::Eq(v, hn::Set(df, amax)));
        neg |= !hn::AllFalse(df, hn::Eq(v, hn::Set(df, -amax)));
      }
    }
    if (!finite || (pos && neg)) {
      tensor::BlockQ8_K blk;
      tensor::QuantizeRowQ8_K(x, &blk, 256);
      std::memcpy(qs, blk.qs, 256);
      std::memcpy(bsums, blk.bsums, sizeof(blk.bsums));
      d[b] = blk.d;
      continue;
    }
    if (amax == 0.0f) {
      std::memset(qs, 0, 256);
      std::memset(bsums, 0, 16 * sizeof(int16_t));
      d[b] = 0.0f;
      continue;
    }
    const float max = pos ? amax : -amax;
    const float iscale = -127.f / max;
    for (size_t g = 0; g < 16; ++g) {
      auto sum = hn::Zero(di);
      for (size_t j = 16 * g; j < 16 * g + 16; j += lanes) {
        const auto v = hn::Mul(hn::Set(df, iscale), hn::LoadU(df, x + j));
        const auto q = hn::Min(hn::ConvertTo(di, hn::Round(v)), hn::Set(di, 127));
        sum = hn::Add(sum, q);
        hn::StoreU(hn::DemoteTo(d8, q), d8, qs + j);
      }
      bsums[g] = static_cast<int16_t>(hn::GetLane(hn::SumOfLanes(di, sum)));
    }
    d[b] = 1 / iscale;
  }
}

// F32ToF16 / F32ToBF16 followed by the exact widening, on u32 lanes: round to nearest even.
HWY_NOINLINE void RoundF16(const float* x, size_t n, float* y) {
  size_t i = 0;
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_NEON
  // F16C (vcvtps2ph, nearest-even) and NEON's vcvt round exactly as tensor::F32ToF16.
  const hn::ScalableTag<float> df;
  const hn::Rebind<hwy::float16_t, decltype(df)> dh;
  for (; i + hn::Lanes(df) <= n; i += hn::Lanes(df))
    hn::StoreU(hn::PromoteTo(df, hn::DemoteTo(dh, hn::LoadU(df, x + i))), df, y + i);
#endif
  for (; i < n; ++i) y[i] = tensor::F16ToF32(tensor::F32ToF16(x[i]));
}

HWY_NOINLINE void RoundBF16(const float* x, size_t n, float* y) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  size_t i = 0;
  for (; i + hn::Lanes(df) <= n; i += hn::Lanes(df)) {
    const auto v = hn::LoadU(df, x + i);
    const auto u = hn::BitCast(du, v);
    const auto lsb = hn::And(hn::ShiftRight<16>(u), hn::Set(du, 1));
    auto r = hn::And(hn::Add(hn::Add(u, hn::Set(du, 0x7fffu)), lsb), hn::Set(du, 0xffff0000u));
    // NaN: the top half with the quiet bit set, as F32ToBF16.
    const auto nan = hn::Or(hn::And(u, hn::Set(du, 0xffff0000u)), hn::Set(du, 0x400000u));
    r = hn::IfThenElse(hn::RebindMask(du, hn::IsNaN(v)), nan, r);
    hn::StoreU(hn::BitCast(df, r), df, y + i);
  }
  for (; i < n; ++i) y[i] = tensor::BF16ToF32(tensor::F32ToBF16(x[i]));
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
