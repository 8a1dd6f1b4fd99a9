#include "sampling/logprobs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace olla::sampling {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(LogprobsTest, LogSoftmaxOfTheSampledTokenAndTopN) {
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(3.0f)};  // p = 1/6, 2/6, 3/6
  const Logprobs lp = ComputeLogprobs(logits, 0, 2);
  EXPECT_EQ(lp.token.id, 0);
  EXPECT_NEAR(lp.token.logprob, std::log(1.0 / 6), 1e-6);
  ASSERT_EQ(lp.top.size(), 2u);
  EXPECT_EQ(lp.top[0].id, 2);
  EXPECT_NEAR(lp.top[0].logprob, std::log(0.5), 1e-6);
  EXPECT_EQ(lp.top[1].id, 1);
  EXPECT_NEAR(lp.top[1].logprob, std::log(2.0 / 6), 1e-6);
}

TEST(LogprobsTest, TopNIsCappedAndOrderedWithTiesByLowerId) {
  const std::vector<float> logits = {1.0f, 3.0f, 1.0f, 3.0f};
  const struct {
    int32_t top_n;
    std::vector<int32_t> want_ids;
  } cases[] = {{0, {}}, {-3, {}}, {1, {1}}, {3, {1, 3, 0}}, {10, {1, 3, 0, 2}}};
  for (const auto& c : cases) {
    const Logprobs lp = ComputeLogprobs(logits, 2, c.top_n);
    std::vector<int32_t> ids;
    for (const TokenLogprob& t : lp.top) ids.push_back(t.id);
    EXPECT_EQ(ids, c.want_ids) << "top_n " << c.top_n;
  }
}

TEST(LogprobsTest, NonFiniteLogits) {
  const std::vector<float> with_neg_inf = {-kInf, 0.0f, 0.0f};
  Logprobs lp = ComputeLogprobs(with_neg_inf, 0, 3);
  EXPECT_EQ(lp.token.logprob, -kInf);
  EXPECT_NEAR(lp.top[0].logprob, std::log(0.5), 1e-6);

  const std::vector<float> with_nan = {std::nanf(""), 0.0f};
  lp = ComputeLogprobs(with_nan, 1, 1);
  EXPECT_NEAR(lp.token.logprob, 0.0, 1e-6);
  EXPECT_EQ(lp.top[0].id, 1);

  const std::vector<float> with_pos_inf = {kInf, 1.0f, kInf};
  lp = ComputeLogprobs(with_pos_inf, 1, 1);
  EXPECT_EQ(lp.token.logprob, -kInf);
  EXPECT_NEAR(lp.top[0].logprob, std::log(0.5), 1e-6);

  const std::vector<float> all_neg_inf = {-kInf, -kInf};
  lp = ComputeLogprobs(all_neg_inf, 0, 1);
  EXPECT_EQ(lp.token.logprob, -kInf);
}

}  // namespace
}  // namespace olla::sampling
