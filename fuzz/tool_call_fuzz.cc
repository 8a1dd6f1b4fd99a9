// libFuzzer target for the tool-call parser (CONVENTIONS.md C12): model output is untrusted text
// that ParseToolCalls/ToolCallParser split into content and tool calls. They must never crash, hang
// or fail, and what they return must be well formed:
//   * every call names a tool of the request (any name when the request names none) and its
//     arguments are a JSON object; calls are numbered 0, 1, ...;
//   * the result does not depend on how the output is split into chunks (streaming == at once);
//   * with no call found, the content is the output (a bare-JSON format may drop leading
//     whitespace).
// Input: byte 0 picks the format and the tool names, byte 1 the chunk sizes, the rest is output.
// Build and run: scripts/fuzz.sh SECONDS.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "chat/tool_call_parser.h"

namespace olla::chat {
namespace {

constexpr std::string_view kTags[] = {
    "{", "[", "<tool_call>", "[TOOL_CALLS]", "<|python_tag|>", "<function_calls>", "```json", "<"};

void CheckCalls(const ToolCallOutput& out, const std::vector<std::string>& names) {
  for (size_t i = 0; i < out.calls.size(); ++i) {
    const ToolCall& c = out.calls[i];
    OLLA_CHECK(c.index == static_cast<int>(i));
    OLLA_CHECK(!c.name.empty());
    if (!names.empty()) OLLA_CHECK(std::find(names.begin(), names.end(), c.name) != names.end());
    const auto args =
        nlohmann::ordered_json::parse(c.arguments_json, nullptr, /*allow_exceptions=*/false);
    OLLA_CHECK(args.is_object());
  }
}

bool SameCalls(const std::vector<ToolCall>& a, const std::vector<ToolCall>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].arguments_json != b[i].arguments_json ||
        a[i].index != b[i].index)
      return false;
  return true;
}

}  // namespace
}  // namespace olla::chat

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace olla::chat;
  if (size < 2) return 0;
  const uint8_t sel = data[0], chunking = data[1];
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  const ToolCallFormat format = ToolCallFormat::FromTag(kTags[sel % std::size(kTags)]);
  std::vector<std::string> names;
  if (sel & 0x80)
    names = ToolNames(R"([{"type":"function","function":{"name":"get_weather"}},)"
                      R"({"type":"function","function":{"name":"search"}}])");

  const ToolCallOutput whole = ParseToolCalls(format, names, text);
  CheckCalls(whole, names);
  if (whole.calls.empty()) {
    const size_t p = text.find_first_not_of(" \t\n\r\f\v");
    OLLA_CHECK(whole.content == text ||
               (format.bare() && p != std::string_view::npos && whole.content == text.substr(p)));
  }

  // The same output streamed in chunks of 1..16 bytes, sizes cycling through a pattern.
  ToolCallParser parser(format, names);
  ToolCallOutput streamed;
  size_t pos = 0;
  for (unsigned k = 0; pos < text.size(); ++k) {
    const size_t n = 1 + ((chunking >> (k % 4 * 2)) & 3) * (1 + (k & 3));
    ToolCallOutput o = parser.Add(text.substr(pos, n));
    pos += std::min(n, text.size() - pos);
    streamed.content += o.content;
    for (auto& c : o.calls) streamed.calls.push_back(std::move(c));
  }
  ToolCallOutput rest = parser.Flush();
  streamed.content += rest.content;
  for (auto& c : rest.calls) streamed.calls.push_back(std::move(c));
  OLLA_CHECK(streamed.content == whole.content);
  OLLA_CHECK(SameCalls(streamed.calls, whole.calls));
  return 0;
}
