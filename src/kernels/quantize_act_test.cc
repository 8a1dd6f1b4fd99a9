// The vectorized activation quantizers must reproduce the reference quantizers' bytes exactly,
// on every Highway target the CPU supports (CONVENTIONS.md C8: integer results have no budget).

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "hwy/targets.h"
#include "kernels/internal.h"
#include "tensor/blocks.h"
#include "tensor/half.h"
#include "tensor/quantize.h"

namespace olla::kernels {
namespace {

// Rows that exercise the edge cases: ties at .5 (Q8_0 rounds them away from zero, Q8_K to even),
// blocks whose largest magnitude occurs with both signs, all-zero blocks, inf and NaN.
std::vector<float> TestRow(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (auto& v : x) v = dist(rng);
  for (size_t i = 0; i < 32; ++i)
    x[i] = static_cast<float>(static_cast<int>(i) - 16) + 0.5f;  // d = 127/127.
  x[31] = 127.0f;
  for (size_t i = 32; i < 64; ++i) x[i] = 0.0f;
  if (n >= 512) {
    x[256 + 3] = 9.0f;  // the second super-block: max magnitude with both signs
    x[256 + 7] = -9.0f;
  }
  if (n >= 1024) {
    x[600] = std::numeric_limits<float>::infinity();
    x[700] = std::numeric_limits<float>::quiet_NaN();
    for (size_t i = 768; i < 1024; ++i) x[i] = 0.0f;
  }
  return x;
}

template <typename Fn>
void ForEachHighwayTarget(Fn fn) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    fn();
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST(QuantizeActTest, Q8_0AndQ8_1MatchReferenceBytes) {
  ForEachHighwayTarget([] {
    for (uint32_t seed = 0; seed < 4; ++seed) {
      const size_t n = 1024;
      const std::vector<float> x = TestRow(n, seed);
      std::vector<tensor::BlockQ8_0> ref0(n / 32);
      std::vector<tensor::BlockQ8_1> ref1(n / 32);
      tensor::QuantizeRowQ8_0(x.data(), ref0.data(), n);
      tensor::QuantizeRowQ8_1(x.data(), ref1.data(), n);
      std::vector<int8_t> qs(n);
      std::vector<float> d(n / 32), s(n / 32);
      std::vector<int32_t> sum(n / 32);
      internal::QuantizeRowQ8_0(x.data(), n, qs.data(), d.data(), sum.data());
      for (size_t b = 0; b < n / 32; ++b) {
        ASSERT_EQ(std::memcmp(qs.data() + 32 * b, ref0[b].qs, 32), 0) << "block " << b;
        ASSERT_EQ(std::bit_cast<uint32_t>(d[b]),
                  std::bit_cast<uint32_t>(tensor::F16ToF32(ref0[b].d)))
            << b;
        int32_t want = 0;
        for (int j = 0; j < 32; ++j) want += ref0[b].qs[j];
        ASSERT_EQ(sum[b], want);
      }
      internal::QuantizeRowQ8_1(x.data(), n, qs.data(), d.data(), s.data(), sum.data());
      for (size_t b = 0; b < n / 32; ++b) {
        ASSERT_EQ(std::memcmp(qs.data() + 32 * b, ref1[b].qs, 32), 0) << "block " << b;
        ASSERT_EQ(std::bit_cast<uint32_t>(d[b]),
                  std::bit_cast<uint32_t>(tensor::F16ToF32(ref1[b].d)));
        ASSERT_EQ(std::bit_cast<uint32_t>(s[b]),
                  std::bit_cast<uint32_t>(tensor::F16ToF32(ref1[b].s)));
      }
    }
  });
}

TEST(QuantizeActTest, Q8_KMatchesReferenceBytes) {
  ForEachHighwayTarget([] {
    for (uint32_t seed = 0; seed < 4; ++seed) {
      const size_t n = 1024;
      const std::vector<float> x = TestRow(n, seed);
      std::vector<tensor::BlockQ8_K> ref(n / 256);
      tensor::QuantizeRowQ8_K(x.data(), ref.data(), n);
      std::vector<int8_t> qs(n);
      std::vector<float> d(n / 256);
      std::vector<int16_t> bsums(n / 16);
      internal::QuantizeRowQ8_K(x.data(), n, qs.data(), d.data(), bsums.data());
      for (size_t b = 0; b < n / 256; ++b) {
        ASSERT_EQ(std::memcmp(qs.data() + 256 * b, ref[b].qs, 256), 0) << "super-block " << b;
        ASSERT_EQ(std::memcmp(bsums.data() + 16 * b, ref[b].bsums, sizeof(ref[b].bsums)), 0)
            << "super-block " << b;
        ASSERT_EQ(std::memcmp(&d[b], &ref[b].d, 4), 0) << "super-block " << b;
      }
    }
  });
}

TEST(QuantizeActTest, RoundingToF16AndBF16MatchesScalar) {
  std::vector<float> x = {0.0f,
                          -0.0f,
                          1.0f,
                          65504.0f,
                          65520.0f,
                          1e-8f,
                          6.1e-5f,
                          3.0e-5f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          1.0009765625f /* halfway */,
                          3.4e38f};
  std::mt19937 rng(5);
  std::uniform_int_distribution<uint32_t> bits;
  while (x.size() < 4096) {
    const float f = std::bit_cast<float>(bits(rng));
    x.push_back(f);
  }
  ForEachHighwayTarget([&] {
    std::vector<float> y(x.size()), z(x.size());
    internal::RoundRowF16(x.data(), x.size(), y.data());
    internal::RoundRowBF16(x.data(), x.size(), z.data());
    for (size_t i = 0; i < x.size(); ++i) {
      const float want16 = tensor::F16ToF32(tensor::F32ToF16(x[i]));
      const float wantb = tensor::BF16ToF32(tensor::F32ToBF16(x[i]));
      if (std::isnan(want16)) {
        ASSERT_TRUE(std::isnan(y[i])) << x[i];
      } else {
        ASSERT_EQ(std::bit_cast<uint32_t>(y[i]), std::bit_cast<uint32_t>(want16))
            << "F16 of " << x[i];
      }
      ASSERT_EQ(std::bit_cast<uint32_t>(z[i]), std::bit_cast<uint32_t>(wantb))
          << "BF16 of " << x[i];
    }
  });
}

}  // namespace
}  // namespace olla::kernels
