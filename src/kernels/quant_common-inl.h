// Helpers shared by the integer dot-product kernels (dot_legacy-inl.h, dot_k-inl.h): decoding
// packed sub-byte values into int16 lanes.

#if defined(OLLA_KERNELS_QUANT_COMMON_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef OLLA_KERNELS_QUANT_COMMON_INL_H_
#undef OLLA_KERNELS_QUANT_COMMON_INL_H_
#else
#define OLLA_KERNELS_QUANT_COMMON_INL_H_
#endif

#include <cstring>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace olla {
namespace kernels {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Chunks of at most 16 elements, so that a chunk never straddles the low/high nibble halves.
using D16 = hn::CappedTag<int16_t, 16>;
using DU8 = hn::Rebind<uint8_t, D16>;

HWY_INLINE hn::Vec<D16> WidenU8(hn::Vec<DU8> v) {
  return hn::BitCast(D16(), hn::PromoteTo(hn::Rebind<uint16_t, D16>(), v));
}

// The low (or high) nibbles of the bytes at p.
HWY_INLINE hn::Vec<DU8> NibbleHalf(const uint8_t* p, bool high) {
  const DU8 du8;
  const auto v = hn::LoadU(du8, p);
  return high ? hn::ShiftRight<4>(v) : hn::And(v, hn::Set(du8, 0x0F));
}

// Elements [i, i + Lanes) of a 32-element nibble block: low nibbles are elements 0..15.
HWY_INLINE hn::Vec<DU8> Nibbles(const uint8_t* qs, size_t i) {
  return NibbleHalf(qs + (i & 15), i >= 16);
}

// 16 where bit (i + lane) of the little-endian 32 bits at qh is set, else 0 (Q5 fifth bits).
HWY_INLINE hn::Vec<DU8> FifthBits(const uint8_t* qh, size_t i) {
  const hn::Rebind<uint16_t, D16> du16;
  HWY_ALIGN static constexpr uint16_t kBit[16] = {1,   2,   4,    8,    16,   32,   64,    128,
                                                  256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  const auto set =
      hn::Ne(hn::And(hn::Set(du16, static_cast<uint16_t>(bits >> i)), hn::LoadU(du16, kBit)),
             hn::Zero(du16));
  const auto h16 = hn::IfThenElseZero(set, hn::Set(du16, 16));
  return hn::DemoteTo(DU8(), hn::BitCast(D16(), h16));
}

// Shifts u8 lanes right by 0, 2, 4 or 6 (k-quant 2-bit fields).
HWY_INLINE hn::Vec<DU8> ShiftRightU8(hn::Vec<DU8> v, size_t bits) {
  switch (bits) {
    case 0:
      return v;
    case 2:
      return hn::ShiftRight<2>(v);
    case 4:
      return hn::ShiftRight<4>(v);
    default:
      return hn::ShiftRight<6>(v);
  }
}

// Lanes of `v` whose bit `bit` is set become `value`, the others 0.
HWY_INLINE hn::Vec<DU8> BitToValue(hn::Vec<DU8> v, size_t bit, uint8_t value) {
  const DU8 du8;
  const auto set = hn::Ne(hn::And(v, hn::Set(du8, static_cast<uint8_t>(1u << bit))), hn::Zero(du8));
  return hn::IfThenElseZero(set, hn::Set(du8, value));
}

// Signed int8 lanes looked up in a 16-entry table (IQ4_NL / IQ4_XS levels) by u8 indices < 16.
HWY_INLINE hn::Vec<D16> LookupI8(const int8_t* table16, hn::Vec<DU8> idx) {
#if HWY_TARGET == HWY_SCALAR
  return hn::Set(D16(), table16[hn::GetLane(idx)]);
#else
  const hn::Full128<int8_t> d8;
  const auto table = hn::LoadU(d8, table16);
  return hn::PromoteTo(D16(),
                       hn::TableLookupBytes(table, hn::BitCast(hn::Rebind<int8_t, D16>(), idx)));
#endif
}

}  // namespace HWY_NAMESPACE
}  // namespace kernels
}  // namespace olla
HWY_AFTER_NAMESPACE();

#endif  // include guard
