// The mixture-of-experts FFN on hand-built weights: the gating rules, and that experts no token
// chose are never read (a NaN in them cannot reach the output).

#include "engine/moe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace olla::engine {
namespace {

ModelConfig MoeConfig(ExpertGating gating, bool norm) {
  ModelConfig c;
  c.n_embd = 2;
  c.n_expert = 4;
  c.n_expert_used = 2;
  c.n_ff_exp = 2;
  c.expert_gating = gating;
  c.expert_weights_norm = norm;
  return c;
}

TEST(MoeTest, SoftmaxGatingTakesTheTopKProbabilitiesAndRenormalizes) {
  ModelConfig c = MoeConfig(ExpertGating::kSoftmax, /*norm=*/false);
  float logits[4] = {0.0f, 2.0f, 1.0f, 3.0f};
  int32_t chosen[2];
  float weight[2];
  RouteToken(c, logits, chosen, weight);
  const double s = std::exp(0.0) + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_EQ(chosen[0], 3);
  EXPECT_EQ(chosen[1], 1);
  EXPECT_NEAR(weight[0], std::exp(3.0) / s, 1e-6);  // probabilities over all four experts
  EXPECT_NEAR(weight[1], std::exp(2.0) / s, 1e-6);

  c.expert_weights_norm = true;
  float logits2[4] = {0.0f, 2.0f, 1.0f, 3.0f};
  RouteToken(c, logits2, chosen, weight);
  EXPECT_NEAR(weight[0], std::exp(3.0) / (std::exp(3.0) + std::exp(2.0)), 1e-6);
  EXPECT_NEAR(weight[0] + weight[1], 1.0, 1e-6);
}

TEST(MoeTest, TopKSoftmaxGatingSoftmaxesOnlyTheChosenLogits) {
  ModelConfig c = MoeConfig(ExpertGating::kSoftmaxTopK, /*norm=*/false);
  float logits[4] = {5.0f, -1.0f, 4.0f, 4.5f};
  int32_t chosen[2];
  float weight[2];
  RouteToken(c, logits, chosen, weight);
  EXPECT_EQ(chosen[0], 0);
  EXPECT_EQ(chosen[1], 3);
  EXPECT_NEAR(weight[0], 1.0 / (1.0 + std::exp(-0.5)), 1e-6);
  EXPECT_NEAR(weight[1], 1.0 / (1.0 + std::exp(0.5)), 1e-6);
}

TEST(MoeTest, TiesGoToTheLowerExpert) {
  ModelConfig c = MoeConfig(ExpertGating::kSoftmax, /*norm=*/true);
  float logits[4] = {1.0f, 1.0f, 1.0f, 1.0f};
  int32_t chosen[2];
  float weight[2];
  RouteToken(c, logits, chosen, weight);
  EXPECT_EQ(chosen[0], 0);
  EXPECT_EQ(chosen[1], 1);
  EXPECT_FLOAT_EQ(weight[0], 0.5f);
}

// An F32 matrix view of `v` ([rows, cols]).
kernels::QMatrix F32Matrix(const std::vector<float>& v, size_t rows, size_t cols) {
  kernels::QMatrix m;
  m.type = tensor::DType::kF32;
  m.data = reinterpret_cast<const uint8_t*>(v.data());
  m.n_rows = rows;
  m.n_cols = cols;
  m.row_bytes = cols * sizeof(float);
  return m;
}

TEST(MoeTest, OnlyChosenExpertsAreReadAndTheirOutputsAreWeighted) {
  ModelConfig c = MoeConfig(ExpertGating::kSoftmax, /*norm=*/true);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Router: expert e's logit is x · router[e]; token (1, 0) picks experts 0 and 2.
  std::vector<float> router = {4, 0, -4, 0, 2, 0, -8, 0};
  // Expert e: gate = up = identity * (e + 1), down = identity. Experts 1 and 3 are NaN.
  std::vector<std::vector<float>> gate(4), down(4);
  LayerWeights lw;
  lw.ffn_gate_inp = F32Matrix(router, 4, 2);
  for (size_t e = 0; e < 4; ++e) {
    const float v = (e == 1 || e == 3) ? nan : static_cast<float>(e + 1);
    gate[e] = {v, 0, 0, v};
    down[e] = {(e == 1 || e == 3) ? nan : 1.0f, 0, 0, (e == 1 || e == 3) ? nan : 1.0f};
  }
  for (size_t e = 0; e < 4; ++e) {
    lw.gate_exps.push_back(F32Matrix(gate[e], 2, 2));
    lw.up_exps.push_back(F32Matrix(gate[e], 2, 2));
    lw.down_exps.push_back(F32Matrix(down[e], 2, 2));
  }
  MoeScratch s;
  s.ResizeFor(c, 1);
  ThreadPool pool(1);
  std::vector<float> x = {1.0f, 0.0f}, out(2);
  MoeFfn(c, lw, x.data(), 1, out.data(), s, pool);
  // Weights: softmax of logits 4 and 2 among the chosen two.
  const double w0 = 1.0 / (1.0 + std::exp(-2.0)), w2 = 1.0 - w0;
  auto silu = [](double g) { return g / (1.0 + std::exp(-g)); };
  const double want = w0 * silu(1.0) * 1.0 + w2 * silu(3.0) * 3.0;
  EXPECT_NEAR(out[0], want, 1e-5);
  EXPECT_EQ(out[1], 0.0f);
}

}  // namespace
}  // namespace olla::engine
