#include <gtest/gtest.h>

#include <vector>

#include "sampling/stages.h"
#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::MakeCandidates;
using testing::SoftmaxOf;

TEST(DrawTest, SingleCandidateAlwaysDrawn) {
  Pcg32 rng(1);
  for (int i = 0; i < 100; ++i) {
    Candidates c = MakeCandidates({-2.0f});
    EXPECT_EQ(Draw(c, rng), 0);
  }
}

TEST(DrawTest, EmptyGivesMinusOne) {
  Pcg32 rng(1);
  Candidates c;
  EXPECT_EQ(Draw(c, rng), -1);
}

TEST(DrawTest, NeverDrawsUnderflowedTokens) {
  Pcg32 rng(5);
  for (int i = 0; i < 2000; ++i) {
    Candidates c = MakeCandidates({0.0f, -500.0f, 0.5f});
    EXPECT_NE(Draw(c, rng), 1);
  }
}

TEST(DrawTest, EmpiricalFrequenciesMatchSoftmax) {
  // 200k draws: the standard error of each frequency is at most sqrt(0.25 / 2e5) ~ 0.0011, so
  // a tolerance of 0.005 is > 4 sigma. The seed is fixed, so the test is deterministic anyway.
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f, 0.5f, -1.0f};
  const std::vector<double> want = SoftmaxOf(logits);
  constexpr int kDraws = 200000;
  Pcg32 rng(2024);
  Candidates c;
  std::vector<int> counts(logits.size(), 0);
  for (int i = 0; i < kDraws; ++i) {
    FillCandidates(logits, {}, c);
    ++counts[static_cast<size_t>(Draw(c, rng))];
  }
  for (size_t i = 0; i < logits.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(counts[i]) / kDraws, want[i], 0.005) << "token " << i;
  }
}

TEST(DrawTest, SameSeedSameDraws) {
  const std::vector<float> logits = {0.3f, 0.1f, 0.2f, 0.0f};
  Pcg32 a(77), b(77);
  Candidates ca, cb;
  for (int i = 0; i < 1000; ++i) {
    FillCandidates(logits, {}, ca);
    FillCandidates(logits, {}, cb);
    ASSERT_EQ(Draw(ca, a), Draw(cb, b)) << i;
  }
}

}  // namespace
}  // namespace olla::sampling
