#include "kernels/ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kernels/attention.h"
#include "tensor/dequantize.h"
#include "tensor/half.h"
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
  const DType types[] = {DType::kF32,    DType::kF16,  DType::kBF16,   DType::kQ4_0,
                         DType::kQ4_1,   DType::kQ5_0, DType::kQ5_1,   DType::kQ8_0,
                         DType::kIQ4_NL, DType::kQ2_K, DType::kQ3_K,   DType::kQ4_K,
                         DType::kQ5_K,   DType::kQ6_K, DType::kIQ4_XS, DType::kMXFP4};
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

// GetRow dequantizes one row of a supported weight type (an embedding lookup); SupportsWeightType
// covers MXFP4 now that it has a dequantizer and dot traits.
TEST(OpsTest, GetRowDequantizesTheRow) {
  for (DType type : {DType::kQ8_0, DType::kIQ4_NL, DType::kMXFP4}) {
    ASSERT_TRUE(SupportsWeightType(type)) << tensor::Name(type);
    const size_t rows = 6, cols = 64;
    const size_t row_bytes = *tensor::RowBytes(type, cols);
    std::vector<float> w = RandomVector(rows * cols, 8);
    std::vector<uint8_t> wq(rows * row_bytes);
    ASSERT_TRUE(tensor::Quantize(type, w.data(), w.size(), wq.data()).ok());
    std::vector<float> all(rows * cols), row(cols);
    ASSERT_TRUE(tensor::Dequantize(type, wq.data(), all.size(), all.data()).ok());
    const QMatrix m{type, wq.data(), rows, cols, row_bytes};
    for (size_t r = 0; r < rows; ++r) {
      GetRow(m, r, row.data());
      EXPECT_EQ(row, std::vector<float>(all.begin() + r * cols, all.begin() + (r + 1) * cols))
          << tensor::Name(type) << " row " << r;
    }
  }
  EXPECT_FALSE(SupportsWeightType(DType::kIQ2_XXS));
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

// The vectorized SwiGlu against its scalar formula: Highway's exp is within 1 ulp, so a few ulp
// after the division and product; the extremes give 0 and x * up, never NaN.
TEST(OpsTest, SwiGluMatchesScalarFormula) {
  std::vector<float> g, up;
  for (float v = -200.0f; v < 200.0f; v += 0.37f) {
    g.push_back(v);
    up.push_back(0.5f + std::fabs(std::sin(v)));
  }
  std::vector<float> out(g.size());
  SwiGlu(g.data(), up.data(), out.data(), g.size());
  for (size_t i = 0; i < g.size(); ++i) {
    const float want = g[i] / (1.0f + std::exp(-g[i])) * up[i];
    EXPECT_NEAR(out[i], want, 4e-7f * std::fabs(want) + 1e-30f) << g[i];
  }
}

// gpt-oss's clamped SwiGLU: the gate is capped above at the limit, up clamped to ±limit, plus 1.
TEST(OpsTest, SwiGluOaiClampsGateAndUpAsGgml) {
  const float alpha = 1.702f, limit = 7.0f;
  std::vector<float> g = {10.0f, 10.0f, -3.0f, 0.5f, -100.0f, 7.0f};
  std::vector<float> up = {10.0f, -10.0f, 2.0f, -0.25f, 3.0f, -1.0f};
  std::vector<float> out(g.size());
  SwiGluOai(g.data(), up.data(), out.data(), g.size(), alpha, limit);
  auto want = [&](double gate, double u) {
    const double x = std::min<double>(gate, limit), y = std::clamp<double>(u, -limit, limit);
    return x / (1.0 + std::exp(-alpha * x)) * (y + 1.0);
  };
  for (size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(out[i], want(g[i], up[i]), 1e-6 * std::fabs(want(g[i], up[i])) + 1e-30) << i;
  EXPECT_NEAR(out[0], 7.0 / (1.0 + std::exp(-alpha * 7.0)) * 8.0, 1e-5);   // both clamped
  EXPECT_NEAR(out[1], 7.0 / (1.0 + std::exp(-alpha * 7.0)) * -6.0, 1e-5);  // up at -7, + 1
  EXPECT_EQ(out[5], 0.0f);                                                 // up -1: (up + 1) = 0
}

// ggml's CPU GELU: 0 below -10, identity above 10, else an F16 table of the F16-rounded input.
TEST(OpsTest, GeluFollowsGgmlF16Table) {
  std::vector<float> x = {-11.0f, 11.0f, 0.5f, -0.3337f, 2.71828f};
  std::vector<float> y(x);
  GeluInPlace(y.data(), y.size());
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 11.0f);
  for (size_t i = 2; i < x.size(); ++i) {
    const float want =
        tensor::F16ToF32(tensor::F32ToF16(Gelu(tensor::F16ToF32(tensor::F32ToF16(x[i])))));
    EXPECT_EQ(y[i], want) << x[i];
    EXPECT_NEAR(y[i], Gelu(x[i]), 2e-3 * std::fabs(Gelu(x[i])) + 1e-4) << x[i];
  }
  std::vector<float> up(x.size(), 2.0f), out(x.size());
  GeGlu(x.data(), up.data(), out.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(out[i], 2.0f * y[i]);
}

TEST(OpsTest, SoftcapBoundsLogits) {
  std::vector<float> x = {0.0f, 1e-3f, 30.0f, -1000.0f};
  SoftcapInPlace(x.data(), x.size(), 30.0f);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_NEAR(x[1], 1e-3f, 1e-9);
  EXPECT_NEAR(x[2], 30.0f * std::tanh(1.0f), 1e-5);
  EXPECT_NEAR(x[3], -30.0f, 1e-5);
}

// A non-causal query sees every key, so it equals a causal query placed after all of them; a
// window hides keys at distance >= window from the query (on both sides when non-causal).
TEST(OpsTest, AttentionCausalityAndWindow) {
  const size_t n_kv = 5, head_dim = 4;
  std::vector<float> k = RandomVector(n_kv * head_dim, 3), v = RandomVector(n_kv * head_dim, 4);
  std::vector<float> q = RandomVector(head_dim, 5);
  KvView kv{.type = DType::kF32,
            .k = reinterpret_cast<const uint8_t*>(k.data()),
            .v = reinterpret_cast<const uint8_t*>(v.data()),
            .n_kv = n_kv};
  AttentionParams p{
      .n_head = 1, .n_head_kv = 1, .head_dim = head_dim, .head_dim_v = head_dim, .scale = 0.5f};
  ThreadPool pool(1);
  std::vector<float> causal_last(head_dim), non_causal(head_dim), causal_first(head_dim);
  const int32_t last = n_kv - 1, first = 0;
  Attention(q.data(), 1, &last, kv, p, causal_last.data(), pool);
  Attention(q.data(), 1, &first, kv, p, causal_first.data(), pool);
  p.causal = false;
  Attention(q.data(), 1, &first, kv, p, non_causal.data(), pool);
  EXPECT_EQ(non_causal, causal_last);
  for (size_t d = 0; d < head_dim; ++d) EXPECT_EQ(causal_first[d], v[d]);  // only key 0 visible

  // Window 1 at the last position: only the key at that position remains.
  p.causal = true;
  p.window = 1;
  std::vector<float> windowed(head_dim);
  Attention(q.data(), 1, &last, kv, p, windowed.data(), pool);
  for (size_t d = 0; d < head_dim; ++d) EXPECT_FLOAT_EQ(windowed[d], v[last * head_dim + d]);

  // Non-causal, the window is symmetric: keys after the query count their distance too, so
  // window 1 at position 0 leaves key 0 alone (without the window it saw all five).
  p.causal = false;
  Attention(q.data(), 1, &first, kv, p, windowed.data(), pool);
  for (size_t d = 0; d < head_dim; ++d) EXPECT_FLOAT_EQ(windowed[d], v[d]);
}

}  // namespace
}  // namespace olla::kernels
