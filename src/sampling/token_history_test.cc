#include "sampling/token_history.h"

#include <gtest/gtest.h>

#include <vector>

namespace olla::sampling {
namespace {

TEST(TokenHistoryTest, CountsOnlyTheLastWindowTokens) {
  const struct {
    int32_t window;
    std::vector<int32_t> pushed;
    std::vector<int32_t> want_counts;  // Count(0..4)
    int32_t want_size;
  } cases[] = {
      {3, {1, 2, 1, 3}, {0, 1, 1, 1, 0}, 3},  // the first 1 fell out
      {4, {1, 2, 1, 3}, {0, 2, 1, 1, 0}, 4},
      {8, {4, 4, 4}, {0, 0, 0, 0, 3}, 3},
      {1, {0, 1, 2}, {0, 0, 1, 0, 0}, 1},
      {0, {1, 2, 3}, {0, 0, 0, 0, 0}, 0},  // disabled
      {-5, {1}, {0, 0, 0, 0, 0}, 0},
      {2, {7, -1, 3}, {0, 0, 0, 1, 0}, 2},  // out-of-range ids occupy slots, never count
  };
  for (const auto& c : cases) {
    TokenHistory h(c.window, /*n_vocab=*/5);
    for (int32_t id : c.pushed) h.Push(id);
    std::vector<int32_t> counts;
    for (int32_t id = 0; id < 5; ++id) counts.push_back(h.Count(id));
    EXPECT_EQ(counts, c.want_counts) << "window " << c.window;
    EXPECT_EQ(h.size(), c.want_size);
  }
}

TEST(TokenHistoryTest, OutOfRangeQueriesAreZero) {
  TokenHistory h(4, 3);
  h.Push(2);
  EXPECT_EQ(h.Count(-1), 0);
  EXPECT_EQ(h.Count(3), 0);
  EXPECT_EQ(h.Count(1 << 30), 0);
}

TEST(TokenHistoryTest, ClearForgetsEverything) {
  TokenHistory h(3, 5);
  for (int32_t id : {1, 2, 2, 4, 4}) h.Push(id);
  h.Clear();
  EXPECT_EQ(h.size(), 0);
  for (int32_t id = 0; id < 5; ++id) EXPECT_EQ(h.Count(id), 0);
  h.Push(3);
  EXPECT_EQ(h.Count(3), 1);
  EXPECT_EQ(h.size(), 1);
}

TEST(TokenHistoryTest, LongStreamMatchesNaiveCount) {
  TokenHistory h(7, 10);
  std::vector<int32_t> all;
  for (int32_t i = 0; i < 200; ++i) {
    const int32_t id = (i * 7 + i / 3) % 10;
    all.push_back(id);
    h.Push(id);
    for (int32_t q = 0; q < 10; ++q) {
      int32_t want = 0;
      for (size_t j = all.size() > 7 ? all.size() - 7 : 0; j < all.size(); ++j) want += all[j] == q;
      ASSERT_EQ(h.Count(q), want) << "after " << i << " query " << q;
    }
  }
}

}  // namespace
}  // namespace olla::sampling
