#include "runtime/chat_truncation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace olla::runtime {
namespace {

// A conversation: a system message, then `n` user/assistant turns of various sizes.
std::vector<chat::Message> Conversation(size_t n) {
  std::vector<chat::Message> messages = {{.role = "system", .content = "be brief"}};
  for (size_t idx = 0; idx < n; ++idx)
    messages.push_back(
        {.role = idx % 2 ? "assistant" : "user", .content = std::string(1 + idx * 7 % 23, 'x')});
  return messages;
}

// A stand-in for render + tokenize: a few tokens per message plus one per content byte.
size_t PromptTokens(const std::vector<chat::Message>& messages) {
  size_t n = 1;  // BOS
  for (const auto& m : messages) n += 4 + m.content.size();
  return n;
}

// The rule as Ollama states it: drop the oldest non-system message but the last, one at a time,
// until the prompt fits or nothing is left to drop.
size_t LinearDrop(std::vector<chat::Message> messages, size_t num_ctx) {
  size_t dropped = 0;
  while (PromptTokens(messages) >= num_ctx) {
    auto victim = std::find_if(messages.begin(), messages.end() - 1,
                               [](const chat::Message& m) { return m.role != "system"; });
    if (victim == messages.end() - 1) break;
    messages.erase(victim);
    ++dropped;
  }
  return dropped;
}

TEST(ChatTruncationTest, DropsTheOldestNonSystemMessagesButNeverTheLast) {
  const std::vector<chat::Message> messages = {{.role = "system", .content = "s"},
                                               {.role = "user", .content = "a"},
                                               {.role = "system", .content = "t"},
                                               {.role = "assistant", .content = "b"},
                                               {.role = "user", .content = "c"}};
  EXPECT_EQ(DroppableMessages(messages), 2u);
  const auto cut = DropOldestMessages(messages, 2);
  ASSERT_EQ(cut.size(), 3u);
  EXPECT_EQ(cut[0].content, "s");
  EXPECT_EQ(cut[1].content, "t");
  EXPECT_EQ(cut[2].content, "c");
  EXPECT_EQ(DropOldestMessages(messages, 0).size(), messages.size());
  EXPECT_EQ(DroppableMessages({{.role = "user", .content = "only"}}), 0u);
}

TEST(ChatTruncationTest, MatchesDroppingOneAtATimeWithLogarithmicRenders) {
  const std::vector<chat::Message> messages = Conversation(1000);
  const size_t max_drop = DroppableMessages(messages);
  ASSERT_EQ(max_drop, 999u);
  const size_t whole = PromptTokens(messages);
  for (size_t num_ctx : {size_t{1}, size_t{20}, size_t{64}, size_t{500}, size_t{4096}, whole - 1,
                         whole, whole + 1}) {
    size_t renders = 0;
    auto size = [&](size_t n) -> Result<size_t> {
      ++renders;
      return PromptTokens(DropOldestMessages(messages, n));
    };
    auto drop = MessagesToDrop(max_drop, num_ctx, size);
    ASSERT_TRUE(drop.ok()) << drop.status().ToString();
    EXPECT_EQ(*drop, LinearDrop(messages, num_ctx)) << "num_ctx " << num_ctx;
    EXPECT_LE(renders, 2 + static_cast<size_t>(std::log2(max_drop))) << "num_ctx " << num_ctx;
  }
}

TEST(ChatTruncationTest, NoRenderBeyondTheFirstWhenItFits) {
  size_t renders = 0;
  auto drop = MessagesToDrop(50, 100, [&](size_t) -> Result<size_t> {
    ++renders;
    return size_t{10};
  });
  ASSERT_TRUE(drop.ok());
  EXPECT_EQ(*drop, 0u);
  EXPECT_EQ(renders, 1u);
}

TEST(ChatTruncationTest, RenderErrorsAreReturned) {
  auto drop = MessagesToDrop(50, 10, [](size_t n) -> Result<size_t> {
    if (n > 0) return Status::Internal("template: boom");
    return size_t{100};
  });
  ASSERT_FALSE(drop.ok());
  EXPECT_EQ(drop.status().message(), "template: boom");
}

}  // namespace
}  // namespace olla::runtime
