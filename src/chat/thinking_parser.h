#pragma once
// Splits model output into thinking and content (spec §9.6): text between the opening and
// closing thinking tags (e.g. "<think>" / "</think>") is thinking, the rest content. Leading
// whitespace is skipped, whitespace right after either tag is dropped, and a tag split across
// chunks is held back until it is whole. If the output does not start with the opening tag
// (after whitespace), it is all content. Pure: the same parser serves /api/chat, /api/generate
// and the OpenAI layer.

#include <string>
#include <string_view>

namespace olla::chat {

struct ThinkingOutput {
  std::string thinking;
  std::string content;
};

class ThinkingParser {
 public:
  // `start_inside`: the rendered prompt already ends with the opening tag, so the output begins
  // inside the thinking section.
  ThinkingParser(std::string open, std::string close, bool start_inside = false);

  ThinkingOutput Add(std::string_view text);
  // End of output: what is held back (a partial tag) goes where it was heading.
  ThinkingOutput Flush();

 private:
  enum class State { kLookingForOpen, kThinkingStart, kThinking, kAfterClose, kContent };

  std::string open_, close_;
  State state_;
  std::string buffer_;
};

// Whether the output of a prompt that ends with `prompt_tail` starts inside the thinking section:
// the prompt's last non-whitespace text is the opening tag.
bool PromptEndsInThinking(std::string_view prompt, std::string_view open);

}  // namespace olla::chat
