#include "base/checked_math.h"

#include <gtest/gtest.h>

#include <limits>

namespace olla {
namespace {

constexpr size_t kMax = std::numeric_limits<size_t>::max();

TEST(CheckedMathTest, MultipliesWhatFits) {
  EXPECT_EQ(CheckedMul(0, kMax), 0u);
  EXPECT_EQ(CheckedMul(1u << 20, 1u << 20), size_t{1} << 40);
  EXPECT_EQ(CheckedMul(kMax, 1), kMax);
}

TEST(CheckedMathTest, RefusesOverflow) {
  // The KV cache of a crafted model: 2^58 positions times a few layers and row bytes.
  EXPECT_FALSE(CheckedMul(size_t{1} << 58, 64).has_value());
  EXPECT_FALSE(CheckedMul(kMax, 2).has_value());
  EXPECT_FALSE(CheckedAdd(kMax, 1).has_value());
  EXPECT_EQ(CheckedAdd(kMax - 1, 1), kMax);
}

TEST(CheckedMathTest, ProductOfManyFactors) {
  EXPECT_EQ(CheckedProduct({2, 3, 7}), 42u);
  EXPECT_EQ(CheckedProduct({}), 1u);
  EXPECT_FALSE(CheckedProduct({size_t{1} << 40, size_t{1} << 20, 16}).has_value());
  // Checked step by step: a zero factor after an overflowing pair does not hide the overflow.
  EXPECT_EQ(CheckedProduct({0, size_t{1} << 40, size_t{1} << 40}), 0u);
  EXPECT_FALSE(CheckedProduct({size_t{1} << 40, size_t{1} << 40, 0}).has_value());
}

}  // namespace
}  // namespace olla
