// top_k, top_p, min_p and typical_p on hand-made distributions with exact survivors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "sampling/stages.h"
#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::Ids;
using testing::LogitsOf;
using testing::MakeCandidates;

TEST(TopKTest, KeepsTheKBestSorted) {
  const struct {
    std::vector<float> logits;
    int32_t k;
    std::vector<int32_t> want;
    bool want_sorted;
  } cases[] = {
      {{1, 4, 2, 3}, 2, {1, 3}, true},
      {{1, 4, 2, 3}, 1, {1}, true},
      {{1, 4, 2, 3}, 4, {1, 3, 2, 0}, true},
      {{1, 4, 2, 3}, 10, {1, 3, 2, 0}, true},  // k > size: sort only
      {{1, 4, 2, 3}, 0, {0, 1, 2, 3}, false},  // disabled
      {{1, 4, 2, 3}, -1, {0, 1, 2, 3}, false},
      {{1, 1, 1}, 2, {0, 1}, true},  // ties: lower id first
      {{}, 3, {}, true},
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(c.logits);
    TopK(cands, c.k);
    EXPECT_EQ(Ids(cands), c.want) << "k=" << c.k;
    EXPECT_EQ(cands.sorted, c.want_sorted) << "k=" << c.k;
  }
}

// Probabilities 0.1, 0.4, 0.2, 0.3 for ids 0..3; sorted: 1 (0.4), 3 (0.3), 2 (0.2), 0 (0.1).
const std::vector<double> kProbs = {0.1, 0.4, 0.2, 0.3};

TEST(TopPTest, KeepsTheSmallestPrefixReachingP) {
  const struct {
    float p;
    std::vector<int32_t> want;
  } cases[] = {
      {0.35f, {1}},                        // 0.4 >= 0.35
      {0.65f, {1, 3}},                     // 0.7 >= 0.65
      {0.75f, {1, 3, 2}},                  // 0.9 >= 0.75
      {0.95f, {1, 3, 2, 0}}, {0.0f, {1}},  // always keeps one
      {1.0f, {0, 1, 2, 3}},                // disabled: untouched, unsorted
      {1.5f, {0, 1, 2, 3}},
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(LogitsOf(kProbs));
    TopP(cands, c.p);
    EXPECT_EQ(Ids(cands), c.want) << "p=" << c.p;
  }
}

TEST(TopPTest, FillsProbabilitiesOfTheFullSet) {
  Candidates cands = MakeCandidates(LogitsOf(kProbs));
  TopP(cands, 0.65f);
  ASSERT_EQ(cands.size(), 2u);
  EXPECT_NEAR(cands.data[0].p, 0.4, 1e-6);
  EXPECT_NEAR(cands.data[1].p, 0.3, 1e-6);
  EXPECT_TRUE(cands.sorted);
}

TEST(MinPTest, KeepsTokensAtLeastPTimesTheBest) {
  const struct {
    float p;
    std::vector<int32_t> want;  // relative order kept (id order here)
  } cases[] = {
      {0.6f, {1, 3}},                      // threshold 0.24
      {0.26f, {1, 2, 3}},                  // threshold 0.104
      {0.2f, {0, 1, 2, 3}},                // threshold 0.08
      {0.9f, {1}},                         // threshold 0.36
      {0.0f, {0, 1, 2, 3}},                // disabled
      {-1.0f, {0, 1, 2, 3}}, {2.0f, {1}},  // nothing qualifies: keep the best alone
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(LogitsOf(kProbs));
    MinP(cands, c.p);
    EXPECT_EQ(Ids(cands), c.want) << "p=" << c.p;
  }
}

TEST(MinPTest, KeepsSortedOrder) {
  Candidates cands = MakeCandidates(LogitsOf(kProbs));
  SortCandidates(cands);
  MinP(cands, 0.26f);
  EXPECT_EQ(Ids(cands), (std::vector<int32_t>{1, 3, 2}));
  EXPECT_TRUE(cands.sorted);
}

TEST(TypicalPTest, KeepsTheMostTypicalTokens) {
  // p = 1/2, 1/4, 1/8, 1/8: entropy 1.75 bits; -log2 p = 1, 2, 3, 3; distance to the entropy
  // 0.75, 0.25, 1.25, 1.25, so the typicality order is 1, 0, 2, 3 with mass 0.25, 0.75, 0.875, 1.
  const std::vector<double> probs = {0.5, 0.25, 0.125, 0.125};
  const struct {
    float p;
    std::vector<int32_t> want;
  } cases[] = {
      {0.2f, {1}},           {0.5f, {1, 0}}, {0.8f, {1, 0, 2}},
      {0.95f, {1, 0, 2, 3}}, {0.0f, {1}},    {1.0f, {0, 1, 2, 3}},  // disabled
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(LogitsOf(probs));
    TypicalP(cands, c.p);
    EXPECT_EQ(Ids(cands), c.want) << "p=" << c.p;
  }
}

TEST(TypicalPTest, SurvivesUnderflowingProbabilities) {
  Candidates cands = MakeCandidates({0.0f, -200.0f, 0.0f});
  TypicalP(cands, 0.5f);
  // Two equally likely tokens: both at distance 0 from the entropy (ln 2); token 1 (p = 0 in
  // float) is infinitely atypical. Ties keep likelihood order, i.e. lower id first.
  EXPECT_EQ(Ids(cands), (std::vector<int32_t>{0, 2}));
}

TEST(TruncationTest, StagesKeepOneOfOne) {
  for (int stage = 0; stage < 4; ++stage) {
    Candidates c = MakeCandidates({-3.0f});
    switch (stage) {
      case 0:
        TopK(c, 5);
        break;
      case 1:
        TopP(c, 0.1f);
        break;
      case 2:
        MinP(c, 0.9f);
        break;
      default:
        TypicalP(c, 0.1f);
        break;
    }
    EXPECT_EQ(Ids(c), (std::vector<int32_t>{0})) << "stage " << stage;
  }
}

TEST(TruncationTest, EmptyCandidatesStayEmpty) {
  Candidates c;
  TopK(c, 3);
  TopP(c, 0.5f);
  MinP(c, 0.5f);
  TypicalP(c, 0.5f);
  ApplyTemperature(c, 0.0f);
  Softmax(c);
  EXPECT_TRUE(c.empty());
}

}  // namespace
}  // namespace olla::sampling
