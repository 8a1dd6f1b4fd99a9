// libFuzzer target for the thinking parser (CONVENTIONS.md C12): model output is untrusted text
// that ThinkingParser splits into thinking and content. It must never crash or hang, never invent
// text (thinking and content together are at most the output), and give the same result however
// the output is split into chunks.
// Input: byte 0 picks the tags and start_inside, byte 1 the chunk sizes, the rest is output.
// Build and run: scripts/fuzz.sh SECONDS.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/check.h"
#include "chat/thinking_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla::chat;
  static constexpr std::pair<std::string_view, std::string_view> kTags[] = {
      {"<think>", "</think>"},
      {"<thinking>", "</thinking>"},
      {"[THINK]", "[/THINK]"},
      {"<|channel|>analysis<|message|>", "<|end|>"},
      {"<", ">"},
      {"", ""},
      {"<think>", ""},
      {"", "</think>"}};
  if (size < 2) return 0;
  const uint8_t sel = data[0], chunking = data[1];
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);
  const auto& [open, close] = kTags[sel % std::size(kTags)];
  const bool start_inside = (sel & 0x80) != 0;

  ThinkingParser whole(std::string(open), std::string(close), start_inside);
  ThinkingOutput a = whole.Add(text);
  ThinkingOutput a2 = whole.Flush();
  a.thinking += a2.thinking;
  a.content += a2.content;
  OLLA_CHECK(a.thinking.size() + a.content.size() <= text.size());
  if (a.thinking.empty() && !start_inside && !open.empty() &&
      text.find(open) == std::string_view::npos) {
    // No opening tag: all content, leading whitespace dropped.
    const size_t p = text.find_first_not_of(" \t\n\r\f\v");
    OLLA_CHECK(a.content == (p == std::string_view::npos ? std::string_view() : text.substr(p)));
  }

  ThinkingParser streamed(std::string(open), std::string(close), start_inside);
  ThinkingOutput b;
  size_t pos = 0;
  for (unsigned k = 0; pos < text.size(); ++k) {
    const size_t n = 1 + ((chunking >> (k % 4 * 2)) & 3) * (1 + (k & 3));
    ThinkingOutput o = streamed.Add(text.substr(pos, n));
    pos += std::min(n, text.size() - pos);
    b.thinking += o.thinking;
    b.content += o.content;
  }
  ThinkingOutput b2 = streamed.Flush();
  b.thinking += b2.thinking;
  b.content += b2.content;
  OLLA_CHECK(a.thinking == b.thinking);
  OLLA_CHECK(a.content == b.content);

  (void)PromptEndsInThinking(text, open);
  return 0;
}
