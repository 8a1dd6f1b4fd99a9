// Sampler::Sample with a TokenConstraint: the unconstrained choice is checked first, the full
// mask is computed only when it is refused, and a refused token is never returned.

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

#include "sampling/sampler.h"

namespace olla::sampling {
namespace {

// Allows the tokens in `allowed`; counts the calls.
class SetConstraint : public TokenConstraint {
 public:
  SetConstraint(std::set<int32_t> allowed, size_t n_vocab)
      : allowed_(std::move(allowed)), n_vocab_(n_vocab) {}
  bool Allows(int32_t token) override {
    ++allows_calls;
    return allowed_.count(token) > 0;
  }
  void FillMask(std::vector<uint8_t>& mask) override {
    ++mask_calls;
    mask.assign(n_vocab_, 0);
    for (int32_t t : allowed_) mask[static_cast<size_t>(t)] = 1;
  }
  int allows_calls = 0, mask_calls = 0;

 private:
  std::set<int32_t> allowed_;
  size_t n_vocab_;
};

SamplerOptions Greedy() {
  SamplerOptions o;
  o.temperature = 0.0f;
  o.seed = 1;
  return o;
}

TEST(ConstraintTest, AllowedGreedyChoiceSkipsTheMask) {
  const std::vector<float> logits = {0.1f, 3.0f, 0.5f, 2.0f};
  Sampler s(Greedy(), 4, 64);
  SetConstraint c({1, 2}, 4);
  EXPECT_EQ(s.Sample(logits, c), 1);
  EXPECT_EQ(c.allows_calls, 1);
  EXPECT_EQ(c.mask_calls, 0);
  EXPECT_EQ(s.full_masks(), 0u);
}

TEST(ConstraintTest, RefusedGreedyChoiceFallsBackToTheBestAllowed) {
  const std::vector<float> logits = {0.1f, 3.0f, 0.5f, 2.0f};
  Sampler s(Greedy(), 4, 64);
  SetConstraint c({0, 2}, 4);
  EXPECT_EQ(s.Sample(logits, c), 2);  // 1 and 3 are better but refused
  EXPECT_EQ(c.mask_calls, 1);
  EXPECT_EQ(s.full_masks(), 1u);
}

TEST(ConstraintTest, NothingAllowedGivesNoToken) {
  const std::vector<float> logits = {0.1f, 3.0f, 0.5f};
  Sampler s(Greedy(), 3, 64);
  SetConstraint c({}, 3);
  EXPECT_EQ(s.Sample(logits, c), kNoToken);
  // An allowed token whose logit is -inf does not count either.
  const std::vector<float> dead = {0.1f, -INFINITY, 0.5f};
  SetConstraint only1({1}, 3);
  EXPECT_EQ(s.Sample(dead, only1), kNoToken);
}

TEST(ConstraintTest, RandomSamplingNeverReturnsARefusedToken) {
  SamplerOptions o;
  o.temperature = 1.5f;
  o.top_k = 0;
  o.top_p = 1.0f;
  o.seed = 42;
  const std::vector<float> logits = {2.0f, 1.0f, 0.0f, -1.0f, 1.5f, 0.5f};
  Sampler s(o, 6, 64);
  SetConstraint c({2, 3, 5}, 6);
  std::set<int32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const int32_t t = s.Sample(logits, c);
    ASSERT_TRUE(t == 2 || t == 3 || t == 5) << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 3u);     // every allowed token is reachable
  EXPECT_LT(c.mask_calls, 2000);  // allowed first draws skipped the mask
  EXPECT_GT(c.mask_calls, 0);
  EXPECT_EQ(static_cast<size_t>(c.mask_calls), s.full_masks());
}

TEST(ConstraintTest, TopKDoesNotHideTheAllowedTokens) {
  // The allowed token is outside the unconstrained top-k: the masked rerun still finds it.
  SamplerOptions o;
  o.temperature = 0.8f;
  o.top_k = 2;
  o.seed = 7;
  const std::vector<float> logits = {5.0f, 4.0f, -3.0f, 0.0f};
  Sampler s(o, 4, 64);
  SetConstraint c({2}, 4);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(s.Sample(logits, c), 2);
}

}  // namespace
}  // namespace olla::sampling
