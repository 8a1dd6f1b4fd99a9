#include "sampling/candidates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "sampling/test_util.h"

namespace olla::sampling {
namespace {

using testing::Ids;
using testing::LogitValues;
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(CandidatesTest, FillKeepsIdOrderAndDropsMaskedAndNonFinite) {
  const struct {
    std::vector<float> logits;
    std::vector<uint8_t> allowed;
    std::vector<int32_t> want_ids;
  } cases[] = {
      {{0.5f, -1.0f, 2.0f}, {}, {0, 1, 2}},
      {{0.5f, -1.0f, 2.0f}, {1, 0, 1}, {0, 2}},
      {{0.5f, -1.0f, 2.0f}, {0, 0, 0}, {}},
      {{-kInf, 1.0f, std::nanf("")}, {}, {1}},
      {{}, {}, {}},
  };
  for (const auto& c : cases) {
    Candidates out;
    out.sorted = true;  // must be reset
    FillCandidates(c.logits, c.allowed, out);
    EXPECT_EQ(Ids(out), c.want_ids);
    EXPECT_FALSE(out.sorted);
    for (const TokenData& t : out.data) EXPECT_EQ(t.p, 0.0f);
  }
}

TEST(CandidatesTest, FillClampsPositiveInfinity) {
  Candidates out;
  const std::vector<float> logits = {kInf, 1.0f};
  FillCandidates(logits, {}, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out.data[0].logit, std::numeric_limits<float>::max());
}

TEST(CandidatesTest, FillReusesStorage) {
  Candidates out;
  out.data.reserve(16);
  const auto* before = out.data.data();
  const std::vector<float> logits = {1, 2, 3};
  FillCandidates(logits, {}, out);
  FillCandidates(logits, {}, out);
  EXPECT_EQ(out.data.data(), before);
  EXPECT_EQ(out.size(), 3u);
}

TEST(CandidatesTest, SortIsDescendingWithLowerIdFirstOnTies) {
  Candidates c = testing::MakeCandidates({1.0f, 3.0f, 1.0f, 3.0f, -2.0f});
  SortCandidates(c);
  EXPECT_TRUE(c.sorted);
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{1, 3, 0, 2, 4}));
  EXPECT_EQ(LogitValues(c), (std::vector<float>{3, 3, 1, 1, -2}));
}

}  // namespace
}  // namespace olla::sampling
