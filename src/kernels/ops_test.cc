#include "kernels/ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tensor/dequantize.h"
#include "tensor/quantize.h"

namespace olla::kernels {
namespace {

using tensor::DType;

std::vector<float> RandomVector(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// A quantized dot product must equal the exact dot of the *dequantized* operands (the weights as
// stored and the activations as quantized) up to float rounding: the integer sums are exact.
TEST(OpsTest, QuantizedDotEqualsDotOfDequantizedOperands) {
  const DType types[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ4_0, DType::kQ4_1,
                         DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kIQ4_NL, DType::kQ2_K,
                         DType::kQ3_K, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K, DType::kIQ4_XS};
  const size_t n = 512;
  for (DType type : types) {
    const DotTraits* traits = FindDotTraits(type);
    ASSERT_NE(traits, nullptr) << tensor::Name(type);
    std::vector<float> w = RandomVector(n, 1), a = RandomVector(n, 2);
    std::vector<uint8_t> wq(*tensor::RowBytes(type, n)), aq(*tensor::RowBytes(traits->act_type, n));
    ASSERT_TRUE(tensor::Quantize(type, w.data(), n, wq.data()).ok()) << tensor::Name(type);
    ASSERT_TRUE(tensor::Quantize(traits->act_type, a.data(), n, aq.data()).ok());
    std::vector<float> wd(n), ad(n);
    ASSERT_TRUE(tensor::Dequantize(type, wq.data(), n, wd.data()).ok());
    ASSERT_TRUE(tensor::Dequantize(traits->act_type, aq.data(), n, ad.data()).ok());
    double exact = 0, abs_sum = 0;
    for (size_t i = 0; i < n; ++i) {
      exact += static_cast<double>(wd[i]) * ad[i];
      abs_sum += std::fabs(static_cast<double>(wd[i]) * ad[i]);
    }
    const float got = traits->dot(n, wq.data(), aq.data());
    // Budget: float rounding of per-block products and fp16 block sums (Q8_1's s is fp16).
    EXPECT_NEAR(got, exact, 2e-3 * abs_sum) << tensor::Name(type);
  }
}

TEST(OpsTest, MatMulIsIndependentOfThreadCount) {
  const size_t rows = 37, cols = 256, n_tok = 5;
  std::vector<float> w = RandomVector(rows * cols, 3), x = RandomVector(n_tok * cols, 4);
  std::vector<uint8_t> wq(*tensor::RowBytes(DType::kQ4_K, cols) * rows);
  ASSERT_TRUE(tensor::Quantize(DType::kQ4_K, w.data(), w.size(), wq.data()).ok());
  QMatrix m{DType::kQ4_K, wq.data(), rows, cols, *tensor::RowBytes(DType::kQ4_K, cols)};
  std::vector<float> y1(n_tok * rows), y3(n_tok * rows);
  ThreadPool p1(1), p3(3);
  MatMul(m, x.data(), n_tok, y1.data(), p1);
  MatMul(m, x.data(), n_tok, y3.data(), p3);
  EXPECT_EQ(y1, y3);
}

TEST(OpsTest, RmsNormAndSoftmax) {
  std::vector<float> x = {1, 2, 3, 4}, y(4), w = {1, 1, 2, 2};
  RmsNorm(x.data(), w.data(), 1, 4, 0.0f, y.data());
  const float rms = std::sqrt(7.5f);
  EXPECT_FLOAT_EQ(y[0], 1 / rms);
  EXPECT_FLOAT_EQ(y[3], 8 / rms);
  std::vector<float> s = {0, std::log(3.0f), -INFINITY};
  SoftmaxInPlace(s.data(), 3);
  EXPECT_FLOAT_EQ(s[0], 0.25f);
  EXPECT_FLOAT_EQ(s[1], 0.75f);
  EXPECT_EQ(s[2], 0.0f);
}

TEST(OpsTest, RopeRotatesPairsByPositionAngle) {
  // One head of dim 4 at position 1 with base 100: pair 0 turns by 1 rad, pair 1 by 0.1 rad.
  std::vector<float> x = {1, 0, 1, 0};
  int32_t pos = 1;
  RopeParams p{RopeStyle::kNormal, 4, 100.0f, 1.0f, nullptr};
  Rope(x.data(), 1, 1, 4, &pos, p);
  EXPECT_NEAR(x[0], std::cos(1.0f), 1e-6);
  EXPECT_NEAR(x[1], std::sin(1.0f), 1e-6);
  EXPECT_NEAR(x[2], std::cos(0.1f), 1e-6);
  EXPECT_NEAR(x[3], std::sin(0.1f), 1e-6);
  std::vector<float> y = {1, 1, 0, 0};
  p.style = RopeStyle::kNeox;
  Rope(y.data(), 1, 1, 4, &pos, p);  // pairs (0,2) and (1,3)
  EXPECT_NEAR(y[0], std::cos(1.0f), 1e-6);
  EXPECT_NEAR(y[2], std::sin(1.0f), 1e-6);
  EXPECT_NEAR(y[3], std::sin(0.1f), 1e-6);
}

}  // namespace
}  // namespace olla::kernels
