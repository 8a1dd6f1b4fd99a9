#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::SoftmaxOf;

// Options with every truncation disabled: the draw follows softmax(logits / temperature).
SamplerOptions Plain(float temperature, int64_t seed) {
  SamplerOptions o;
  o.temperature = temperature;
  o.top_k = 0;
  o.top_p = 1.0f;
  o.min_p = 0.0f;
  o.typical_p = 1.0f;
  o.repeat_penalty = 1.0f;
  o.seed = seed;
  return o;
}

std::vector<double> Frequencies(Sampler& s, const std::vector<float>& logits, int draws) {
  std::vector<double> freq(logits.size(), 0.0);
  for (int i = 0; i < draws; ++i) {
    const int32_t tok = s.Sample(logits);
    EXPECT_GE(tok, 0);
    if (tok >= 0) freq[static_cast<size_t>(tok)] += 1.0 / draws;
  }
  return freq;
}

TEST(SamplerOptionsTest, DefaultsFollowTheSpec) {
  // ollama-surface.md §3.19.
  const SamplerOptions o;
  EXPECT_EQ(o.temperature, 0.8f);
  EXPECT_EQ(o.top_k, 40);
  EXPECT_EQ(o.top_p, 0.9f);
  EXPECT_EQ(o.min_p, 0.0f);
  EXPECT_EQ(o.typical_p, 1.0f);
  EXPECT_EQ(o.repeat_penalty, 1.0f);
  EXPECT_EQ(o.repeat_last_n, 64);
  EXPECT_EQ(o.presence_penalty, 0.0f);
  EXPECT_EQ(o.frequency_penalty, 0.0f);
  EXPECT_EQ(o.seed, -1);
}

TEST(SamplerTest, PenaltyWindowResolvesRepeatLastN) {
  const struct {
    int32_t repeat_last_n, n_ctx, want;
  } cases[] = {{64, 4096, 64}, {0, 4096, 0},  {-1, 4096, 4096},
               {-1, 0, 0},     {-2, 4096, 0}, {5000, 4096, 5000}};
  for (const auto& c : cases) {
    EXPECT_EQ(PenaltyWindow(c.repeat_last_n, c.n_ctx), c.want) << c.repeat_last_n << " " << c.n_ctx;
  }
}

TEST(SamplerTest, GreedyWhenTemperatureIsZeroOrLess) {
  const struct {
    std::vector<float> logits;
    int32_t want;
  } cases[] = {
      {{0.1f, 0.9f, 0.5f}, 1},
      {{2.0f, 2.0f, 1.0f}, 0},  // first index on ties
      {{-3.0f, -2.0f, -2.5f}, 1},
  };
  for (float t : {0.0f, -0.5f}) {
    for (const auto& c : cases) {
      SamplerOptions o;  // defaults, including top_k/top_p: they cannot change the argmax
      o.temperature = t;
      Sampler s(o, static_cast<int32_t>(c.logits.size()), 128);
      for (int i = 0; i < 20; ++i) EXPECT_EQ(s.Sample(c.logits), c.want);
    }
  }
}

TEST(SamplerTest, GreedyIgnoresTypicalP) {
  // Typical sampling would drop the most likely token here (see TypicalPTest); greedy is argmax.
  SamplerOptions o;
  o.temperature = 0.0f;
  o.typical_p = 0.2f;
  Sampler s(o, 4, 128);
  EXPECT_EQ(s.Sample(testing::LogitsOf({0.5, 0.25, 0.125, 0.125})), 0);
}

TEST(SamplerTest, GreedyHonoursPenalties) {
  SamplerOptions o;
  o.temperature = 0.0f;
  o.repeat_penalty = 2.0f;
  Sampler s(o, 3, 128);
  const std::vector<float> logits = {3.0f, 2.0f, 1.0f};
  EXPECT_EQ(s.Sample(logits), 0);
  s.Accept(0);  // 3 / 2 = 1.5 < 2
  EXPECT_EQ(s.Sample(logits), 1);
  s.Accept(1);  // 1.5 vs 1.0 vs 1
  EXPECT_EQ(s.Sample(logits), 0);
  s.Reset();
  EXPECT_EQ(s.Sample(logits), 0);
}

TEST(SamplerTest, PenaltyWindowForgetsOldTokens) {
  SamplerOptions o;
  o.temperature = 0.0f;
  o.repeat_penalty = 10.0f;
  o.repeat_last_n = 2;
  Sampler s(o, 4, 128);
  const std::vector<float> logits = {3.0f, 2.0f, 1.0f, 0.5f};
  const std::vector<int32_t> prompt = {0, 1};
  s.Accept(prompt);
  EXPECT_EQ(s.Sample(logits), 2);
  s.Accept(3);  // window now {1, 3}: token 0 is no longer penalised
  EXPECT_EQ(s.Sample(logits), 0);
}

TEST(SamplerTest, RepeatLastNMinusOneUsesContextLength) {
  SamplerOptions o;
  o.temperature = 0.0f;
  o.repeat_penalty = 10.0f;
  o.repeat_last_n = -1;
  Sampler s(o, 3, /*n_ctx=*/100);
  s.Accept(0);
  for (int i = 0; i < 98; ++i) s.Accept(2);  // 99 tokens: still inside a 100-token window
  EXPECT_EQ(s.Sample(std::vector<float>{3.0f, 1.0f, -1.0f}), 1);
  s.Accept(2);
  s.Accept(2);  // token 0 is now 101 tokens back
  EXPECT_EQ(s.Sample(std::vector<float>{3.0f, 1.0f, -1.0f}), 0);
}

TEST(SamplerTest, AcceptIgnoresOutOfRangeTokens) {
  SamplerOptions o;
  o.temperature = 0.0f;
  o.repeat_penalty = 2.0f;
  Sampler s(o, 3, 128);
  s.Accept(-7);
  s.Accept(1 << 30);
  EXPECT_EQ(s.Sample(std::vector<float>{1.0f, 2.0f, 0.0f}), 1);
}

TEST(SamplerTest, SameSeedSameSequence) {
  const std::vector<float> logits = {0.5f, 1.5f, 1.0f, 0.2f, 1.2f, -0.3f, 0.9f, 1.1f};
  SamplerOptions o;  // the default chain: top_k 40, top_p 0.9, temperature 0.8
  o.seed = 1234;
  Sampler a(o, 8, 128), b(o, 8, 128);
  o.seed = 1235;
  Sampler c(o, 8, 128);
  std::vector<int32_t> sa, sb, sc;
  for (int i = 0; i < 1000; ++i) {
    sa.push_back(a.Sample(logits));
    sb.push_back(b.Sample(logits));
    sc.push_back(c.Sample(logits));
  }
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
  EXPECT_EQ(a.seed(), 1234u);
  // Reset() replays a fixed seed.
  a.Reset();
  std::vector<int32_t> again;
  for (int i = 0; i < 1000; ++i) again.push_back(a.Sample(logits));
  EXPECT_EQ(again, sa);
}

TEST(SamplerTest, RandomSeedIsDrawnPerSampler) {
  SamplerOptions o;
  o.seed = kRandomSeed;
  Sampler a(o, 4, 128), b(o, 4, 128);
  EXPECT_NE(a.seed(), b.seed());
}

TEST(SamplerTest, EmpiricalDistributionMatchesSoftmax) {
  // 100k draws; each frequency has standard error <= 0.0016, tolerance 0.008 is 5 sigma.
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f, 0.5f, -1.0f, 2.5f};
  for (float t : {1.0f, 0.5f, 1.7f}) {
    Sampler s(Plain(t, 42), 6, 128);
    const std::vector<double> got = Frequencies(s, logits, 100000);
    const std::vector<double> want = SoftmaxOf(logits, t);
    for (size_t i = 0; i < logits.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 0.008) << "T=" << t << " token " << i;
  }
}

TEST(SamplerTest, TopKRestrictsTheDraw) {
  SamplerOptions o = Plain(1.0f, 9);
  o.top_k = 2;
  Sampler s(o, 4, 128);
  const std::vector<float> logits = {0.0f, 1.0f, std::log(3.0f) + 1.0f, -1.0f};  // 2 is 3x 1
  const std::vector<double> got = Frequencies(s, logits, 40000);
  EXPECT_EQ(got[0], 0.0);
  EXPECT_EQ(got[3], 0.0);
  EXPECT_NEAR(got[2], 0.75, 0.01);
}

TEST(SamplerTest, TemperatureAppliesAfterTruncation) {
  // p = 0.5, 0.3, 0.2. top_p 0.75 at temperature 1 keeps {0, 1}. Had temperature 2 come first,
  // the flatter distribution (0.41, 0.32, 0.26) would need all three tokens to reach 0.75.
  SamplerOptions o = Plain(2.0f, 3);
  o.top_p = 0.75f;
  Sampler s(o, 3, 128);
  const std::vector<float> logits = testing::LogitsOf({0.5, 0.3, 0.2});
  const std::vector<double> got = Frequencies(s, logits, 40000);
  EXPECT_EQ(got[2], 0.0);
  // Among the survivors, temperature 2 gives weights sqrt(0.5) : sqrt(0.3).
  EXPECT_NEAR(got[0], std::sqrt(0.5) / (std::sqrt(0.5) + std::sqrt(0.3)), 0.01);
}

TEST(SamplerTest, MinPAndTypicalPTakePartInTheChain) {
  const std::vector<float> logits = testing::LogitsOf({0.1, 0.4, 0.2, 0.3});
  SamplerOptions o = Plain(1.0f, 11);
  o.min_p = 0.6f;  // keeps 1 and 3
  Sampler s(o, 4, 128);
  std::vector<double> got = Frequencies(s, logits, 20000);
  EXPECT_EQ(got[0] + got[2], 0.0);
  EXPECT_NEAR(got[1], 0.4 / 0.7, 0.015);

  o = Plain(1.0f, 11);
  o.typical_p = 0.2f;  // keeps only token 1 of 0.5/0.25/0.125/0.125
  Sampler t(o, 4, 128);
  got = Frequencies(t, testing::LogitsOf({0.5, 0.25, 0.125, 0.125}), 1000);
  EXPECT_NEAR(got[1], 1.0, 1e-9);
}

TEST(SamplerTest, MaskForbidsTokens) {
  const std::vector<float> logits = {1.0f, 5.0f, 2.0f, 0.0f};
  const std::vector<uint8_t> allowed = {1, 0, 1, 0};
  SamplerOptions greedy;
  greedy.temperature = 0.0f;
  Sampler g(greedy, 4, 128);
  EXPECT_EQ(g.Sample(logits, allowed), 2);
  EXPECT_EQ(g.Sample(logits), 1);  // the mask applies per call

  Sampler s(Plain(1.0f, 5), 4, 128);
  for (int i = 0; i < 2000; ++i) {
    const int32_t tok = s.Sample(logits, allowed);
    ASSERT_TRUE(tok == 0 || tok == 2) << tok;
  }
}

TEST(SamplerTest, NoTokenWhenEverythingIsForbidden) {
  const std::vector<float> logits = {1.0f, 2.0f};
  const float kNegInf = -std::numeric_limits<float>::infinity();
  for (float t : {0.0f, 0.8f}) {
    SamplerOptions o;
    o.temperature = t;
    Sampler s(o, 2, 128);
    EXPECT_EQ(s.Sample(logits, std::vector<uint8_t>{0, 0}), kNoToken);
    EXPECT_EQ(s.Sample(std::vector<float>{kNegInf, kNegInf}), kNoToken);
    EXPECT_EQ(s.Sample(std::vector<float>{kNegInf, 0.0f}), 1);
  }
}

TEST(SamplerTest, DefaultChainOnLargeVocabulary) {
  // A 32k vocabulary with one clear winner: the default chain draws from the top 40 only.
  constexpr int32_t kVocab = 32000;
  std::vector<float> logits(kVocab);
  for (int32_t i = 0; i < kVocab; ++i)
    logits[static_cast<size_t>(i)] = std::sin(0.37f * static_cast<float>(i));
  logits[12345] = 12.0f;
  SamplerOptions o;
  o.seed = 8;
  Sampler s(o, kVocab, 4096);
  int winner = 0;
  for (int i = 0; i < 200; ++i) winner += s.Sample(logits) == 12345;
  EXPECT_EQ(winner, 200);  // after top_k 40 the winner has p > 0.99, so top_p 0.9 keeps it alone
}

}  // namespace
}  // namespace olla::sampling
