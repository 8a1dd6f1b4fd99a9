#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sampling/stages.h"
#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::LogitValues;
using testing::MakeCandidates;

TEST(PenaltiesTest, AppliesLikeLlamaCpp) {
  const struct {
    std::string name;
    std::vector<float> logits;
    std::vector<int32_t> history;
    int32_t window;
    PenaltyParams params;
    std::vector<float> want;
  } cases[] = {
      // Positive logits are divided, negative multiplied; zero stays zero; unseen untouched.
      {"repeat",
       {2.0f, -1.0f, 0.0f, 3.0f},
       {0, 1, 2},
       64,
       {2.0f, 0.0f, 0.0f},
       {1.0f, -2.0f, 0.0f, 3.0f}},
      // The repeat penalty ignores how often a token occurred.
      {"repeat_count_free", {4.0f, 4.0f}, {0, 0, 0, 1}, 64, {2.0f, 0.0f, 0.0f}, {2.0f, 2.0f}},
      // A penalty < 1 rewards repeats.
      {"repeat_below_one", {2.0f, -2.0f}, {0, 1}, 64, {0.5f, 0.0f, 0.0f}, {4.0f, -1.0f}},
      // frequency: count * f; presence: once per seen token.
      {"frequency_presence",
       {2.0f, -1.0f, 1.0f},
       {0, 0, 1},
       64,
       {1.0f, 0.5f, 0.25f},
       {2.0f - (2 * 0.5f + 0.25f), -1.0f - (0.5f + 0.25f), 1.0f}},
      // All three: repeat first, then subtract.
      {"combined",
       {3.0f, -1.0f},
       {0, 0, 1},
       64,
       {1.5f, 0.5f, 1.0f},
       {3.0f / 1.5f - 2.0f, -1.5f - 1.5f}},
      // Only the last `window` tokens count: token 0 fell out of a window of 2.
      {"window", {2.0f, 2.0f, 2.0f}, {0, 1, 2}, 2, {2.0f, 1.0f, 0.0f}, {2.0f, 0.0f, 0.0f}},
      // Disabled parameters: nothing changes.
      {"disabled", {2.0f, -1.0f}, {0, 1}, 64, {1.0f, 0.0f, 0.0f}, {2.0f, -1.0f}},
      // A zero window remembers nothing.
      {"zero_window", {2.0f, -1.0f}, {0, 1}, 0, {2.0f, 1.0f, 1.0f}, {2.0f, -1.0f}},
      // A non-positive repeat penalty is skipped rather than dividing by zero.
      {"repeat_zero", {2.0f, -1.0f}, {0, 1}, 64, {0.0f, 0.0f, 1.0f}, {1.0f, -2.0f}},
  };
  for (const auto& c : cases) {
    TokenHistory history(c.window, static_cast<int32_t>(c.logits.size()));
    for (int32_t id : c.history) history.Push(id);
    Candidates cands = MakeCandidates(c.logits);
    ApplyPenalties(cands, history, c.params);
    const std::vector<float> got = LogitValues(cands);
    ASSERT_EQ(got.size(), c.want.size()) << c.name;
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_FLOAT_EQ(got[i], c.want[i]) << c.name << " " << i;
  }
}

TEST(PenaltiesTest, WorksOnAnyCandidateOrderAndClearsSorted) {
  TokenHistory history(8, 4);
  history.Push(3);
  Candidates c = MakeCandidates({1.0f, 2.0f, 3.0f, 4.0f});
  SortCandidates(c);  // ids 3, 2, 1, 0
  ApplyPenalties(c, history, {4.0f, 0.0f, 0.0f});
  EXPECT_FALSE(c.sorted);
  EXPECT_EQ(c.data[0].id, 3);
  EXPECT_FLOAT_EQ(c.data[0].logit, 1.0f);
  EXPECT_FLOAT_EQ(c.data[1].logit, 3.0f);
}

TEST(PenaltiesTest, EnabledReflectsNeutralValues) {
  EXPECT_FALSE((PenaltyParams{1.0f, 0.0f, 0.0f}).enabled());
  EXPECT_TRUE((PenaltyParams{1.1f, 0.0f, 0.0f}).enabled());
  EXPECT_TRUE((PenaltyParams{1.0f, 0.1f, 0.0f}).enabled());
  EXPECT_TRUE((PenaltyParams{1.0f, 0.0f, -0.1f}).enabled());
}

}  // namespace
}  // namespace olla::sampling
