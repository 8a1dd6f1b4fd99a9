#include "chat/thinking_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace olla::chat {
namespace {

struct Case {
  const char* name;
  bool start_inside;
  const char* output;
  const char* thinking;
  const char* content;
};

const std::vector<Case> kCases = {
    {"basic", false, "<think>Let me see.</think>The answer is 4.", "Let me see.",
     "The answer is 4."},
    {"whitespace", false, "\n  <think>\n\nhmm\n</think>\n\nFour.", "hmm\n", "Four."},
    {"no_thinking", false, "  Just an answer <think>not thinking</think>", "",
     "Just an answer <think>not thinking</think>"},
    {"inside", true, "\nreasoning here</think>done", "reasoning here", "done"},
    {"unclosed", false, "<think>still going", "still going", ""},
    {"empty_thinking", false, "<think></think>answer", "", "answer"},
    {"lookalike", false, "<thin>k</think>", "", "<thin>k</think>"},
    {"close_lookalike", false, "<think>a </thin b</think>c", "a </thin b", "c"},
    {"partial_open_at_end", false, "<thi", "", "<thi"},
};

TEST(ThinkingParserTest, GoldenWholeAndStreamed) {
  for (const Case& c : kCases) {
    const std::string text = c.output;
    for (size_t step : {text.size() + 1, size_t{1}, size_t{2}, size_t{5}}) {
      ThinkingParser p("<think>", "</think>", c.start_inside);
      ThinkingOutput all;
      for (size_t i = 0; i < text.size(); i += step) {
        auto o = p.Add(text.substr(i, step));
        all.thinking += o.thinking;
        all.content += o.content;
      }
      auto o = p.Flush();
      all.thinking += o.thinking;
      all.content += o.content;
      EXPECT_EQ(all.thinking, c.thinking) << c.name << " step " << step;
      EXPECT_EQ(all.content, c.content) << c.name << " step " << step;
    }
  }
}

TEST(ThinkingParserTest, ThinkingIsStreamedBeforeTheCloseTag) {
  ThinkingParser p("<think>", "</think>");
  auto a = p.Add("<think>step one, ");
  EXPECT_EQ(a.thinking, "step one, ");
  auto b = p.Add("step two</thi");
  EXPECT_EQ(b.thinking, "step two");  // "</thi" is held back
  auto c = p.Add("nk>Answer");
  EXPECT_EQ(c.thinking, "");
  EXPECT_EQ(c.content, "Answer");
}

TEST(ThinkingParserTest, PromptEndsInThinking) {
  EXPECT_TRUE(PromptEndsInThinking("<|im_start|>assistant\n<think>\n", "<think>"));
  EXPECT_FALSE(PromptEndsInThinking("<|im_start|>assistant\n", "<think>"));
  EXPECT_FALSE(PromptEndsInThinking("<think>", ""));
}

}  // namespace
}  // namespace olla::chat
