#include "tensor/half.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace olla::tensor {
namespace {

bool IsF16NaN(uint16_t h) { return (h & 0x7c00) == 0x7c00 && (h & 0x03ff) != 0; }

TEST(HalfTest, F16RoundTripsAllValues) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const uint16_t in = static_cast<uint16_t>(h);
    const float f = F16ToF32(in);
    if (IsF16NaN(in)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << h;
      EXPECT_EQ(F32ToF16(f), in | 0x0200) << std::hex << h;  // signalling NaNs come back quiet
    } else {
      EXPECT_EQ(F32ToF16(f), in) << std::hex << h;
    }
  }
}

TEST(HalfTest, F16ToF32KnownValues) {
  const struct {
    uint16_t h;
    float f;
  } cases[] = {
      {0x0000, 0.0f},      {0x3c00, 1.0f},     {0xc000, -2.0f},    {0x3555, 0x1.554p-2f},
      {0x7bff, 65504.0f},  {0x0400, 0x1p-14f}, {0x0001, 0x1p-24f}, {0x03ff, 1023 * 0x1p-24f},
      {0x8001, -0x1p-24f}, {0x7c00, INFINITY}, {0xfc00, -INFINITY}};
  for (const auto& c : cases) EXPECT_EQ(F16ToF32(c.h), c.f) << std::hex << c.h;
  EXPECT_TRUE(std::signbit(F16ToF32(0x8000)));
  EXPECT_EQ(std::bit_cast<uint32_t>(F16ToF32(0x7e01)), 0x7fc02000u);  // NaN payload kept
}

TEST(HalfTest, F32ToF16RoundsToNearestEven) {
  const struct {
    float f;
    uint16_t h;
  } cases[] = {
      {1.0f + 0x1p-11f, 0x3c00},             // tie: stays on the even 1.0
      {1.0f + 3 * 0x1p-11f, 0x3c02},         // tie: rounds up to the even neighbour
      {1.0f + 0x1p-11f + 0x1p-20f, 0x3c01},  // just above the tie
      {65504.0f, 0x7bff},
      {65519.996f, 0x7bff},  // below the 65520 tie
      {65520.0f, 0x7c00},    // tie between 65504 (odd) and 65536: inf
      {1e10f, 0x7c00},
      {-1e10f, 0xfc00},
      {INFINITY, 0x7c00},
      {0x1p-24f, 0x0001},             // smallest subnormal
      {0x1p-25f, 0x0000},             // tie between 0 and 2^-24: even is 0
      {0x1.000002p-25f, 0x0001},      // just above it
      {3 * 0x1p-25f, 0x0002},         // 1.5 units: tie to even 2
      {0x1p-14f - 0x1p-25f, 0x0400},  // tie between 0x3ff and 0x400: carries to normal
      {0x1p-14f, 0x0400},
      {1e-10f, 0x0000},
      {-1e-10f, 0x8000},
      {std::bit_cast<float>(0x00000001u), 0x0000},  // f32 subnormal
      {-0.0f, 0x8000},
  };
  for (const auto& c : cases) EXPECT_EQ(F32ToF16(c.f), c.h) << c.f;
  EXPECT_TRUE(IsF16NaN(F32ToF16(NAN)));
  EXPECT_EQ(F32ToF16(std::bit_cast<float>(0xffc00000u)), 0xfe00);
}

// An independent oracle: the nearest finite half (ties to even mantissa) by binary search over
// all non-negative finite halves in value order; beyond 65520 the result is infinity.
uint16_t NearestHalfOracle(float f) {
  static const std::vector<float> kValues = [] {
    std::vector<float> v;
    for (uint16_t h = 0; h < 0x7c00; ++h) v.push_back(F16ToF32(h));
    return v;
  }();
  const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const double a = std::fabs(static_cast<double>(f));
  if (a >= 65520.0) return sign | 0x7c00;
  const auto it = std::lower_bound(kValues.begin(), kValues.end(), a,
                                   [](float v, double x) { return static_cast<double>(v) < x; });
  if (it == kValues.end()) return sign | 0x7bff;  // in (65504, 65520)
  const uint16_t hi = static_cast<uint16_t>(it - kValues.begin());
  if (hi == 0) return sign;
  const uint16_t lo = hi - 1;
  const double dlo = a - kValues[lo], dhi = static_cast<double>(kValues[hi]) - a;
  uint16_t pick = dlo < dhi ? lo : dhi < dlo ? hi : ((lo & 1) ? hi : lo);
  return sign | pick;
}

TEST(HalfTest, F32ToF16MatchesOracleOnRandomFloats) {
  std::mt19937 rng(1234);
  // Bits drawn uniformly over the exponents that matter (2^-26 .. 2^17) and any mantissa.
  std::uniform_int_distribution<uint32_t> exp_dist(101, 144), man_dist(0, 0x7fffff),
      sign_dist(0, 1);
  for (int i = 0; i < 200000; ++i) {
    const uint32_t bits = (sign_dist(rng) << 31) | (exp_dist(rng) << 23) | man_dist(rng);
    const float f = std::bit_cast<float>(bits);
    ASSERT_EQ(F32ToF16(f), NearestHalfOracle(f)) << std::hexfloat << f;
  }
  // Exactly halfway between every pair of neighbouring halves (and a hair either side).
  for (uint16_t h = 0; h < 0x7bff; ++h) {
    const double mid = (static_cast<double>(F16ToF32(h)) + F16ToF32(h + 1)) / 2;
    const float f = static_cast<float>(mid);  // exact: a half midpoint needs 12 bits
    ASSERT_EQ(F32ToF16(f), NearestHalfOracle(f)) << h;
    ASSERT_EQ(F32ToF16(std::nextafter(f, 0.0f)), h) << h;
    ASSERT_EQ(F32ToF16(std::nextafter(f, INFINITY)), h + 1) << h;
  }
}

TEST(HalfTest, BF16RoundTripsAllValues) {
  for (uint32_t h = 0; h <= 0xffff; ++h) {
    const uint16_t in = static_cast<uint16_t>(h);
    const float f = BF16ToF32(in);
    EXPECT_EQ(std::bit_cast<uint32_t>(f), h << 16);
    const bool nan = (in & 0x7f80) == 0x7f80 && (in & 0x7f) != 0;
    EXPECT_EQ(F32ToBF16(f), nan ? (in | 0x40) : in) << std::hex << h;
  }
}

TEST(HalfTest, F32ToBF16RoundsToNearestEven) {
  const struct {
    uint32_t f;
    uint16_t h;
  } cases[] = {
      {0x3f808000, 0x3f80},  // 1 + 2^-8: tie, stays even
      {0x3f818000, 0x3f82},  // tie, rounds up to even
      {0x3f808001, 0x3f81},  // above the tie
      {0x3f807fff, 0x3f80},  // below the tie
      {0x7f7fffff, 0x7f80},  // FLT_MAX rounds to inf
      {0x7f7f7fff, 0x7f7f},
      {0x00008000, 0x0000},  // subnormal tie to even (subnormals are not
                             // flushed)
      {0x00018000, 0x0002},
      {0x80010000, 0x8001},
      {0x7f800000, 0x7f80},  // inf
      {0x7f800001, 0x7fc0},  // signalling NaN made quiet
      {0xffc00001, 0xffc0},
  };
  for (const auto& c : cases)
    EXPECT_EQ(F32ToBF16(std::bit_cast<float>(c.f)), c.h) << std::hex << c.f;
}

}  // namespace
}  // namespace olla::tensor
