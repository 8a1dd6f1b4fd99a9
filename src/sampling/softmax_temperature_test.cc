#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "sampling/stages.h"
#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::Ids;
using testing::LogitValues;
using testing::MakeCandidates;

TEST(SoftmaxTest, ComputesProbabilitiesInPlace) {
  const struct {
    std::vector<float> logits;
    std::vector<double> want;
  } cases[] = {
      {{0.0f, std::log(2.0f), std::log(3.0f)}, {1.0 / 6, 2.0 / 6, 3.0 / 6}},
      {{5.0f, 5.0f}, {0.5, 0.5}},
      {{7.0f}, {1.0}},
      {{1000.0f, 0.0f}, {1.0, 0.0}},                   // no overflow
      {{-1000.0f, -1001.0f}, {0.7310586, 0.2689414}},  // no underflow to 0/0
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(c.logits);
    Softmax(cands);
    EXPECT_EQ(Ids(cands).size(), c.want.size());
    double sum = 0.0;
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(cands.data[i].id, static_cast<int32_t>(i));  // order kept
      EXPECT_NEAR(cands.data[i].p, c.want[i], 1e-6) << i;
      sum += cands.data[i].p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-6);
  }
}

TEST(TemperatureTest, DividesLogits) {
  const struct {
    float temperature;
    std::vector<float> want;
  } cases[] = {
      {2.0f, {0.5f, 1.0f, -2.0f}},
      {0.5f, {2.0f, 4.0f, -8.0f}},
      {1.0f, {1.0f, 2.0f, -4.0f}},
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates({1.0f, 2.0f, -4.0f});
    ApplyTemperature(cands, c.temperature);
    EXPECT_EQ(LogitValues(cands), c.want) << "T=" << c.temperature;
  }
}

TEST(TemperatureTest, ZeroOrNegativeKeepsOnlyTheBest) {
  for (float t : {0.0f, -1.0f}) {
    Candidates cands = MakeCandidates({1.0f, 3.0f, 3.0f, -4.0f});
    ApplyTemperature(cands, t);
    EXPECT_EQ(Ids(cands), (std::vector<int32_t>{1})) << "T=" << t;
  }
}

TEST(TemperatureTest, TinyTemperatureStaysFinite) {
  Candidates cands = MakeCandidates({1.0f, 2.0f, -4.0f});
  ApplyTemperature(cands, 1e-38f);
  Softmax(cands);
  for (const TokenData& t : cands.data) {
    EXPECT_TRUE(std::isfinite(t.logit));
    EXPECT_FALSE(std::isnan(t.p));
  }
  EXPECT_FLOAT_EQ(cands.data[1].p, 1.0f);
}

TEST(GreedyTest, PicksArgmaxFirstIndexOnTies) {
  const struct {
    std::vector<float> logits;
    int32_t want;
  } cases[] = {
      {{0.1f, 0.9f, 0.5f}, 1},
      {{2.0f, 2.0f, 1.0f}, 0},
      {{-5.0f, -1.0f, -1.0f}, 1},
      {{3.0f}, 0},
      {{}, -1},
  };
  for (const auto& c : cases) {
    Candidates cands = MakeCandidates(c.logits);
    EXPECT_EQ(Greedy(cands), c.want);
    SortCandidates(cands);
    EXPECT_EQ(Greedy(cands), c.want);  // the sorted fast path agrees
  }
}

}  // namespace
}  // namespace olla::sampling
