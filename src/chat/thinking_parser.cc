#include "chat/thinking_parser.h"

#include <algorithm>

namespace olla::chat {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void TrimLeft(std::string& s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  s.erase(0, i);
}

// The length of the longest suffix of `s` that is a proper prefix of `tag`.
size_t PartialTagSuffix(std::string_view s, std::string_view tag) {
  if (tag.empty()) return 0;
  for (size_t n = std::min(s.size(), tag.size() - 1); n > 0; --n)
    if (tag.starts_with(s.substr(s.size() - n))) return n;
  return 0;
}

}  // namespace

ThinkingParser::ThinkingParser(std::string open, std::string close, bool start_inside)
    : open_(std::move(open)),
      close_(std::move(close)),
      state_(start_inside ? State::kThinkingStart : State::kLookingForOpen) {}

ThinkingOutput ThinkingParser::Add(std::string_view text) {
  ThinkingOutput out;
  buffer_.append(text);
  for (;;) {
    switch (state_) {
      case State::kLookingForOpen: {
        TrimLeft(buffer_);
        if (buffer_.empty()) return out;
        if (buffer_.starts_with(open_)) {
          buffer_.erase(0, open_.size());
          state_ = State::kThinkingStart;
          continue;
        }
        if (open_.starts_with(buffer_)) return out;  // maybe the tag, not whole yet
        state_ = State::kContent;
        continue;
      }
      case State::kThinkingStart:
        TrimLeft(buffer_);
        if (buffer_.empty()) return out;
        state_ = State::kThinking;
        continue;
      case State::kThinking: {
        const size_t i = buffer_.find(close_);
        if (i != std::string::npos) {
          out.thinking += buffer_.substr(0, i);
          buffer_.erase(0, i + close_.size());
          state_ = State::kAfterClose;
          continue;
        }
        const size_t hold = PartialTagSuffix(buffer_, close_);
        out.thinking += buffer_.substr(0, buffer_.size() - hold);
        buffer_.erase(0, buffer_.size() - hold);
        return out;
      }
      case State::kAfterClose:
        TrimLeft(buffer_);
        if (buffer_.empty()) return out;
        state_ = State::kContent;
        continue;
      case State::kContent:
        out.content += buffer_;
        buffer_.clear();
        return out;
    }
  }
}

ThinkingOutput ThinkingParser::Flush() {
  ThinkingOutput out;
  if (state_ == State::kThinking || state_ == State::kThinkingStart)
    out.thinking = std::move(buffer_);
  else
    out.content = std::move(buffer_);
  buffer_.clear();
  return out;
}

bool PromptEndsInThinking(std::string_view prompt, std::string_view open) {
  if (open.empty()) return false;
  while (!prompt.empty() && IsSpace(prompt.back())) prompt.remove_suffix(1);
  return prompt.ends_with(open);
}

}  // namespace olla::chat
