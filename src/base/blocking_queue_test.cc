#include "base/blocking_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace olla {
namespace {

TEST(BlockingQueueTest, DrainsInOrderThenEndsAfterClose) {
  BlockingQueue<int> q;
  q.Push(1);
  q.Push(2);
  q.Close();
  EXPECT_EQ(q.Pop(), 1);
  EXPECT_EQ(q.Pop(), 2);
  EXPECT_EQ(q.Pop(), std::nullopt);
  EXPECT_EQ(q.Pop(), std::nullopt);
}

TEST(BlockingQueueTest, PopWaitsForTheProducer) {
  BlockingQueue<std::string> q;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) q.Push(std::to_string(i));
    q.Close();
  });
  std::vector<std::string> got;
  while (auto s = q.Pop()) got.push_back(*s);
  producer.join();
  ASSERT_EQ(got.size(), 100u);
  EXPECT_EQ(got.front(), "0");
  EXPECT_EQ(got.back(), "99");
}

TEST(BlockingQueueTest, PushOrReplaceLastCoalesces) {
  BlockingQueue<std::pair<char, int>> q;  // (key, progress)
  auto same_key = [](const auto& last, const auto& item) { return last.first == item.first; };
  q.PushOrReplaceLast({'a', 1}, same_key);
  q.PushOrReplaceLast({'a', 2}, same_key);
  q.PushOrReplaceLast({'b', 1}, same_key);
  EXPECT_EQ(q.Pop(), std::make_pair('a', 2));
  q.PushOrReplaceLast({'b', 2}, same_key);  // replaces the unread ('b', 1)
  q.Close();
  EXPECT_EQ(q.Pop(), std::make_pair('b', 2));
  EXPECT_EQ(q.Pop(), std::nullopt);
}

}  // namespace
}  // namespace olla
